"""The fiches-actions page in a real browser, on its own copy of the seeded database (it writes):
the list with its alerts, the indicator charts, then a value typed in the form updates the last
value at once. Screenshots at 1920×1080 in tests/artifacts/screenshots/."""

import shutil

import pytest

from tests.browser.conftest import open_tab, start_dashboard

pytestmark = pytest.mark.browser

ACTIONS = "Nombre d'actions collectives portées"


@pytest.fixture(scope="module")
def writable_server(_seeded_template, chromium_browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fiches-db")
    shutil.copytree(_seeded_template.parent, folder, dirs_exist_ok=True)
    with start_dashboard(folder / _seeded_template.name, tmp_path_factory.mktemp("fiches-logs")) as server:
        yield server


def metric_values(tab) -> list[str]:
    return [m.inner_text() for m in tab.page.locator('[data-testid="stMetricValue"]').all()]


def test_fiche_indicateurs_and_value_entry(chromium_browser, writable_server):
    with open_tab(chromium_browser, writable_server) as tab:
        tab.open("fiches_actions", "Les fiches du plan")
        tab.wait_for_text("Saisir une valeur d'indicateur")
        tab.page.locator(".main-svg").first.wait_for(state="visible", timeout=20_000)
        text = tab.main_text()
        assert "Pas de valeur depuis plus de 90 jours" in text
        assert "En retard sur la trajectoire" in text
        assert metric_values(tab) == ["41", "38", "11"]
        tab.screenshot("fiches_actions-indicateurs")

        form = tab.page.locator('[data-testid="stForm"]')
        form.get_by_text(ACTIONS).click()
        form.get_by_label("Valeur", exact=True).fill("14")
        form.get_by_label("Commentaire (facultatif)").fill("Saisie de test")
        form.get_by_role("button", name="Enregistrer la valeur").click()
        tab.wait_for_text("Valeur enregistrée")
        tab.page.locator(".main-svg").first.wait_for(state="visible", timeout=20_000)
        tab.page.wait_for_timeout(2500)  # plotly draws after the script ends
        assert metric_values(tab) == ["41", "38", "14"]
        assert "+3 depuis le comité du 19/11/2026" in tab.main_text()  # 14 − 11, in force at the last committee
        tab.screenshot("fiches_actions-saisie")

        form.get_by_label("Valeur", exact=True).fill("-2")
        form.get_by_role("button", name="Enregistrer la valeur").click()
        tab.wait_for_text("La valeur n'a pas été enregistrée")
        assert "un entier positif ou nul est attendu" in tab.main_text()
        tab.screenshot("fiches_actions-saisie-refusee", full=False)


def test_nouvelle_fiche(dashboard_page):
    dashboard_page.open("fiche_nouvelle", "Nouvelle fiche-action")
    dashboard_page.wait_for_text("Déposer un fichier YAML")
    assert "Télécharger un exemple" in dashboard_page.main_text()
    dashboard_page.screenshot("fiche_nouvelle", full=False)
