"""Every page of the dashboard in a real browser at the two screen sizes the dashboard is used
on (a laptop, 1366×768, and a projector, 1920×1080): each loads without an exception and a
screenshot is kept, what the screen shows and the whole page, under
`tests/artifacts/screenshots/pages/<largeur>x<hauteur>/` (or `$PCAET_CAPTURES`). Comparing two
runs of this module (before and after a change of the UI) shows what a change moved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import PROJECT_ROOT, open_tab

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1920, 1080)]
# (file name, url path, query, text that shows the page is drawn, whether it draws plotly charts)
PAGES = [
    ("vue_ensemble", "", "", "Vue d'ensemble du label Climat-Air-Énergie", True),
    ("scores_mesures", "scores_mesures", "", "Scores par mesure", True),
    ("detail_mesure", "detail_mesure", "mesure=6.1.1", "Développer une stratégie partenariale multi-niveaux", True),
    ("radar", "radar", "", "Radar par catégorie", True),
    ("historique", "historique", "", "Évolution du score réalisé", True),
    ("prochaine_etoile", "prochaine_etoile", "", "Vers la prochaine étoile", True),
    ("importer_evaluation", "importer_evaluation", "", "Importer une évaluation", False),
    ("referentiel", "referentiel", "", "Identifier les acteurs clés à associer", False),
    ("fiches_actions", "fiches_actions", "", "Indicateurs de suivi (3)", True),
    ("fiche_nouvelle", "fiche_nouvelle", "", "Nouvelle fiche-action", False),
    ("boite_outils", "boite_outils", "", "Entente interterritoriale TRIDAN", False),
    ("comite", "comite", "", "Depuis le comité du 12/11/2026", True),
    ("journal", "journal", "", "Journal des modifications", False),
    ("connexion", "connexion", "", "Mode ouvert", False),
] + [(f"presentation-{n}", "presentation", f"presentation=1&diapo={n}", f"{n} / 5", n == 2) for n in range(1, 6)]


def captures_dir(width: int, height: int) -> Path:
    root = Path(os.environ.get("PCAET_CAPTURES") or PROJECT_ROOT / "tests" / "artifacts" / "screenshots" / "pages")
    folder = root / f"{width}x{height}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_page_captured(chromium_browser, dashboard_server, size):
    width, height = size
    folder = captures_dir(width, height)
    with open_tab(chromium_browser, dashboard_server) as tab:
        tab.page.set_viewport_size({"width": width, "height": height})
        for name, url_path, query, expected, charts in PAGES:
            tab.open(url_path, expected, query=query)
            if charts:
                tab.page.wait_for_selector(".main-svg", timeout=20_000)
                tab.page.wait_for_timeout(2500)  # plotly draws after the script ends
            tab.page.wait_for_timeout(600)
            exceptions = tab.page.locator('[data-testid="stException"]')
            assert exceptions.count() == 0, (name, exceptions.first.inner_text())
            tab.page.screenshot(path=str(folder / f"{name}.png"))
            full = tab.page.evaluate(
                "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                " return Math.max(m ? m.scrollHeight : 0, document.body.scrollHeight); }")
            tab.page.set_viewport_size({"width": width, "height": min(max(int(full), height), 12000)})
            tab.page.wait_for_timeout(500)
            tab.page.screenshot(path=str(folder / f"{name}-complet.png"))
            tab.page.set_viewport_size({"width": width, "height": height})
