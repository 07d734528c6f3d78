"""The score pages in a real browser (Debian chromium) on the seeded demo database, and the home
page on the official referential: each page loads, draws its charts, links where it says, and
a 1920×1080 screenshot is kept in tests/artifacts/screenshots/."""

import re

import pytest

pytestmark = pytest.mark.browser


def wait_for_charts(tab, count: int) -> None:
    """Plotly draws about 2 s after the script ends; each figure holds two `.main-svg` layers."""
    tab.page.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=\"stMain\"] .js-plotly-plot').length >= {count}"
        " && document.querySelectorAll('[data-testid=\"stMain\"] .main-svg').length >= 2 * " + str(count),
        timeout=20_000)
    tab.page.wait_for_timeout(600)  # bars and lines animate in


def test_vue_ensemble(dashboard_page):
    tab = dashboard_page
    tab.open("", "Vue d'ensemble du label Climat-Air-Énergie")
    tab.wait_for_text("Les mesures qui ont le plus bougé")
    wait_for_charts(tab, 2)
    tab.screenshot("vue_ensemble")
    text = tab.main_text()
    for expected in ("Score réalisé", "Fait ou programmé", "Répartition des points", "Score par mesure",
                     "Le score couvre uniquement les 3 mesures chargées (documents de départ)"):
        assert expected in text
    assert re.search(r"\d+,\d\s%", text)  # French percentages
    # the legend of the split bar, in French
    legend = tab.page.locator('[data-testid="stMain"] .legend').first.text_content()
    for label in ("Fait", "Programmé", "Pas fait"):
        assert label in legend
    # a mesure of the table opens its detail
    tab.page.locator('[data-testid="stMain"] a[href*="detail_mesure"]').first.click()
    tab.wait_for_text("Détail d'une mesure")
    assert "detail_mesure?mesure=6." in tab.page.url


def test_scores_par_mesure(dashboard_page):
    tab = dashboard_page
    tab.open("scores_mesures", "Scores par mesure")
    tab.wait_for_text("Cliquez sur une ligne")
    wait_for_charts(tab, 1)
    tab.screenshot("scores_mesures")
    assert "3 mesures" in tab.main_text()
    # a click on the table's second row opens that mesure's detail (6.1.2)
    grid = tab.page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    tab.page.mouse.click(box["x"] + 200, box["y"] + 44 + 44 + 22)
    tab.page.wait_for_url(re.compile(r"detail_mesure\?mesure=6\.1\.2"), timeout=20_000)
    tab.wait_for_text("Renforcer la coopération au sein de l'intercommunalité")


def test_detail_mesure(dashboard_page):
    tab = dashboard_page
    tab.open("detail_mesure", "Développer une stratégie partenariale multi-niveaux", query="mesure=6.1.1")
    tab.wait_for_text("Identifier les acteurs clés à associer")
    wait_for_charts(tab, 1)
    tab.screenshot("detail_mesure")
    text = tab.main_text()
    for expected in ("5 sous-actions au", "Fiches-actions liées", "Ouvrir la fiche-action",
                     "Formaliser la coopération", "Entente interterritoriale TRIDAN", "Points du référentiel"):
        assert expected in text
    assert "mesure=6.1.1" in tab.page.url


def test_radar(dashboard_page):
    tab = dashboard_page
    tab.open("radar", "Radar par catégorie")
    tab.wait_for_text("Par catégorie de sous-actions")
    wait_for_charts(tab, 2)
    tab.screenshot("radar")
    text = tab.main_text()
    for expected in ("Mise en œuvre", "Effets", "Bases", "Par mesure — Axe 6"):
        assert expected in text
    assert tab.page.locator('[data-testid="stMain"] .polarlayer').count() == 2


def test_historique(dashboard_page):
    tab = dashboard_page
    tab.open("historique", "Évolution du score réalisé")
    tab.wait_for_text("Comparer deux évaluations")
    wait_for_charts(tab, 2)
    tab.screenshot("historique")
    text = tab.main_text()
    assert "Statuts modifiés" in text and "Points faits gagnés ou perdus" in text


def test_vue_ensemble_referentiel_officiel(full_dashboard_page):
    tab = full_dashboard_page
    tab.open("", "Vue d'ensemble du label Climat-Air-Énergie")
    tab.wait_for_text("Étoiles du label :")
    wait_for_charts(tab, 2)
    tab.screenshot("vue_ensemble-officiel")
    text = tab.main_text()
    assert "☆" in text and "Prochaine étoile" in text and "Score par axe" in text


def test_scores_par_mesure_referentiel_officiel(full_dashboard_page):
    tab = full_dashboard_page
    tab.open("scores_mesures", "61 mesures")
    wait_for_charts(tab, 1)
    tab.screenshot("scores_mesures-officiel")
