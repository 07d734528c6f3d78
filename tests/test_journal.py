"""The audit journal (cae_data.journal): one row per write, in the write's own transaction, none
for reads, refused inputs or imports that change nothing; filters by period, person and kind;
every imported file downloadable back byte for byte from its journal row."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from cae_data import auth, clock, journal, services, store
from cae_data.comites import Comite
from cae_data.errors import InvalidInput

TODAY = clock.today()
EVAL_DAY = TODAY - timedelta(days=12)


def count(path) -> int:
    with store.reading(path) as con:
        return con.execute("SELECT count(*) FROM journal").fetchall()[0][0]


def test_init_with_the_demo_journals_each_of_its_writes(seeded_db):
    rows = services.journal_entries(seeded_db)
    # pcaet init: the seeds, then the demo's profile, 8 evaluations, 1 indicator file, 3 committees
    assert Counter(rows["action"]) == {"initialisation": 1, "profil": 1, "evaluation": 8, "indicateurs": 1,
                                       "comite": 3}
    assert rows["utilisateur"].isna().all()  # written without identity (tests, open mode)
    assert rows.iloc[-1]["action"] == "initialisation"  # the oldest
    assert rows.iloc[-1]["libelle"] == "Initialisation de la base"
    evaluations = rows[rows["action"] == "evaluation"]
    assert evaluations["upload_id"].notna().all() and evaluations["filename"].str.startswith("evaluation-capso-").all()


def test_a_journal_row_is_rolled_back_with_its_write(seeded_db):
    before = count(seeded_db)
    with pytest.raises(RuntimeError):
        with store.writing(seeded_db) as con:
            store.record_journal(con, "claire", "comite", "Comité du 01/01/2027", "créé")
            raise RuntimeError("panne au milieu de l'écriture")
    assert count(seeded_db) == before
    with store.writing(seeded_db) as con:
        journal_id = store.record_journal(con, "claire", "comite", "Comité du 01/01/2027", "créé")
    assert count(seeded_db) == before + 1
    assert int(services.journal_entries(seeded_db).iloc[0]["journal_id"]) == journal_id


def test_an_unknown_action_is_a_programming_error(seeded_db):
    with pytest.raises(ValueError, match="unknown journal action"):
        with store.writing(seeded_db) as con:
            store.record_journal(con, "claire", "lecture_de_page", "x")


def test_reads_refusals_and_no_change_imports_are_not_journaled(seeded_db):
    before = count(seeded_db)
    services.compute_scores(seeded_db)
    services.etoiles_for_all(seeded_db)
    services.list_comites(seeded_db)
    services.comite_history(seeded_db)
    services.export_indicateurs(seeded_db)
    services.list_uploads(seeded_db)
    auth.authenticate(seeded_db, "personne", "mot-de-passe")
    services.journal_entries(seeded_db, actions=["evaluation"])
    good = "action_id;statut\n6.1.1.1;fait\n".encode("utf-8")
    services.read_evaluation_file(seeded_db, good, "verif.csv", "CAPSO", EVAL_DAY, today=TODAY)
    with pytest.raises(InvalidInput):
        services.import_evaluation(seeded_db, b"action_id;statut\n6.1.9;fait\n", "faux.csv", "CAPSO", EVAL_DAY,
                                   user="claire", today=TODAY)
    with pytest.raises(InvalidInput):
        services.add_comite(seeded_db, Comite(date=TODAY, titre=""), user="claire", today=TODAY)
    assert count(seeded_db) == before
    services.import_evaluation(seeded_db, good, "eval.csv", "CAPSO", EVAL_DAY, user="claire", today=TODAY)
    assert count(seeded_db) == before + 1
    again = services.import_evaluation(seeded_db, good, "eval.csv", "CAPSO", EVAL_DAY, user="claire", today=TODAY)
    assert not again.changed and count(seeded_db) == before + 1
    assert services.add_indicateur_value(seeded_db, "nombre-actions-collectives-portees", EVAL_DAY, "5",
                                        user="claire", today=TODAY) == "créée"
    assert services.add_indicateur_value(seeded_db, "nombre-actions-collectives-portees", EVAL_DAY, "5",
                                        user="claire", today=TODAY) == "identique"
    assert count(seeded_db) == before + 2


def test_every_imported_file_comes_back_exactly_from_its_journal_row(seeded_db):
    evaluation = "\ufeffaction_id;statut;commentaire\r\n6.1.1.1;fait;Réunion « élus »\r\n".encode("utf-8")
    cp1252 = "action_id;statut;commentaire\r\n6.5.1.1;programmé;Prévu en 2027\r\n".encode("cp1252")
    indicators = f"indicateur;date;valeur\r\nnombre-actions-collectives-portees;{EVAL_DAY:%d/%m/%Y};9\r\n".encode()
    services.import_evaluation(seeded_db, evaluation, "bom.csv", "CAPSO", EVAL_DAY, user="claire", today=TODAY)
    services.import_evaluation(seeded_db, cp1252, "windows.csv", "CAPSO", EVAL_DAY - timedelta(days=1),
                               user="paul", today=TODAY)
    services.import_indicateur_values(seeded_db, indicators, "valeurs.csv", user="claire", today=TODAY)
    rows = services.journal_entries(seeded_db).head(3)
    assert rows["filename"].tolist() == ["valeurs.csv", "windows.csv", "bom.csv"]
    assert rows["utilisateur"].tolist() == ["claire", "paul", "claire"]
    for row, data in zip(rows.itertuples(), (indicators, cp1252, evaluation)):
        archived = services.read_upload(seeded_db, int(row.upload_id))
        assert archived.data == data and archived.filename == row.filename
    assert rows.iloc[1]["detail"] == (f"CAPSO au {(EVAL_DAY - timedelta(days=1)).strftime('%d/%m/%Y')} : "
                                      "1 ligne, évaluation créée")


@pytest.fixture
def dated_journal(tmp_path):
    """A journal of five rows at known times, by claire, paul and nobody."""
    path = tmp_path / "journal.duckdb"
    rows = [
        (datetime(2026, 3, 1, 9, 0), "claire", "evaluation", "a.csv"),
        (datetime(2026, 3, 2, 23, 59), "paul", "fiche", "fiche-1"),
        (datetime(2026, 3, 3, 0, 0), None, "initialisation", "documents de départ"),
        (datetime(2026, 3, 3, 18, 30), "claire", "comite", "Comité du 03/03/2026"),
        (datetime(2026, 4, 1, 8, 0), "paul", "evaluation", "b.csv"),
    ]
    with store.writing(path) as con:
        for when, who, action, objet in rows:
            journal_id = store.record_journal(con, who, action, objet, "détail")
            con.execute("UPDATE journal SET recorded_at = ? WHERE journal_id = ?", [when, journal_id])
    return path


def test_filters_by_day_range_person_and_kind(dated_journal):
    every = services.journal_entries(dated_journal)
    assert every["objet"].tolist() == ["b.csv", "Comité du 03/03/2026", "documents de départ", "fiche-1", "a.csv"]
    # both days included: 02/03 at 23:59 and all of 03/03
    between = services.journal_entries(dated_journal, date(2026, 3, 2), date(2026, 3, 3))
    assert between["objet"].tolist() == ["Comité du 03/03/2026", "documents de départ", "fiche-1"]
    assert services.journal_entries(dated_journal, depuis=date(2026, 3, 4))["objet"].tolist() == ["b.csv"]
    assert services.journal_entries(dated_journal, jusqu_au=date(2026, 3, 1))["objet"].tolist() == ["a.csv"]
    assert services.journal_entries(dated_journal, utilisateurs=["claire"])["objet"].tolist() == [
        "Comité du 03/03/2026", "a.csv"]
    assert services.journal_entries(dated_journal, utilisateurs=[None])["objet"].tolist() == ["documents de départ"]
    assert len(services.journal_entries(dated_journal, utilisateurs=["paul", None])) == 3
    assert services.journal_entries(dated_journal, actions=["evaluation"])["objet"].tolist() == ["b.csv", "a.csv"]
    both = services.journal_entries(dated_journal, date(2026, 3, 1), date(2026, 3, 31), ["paul"], ["evaluation", "fiche"])
    assert both["objet"].tolist() == ["fiche-1"]
    assert services.journal_entries(dated_journal, utilisateurs=[], actions=None).empty
    assert every["libelle"].tolist() == ["Import d'évaluation", "Comité de pilotage", "Initialisation de la base",
                                         "Fiche-action", "Import d'évaluation"]


def test_a_database_without_journal_reads_empty(tmp_path):
    assert services.journal_entries(tmp_path / "absente.duckdb").empty
    assert list(services.journal_entries(tmp_path / "absente.duckdb").columns) == journal.COLUMNS
