"""The fiches-actions pages with their indicators under AppTest: the list with trends and alerts,
the indicator charts, the entry of one value, the import of a file of values, and the
« Nouvelle fiche-action » page (YAML upload or form). Expectations come from the demo of
`pcaet init` (seed fiche CAPSO with three indicators, values up to yesterday) and from the
rules written in the test."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from apptest_pages import start_page
from streamlit.testing.v1 import AppTest

from cae_data import clock, services, store
from cae_data.errors import InvalidInput

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
FICHES = "ui/pages/fiches_actions.py"
NOUVELLE = "ui/pages/fiche_nouvelle.py"
CHARTE = "nombre-partenaires-signataires-charte"
CLUB = "nombre-acteurs-partenaires-engages-sein-club-climat"
ACTIONS = "nombre-actions-collectives-portees"

NEW_FICHE = """\
id: capso-velo
titre: Développer l'usage du vélo au quotidien
collectivite: CAPSO
sous_actions:
  - descriptif: Aménager 40 km d'itinéraires cyclables.
    etat: En cours
    calendrier: {debut: 2022, fin: 2026}
indicateurs:
  - id: km-cyclables
    nom: Linéaire d'itinéraires cyclables
    unite: km
    cibles: {2026: 40}
mesures: [6.1.2]
""".encode("utf-8")

BAD_FICHE = """\
titre: Fiche cassée
sous_actions:
  - descriptif: Une sous-action.
    etat: Presque fini
    calendrier: {debut: 2026, fin: 2022}
