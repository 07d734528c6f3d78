"""The foundation pages under Streamlit's AppTest: navigation, Référentiel, Fiches-actions,
Boîte à outils coopération and the temporary Accueil, on seeded temporary databases.

Expected values come from the seed documents (seeds/000, 001, 004: mesures 6.1.1, 6.1.2 and
6.5.1; 002: the fiche-action; 003: the five cooperation tools) and from the official
referential's files (../shared/referentiels/cae: one file per mesure)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from apptest_pages import start_page
from streamlit.testing.v1 import AppTest

from cae_data import services, store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")

SEED_MESURES = {
    "6.1.1": "Développer une stratégie partenariale multi-niveaux",
    "6.1.2": "Renforcer la coopération au sein de l'intercommunalité",
    "6.5.1": "Mobiliser la société civile en développant la concertation",
}
OUTILS = [
    "Plans de coopération sur le PNR des Monts d'Ardèche",
    "Entente interterritoriale TRIDAN",
    "Convention territoires partenaires",
    "Convention d'articulation",
    "Convention de mutualisation PNR / Pays",
]
FICHE_TITRE = "Animation d'une instance territoriale « Climat-Energie »"
INDICATEURS = [
    "Nombre de partenaires signataires de la charte",
    "Nombre d'acteurs et de partenaires engagés au sein du club climat",
    "Nombre d'actions collectives portées",
]


def start(db_path: Path, monkeypatch, page: str, query: dict | None = None) -> AppTest:
    return start_page(db_path, monkeypatch, page, query, timeout=30)


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, headings, captions, alerts, expander labels…)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "code",
                 "expander", "metric"):
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "label", "")) + " " + str(getattr(element, "value", "")))
    parts.extend(link.label for link in at.get("page_link"))
    return "\n".join(parts)


def normalise_quotes(text: str) -> str:
    return text.replace("’", "'")


# --- navigation ---------------------------------------------------------------------------

def test_navigation_declares_the_foundation_pages_in_their_sections(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/referentiel.py")
    at.switch_page("ui/pages/fiches_actions.py").run()
    assert not at.exception
    at.switch_page("ui/pages/boite_outils.py").run()
    assert not at.exception
    # the one routes table dashboard.py builds its navigation from (ui/routes.py)
    from ui import routes

    declared = {(r.path, r.title, r.section) for r in routes.ROUTES}
    for line in (("ui/pages/referentiel.py", "Référentiel", "Référentiel"),
                 ("ui/pages/fiches_actions.py", "Fiches-actions", "Plan d'actions"),
                 ("ui/pages/boite_outils.py", "Boîte à outils coopération", "Plan d'actions")):
        assert line in declared
    sections = list(routes.SECTIONS)
    assert sections[0] == "Suivi du label"
    assert sections.index("Référentiel") + 1 == sections.index("Plan d'actions")
    assert "routes.navigation(" in (PROJECT_ROOT / "dashboard.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["ui/pages/referentiel.py", "ui/pages/fiches_actions.py", "ui/pages/boite_outils.py"])
def test_every_page_explains_a_missing_database(tmp_path, monkeypatch, page):
    at = start(tmp_path / "absente" / "pcaet.duckdb", monkeypatch, page)
    assert "La base de données n'est pas encore créée" in at.warning[0].value
    assert "pcaet init" in at.code[0].value
    assert not at.selectbox and not at.expander


def test_an_empty_database_file_is_a_missing_database(tmp_path, monkeypatch):
    path = tmp_path / "vide.duckdb"
    with store.writing(path):
        pass  # schema only: no referential yet
    at = start(path, monkeypatch, "ui/pages/referentiel.py")
    assert "pas encore créée ou elle est vide" in at.warning[0].value


# --- Référentiel --------------------------------------------------------------------------

def test_referentiel_seed_lists_the_three_mesures_and_says_how_to_load_the_full_one(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/referentiel.py")
    options = at.selectbox(key="ref_mesure").options
    assert len(options) == 3
    for (action_id, titre), option in zip(SEED_MESURES.items(), options):
        assert normalise_quotes(option).startswith(f"{action_id} — {titre}")
    notice = at.info[0].value
    assert "3 mesures du référentiel Climat-Air-Énergie (6.1.1, 6.1.2 et 6.5.1)" in notice
    assert ".venv/bin/pcaet referentiel import ../shared/referentiels/cae" in notice
    # seeds/000, 001, 004: one axe (6), two sous-axes (6.1, 6.5), 5 + 4 + 3 sous-actions with
    # 2+5+5+4+5, 2+2+2+5 and 5+8+4 tâches; 100 points per mesure
    assert ("**Climat Air Énergie** (documents de départ du projet) : **1** axe · **2** sous-axes · "
            "**3** mesures · **12** sous-actions · **49** tâches · **300 points**") in texts(at)


def test_mesure_6_1_1_shows_its_five_sous_actions_with_their_points(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/referentiel.py")
    assert at.header[0].value == "6.1.1 Développer une stratégie partenariale multi-niveaux"
    found = [re.match(r"\*\*(\S+)\*\* .* — (\S+) points?", e.label).groups() for e in at.expander]
    # seeds/000: sous-actions weighted 10 %, 25 %, 25 %, 15 %, 25 % of the mesure's 100 points
    assert found == [("6.1.1.1", "10"), ("6.1.1.2", "25"), ("6.1.1.3", "25"), ("6.1.1.4", "15"), ("6.1.1.5", "25")]
    labels = " ".join(e.label for e in at.expander)
    assert "Bases" in labels and "Mise en œuvre" in labels
    # tasks of 6.1.1.1: two tasks sharing its 10 points
    assert "**6.1.1.1.1** identifier et cartographier les acteurs clés" in texts(at)
    assert "5 points" in texts(at)


def test_a_deep_link_selects_its_mesure(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/referentiel.py", {"mesure": "6.1.2"})
    assert at.selectbox(key="ref_mesure").value == "6.1.2"
    assert normalise_quotes(at.header[0].value.replace("\\", "")) == f"6.1.2 {SEED_MESURES['6.1.2']}"
    # seeds/001 tags tasks « EPCI : » / « Commune : »
    page = texts(at)
    assert "Pour les EPCI" in page and "Pour les communes" in page
    # the fiche-action serving 6.1.2 is linked
    assert FICHE_TITRE in [link.label for link in at.get("page_link")]


def test_an_unknown_mesure_in_the_link_is_said_plainly(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/referentiel.py", {"mesure": "9.9.9"})
    assert "La mesure « 9.9.9 » n'existe pas dans le référentiel chargé." in at.warning[0].value
    assert at.selectbox(key="ref_mesure").value == "6.1.1"


def test_referentiel_search_by_words_and_by_id(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/referentiel.py")
    at.text_input(key="ref_recherche").input("concertation").run()
    # « concertation » is only in seeds/004 (6.5.1)
    assert [o.split(" ")[0] for o in at.selectbox(key="ref_mesure").options] == ["6.5.1"]
    assert at.header[0].value.startswith("6.5.1 ")
    at.text_input(key="ref_recherche").input("6.1").run()
    assert [o.split(" ")[0] for o in at.selectbox(key="ref_mesure").options] == ["6.1.1", "6.1.2"]
    at.text_input(key="ref_recherche").input("6.1.2.3.1").run()  # a task id finds its mesure
    assert [o.split(" ")[0] for o in at.selectbox(key="ref_mesure").options] == ["6.1.2"]
    at.text_input(key="ref_recherche").input("photovoltaïque").run()
    assert "Aucune mesure ne correspond à « photovoltaïque »." in at.info[-1].value
    assert not at.exception


def test_choosing_an_axe_and_a_mesure_updates_the_link(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/referentiel.py")
    at.selectbox(key="ref_mesure").set_value("6.5.1").run()
    assert at.query_params["mesure"] == "6.5.1"
    assert at.header[0].value.startswith("6.5.1 ")
    assert len(at.expander) == 3  # seeds/004: three sous-actions


def test_referentiel_officiel_reaches_61_mesures_without_raw_html(full_referentiel_db, monkeypatch, shared_referentiels):
    mesure_files = sorted(p.stem for p in (shared_referentiels / "cae").glob("*.md") if re.fullmatch(r"\d+\.\d+\.\d+", p.stem))
    assert len(mesure_files) == 61
    at = start(full_referentiel_db, monkeypatch, "ui/pages/referentiel.py")
    options = [o.split(" ")[0] for o in at.selectbox(key="ref_mesure").options]
    assert sorted(options) == mesure_files
    assert not at.info or "documents de départ" not in at.info[0].value
    assert "référentiel officiel" in texts(at)
    # 1.1.1's Contexte and Ressources hold <a href> tags in the source files
    source = (shared_referentiels / "cae" / "1.1.1.md").read_text(encoding="utf-8")
    assert "<a href" in source
    at.selectbox(key="ref_mesure").set_value("1.1.1").run()
    assert not at.exception
    shown = [m.value for m in at.markdown]
    assert not any("<a href" in value or "</a>" in value for value in shown)
    assert any("](https://www.drieat.ile-de-france.developpement-durable.gouv.fr/" in value for value in shown)
    assert [t.label for t in at.tabs][:3] == ["Description", "Contexte", "Ressources"]


def test_referentiel_officiel_axe_filter_and_title_first_search(full_referentiel_db, monkeypatch, shared_referentiels):
    at = start(full_referentiel_db, monkeypatch, "ui/pages/referentiel.py")
    at.selectbox(key="ref_axe").set_value("3").run()
    axe_3 = sorted(p.stem for p in (shared_referentiels / "cae").glob("3.*.md") if p.stem.count(".") == 2)
    assert sorted(o.split(" ")[0] for o in at.selectbox(key="ref_mesure").options) == axe_3
    at.selectbox(key="ref_axe").set_value("tous").run()
    at.text_input(key="ref_recherche").input("éclairage public").run()
    # 2.3.1 « Optimiser l'éclairage public » holds both words in its title: it comes first
    assert at.selectbox(key="ref_mesure").options[0].startswith("2.3.1 ")


def test_page_cache_follows_the_database(seeded_db, monkeypatch, shared_referentiels):
    at = start(seeded_db, monkeypatch, "ui/pages/referentiel.py")
    assert len(at.selectbox(key="ref_mesure").options) == 3
    services.import_referentiel(seeded_db, shared_referentiels / "cae")
    at.run()
    assert len(at.selectbox(key="ref_mesure").options) == 61


def test_referentiel_of_another_name_only(tmp_path, monkeypatch):
    path = tmp_path / "velo.duckdb"
    services.import_referentiel(path, PROJECT_ROOT / "tests" / "fixtures" / "referentiel" / "velo" / "velo")
    at = start(path, monkeypatch, "ui/pages/referentiel.py")
    assert "Aucun référentiel « cae » dans la base" in at.warning[0].value
    assert "pcaet referentiel import" in at.code[0].value


# --- Fiches-actions -----------------------------------------------------------------------

def test_fiche_action_card(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/fiches_actions.py")
    assert at.header[0].value.replace("\\", "") == FICHE_TITRE
    page = texts(at)
    for indicateur in INDICATEURS:
        assert f"**{indicateur}**" in page
    assert "Indicateurs de suivi (3)" in page
    assert "Sous-actions (2)" in page
    assert "À développer" in page and "2020 – 2026" in page
    assert "Club climat" in page and "comité partenarial" in page
    assert "**Maître d'ouvrage :** CAPSO" in page
    # the six impacts are shown, none ticked in the seed fiche
    for impact in ("Atténuation", "Adaptation", "GES", "Énergie", "Qualité de l'air", "Stockage carbone"):
        assert f":gray[:material/check_box_outline_blank: {impact}]" in page
    assert "Aucun impact n'est coché dans la fiche." in page
    links = {link.label: link for link in at.get("page_link")}
    assert sorted(label.split(" ")[0] for label in links) == ["6.1.1", "6.1.2", "6.5.1"]
    assert normalise_quotes(next(label for label in links if label.startswith("6.1.2"))) == \
        f"6.1.2 — {SEED_MESURES['6.1.2']}"
    assert not at.selectbox  # one fiche: no selector


def test_fiche_links_point_to_the_referentiel_page(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/fiches_actions.py")
    link = next(link for link in at.get("page_link") if link.label.startswith("6.5.1"))
    assert link.proto.page == "referentiel"
    assert link.proto.query_string == "mesure=6.5.1"


def test_fiche_ticked_impacts_and_several_fiches(seeded_db, monkeypatch):
    from cae_data import store
    from cae_data.fiches.model import FicheAction, Indicateur, impacts_from

    autre = FicheAction(
        fiche_id="capso-eclairage", titre="Éclairage public sobre", collectivite="CAPSO",
        impacts=impacts_from({"Énergie", "GES"}), etat="En cours", annee_debut=2024, annee_fin=2024,
        indicateurs=[Indicateur("conso-ep", "Consommation de l'éclairage public", "MWh", "baisse", {2026: 800.0})],
        mesures=["9.9.9"],
    )
    with store.writing(seeded_db) as con:
        store.save_fiche(con, autre)
    at = start(seeded_db, monkeypatch, "ui/pages/fiches_actions.py", {"fiche": "capso-eclairage"})
    selector = at.selectbox(key="fiche_choisie")
    assert len(selector.options) == 2 and selector.value == "capso-eclairage"
    page = texts(at)
    assert ":green-background[:material/check_box: **GES**]" in page
    assert ":green-background[:material/check_box: **Énergie**]" in page
    assert ":gray[:material/check_box_outline_blank: Adaptation]" in page
    assert "Cibles : 2026 : 800" in page and "Unité : MWh" in page and "à la baisse" in page
    assert "En cours" in page and "Période :** 2024" in page
    assert "9.9.9 — *absente du référentiel chargé*" in page
    selector.set_value("capso-animation-instance-territoriale-climat-energie").run()
    assert at.header[0].value.replace("\\", "") == FICHE_TITRE


def test_no_fiche_yet(tmp_path, monkeypatch):
    path = tmp_path / "sans-fiche.duckdb"
    services.import_referentiel(path, PROJECT_ROOT / "tests" / "fixtures" / "referentiel" / "velo" / "velo", nom="cae")
    at = start(path, monkeypatch, "ui/pages/fiches_actions.py")
    assert at.info[0].value == "Aucune fiche-action pour l'instant."
    at.switch_page("ui/pages/boite_outils.py").run()
    assert not at.exception
    assert "Aucun outil de coopération dans la base" in at.info[0].value


# --- Boîte à outils coopération -----------------------------------------------------------

def test_boite_outils_shows_the_five_tools_and_the_deck_intro(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/boite_outils.py")
    subheaders = [s.value for s in at.subheader]
    assert subheaders[0] == "Quels outils pour formaliser des coopérations ?"
    assert subheaders[1:] == OUTILS
    page = texts(at)
    assert "Journée d'exploration de pratiques" in page
    assert "de quoi parlons-nous ?" in at.expander[0].label
    assert "5 outils sur 5" in page
    # TRIDAN's four actors as a bullet list (seeds/003)
    assert ("- Pilotage : conférence des présidents et comité technique des DGS\n"
            "- Animation / coordination : chef de projet de l'entente") in page
    assert "Éléments déclencheurs" in page and "Acteurs" in page


def test_boite_outils_search_and_echelle_filter(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, "ui/pages/boite_outils.py")
    at.text_input(key="outils_recherche").input("sage").run()
    # « SAGE » is in « Convention d'articulation » only; « envisagés » does not count
    assert [s.value for s in at.subheader][1:] == ["Convention d'articulation"]
    assert "1 outil sur 5" in texts(at)
    at.text_input(key="outils_recherche").input("").run()
    at.multiselect(key="outils_echelle").set_value(["PNR"]).run()
    # partners named « PNR »: the Monts d'Ardèche plans and the PNR / Pays convention
    assert [s.value for s in at.subheader][1:] == [OUTILS[0], OUTILS[4]]
    at.text_input(key="outils_recherche").input("ingénierie mutualisée").run()
    assert [s.value for s in at.subheader][1:] == [OUTILS[4]]
    at.text_input(key="outils_recherche").input("autoroute").run()
    assert "Aucun outil ne correspond à cette recherche." in at.info[-1].value
    assert not at.exception
