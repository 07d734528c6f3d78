"""The foundation pages in a real browser (Debian chromium), on the seeded database: each page
loads, shows its content, and a screenshot is kept in tests/artifacts/screenshots/."""

import pytest

pytestmark = pytest.mark.browser


def test_navigation(dashboard_page):
    dashboard_page.open("boite_outils", "Boîte à outils coopération")
    sidebar = dashboard_page.page.locator('[data-testid="stSidebar"]').inner_text()
    for label in ("Suivi du label", "Référentiel", "Plan d'actions", "Fiches-actions", "Boîte à outils coopération"):
        assert label in sidebar
    dashboard_page.page.locator('[data-testid="stSidebar"]').get_by_text("Fiches-actions").click()
    dashboard_page.wait_for_text("Indicateurs de suivi (3)")
    assert dashboard_page.page.url.endswith("/fiches_actions?fiche=capso-animation-instance-territoriale-climat-energie")


def test_referentiel(dashboard_page):
    dashboard_page.open("referentiel", "Développer une stratégie partenariale multi-niveaux")
    dashboard_page.wait_for_text("Identifier les acteurs clés à associer")
    dashboard_page.screenshot("referentiel")
    text = dashboard_page.main_text()
    assert "3 mesures du référentiel Climat-Air-Énergie" in text
    assert "pcaet referentiel import" in text
    assert "100 points" in text
    assert "10 points" in text


def test_referentiel_lien_vers_une_mesure(dashboard_page):
    dashboard_page.open("referentiel", "Mobiliser la société civile en développant la concertation", query="mesure=6.5.1")
    # the heading is the linked mesure, not the first one
    heading = dashboard_page.page.locator("h2").filter(has_text="6.5.1")
    heading.first.wait_for(state="visible")
    dashboard_page.wait_for_text("La collectivité mobilise les citoyens")
    dashboard_page.screenshot("referentiel-6.5.1", full=False)
    assert "mesure=6.5.1" in dashboard_page.page.url


def test_referentiel_sous_action_ouverte(dashboard_page):
    dashboard_page.open("referentiel", "Identifier les acteurs clés à associer")
    dashboard_page.page.get_by_text("Echanger et s’impliquer dans des projets").first.click()
    dashboard_page.wait_for_text("coopération inter-territoriale avec les territoires voisins")
    dashboard_page.screenshot("referentiel-sous-action", full=False)
    assert "5 tâches" in dashboard_page.main_text()


def test_fiches_actions(dashboard_page):
    dashboard_page.open("fiches_actions", "Animation d'une instance territoriale")
    dashboard_page.wait_for_text("Indicateurs de suivi (3)")  # the names also sit in the list's hidden grid cells
    dashboard_page.screenshot("fiches_actions")
    text = dashboard_page.main_text()
    for expected in ("Enjeux et contexte", "Objectifs", "Sous-actions (2)", "Club climat",
                     "Nombre de partenaires signataires de la charte", "6.1.1", "2020 – 2026"):
        assert expected in text


def test_fiche_lien_vers_le_referentiel(dashboard_page):
    dashboard_page.open("fiches_actions", "Mesures du référentiel CAE servies")
    dashboard_page.page.get_by_role("link", name="6.5.1").first.click()
    heading = dashboard_page.page.locator("h2").filter(has_text="6.5.1")
    heading.first.wait_for(state="visible")
    assert "mesure=6.5.1" in dashboard_page.page.url


def test_boite_outils(dashboard_page):
    dashboard_page.open("boite_outils", "Quels outils pour formaliser des coopérations ?")
    dashboard_page.wait_for_text("Convention de mutualisation PNR / Pays")
    dashboard_page.screenshot("boite_outils")
    text = dashboard_page.main_text()
    for titre in ("Plans de coopération sur le PNR des Monts d'Ardèche", "Entente interterritoriale TRIDAN",
                  "Convention territoires partenaires", "Convention d'articulation"):
        assert titre in text


def test_boite_outils_recherche(dashboard_page):
    dashboard_page.open("boite_outils", "Entente interterritoriale TRIDAN")
    box = dashboard_page.page.get_by_label("Rechercher dans les outils")
    box.fill("SAGE")
    box.press("Enter")
    dashboard_page.wait_for_text("1 outil sur 5")
    dashboard_page.screenshot("boite_outils-recherche", full=False)
    text = dashboard_page.main_text()
    assert "Convention d'articulation" in text
    assert "Entente interterritoriale TRIDAN" not in text


def test_referentiel_officiel_liens_ademe(full_dashboard_page):
    """1.1.1's texts hold ADEME's raw <a href> tags: they show as links, never as HTML source."""
    tab = full_dashboard_page
    tab.open("referentiel", "Définir la vision, les objectifs et la stratégie", query="mesure=1.1.1")
    tab.page.get_by_role("tab", name="Ressources").click()
    tab.wait_for_text("Les guides pour les PCAET et réglementation")
    tab.screenshot("referentiel-officiel-1.1.1")
    link = tab.page.locator('a[href="https://www.drieat.ile-de-france.developpement-durable.gouv.fr/'
                            'les-guides-pour-les-pcaet-et-reglementation-a3431.html"]')
    assert link.count() == 1
    text = tab.main_text()
    assert "<a href" not in text and "</a>" not in text
    assert "mesures sur 61" in text  # the link chose axe 1: its mesures out of 61


def test_referentiel_officiel_recherche(full_dashboard_page):
    tab = full_dashboard_page
    tab.open("referentiel", "61 mesures sur 61")
    box = tab.page.get_by_label("Rechercher (numéro ou mots)")
    box.fill("éclairage public")
    box.press("Enter")
    tab.wait_for_text("Optimiser l'éclairage public")
    tab.screenshot("referentiel-officiel-recherche")
    # the mesure whose title holds both words is chosen first
    assert "2.3.1" in tab.page.locator("h2").first.inner_text()
    assert "mesures sur 61" in tab.main_text()


def test_premiere_visite_par_un_lien_direct(fresh_dashboard_page):
    """A server's very first visitor arriving on /fiches_actions (a bookmark, a tab reopened
    after a restart) gets the dashboard's navigation and wide layout, not the bare page."""
    tab = fresh_dashboard_page
    tab.open("fiches_actions", "Animation d'une instance territoriale")
    tab.wait_for_text("Plan d'actions")
    sidebar = tab.page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Boîte à outils coopération" in sidebar
    assert "_ui" not in sidebar and "dashboard" not in sidebar
    # layout="wide": the card spans most of the 1920 px window
    width = tab.page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"]
    assert width > 1200