""".encode("utf-8")


def start(db_path: Path, monkeypatch, page: str, query: dict | None = None) -> AppTest:
    return start_page(db_path, monkeypatch, page, query, timeout=30)


def texts(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def count(db_path: Path, indicateur_id: str) -> int:
    return len(services.indicateur_values(db_path, indicateur_id))


def uploads(db_path: Path) -> int:
    return len(services.list_uploads(db_path))


# --- the list and the charts ----------------------------------------------------------------

def test_list_shows_the_three_indicateurs_with_the_demo_flags(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, FICHES)
    table = at.dataframe[0].value
    assert list(table["Indicateur"]) == [
        "Nombre de partenaires signataires de la charte",
        "Nombre d'acteurs et de partenaires engagés au sein du club climat",
        "Nombre d'actions collectives portées",
    ]
    # demo: charter 41 ≥ target 40 → reached; club 38 far under 60 → late and behind its
    # trajectory; collective actions last measured on 30 June → stale (> 90 days)
    assert list(table["Statut"]) == ["Cible atteinte", "En retard", "En bonne voie"]
    assert list(table["Alertes"]) == ["—", "En retard sur la trajectoire", "Pas de valeur depuis plus de 90 jours"]
    assert list(table["Cible"]) == ["40 en 2026", "60 en 2026", "12 en 2026"]
    assert list(table["Dernière valeur"].str.split(" au ").str[0]) == ["41", "38", "11"]
    assert len(table["Évolution"].iloc[0]) == count(seeded_db, CHARTE) and table["Évolution"].iloc[0][-1] == 41
    page = texts(at)
    assert "**Maître d'ouvrage :** CAPSO" in page
    # the card: one chart and one metric per indicator, with the status sentences
    assert len(at.get("plotly_chart")) == 3
    assert [m.value for m in at.metric] == ["41", "38", "11"]
    assert "La cible 2026 (40) est déjà atteinte" in page
    assert "la cible 2026 ne sera pas atteinte" in page
    assert "la cible 2026 sera atteinte" in page
    # sous-actions: a progress bar over their calendar 2020–2026
    assert len(at.get("progress")) == 2


def test_filters_by_etat_and_mesure(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, FICHES)
    at.multiselect(key="fiches_etats").set_value(["Réalisé"]).run()
    assert "Aucune fiche-action ne correspond à ces filtres." in at.info[0].value
    at.multiselect(key="fiches_etats").set_value([]).run()
    at.multiselect(key="fiches_mesures").set_value(["6.5.1"]).run()
    assert len(at.dataframe) == 1 and not at.info


# --- entering a value ---------------------------------------------------------------------

def enter(at: AppTest, indicateur_id: str, valeur: str, when: date | None = None) -> AppTest:
    at.radio(key="saisie_indicateur").set_value(indicateur_id)
    if when is not None:
        at.date_input(key="saisie_date").set_value(when)
    at.text_input(key="saisie_valeur").set_value(valeur)
    at.text_input(key="saisie_commentaire").set_value("Comité de suivi")
    return submit(at)


def submit(at: AppTest) -> AppTest:
    form_button = next(b for b in at.get("button") if b.label == "Enregistrer la valeur")
    form_button.click().run()
    assert not at.exception, at.exception
    return at


def test_a_valid_value_adds_one_row_and_updates_the_metric(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, FICHES)
    before = count(seeded_db, CLUB)
    enter(at, CLUB, "45")
    values = services.indicateur_values(seeded_db, CLUB)
    assert len(values) == before + 1
    last = values.iloc[-1]
    assert pd.Timestamp(last["date"]).date() == clock.today() and last["valeur"] == 45
    assert last["commentaire"] == "Comité de suivi"
    assert at.metric[1].value == "45"
    # the demo's last committee before today is on 19/11/2026, when the value in force was 37
    # (entered 17/11): 45 − 37
    assert at.metric[1].delta == "+8 depuis le comité du 19/11/2026"
    assert "Valeur enregistrée" in at.success[0].value


@pytest.mark.parametrize("valeur, when, expected", [
    ("-3", None, "un entier positif ou nul est attendu"),
    ("3,5", None, "un entier positif ou nul est attendu"),
    ("12", clock.today() + timedelta(days=10), "date dans le futur"),
    ("beaucoup", None, "non numérique"),
])
def test_a_bad_value_is_refused_in_french_and_nothing_is_written(seeded_db, monkeypatch, valeur, when, expected):
    at = start(seeded_db, monkeypatch, FICHES)
    before = count(seeded_db, ACTIONS)
    enter(at, ACTIONS, valeur, when)
    assert count(seeded_db, ACTIONS) == before
    assert "La valeur n'a pas été enregistrée" in at.error[0].value
    assert expected in at.error[0].value
    assert at.metric[2].value == "11"


def test_import_of_a_values_file(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, FICHES)
    yesterday = clock.today() - timedelta(days=1)
    data = f"indicateur;date;valeur;commentaire\n{ACTIONS};{yesterday:%d/%m/%Y};13;Bilan\n".encode("utf-8")
    at.get("file_uploader")[0].set_value(("valeurs.csv", data, "text/csv")).run()
    assert "Fichier valide : 1 ligne(s)." in at.success[0].value
    assert count(seeded_db, ACTIONS) == 22  # nothing written before the button
    next(b for b in at.get("button") if b.label == "Importer ces valeurs").click().run()
    assert count(seeded_db, ACTIONS) == 23
    assert at.metric[2].value == "13"


def test_import_of_a_bad_values_file_lists_its_problems(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, FICHES)
    data = f"indicateur;date;valeur\n{ACTIONS};31/12/2099;-1\ninconnu;01/01/2025;3\n".encode("utf-8")
    at.get("file_uploader")[0].set_value(("valeurs.csv", data, "text/csv")).run()
    assert "rien n'a été importé" in at.error[0].value
    problems = at.dataframe[-1].value
    assert list(problems.columns) == ["Ligne", "Colonne", "Message"]
    assert set(problems["Ligne"]) == {2, 3}
    assert not any(b.label == "Importer ces valeurs" for b in at.get("button"))


# --- nouvelle fiche-action ------------------------------------------------------------------

def test_a_new_fiche_yaml_is_validated_previewed_saved_and_listed(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, NOUVELLE)
    assert at.get("download_button")
    at.get("file_uploader")[0].set_value(("velo.yaml", NEW_FICHE, "application/x-yaml")).run()
    assert "Aperçu : Développer l'usage du vélo au quotidien" in at.subheader[0].value.replace("\\", "")
    assert len(services.list_uploads(seeded_db)) == uploads(seeded_db)
    before = uploads(seeded_db)
    next(b for b in at.get("button") if b.label == "Enregistrer la fiche-action").click().run()
    assert not at.exception, at.exception
    assert "enregistrée" in at.success[0].value
    assert uploads(seeded_db) == before + 1
    assert services.list_uploads(seeded_db)["kind"].iloc[0] == "fiche"
    at.switch_page(FICHES).run()
    titles = [t for t in texts(at).splitlines() if t.startswith("#### ")]
    assert len(titles) == 2 and any("vélo au quotidien" in t for t in titles)
    assert "Linéaire d'itinéraires cyclables" in list(at.dataframe[1].value["Indicateur"]) + \
        list(at.dataframe[0].value["Indicateur"])


def test_a_bad_fiche_yaml_shows_its_problems_and_writes_nothing(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, NOUVELLE)
    before = uploads(seeded_db)
    at.get("file_uploader")[0].set_value(("cassee.yaml", BAD_FICHE, "application/x-yaml")).run()
    assert "2 problème(s) dans « cassee.yaml » : rien n'a été enregistré." == at.error[0].value
    problems = at.dataframe[0].value
    assert list(problems["Ligne"]) == [4, 5]
    assert "Presque fini" in problems["Message"].iloc[0]
    assert not any(b.label == "Enregistrer la fiche-action" for b in at.get("button"))
    assert uploads(seeded_db) == before
    assert len(services.load_referentiel(seeded_db).nodes) > 0  # database still readable
    with store.reading(seeded_db) as con:
        assert con.execute("SELECT count(*) FROM fiches").fetchone()[0] == 1


def test_the_form_builds_a_fiche_that_is_saved(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, NOUVELLE)
    at.text_input(key="f_titre").set_value("Rénover les écoles")
    at.text_input(key="f_collectivite").set_value("CAPSO")
    at.text_input(key="sa_desc_0").set_value("Isoler trois groupes scolaires.")
    at.selectbox(key="sa_etat_0").set_value("En cours")
    at.text_input(key="ind_nom_0").set_value("Écoles rénovées")
    at.text_input(key="ind_cible_0").set_value("3")
    at.multiselect(key="f_mesures").set_value(["6.1.1"])
    next(b for b in at.get("button") if b.label == "Vérifier la fiche").click().run()
    assert "Aperçu : Rénover les écoles" in at.subheader[0].value
    next(b for b in at.get("button") if b.label == "Enregistrer la fiche-action").click().run()
    fiche = next(f for f in _fiches(seeded_db) if f.titre == "Rénover les écoles")
    assert fiche.collectivite == "CAPSO" and fiche.mesures == ["6.1.1"]
    assert fiche.sous_actions[0].etat == "En cours"
    assert (fiche.sous_actions[0].annee_debut, fiche.sous_actions[0].annee_fin) == (2024, 2026)
    assert fiche.indicateurs[0].cibles == {2026: 3.0} and fiche.indicateurs[0].unite == "nombre"


def _fiches(db_path):
    from cae_data import store

    with store.reading(db_path) as con:
        return store.load_fiches(con)


def test_empty_database_on_the_new_fiche_page(tmp_path, monkeypatch):
    at = start(tmp_path / "vide.duckdb", monkeypatch, NOUVELLE)
    assert "pas encore créée" in at.warning[0].value


def test_save_fiche_yaml_refuses_an_unknown_mesure_with_its_line(seeded_db):
    data = NEW_FICHE.replace(b"[6.1.2]", b"[6.1.2, 9.9.9]")
    with pytest.raises(InvalidInput) as refused:
        services.save_fiche_yaml(seeded_db, data, "velo.yaml")
    [problem] = refused.value.problems
    assert problem.line == 13 and "9.9.9" in problem.message and "absente du référentiel" in problem.message
    assert len(_fiches(seeded_db)) == 1
