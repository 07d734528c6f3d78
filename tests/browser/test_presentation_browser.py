"""The presentation mode in a real browser (Debian chromium) at 1920×1080: every slide reached
with « Suivant ▶ », screenshotted into tests/artifacts/screenshots/presentation-<n>.png, its
title checked; Streamlit's chrome hidden, no scroll bar, type big enough for the back of a room;
« Quitter la présentation » goes back to the committee page. The committee page itself is
screenshotted too (comite.png)."""

from __future__ import annotations

import shutil

import pytest

from cae_data import services
from tests.browser.conftest import CHROMIUM, open_tab, start_dashboard

pytestmark = pytest.mark.browser

# The demo's slides in the default order (services.PRESENTATION_SLIDES).
TITLES = ["Score global et étoiles", "Score par catégorie", "Mesures qui ont bougé",
          "Indicateurs des fiches-actions", "Décisions du comité précédent"]
# What each slide shows on the seeded demo (CAPSO, committee of 19/11/2026 against 12/11/2026).
EXPECTED = [
    ["66,7", "+0,8 pt depuis le 12/11/2026", "demandent le référentiel complet"],
    ["Bases", "Mise en œuvre", "Effets"],
    ["1 mesure a bougé depuis le comité du 12/11/2026", "6.1.1", "+2,5"],
    ["Nombre de partenaires signataires de la charte", "Cible 2026", "Cible atteinte"],
    ["Comité du 12/11/2026 — Point d'étape : évaluation du 10 novembre", "Club climat en retard"],
]

LONG_NOTES_DATE = __import__("datetime").date(2026, 11, 12)
LONG_NOTES = "Décisions :\n" + "\n".join(
    f"• Décision n° {n} : la direction concernée présente au prochain comité un point d'avancement chiffré, "
    "avec le calendrier, le budget engagé et les partenaires associés." for n in range(1, 31))

VISIBLE = """(selector) => { const e = document.querySelector(selector);
  if (!e) return false; const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
  return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'; }"""
OVERFLOW = """() => { const m = document.querySelector('[data-testid="stMain"]');
  const d = document.documentElement;
  return {page: d.scrollHeight - window.innerHeight, pageX: d.scrollWidth - window.innerWidth,
          main: m ? m.scrollHeight - m.clientHeight : 0, mainX: m ? m.scrollWidth - m.clientWidth : 0}; }"""
FONT_SIZE = """(selector) => { const e = document.querySelector(selector);
  return e ? parseFloat(getComputedStyle(e).fontSize) : 0; }"""


def current_title(tab) -> str:
    return tab.page.locator('.st-key-diapo-titre h1').first.inner_text().strip()


def check_slide(tab, number: int, title: str, expected: list[str], prefix: str) -> None:
    tab.page.wait_for_function(
        "(t) => { const h = document.querySelector('.st-key-diapo-titre h1'); return h && h.innerText.trim() === t; }",
        arg=title, timeout=20_000)
    tab.wait_for_text(f"{number} / 5")
    if title == "Score par catégorie":
        tab.page.wait_for_selector('.st-key-diapo-corps .main-svg', timeout=20_000)
        tab.page.wait_for_timeout(800)
    tab.screenshot(f"{prefix}-{number}", full=False)
    assert current_title(tab) == title
    text = tab.main_text().replace("\u00a0", " ").replace("\u202f", " ")
    assert "CAPSO — Comité de pilotage du 19/11/2026" in text
    for fragment in expected:
        assert fragment in text, (title, fragment)
    # no Streamlit chrome, no sidebar, nothing to scroll
    for selector in ('header[data-testid="stHeader"]', '[data-testid="stSidebar"]', '[data-testid="stToolbar"]'):
        assert not tab.page.evaluate(VISIBLE, selector), selector
    overflow = tab.page.evaluate(OVERFLOW)
    assert max(overflow.values()) <= 1, (title, overflow)
    # readable from the back of the room
    assert tab.page.evaluate(FONT_SIZE, ".st-key-diapo-titre h1") >= 48
    assert tab.page.evaluate(FONT_SIZE, ".st-key-diapo-nav button p") >= 28
    assert tab.page.evaluate(FONT_SIZE, ".st-key-diapo-entete p") >= 28


