"""Nothing from a file is rendered as raw HTML, checked in the real browser: an evaluation whose
comments carry HTML and script is imported, then its mesure's detail page shows them as text,
runs no script and creates no element from them."""


import pytest

from cae_data import clock, services

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__pwned=1"><b id="injecte">gras</b><script>window.__pwned=2</script>'


def test_comments_with_html_and_script_stay_text(private_dashboard_page):
    tab = private_dashboard_page
    data = ("action_id;statut;commentaire\r\n"
            f"6.1.1.1;fait;{PAYLOAD}\r\n"
            "6.1.1.2;programmé;**pas du gras** [lien](javascript:alert(1))\r\n").encode("cp1252")
    services.import_evaluation(tab.server.db_path, data, "injection.csv", "CAPSO", clock.today())
    tab.open("detail_mesure", "6.1.1", query="mesure=6.1.1")
    tab.wait_for_text("Commentaire de l'évaluation")
    tab.settle()
    text = tab.main_text()
    assert 'onerror="window.__pwned=1"' in text and "<script>" in text  # shown, as text
    assert tab.page.evaluate("() => window.__pwned === undefined")  # never run
    assert tab.page.locator("#injecte").count() == 0  # no element made from the file
    assert tab.page.locator('a[href^="javascript:"]').count() == 0
    tab.screenshot("detail_mesure-commentaire-html")
