"""« Comité de pilotage » and the presentation mode under Streamlit's AppTest, on the demo
database (`pcaet init`: the CAPSO, the seed referential, its evaluations of 10 and 17 November
2026, the weekly indicator values and the committees of 5, 12 and 19 November 2026).

Hand-computed figures (seed referential: the root is worth 300 points, mesure 6.1.1 100 points,
its sous-action 6.1.1.2 25 points):
- between the evaluations of 10/11 and 17/11 only 6.1.1.2 changes, « détaillé » fait 80 % →
  90 % (programmé 20 % → 10 %): +10 % of 25 = +2,5 points faits, −2,5 points programmés;
- the committee of 19/11 (evaluation in force: 17/11) against the one of 12/11 (in force:
  10/11): +2,5 points faits out of 300 = +0,83 point of % → « +0,8 pt »; mesure 6.1.1 goes
  from 60 % to 62,5 % (+2,5 points of its 100);
- indicator values dated in (12/11, 19/11]: one on 17/11 for each of the two weekly
  indicators (the charter's signatories: 40, the climate club: 37), none for the third.
The demo's nine files (eight evaluations and the indicator file) are recorded when the database
is built, i.e. after 19/11/2026: they belong to a committee held after that."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from apptest_pages import start_page
from streamlit.testing.v1 import AppTest

from cae_data import clock, services

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
TODAY = date(2026, 11, 25)
CHROMIUM = Path("/usr/bin/chromium")
NBSP, NNBSP = "\u00a0", "\u202f"
COMITES = [(date(2026, 11, 19), "Préparation du dossier de labellisation"),
           (date(2026, 11, 12), "Point d'étape : évaluation du 10 novembre"),
           (date(2026, 11, 5), "Lancement du suivi hebdomadaire du PCAET")]
SLIDE_TITLES = ["Score global et étoiles", "Score par catégorie", "Mesures qui ont bougé",
                "Indicateurs des fiches-actions", "Décisions du comité précédent"]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("comite-template") / "pcaet.duckdb"
    services.init_database(path, demo=True, today=TODAY)
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path) -> Path:
    """A private copy: the tests write committees and the slide order."""
    shutil.copytree(demo_template.parent, tmp_path / "db")
    return tmp_path / "db" / demo_template.name


def start(db_path: Path, monkeypatch, page: str, query: dict | None = None) -> AppTest:
    return start_page(db_path, monkeypatch, page, query, timeout=60)


def plain(text: str) -> str:
    return str(text).replace(NBSP, " ").replace(NNBSP, " ")


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [h.value for h in at.header] + [h.value for h in at.subheader]
    parts += [t.value for t in at.title] + [i.value for i in at.info] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [w.value for w in at.warning] + [c.value for c in at.caption]
    return plain("\n".join(str(p) for p in parts))


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


TABLES = {  # the page's tables, told apart by their columns
    "comite_liste": {"Date", "Titre", "Décisions"}, "comite_statuts": {"Action", "Avant", "Après"},
    "comite_mesures": {"N°", "Mesure"}, "comite_axes": {"N°", "Axe"},
    "comite_valeurs": {"Date", "Indicateur", "Saisie par"}, "comite_indicateurs": {"Indicateur", "Statut"},
    "comite_imports": {"Fichier", "Type", "Par"},
}


def frame(at: AppTest, key: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if TABLES[key] <= set(d.value.columns))


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def download_labels(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


# --- the committee page ----------------------------------------------------------------------------

def test_lists_the_three_demo_comites_latest_first(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    assert at.title[0].value == "Comité de pilotage"
    assert "3 comités enregistrés" in texts(at)
    listed = frame(at, "comite_liste")
    assert listed["Date"].tolist() == ["19/11/2026", "12/11/2026", "05/11/2026"]
    assert listed["Titre"].tolist() == [t for _, t in COMITES]
    assert listed["Participants"].tolist() == [5, 5, 5]
    assert listed["Décisions"].tolist() == ["notées"] * 3
    # the latest committee is shown, with the decisions of the one before
    assert at.header[0].value == "Comité du 19/11/2026 — Préparation du dossier de labellisation"
    assert "Club climat en retard sur sa trajectoire (35 membres pour 60 visés en 2026)" in texts(at)


def test_changes_since_the_previous_comite_match_the_demo(demo_db, monkeypatch):
    # the two evaluations in force differ by one status only (read from the database)
    before = services.statuses_at(demo_db, "CAPSO", date(2026, 11, 10)).set_index("action_id")
    after = services.statuses_at(demo_db, "CAPSO", date(2026, 11, 17)).set_index("action_id")
    changed = [a for a in after.index if not after.loc[a, ["statut", "fait", "programme"]].equals(
        before.loc[a, ["statut", "fait", "programme"]])]
    assert changed == ["6.1.1.2"]
    assert (before.loc["6.1.1.2", "fait"], after.loc["6.1.1.2", "fait"]) == (0.8, 0.9)
    # by hand: +10 % of the 25 points of 6.1.1.2 = +2,5 points faits, out of 300
    changes = services.comite_changes(demo_db)
    assert changes.delta_points_fait == pytest.approx(2.5)
    assert changes.apres.point_potentiel == 300
    assert changes.delta_part_fait == pytest.approx(2.5 / 300)

    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    assert "Depuis le comité du 12/11/2026" in [h.value for h in at.header]
    score = metric(at, "Score réalisé")
    assert plain(score.value) == "66,7 %"  # 200 / 300
    assert plain(score.delta) == "+0,8 pt"  # 2,5 / 300 = 0,83 point of %
    assert (metric(at, "Points faits").value, metric(at, "Points faits").delta) == ("200", "+2,5")
    assert metric(at, "Étoiles").value == "4 sur 5" and metric(at, "Étoiles").delta == "0"
    assert metric(at, "Statuts modifiés").value == "1"
    assert metric(at, "Nouvelles valeurs").value == "2"
    assert metric(at, "Fichiers importés").value == "0"
    page = texts(at)
    assert ("Nouvelle évaluation depuis le comité du 12/11/2026 : évaluation du 17/11/2026 "
            "(au comité précédent : évaluation du 10/11/2026).") in page
    assert "Aucun fichier importé depuis le comité du 12/11/2026." in page

    statuts = frame(at, "comite_statuts")
    assert statuts.to_dict("records") == [{
        "Action": "6.1.1.2", "Intitulé": changes.statuts["nom"].iloc[0],
        "Avant": "Détaillé : fait 80 %, programmé 20 %".replace(" %", f"{NBSP}%"),
        "Après": "Détaillé : fait 90 %, programmé 10 %".replace(" %", f"{NBSP}%"),
        "Points faits": "+2,5", "Points programmés": "−2,5"}]
    mesures = frame(at, "comite_mesures")
    assert mesures["N°"].tolist() == ["6.1.1"]
    assert [plain(v) for v in mesures.iloc[0][["% fait avant", "% fait après", "Évolution", "Points faits"]]] == \
        ["60,0 %", "62,5 %", "+2,5 pt", "+2,5"]
    axes = frame(at, "comite_axes")
    assert [plain(v) for v in axes.iloc[0][["% fait avant", "% fait après", "Points faits"]]] == \
        ["65,8 %", "66,7 %", "+2,5"]  # 197,5 / 300 → 200 / 300
    valeurs = frame(at, "comite_valeurs")
    assert valeurs["Date"].tolist() == ["17/11/2026", "17/11/2026"]
    assert valeurs["Valeur"].tolist() == ["40", "37"]
    indicateurs = frame(at, "comite_indicateurs").set_index("Indicateur")
    assert indicateurs.loc["Nombre de partenaires signataires de la charte", "Évolution"] == "+2"  # 38 → 40
    assert indicateurs.loc["Nombre de partenaires signataires de la charte", "Statut"] == "Cible atteinte"
    assert indicateurs.loc["Nombre d'actions collectives portées", "Nouvelles valeurs"] == 0
    # every chart is drawn
    assert len(at.get("plotly_chart")) == 3  # points per axe, per mesure, radar


def test_launch_the_presentation_of_the_comite_shown(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    at.selectbox(key="comite_page_date").set_value(date(2026, 11, 12)).run()
    at.button(key="comite_presentation").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Score global et étoiles"
    assert "CAPSO — Comité de pilotage du 12/11/2026" in texts(at)
    assert (at.query_params["presentation"], at.query_params["comite"]) == ("1", "2026-11-12")


def test_first_comite_has_nothing_to_compare(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    at.selectbox(key="comite_page_date").set_value(date(2026, 11, 5)).run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Comité du 05/11/2026 — Lancement du suivi hebdomadaire du PCAET"
    page = texts(at)
    assert "Premier comité : aucun comité précédent auquel comparer." in page
    assert "Premier comité : pas de comité précédent, donc pas de décisions à suivre." in page
    assert metric(at, "Score réalisé").delta is None or metric(at, "Score réalisé").delta == ""
    assert not [m for m in at.metric if m.label == "Statuts modifiés"]


def test_add_a_comite_through_the_form(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    when = clock.today() + timedelta(days=1)
    at.date_input(key="comite_new_date").set_value(when)
    at.text_input(key="comite_new_titre").input("Relecture du dossier")
    at.text_input(key="comite_new_participants").input("Élu climat, Chargé de mission ; élu climat")
    at.text_area(key="comite_new_notes").input("Décisions :\n• Envoyer le dossier.")
    button(at, "Enregistrer le comité").click().run()
    assert not at.exception, at.exception
    recorded = services.list_comites(demo_db)
    assert len(recorded) == 4
    new = recorded[-1]
    assert (new.date, new.titre, new.participants) == (when, "Relecture du dossier", ["Élu climat", "Chargé de mission"])
    assert f"Comité du {when.strftime('%d/%m/%Y')} enregistré : « Relecture du dossier »." in [s.value for s in at.success]
    # the new committee is shown: compared with the one of 19/11, the demo's nine files are new
    assert at.header[0].value == f"Comité du {when.strftime('%d/%m/%Y')} — Relecture du dossier"
    assert "4 comités enregistrés" in texts(at)
    assert "Aucune évaluation nouvelle depuis le comité du 19/11/2026" in texts(at)
    assert "9 fichiers importés depuis le comité du 19/11/2026." in texts(at)
    uploads = frame(at, "comite_imports")
    assert set(uploads["Fichier"]) == {"indicateurs-capso-demo.csv"} | {
        f"evaluation-capso-{d}.csv" for d in ("2024-03-15", "2024-09-16", "2025-03-17", "2025-09-15", "2026-03-16",
                                              "2026-09-14", "2026-11-10", "2026-11-17")}
    assert set(uploads["Par"]) == {"démo"}
    assert set(uploads["Type"]) == {"Évaluation", "Valeurs d'indicateurs"}


def test_a_second_comite_on_the_same_day_is_refused_in_french(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    at.date_input(key="comite_new_date").set_value(date(2026, 11, 12))
    at.text_input(key="comite_new_titre").input("Doublon")
    button(at, "Enregistrer le comité").click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors == ["Comité non enregistré. Date : un comité existe déjà le 12/11/2026 "
                      "(« Point d'étape : évaluation du 10 novembre ») : un seul comité par jour"]
    assert len(services.list_comites(demo_db)) == 3
    # a missing title too
    at.date_input(key="comite_new_date").set_value(date(2026, 12, 3))
    at.text_input(key="comite_new_titre").input("   ")
    button(at, "Enregistrer le comité").click().run()
    assert [e.value for e in at.error] == ["Comité non enregistré. Titre : titre du comité obligatoire"]


def test_edit_the_notes_of_the_comite_shown(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    at.text_area(key="comite_edit_notes_2026-11-19").input("Décisions :\n• Dossier envoyé le 20/11.")
    button(at, "Enregistrer les notes").click().run()
    assert not at.exception, at.exception
    saved = {c.date: c for c in services.list_comites(demo_db)}[date(2026, 11, 19)]
    assert saved.notes == "Décisions :\n• Dossier envoyé le 20/11."
    assert saved.titre == "Préparation du dossier de labellisation"
    assert "Comité du 19/11/2026 modifié : « Préparation du dossier de labellisation »." in [s.value for s in at.success]
    assert "• Dossier envoyé le 20/11." in texts(at)


def test_report_downloads(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    assert "Télécharger le classeur XLSX" in download_labels(at)
    # the workbook the button serves: the five sheets, the committee's global score
    book = openpyxl.load_workbook(io.BytesIO(services.comite_report(demo_db, "xlsx")))
    assert book.sheetnames == ["Scores", "Statuts", "Indicateurs", "Évolutions", "Comité"]
    scores = [row for row in book["Scores"].iter_rows(values_only=True) if row and row[0] == "Total"]
    assert scores and scores[0][4] == 200 and scores[0][5] == pytest.approx(200 / 300)
    if not CHROMIUM.exists():
        pytest.skip("Chromium absent : le PDF n'est pas préparé")
    button(at, "Préparer le rapport PDF").click().run()
    assert not at.exception, at.exception
    assert "Télécharger le rapport PDF" in download_labels(at)
    assert [d.proto.label for d in at.get("download_button")].count("Télécharger le graphique (PNG)") == 3


def test_chart_png_is_made_on_the_server(demo_db, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("Chromium absent : pas d'export PNG côté serveur")
    from cae_data import charts
    from ui import widgets_comite

    monkeypatch.setenv("PCAET_DB", str(demo_db))
    categories = pd.DataFrame({"serie": ["A", "A", "A"], "categorie": ["bases", "mise en œuvre", "effets"],
                               "part_fait": [0.5, 0.25, 0.0]})
    png = widgets_comite.chart_png(charts.comite_radar(categories), 800, 600)
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1600, 1200)  # scale 2


def test_empty_database_and_no_evaluation(tmp_path, monkeypatch):
    at = start(tmp_path / "vide.duckdb", monkeypatch, "ui/pages/comite.py")
    assert "pcaet init" in "\n".join(c.value for c in at.code)
    bare = tmp_path / "bare" / "pcaet.duckdb"
    bare.parent.mkdir()
    services.init_database(bare, demo=False)
    at = start(bare, monkeypatch, "ui/pages/comite.py")
    assert "Aucun comité enregistré pour l'instant" in texts(at)
    at.date_input(key="comite_new_date").set_value(date(2026, 11, 5))
    at.text_input(key="comite_new_titre").input("Premier comité")
    button(at, "Enregistrer le comité").click().run()
    assert not at.exception, at.exception
    assert "Aucune évaluation pour l'instant." in texts(at)
    assert "Importer une évaluation" in [link.label for link in at.get("page_link")]


# --- slide order ------------------------------------------------------------------------------------

def test_slide_order_saved_and_reloaded(demo_db, monkeypatch):
    assert services.slide_order(demo_db) == list(services.PRESENTATION_SLIDES)
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    at.multiselect(key="comite_ordre_diapos").set_value(["decisions", "indicateurs", "score"]).run()
    button(at, "Enregistrer l'ordre").click().run()
    assert not at.exception, at.exception
    assert services.slide_order(demo_db) == ["decisions", "indicateurs", "score"]
    saved = json.loads(services.presentation_settings_path(demo_db).read_text(encoding="utf-8"))
    assert saved["ordre"] == ["decisions", "indicateurs", "score"]
    assert ("Ordre des diapositives enregistré : 1. Décisions du comité précédent, 2. Indicateurs des "
            "fiches-actions, 3. Score global et étoiles.") in [s.value for s in at.success]
    # a new session (reload) finds it, on the committee page and in the presentation
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    assert at.multiselect(key="comite_ordre_diapos").value == ["decisions", "indicateurs", "score"]
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py")
    assert (at.title[0].value, slide_counter(at)) == ("Décisions du comité précédent", "1 / 3")
    at.button(key="diapo_suivant").click().run()
    assert (at.title[0].value, slide_counter(at)) == ("Indicateurs des fiches-actions", "2 / 3")
    # an empty order is refused, the saved one kept
    at = start(demo_db, monkeypatch, "ui/pages/comite.py")
    at.multiselect(key="comite_ordre_diapos").set_value([]).run()
    button(at, "Enregistrer l'ordre").click().run()
    assert [e.value for e in at.error] == ["Ordre non enregistré : Choisissez au moins une diapositive."]
    assert services.slide_order(demo_db) == ["decisions", "indicateurs", "score"]
    button(at, "Ordre par défaut").click().run()
    assert services.slide_order(demo_db) == list(services.PRESENTATION_SLIDES)


def test_slide_order_file_checks(tmp_path):
    db_path = tmp_path / "pcaet.duckdb"
    settings = services.presentation_settings_path(db_path)
    assert settings == tmp_path / "pcaet.presentation.json"
    assert services.slide_order(db_path) == ["score", "radar", "mesures", "indicateurs", "decisions"]
    settings.write_text("{ pas du JSON", encoding="utf-8")
    assert services.slide_order(db_path) == ["score", "radar", "mesures", "indicateurs", "decisions"]
    settings.write_text(json.dumps({"ordre": ["radar", "inconnue", "radar", 3, "score"]}), encoding="utf-8")
    assert services.slide_order(db_path) == ["radar", "score"]
    with pytest.raises(services.Refused, match="Diapositive inconnue « titre »"):
        services.save_slide_order(db_path, ["score", "titre"])
    with pytest.raises(services.Refused, match="« Score par catégorie » est choisie deux fois"):
        services.save_slide_order(db_path, ["radar", "score", "radar"])
    assert services.save_slide_order(db_path, ["mesures"]) == ["mesures"]
    assert services.slide_order(db_path) == ["mesures"]
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed


# --- presentation mode ------------------------------------------------------------------------------

def slide_counter(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "/" in m.value and m.value.replace(" ", "").replace("/", "").isdigit())


def test_every_slide_with_next_and_previous(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py")
    assert at.query_params["presentation"] == "1"  # the switch the navigation reads
    assert "CAPSO — Comité de pilotage du 19/11/2026" in texts(at)
    seen = []
    for number in range(1, 6):
        seen.append((at.title[0].value, slide_counter(at)))
        assert at.button(key="diapo_precedent").disabled == (number == 1)
        assert at.button(key="diapo_suivant").disabled == (number == 5)
        if number < 5:
            at.button(key="diapo_suivant").click().run()
            assert not at.exception, at.exception
    assert seen == [(title, f"{n} / 5") for n, title in enumerate(SLIDE_TITLES, start=1)]
    assert at.query_params["diapo"] == "5"
    for number in range(4, 0, -1):
        at.button(key="diapo_precedent").click().run()
        assert (at.title[0].value, slide_counter(at)) == (SLIDE_TITLES[number - 1], f"{number} / 5")


def test_slide_contents_on_the_demo(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py", {"presentation": "1"})
    page = texts(at)
    for expected in ("66,7 %", "+0,8 pt depuis le 12/11/2026", "les étoiles du label demandent le référentiel complet",
                     "200 points faits sur 300 points (+2,5)"):
        assert expected in page, expected
    assert "★" not in page  # the seeds alone give no stars
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py", {"presentation": "1", "diapo": "3"})
    page = texts(at)
    assert "1 mesure a bougé depuis le comité du 12/11/2026." in page
    assert "| 6.1.1 | Développer une stratégie partenariale multi-niveaux | 60,0 % → 62,5 % | +2,5 |" in page
    assert "| 6.1.1.2 | Détaillé : fait 80 %, programmé 20 % → Détaillé : fait 90 %, programmé 10 % | +2,5 |" in page
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py", {"presentation": "1", "diapo": "4"})
    page = texts(at)
    for expected in ("Nombre de partenaires signataires de la charte", "Cible 2026 : 40", "Cible atteinte",
                     "+2 depuis le 12/11/2026", "Aucune mesure depuis 142 jours"):  # 30/06 → 19/11
        assert expected in page, expected
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py", {"presentation": "1", "diapo": "5"})
    assert "Comité du 12/11/2026 — Point d'étape : évaluation du 10 novembre" in texts(at)
    assert "• Nouvelle mise à jour de l'évaluation le 17/11." in texts(at)
    # the first committee, asked in the address
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py", {"presentation": "1", "comite": "2026-11-05"})
    assert "CAPSO — Comité de pilotage du 05/11/2026" in texts(at)
    assert "Premier comité : pas d'évolution à mesurer" in texts(at)
    # a slide number beyond the end shows the last one
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py", {"presentation": "1", "diapo": "12"})
    assert (at.title[0].value, slide_counter(at)) == (SLIDE_TITLES[-1], "5 / 5")


def test_leave_the_presentation(demo_db, monkeypatch):
    at = start(demo_db, monkeypatch, "ui/pages/presentation.py", {"presentation": "1", "diapo": "2"})
    at.button(key="diapo_quitter").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Comité de pilotage"
    assert "presentation" not in at.query_params


def test_presentation_without_comite(tmp_path, monkeypatch):
    bare = tmp_path / "pcaet.duckdb"
    services.init_database(bare, demo=False)
    at = start(bare, monkeypatch, "ui/pages/presentation.py")
    assert "Aucun comité enregistré : ajoutez-en un sur la page « Comité de pilotage »." in texts(at)
    assert at.button(key="diapo_quitter")


# --- helpers and charts -----------------------------------------------------------------------------

def test_ui_helpers():
    from ui import textes, widgets_comite, widgets_presentation

    assert widgets_presentation.slide_index(["a", "b", "c"], None) == 0
    assert widgets_presentation.slide_index(["a", "b", "c"], "2") == 1
    assert widgets_presentation.slide_index(["a", "b", "c"], "9") == 2
    assert widgets_presentation.slide_index(["a", "b", "c"], "-1") == 0
    assert widgets_presentation.slide_index(["a", "b", "c"], "deux") == 0
    assert widgets_comite.report_filename("pdf", "Ville d'Été", date(2026, 11, 19)) == \
        "comite-ville-d-ete-2026-11-19.pdf"
    table = textes.markdown_table(pd.DataFrame({"N°": ["1"], "Nom": ["a | b *gras* <b>x</b>"]}), ["l", "r"])
    assert table.splitlines() == ["| N° | Nom |", "| :--- | ---: |", "| 1 | a \\| b \\*gras\\* \\<b\\>x\\</b\\> |"]


def test_notes_cut_to_fit_a_slide():
    from ui.widgets_presentation import notes_for_slide

    assert notes_for_slide("Décisions :\n\n• Une.\n• Deux.", max_lines=9, width=80) == \
        (["Décisions :", "• Une.", "• Deux."], False)
    # a 150-character line takes two lines of 100
    long = "x" * 150
    assert notes_for_slide("\n".join([long] * 3), max_lines=4, width=100) == ([long, long], True)
    # the last line that does not fit is cut when 40 characters or more still fit
    lines, cut = notes_for_slide("a\n" + "y" * 300, max_lines=3, width=100)
    assert cut and lines == ["a", "y" * 199 + " …"]
    lines, cut = notes_for_slide("a\n" + "mot " * 75, max_lines=3, width=100)
    assert cut and lines == ["a", "mot " * 48 + "mot …"]  # 199 characters, cut at the last space