def test_presentation_every_slide(dashboard_page):
    tab = dashboard_page
    tab.open("presentation", TITLES[0], query="presentation=1")
    for number, (title, expected) in enumerate(zip(TITLES, EXPECTED), start=1):
        check_slide(tab, number, title, expected, "presentation")
        if number == 1:  # the key figures
            assert tab.page.evaluate(FONT_SIZE, '[class*="st-key-diapo-chiffre-"] p') >= 96
        if number == 4:
            assert tab.page.evaluate(FONT_SIZE, '[class*="st-key-diapo-grand-"] p') >= 96
        suivant = tab.page.get_by_role("button", name="Suivant ▶")
        if number < len(TITLES):
            suivant.click()
        else:
            assert suivant.is_disabled()
    assert "diapo=5" in tab.page.url
    # back one slide, then out
    tab.page.get_by_role("button", name="◀ Précédent").click()
    tab.page.wait_for_function(
        "(t) => document.querySelector('.st-key-diapo-titre h1')?.innerText.trim() === t",
        arg=TITLES[3], timeout=20_000)
    tab.page.get_by_role("button", name="Quitter la présentation").click()
    tab.wait_for_text("Gérer les comités")
    assert "presentation" not in tab.page.url
    assert tab.page.evaluate(VISIBLE, '[data-testid="stSidebar"]')


def test_any_page_with_presentation_switch(dashboard_page):
    """?presentation=1 on another page opens the slides."""
    tab = dashboard_page
    tab.open("radar", TITLES[1], query="presentation=1&diapo=2")
    tab.page.wait_for_function(
        "(t) => document.querySelector('.st-key-diapo-titre h1')?.innerText.trim() === t",
        arg=TITLES[1], timeout=20_000)
    assert "2 / 5" in tab.main_text()


def test_comite_page(dashboard_page):
    tab = dashboard_page
    tab.open("comite", "Depuis le comité du 12/11/2026")
    tab.page.wait_for_selector('[data-testid="stMain"] .main-svg', timeout=20_000)
    tab.page.wait_for_timeout(1000)
    tab.screenshot("comite")
    text = tab.main_text()
    for expected in ("3 comités enregistrés", "Statuts qui ont changé", "Télécharger le classeur XLSX",
                     "Lancer la présentation"):
        assert expected in text
    # the button opens the slides of the committee shown, without the sidebar
    tab.page.get_by_role("button", name="Lancer la présentation").click()
    tab.page.wait_for_function(
        "(t) => document.querySelector('.st-key-diapo-titre h1')?.innerText.trim() === t",
        arg=TITLES[0], timeout=20_000)
    assert "presentation=1" in tab.page.url and "comite=2026-11-19" in tab.page.url
    tab.page.wait_for_function(  # the rerun without navigation follows the slide's first paint
        "() => { const e = document.querySelector('[data-testid=\"stSidebar\"]');"
        " return !e || getComputedStyle(e).display === 'none'; }", timeout=20_000)


@pytest.fixture(scope="module")
def full_demo_server(_full_template, tmp_path_factory):
    """The official referential with the demo made for it (a second `pcaet init`: statuses on
    the real sous-actions, real stars, a dozen mesures moved between the committees)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} absent")
    folder = tmp_path_factory.mktemp("presentation-full-db")
    shutil.copytree(_full_template.parent, folder, dirs_exist_ok=True)
    services.install_demo(folder / _full_template.name)
    # long decisions on the committee of 12/11: slide 5 must cut them, not scroll
    from cae_data.comites import Comite

    previous = {c.date: c for c in services.list_comites(folder / _full_template.name)}[LONG_NOTES_DATE]
    services.update_comite(folder / _full_template.name, LONG_NOTES_DATE,
                           Comite(previous.date, previous.titre, previous.participants, LONG_NOTES))
    with start_dashboard(folder / _full_template.name, tmp_path_factory.mktemp("presentation-logs")) as server:
        yield server


def test_presentation_full_referential(chromium_browser, full_demo_server):
    """The official referential: more mesures moved, real stars; every slide still fits."""
    expected = [["50,1", "+2,3 pt depuis le 12/11/2026", "3 étoiles sur 5 (+1)"],
                ["Bases", "Mise en œuvre", "Effets"],
                ["12 mesures ont bougé depuis le comité du 12/11/2026", "3.2.3", "+4",
                 "… et 5 autres mesures"],
                ["Cible 2026"], ["Point d'étape", "• Décision n° 1 :", "… la suite sur la page « Comité de pilotage »."]]
    with open_tab(chromium_browser, full_demo_server) as tab:
        tab.open("presentation", TITLES[0], query="presentation=1")
        for number, (title, fragments) in enumerate(zip(TITLES, expected), start=1):
            check_slide(tab, number, title, fragments, "presentation-complet")
            if number < len(TITLES):
                tab.page.get_by_role("button", name="Suivant ▶").click()


def test_comite_page_full_referential(chromium_browser, full_demo_server):
    with open_tab(chromium_browser, full_demo_server) as tab:
        tab.open("comite", "Depuis le comité du 12/11/2026")
        tab.page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"stMain\"] .main-svg').length >= 6", timeout=20_000)
        tab.page.wait_for_timeout(1000)
        tab.screenshot("comite-referentiel-officiel")
        text = tab.main_text()
        for expected in ("14 statuts ont changé depuis le comité du 12/11/2026", "Points faits gagnés ou perdus par axe",
                         "Points faits gagnés ou perdus par mesure"):
            assert expected in text or expected in tab.page.content()
