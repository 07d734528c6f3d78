"""Indicators of fiches-actions: file import (all or nothing, French messages), one value typed
in a form, export and its CLI round trip, the committee's analysis (projection, staleness,
trajectory, change since the previous committee) and the demo data. Expected numbers are
computed by hand in the comments."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cae_data import services, store
from cae_data.cli.indicateurs import indicateurs
from cae_data.demo.indicateurs import ACTIONS, CHARTE, CLUB, COMITE_DATES, demo_csv
from cae_data.errors import InvalidInput
from cae_data.fiches import read_fiche_yaml
from cae_data.fiches.indicateurs import (
    EXPORT_FIELDS,
    indicateur_status,
    next_target,
    projected_value,
    projection_line,
    read_indicateur_values,
    trajectory_line,
)
from cae_data.services.init import install_demo_indicateurs

FIXTURES = Path(__file__).parent / "fixtures" / "indicateurs"
TODAY = date(2026, 11, 25)


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """Two fiches: test-mobilite (velos-libre-service: nombre, hausse, 2026: 100; part-voiture:
    %, baisse, 2030: 50; emissions-transport: kteqCO2, baisse) and test-homonyme
    (part-voiture-agents, same name as part-voiture; agents-formes: nombre)."""
    path = tmp_path_factory.mktemp("indicateurs") / "pcaet.duckdb"
    with store.writing(path) as con:
        for name in ("fiche-mobilite.yaml", "fiche-homonyme.yaml"):
            store.save_fiche(con, read_fiche_yaml((FIXTURES / name).read_bytes(), name))
    return path


@pytest.fixture
def dbp(template_db, tmp_path) -> Path:
    path = tmp_path / "pcaet.duckdb"
    shutil.copy(template_db, path)
    return path


def known_frame() -> pd.DataFrame:
    rows = []
    for name in ("fiche-mobilite.yaml", "fiche-homonyme.yaml"):
        for ind in read_fiche_yaml((FIXTURES / name).read_bytes(), name).indicateurs:
            rows.append((ind.indicateur_id, ind.nom, ind.unite, ind.sens))
    return pd.DataFrame(rows, columns=["indicateur_id", "nom", "unite", "sens"])


def counts(path: Path) -> dict:
    with store.reading(path) as con:
        result = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("indicateur_valeurs", "indicateur_cibles", "uploads")}
        result["yaml"] = con.execute("SELECT string_agg(yaml, '|' ORDER BY fiche_id) FROM fiches").fetchone()[0]
    return result


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


def values_of(path: Path) -> list[tuple]:
    with store.reading(path) as con:
        return con.execute(
            "SELECT indicateur_id, strftime(date, '%Y-%m-%d'), valeur, commentaire FROM indicateur_valeurs "
            "ORDER BY indicateur_id, date"
        ).fetchall()


def targets_of(path: Path) -> list[tuple]:
    with store.reading(path) as con:
        return con.execute("SELECT indicateur_id, annee, valeur FROM indicateur_cibles ORDER BY indicateur_id, annee").fetchall()


# ---------------------------------------------------------------------------------------------
# reading a file


def test_read_valid_file_ids_names_dates_and_decimal_commas():
    rows = read_indicateur_values((FIXTURES / "valeurs.csv").read_bytes(), "valeurs.csv", known_frame(), TODAY)
    got = [(r.line, r.indicateur_id, r.date, r.valeur if r.valeur == r.valeur else None,
            r.cible if r.cible == r.cible else None, r.commentaire) for r in rows.itertuples()]
    assert got == [
        (2, "velos-libre-service", date(2024, 1, 15), 40.0, None, "Lancement du service"),
        # name in capitals with accents; id in capitals
        (3, "velos-libre-service", date(2025, 1, 15), 55.0, None, ""),
        (4, "velos-libre-service", date(2025, 6, 15), 61.0, None, ""),
        (5, "part-voiture", date(2024, 12, 31), 62.5, None, "Enquête ménages"),
        # typographic apostrophes in the name
        (6, "agents-formes", date(2025, 3, 1), 12.0, 20.0, ""),
        # a target only, dated in the future: allowed
        (7, "emissions-transport", date(2030, 12, 31), None, 180.0, "Objectif du SRADDET"),
        (8, "emissions-transport", date(2025, 6, 30), 210.4, None, ""),
    ]


def test_every_problem_of_a_file_at_once_in_french():
    with pytest.raises(InvalidInput) as exc:
        read_indicateur_values((FIXTURES / "erreurs.csv").read_bytes(), "erreurs.csv", known_frame(), TODAY)
    assert messages(exc) == [
        "erreurs.csv:2:indicateur: indicateur inconnu « inconnu » : ni l'identifiant ni le nom exact d'un "
        "indicateur des fiches-actions",
        "erreurs.csv:3:date: date non reconnue « 2024-02-30 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
        "erreurs.csv:4:date: date dans le futur « 2026-12-01 » : une valeur mesurée ne peut pas être postérieure "
        "à aujourd'hui (25/11/2026)",
        "erreurs.csv:5:valeur: valeur « trois » non numérique (attendu un nombre, ex. 12 ou 12,5)",
        "erreurs.csv:6:valeur: valeur « 12,5 » invalide : « Nombre de vélos en libre-service » se compte en "
        "nombre entier ; un entier positif ou nul est attendu",
        "erreurs.csv:7:valeur: valeur « -1 » invalide : « Nombre de vélos en libre-service » se compte en "
        "nombre entier ; un entier positif ou nul est attendu",
        "erreurs.csv:9:date: valeur en double : « velos-libre-service » a déjà une valeur au 15/01/2024 (ligne 8)",
        "erreurs.csv:10:valeur: valeur manquante",
        "erreurs.csv:11:indicateur: nom d'indicateur ambigu « Part modale de la voiture » : il désigne plusieurs "
        "indicateurs (part-voiture, part-voiture-agents) ; écrivez son identifiant",
        "erreurs.csv:12:valeur: valeur « nan » non numérique (attendu un nombre, ex. 12 ou 12,5)",
        "erreurs.csv:14:cible: cible 2024 contradictoire : 45 ici, 50 ligne 13",
        "erreurs.csv:15:indicateur: indicateur inconnu « Nombre de velos en libre service » : ni l'identifiant ni "
        "le nom exact d'un indicateur des fiches-actions (vouliez-vous dire « Nombre de vélos en libre-service » ?)",
        "erreurs.csv:16:indicateur: indicateur manquant (identifiant ou nom de l'indicateur)",
        "erreurs.csv:17:date: date manquante (AAAA-MM-JJ ou JJ/MM/AAAA)",
    ]


def test_missing_columns_are_named_with_the_columns_read():
    data = "Indicateur;Valeur\nvelos-libre-service;3\n".encode()
    with pytest.raises(InvalidInput) as exc:
        read_indicateur_values(data, "sans-date.csv", known_frame(), TODAY)
    assert messages(exc) == [
        "sans-date.csv:1:date: colonne obligatoire « date » absente (colonnes lues : Indicateur, Valeur)"]


def test_the_same_date_twice_is_refused_whatever_its_spelling():
    # 15/01/2024 and 2024-01-15 are the same day.
    data = "indicateur;date;valeur\nvelos-libre-service;15/01/2024;3\nvelos-libre-service;2024-01-15;3\n".encode()
    with pytest.raises(InvalidInput) as exc:
        read_indicateur_values(data, "double.csv", known_frame(), TODAY)
    assert messages(exc) == [
        "double.csv:3:date: valeur en double : « velos-libre-service » a déjà une valeur au 15/01/2024 (ligne 2)"]


def test_a_row_naming_only_an_indicateur_is_a_template_line():
    data = "indicateur;date;valeur\nvelos-libre-service;;\npart-voiture;2024-01-01;40\n".encode()
    rows = read_indicateur_values(data, "modele.csv", known_frame(), TODAY)
    assert rows["indicateur_id"].tolist() == ["part-voiture"]
    assert rows["line"].tolist() == [3]


def test_a_count_target_must_be_a_whole_number_too():
    data = "indicateur;date;cible\nvelos-libre-service;31/12/2027;99,5\n".encode()
    with pytest.raises(InvalidInput) as exc:
        read_indicateur_values(data, "cible.csv", known_frame(), TODAY)
    assert messages(exc) == [
        "cible.csv:2:cible: cible « 99,5 » invalide : « Nombre de vélos en libre-service » se compte en nombre "
        "entier ; un entier positif ou nul est attendu"]


def test_xlsx_with_date_and_number_cells(dbp):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Indicateur", "Date", "Valeur", "Commentaire"])
    sheet.append(["part-voiture", datetime(2025, 3, 31), 58.25, "Comptage"])
    sheet.append(["Nombre de vélos en libre-service", datetime(2025, 4, 30), 70, None])
    buffer = io.BytesIO()
    book.save(buffer)
    services.import_indicateur_values(dbp, buffer.getvalue(), "valeurs.xlsx", user="alice", today=TODAY)
    assert values_of(dbp) == [
        ("part-voiture", "2025-03-31", 58.25, "Comptage"),
        ("velos-libre-service", "2025-04-30", 70.0, ""),
    ]


# ---------------------------------------------------------------------------------------------
# import service


def test_refused_file_writes_nothing(dbp):
    before = counts(dbp)
    with pytest.raises(InvalidInput):
        services.import_indicateur_values(dbp, (FIXTURES / "erreurs.csv").read_bytes(), "erreurs.csv", today=TODAY)
    assert counts(dbp) == before
    assert not store.uploads_dir(dbp).exists()


def test_more_than_50000_rows_is_refused_and_nothing_written(dbp):
    data = ("indicateur;date;valeur\n" + "velos-libre-service;2024-01-01;1\n" * 50_001).encode()
    before = counts(dbp)
    with pytest.raises(InvalidInput) as exc:
        services.import_indicateur_values(dbp, data, "long.csv", today=TODAY)
    assert messages(exc) == ["long.csv::: fichier trop long : 50001 lignes de valeurs (maximum 50000)"]
    assert counts(dbp) == before


def test_import_writes_values_targets_upload_and_archive(dbp):
    data = (FIXTURES / "valeurs.csv").read_bytes()
    result = services.import_indicateur_values(dbp, data, "valeurs.csv", user="alice", today=TODAY)
    # 6 values, all new; targets agents-formes 2025 and emissions-transport 2030.
    assert (result.created, result.replaced, result.unchanged, result.targets) == (6, 0, 0, 2)
    assert values_of(dbp) == [
        ("agents-formes", "2025-03-01", 12.0, ""),
        ("emissions-transport", "2025-06-30", 210.4, ""),
        ("part-voiture", "2024-12-31", 62.5, "Enquête ménages"),
        ("velos-libre-service", "2024-01-15", 40.0, "Lancement du service"),
        ("velos-libre-service", "2025-01-15", 55.0, ""),
        ("velos-libre-service", "2025-06-15", 61.0, ""),
    ]
    assert targets_of(dbp) == [
        ("agents-formes", 2025, 20.0), ("emissions-transport", 2030, 180.0),
        ("part-voiture", 2030, 50.0), ("velos-libre-service", 2026, 100.0),
    ]
    with store.reading(dbp) as con:
        upload = con.execute("SELECT upload_id, kind, filename, sha256, stored_path, rows, uploaded_by FROM uploads").fetchall()
        who = con.execute("SELECT DISTINCT saisi_par, upload_id, saisi_le IS NOT NULL FROM indicateur_valeurs").fetchall()
    assert len(upload) == 1
    upload_id, kind, filename, sha, stored_path, rows, by = upload[0]
    assert (kind, filename, sha, rows, by) == ("indicateurs", "valeurs.csv", hashlib.sha256(data).hexdigest(), 7, "alice")
    assert (dbp.parent / stored_path).read_bytes() == data
    assert who == [("alice", upload_id, True)]


def test_the_same_file_twice_changes_nothing(dbp):
    data = (FIXTURES / "valeurs.csv").read_bytes()
    services.import_indicateur_values(dbp, data, "valeurs.csv", user="alice", today=TODAY)
    before = counts(dbp)
    with store.reading(dbp) as con:
        stamps = con.execute("SELECT saisi_le, data_version FROM indicateur_valeurs, meta ORDER BY ALL").fetchall()
    again = services.import_indicateur_values(dbp, data, "valeurs.csv", user="bob", today=TODAY)
    assert not again.changed and again.upload_id is None and again.unchanged == 6
    assert counts(dbp) == before
    with store.reading(dbp) as con:
        assert con.execute("SELECT saisi_le, data_version FROM indicateur_valeurs, meta ORDER BY ALL").fetchall() == stamps


def test_a_value_replaces_the_one_of_the_same_date_and_comments_follow_the_column(dbp):
    services.import_indicateur_values(dbp, (FIXTURES / "valeurs.csv").read_bytes(), "valeurs.csv", today=TODAY)
    # No commentaire column: the stored comment is kept.
    result = services.import_indicateur_values(
        dbp, "indicateur;date;valeur\nvelos-libre-service;15/01/2024;42\n".encode(), "correction.csv", today=TODAY)
    assert (result.created, result.replaced) == (0, 1)
    assert values_of(dbp)[3] == ("velos-libre-service", "2024-01-15", 42.0, "Lancement du service")
    # An empty commentaire cell clears it.
    services.import_indicateur_values(
        dbp, "indicateur;date;valeur;commentaire\nvelos-libre-service;15/01/2024;42;\n".encode(), "vide.csv", today=TODAY)
    assert values_of(dbp)[3] == ("velos-libre-service", "2024-01-15", 42.0, "")


def test_an_imported_target_is_written_into_the_fiche_and_survives_its_next_save(dbp):
    services.import_indicateur_values(dbp, (FIXTURES / "valeurs.csv").read_bytes(), "valeurs.csv", today=TODAY)
    with store.reading(dbp) as con:
        fiches = {f.fiche_id: f for f in store.load_fiches(con)}
    assert fiches["test-homonyme"].indicateur("agents-formes").cibles == {2025: 20.0}
    assert fiches["test-mobilite"].indicateur("emissions-transport").cibles == {2030: 180.0}
    assert fiches["test-mobilite"].indicateur("velos-libre-service").cibles == {2026: 100.0}
    with store.writing(dbp) as con:  # what a fiche editor does: save the fiche read back
        store.save_fiche(con, fiches["test-homonyme"])
    assert ("agents-formes", 2025, 20.0) in targets_of(dbp)


def test_a_changed_target_replaces_the_fiche_target(dbp):
    data = "indicateur;date;cible\nvelos-libre-service;31/12/2026;120\n".encode()
    result = services.import_indicateur_values(dbp, data, "cible.csv", today=TODAY)
    assert (result.created, result.targets) == (0, 1)
    assert ("velos-libre-service", 2026, 120.0) in targets_of(dbp)
    assert ("velos-libre-service", 2026, 100.0) not in targets_of(dbp)


# ---------------------------------------------------------------------------------------------
# one value at a time


@pytest.mark.parametrize("args, expected", [
    (("velos-libre-service", date(2025, 3, 1), "12,5"),
     "saisie::valeur: valeur « 12,5 » invalide : « Nombre de vélos en libre-service » se compte en nombre entier ; "
     "un entier positif ou nul est attendu"),
    (("velos-libre-service", date(2025, 3, 1), -3),
     "saisie::valeur: valeur « -3 » invalide : « Nombre de vélos en libre-service » se compte en nombre entier ; "
     "un entier positif ou nul est attendu"),
    (("velos-libre-service", date(2026, 12, 1), 3),
     "saisie::date: date dans le futur « 01/12/2026 » : une valeur mesurée ne peut pas être postérieure à "
     "aujourd'hui (25/11/2026)"),
    (("velos-libre-service", "31/02/2025", 3),
     "saisie::date: date non reconnue « 31/02/2025 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
    (("part-voiture", date(2025, 3, 1), "abc"),
     "saisie::valeur: valeur « abc » non numérique (attendu un nombre, ex. 12 ou 12,5)"),
    (("part-voiture", date(2025, 3, 1), ""), "saisie::valeur: valeur manquante"),
    (("inconnu", date(2025, 3, 1), 3), "saisie::indicateur: indicateur inconnu « inconnu »"),
])
def test_one_value_is_checked_like_a_file_row(dbp, args, expected):
    before = counts(dbp)
    with pytest.raises(InvalidInput) as exc:
        services.add_indicateur_value(dbp, *args, today=TODAY)
    assert messages(exc) == [expected]
    assert counts(dbp) == before


def test_one_value_created_identical_then_replaced(dbp):
    # A control character typed by mistake is dropped, so the same comment without it is identical.
    assert services.add_indicateur_value(dbp, "part-voiture", "2025-03-01", "58,5", "Enquête\x07 ", user="alice",
                                        today=TODAY) == "créée"
    assert services.add_indicateur_value(dbp, "part-voiture", date(2025, 3, 1), 58.5, "Enquête", user="bob",
                                        today=TODAY) == "identique"
    with store.reading(dbp) as con:
        assert con.execute("SELECT saisi_par, upload_id FROM indicateur_valeurs").fetchall() == [("alice", None)]
    assert services.add_indicateur_value(dbp, "part-voiture", date(2025, 3, 1), 57, user="bob", today=TODAY) == "remplacée"
    assert values_of(dbp) == [("part-voiture", "2025-03-01", 57.0, "")]
    assert services.indicateur_values(dbp, "part-voiture")[["valeur", "saisi_par"]].values.tolist() == [[57.0, "bob"]]


# ---------------------------------------------------------------------------------------------
# export


def test_export_rows_values_with_their_year_target_targets_alone_and_bare_indicateurs(dbp):
    services.import_indicateur_values(dbp, (FIXTURES / "valeurs.csv").read_bytes(), "valeurs.csv", today=TODAY)
    out = services.export_indicateurs(dbp)
    assert list(out.columns) == EXPORT_FIELDS == ["fiche", "indicateur", "date", "valeur", "cible"]
    got = [tuple(None if v != v else v for v in row) for row in out.itertuples(index=False)]
    nan = None
    assert got == [
        ("test-mobilite", "velos-libre-service", "2024-01-15", 40.0, nan),
        ("test-mobilite", "velos-libre-service", "2025-01-15", 55.0, nan),
        ("test-mobilite", "velos-libre-service", "2025-06-15", 61.0, nan),
        ("test-mobilite", "velos-libre-service", "2026-12-31", nan, 100.0),
        ("test-mobilite", "part-voiture", "2024-12-31", 62.5, nan),
        ("test-mobilite", "part-voiture", "2030-12-31", nan, 50.0),
        ("test-mobilite", "emissions-transport", "2025-06-30", 210.4, nan),
        ("test-mobilite", "emissions-transport", "2030-12-31", nan, 180.0),
        ("test-homonyme", "part-voiture-agents", "", nan, nan),
        ("test-homonyme", "agents-formes", "2025-03-01", 12.0, 20.0),
    ]


def test_cli_import_export_round_trip(template_db, tmp_path):
    first, second = tmp_path / "a" / "pcaet.duckdb", tmp_path / "b" / "pcaet.duckdb"
    for path in (first, second):
        path.parent.mkdir()
        shutil.copy(template_db, path)
    runner = CliRunner()
    imported = runner.invoke(indicateurs, ["import", str(FIXTURES / "valeurs.csv"), "--db", str(first)])
    assert imported.exit_code == 0, imported.output
    assert "valeurs.csv : 6 valeur(s) nouvelle(s), 0 remplacée(s), 0 inchangée(s), 2 cible(s) fixée(s)." in imported.output
    exported = runner.invoke(indicateurs, ["export", "--db", str(first)])
    assert exported.exit_code == 0
    lines = exported.output.splitlines()
    assert lines[0] == "fiche,indicateur,date,valeur,cible"
    assert "test-homonyme,agents-formes,2025-03-01,12,20" in lines
    assert "test-mobilite,part-voiture,2024-12-31,62.5," in lines
    export_file = tmp_path / "export.csv"
    export_file.write_text(exported.output, encoding="utf-8")
    back = runner.invoke(indicateurs, ["import", str(export_file), "--db", str(second)])
    assert back.exit_code == 0, back.output
    assert runner.invoke(indicateurs, ["export", "--db", str(second)]).output == exported.output
    assert values_of(second) == [(i, d, v, "") for i, d, v, _ in values_of(first)]
    # The same export again: nothing to do.
    again = runner.invoke(indicateurs, ["import", str(export_file), "--db", str(second)])
    assert "Rien n'a changé" in again.output


def test_cli_export_json_and_refused_import(dbp):
    runner = CliRunner()
    refused = runner.invoke(indicateurs, ["import", str(FIXTURES / "erreurs.csv"), "--db", str(dbp)])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0] == (
        "erreurs.csv:2:indicateur: indicateur inconnu « inconnu » : ni l'identifiant ni le nom exact d'un "
        "indicateur des fiches-actions")
    assert len(refused.stderr.splitlines()) == 14
    services.add_indicateur_value(dbp, "part-voiture", date(2025, 3, 1), 58.5, today=TODAY)
    records = json.loads(runner.invoke(indicateurs, ["export", "--format", "json", "--db", str(dbp)]).output)
    assert all(list(r) == EXPORT_FIELDS for r in records)
    assert {"fiche": "test-mobilite", "indicateur": "part-voiture", "date": "2025-03-01", "valeur": 58.5,
            "cible": None} in records
    assert {"fiche": "test-homonyme", "indicateur": "agents-formes", "date": None, "valeur": None,
            "cible": None} in records


# ---------------------------------------------------------------------------------------------
# analysis


def frame(*points) -> pd.DataFrame:
    return pd.DataFrame({"date": [pd.Timestamp(d) for d, _ in points], "valeur": [v for _, v in points]})


TWO_POINTS = frame(("2024-01-01", 10), ("2025-01-01", 20))


def test_projection_by_hand():
    # 10 → 20 over 366 days (2024 is a leap year): +10/366 a day; 2026-01-01 is 365 days later.
    assert projected_value(TWO_POINTS, date(2026, 1, 1)) == pytest.approx(20 + 10 * 365 / 366)  # 29.97
    line = projection_line(TWO_POINTS, 2025)
    assert line["date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31")]
    assert line["valeur"].tolist() == pytest.approx([10, 20 + 10 * 364 / 366])


def test_projection_uses_the_last_12_values_only():
    # An old outlier, then 12 values on the line 5 + 0.2 a day (every 10 days from 2024-01-01).
    points = [("2020-01-01", 1000)] + [(pd.Timestamp("2024-01-01") + pd.Timedelta(days=10 * k), 5 + 2 * k)
                                       for k in range(12)]
    # 2024-07-19 is day 200: 5 + 0.2 × 200 = 45.
    assert projected_value(frame(*points), date(2024, 7, 19)) == pytest.approx(45)
    assert projected_value(frame(("2024-01-01", 3)), date(2025, 1, 1)) is None


@pytest.mark.parametrize("days, stale", [(89, False), (90, False), (91, True)])
def test_staleness_after_90_days(days, stale):
    today = date(2026, 1, 1) + pd.Timedelta(days=days)
    status = indicateur_status(frame(("2025-06-01", 1), ("2026-01-01", 2)), {}, "hausse", today)
    assert (status.days_since_last, status.stale) == (days, stale)
    assert indicateur_status(frame(), {}, "hausse", TODAY).stale is True


@pytest.mark.parametrize("points, sens, target, behind, trajectory, projection, status", [
    # hausse, 10 → 20, line from (2024-01-01, 10) to (2026-12-31, target): 1095 days, 2025-01-01 is day 366;
    # projection on 2026-12-31: 20 + 10 × 729 / 366 = 39.92.
    (TWO_POINTS, "hausse", 50, True, 10 + 40 * 366 / 1095, 20 + 10 * 729 / 366, "en retard"),   # 23.37 > 20
    (TWO_POINTS, "hausse", 31, False, 10 + 21 * 366 / 1095, 20 + 10 * 729 / 366, "en bonne voie"),  # 17.02 < 20
    (TWO_POINTS, "hausse", 20, False, 10 + 10 * 366 / 1095, 20 + 10 * 729 / 366, "atteinte"),
    # baisse, 50 → 40: projection 40 − 10 × 729 / 366 = 20.08.
    (frame(("2024-01-01", 50), ("2025-01-01", 40)), "baisse", 25, False, 50 - 25 * 366 / 1095,
     40 - 10 * 729 / 366, "en bonne voie"),  # line at 41.64, 40 is better
    (frame(("2024-01-01", 50), ("2025-01-01", 40)), "baisse", 10, True, 50 - 40 * 366 / 1095,
     40 - 10 * 729 / 366, "en retard"),  # line at 36.63, 40 is worse
    (frame(("2024-01-01", 50), ("2025-01-01", 40)), "baisse", 40, False, 50 - 10 * 366 / 1095,
     40 - 10 * 729 / 366, "atteinte"),
])
def test_trajectory_and_projection_both_directions(points, sens, target, behind, trajectory, projection, status):
    result = indicateur_status(points, {2026: target}, sens, date(2025, 1, 10))
    assert result.target_year == 2026 and result.target == target
    assert result.behind_trajectory is behind
    assert result.trajectory_value == pytest.approx(trajectory)
    assert result.projected_value == pytest.approx(projection)
    assert result.status == status


def test_status_without_target_with_one_value_and_after_a_missed_target():
    assert indicateur_status(TWO_POINTS, {}, "hausse", date(2025, 1, 10)).status == "pas de cible"
    one = indicateur_status(frame(("2024-01-01", 10)), {2026: 50}, "hausse", date(2025, 1, 10))
    assert (one.status, one.projected_value, one.behind_trajectory) == ("données insuffisantes", None, False)
    missed = indicateur_status(TWO_POINTS, {2024: 50}, "hausse", date(2025, 1, 10))
    assert (missed.status, missed.target_year, missed.projected_value, missed.behind_trajectory) == (
        "en retard", 2024, None, None)


def test_next_target_is_the_first_not_yet_past():
    cibles = {2023: 15, 2026: 40}
    assert next_target(cibles, date(2023, 12, 31)) == (2023, 15)
    assert next_target(cibles, date(2024, 1, 1)) == (2026, 40)
    assert next_target(cibles, date(2027, 1, 1)) == (2026, 40)  # all past: the latest
    assert next_target({}, date(2024, 1, 1)) is None
    line = trajectory_line(TWO_POINTS, cibles, date(2024, 6, 1))
    assert line["date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2026-12-31")]
    assert line["valeur"].tolist() == [10, 40]


def test_change_since_the_previous_comite():
    points = frame(("2026-11-03", 30), ("2026-11-10", 32), ("2026-11-17", 35))
    at_12 = indicateur_status(points, {}, "hausse", TODAY, comite_date=date(2026, 11, 12))
    assert (at_12.last_value, at_12.comite_value, at_12.change) == (35, 32, 3)
    assert indicateur_status(points, {}, "hausse", TODAY, comite_date=date(2026, 11, 10)).change == 3
    assert indicateur_status(points, {}, "hausse", TODAY, comite_date=date(2026, 11, 1)).change is None
    # As of 12 November the value of the 17th does not exist yet.
    as_of = indicateur_status(points, {}, "hausse", date(2026, 11, 12), comite_date=date(2026, 11, 5))
    assert (as_of.last_value, as_of.comite_value, as_of.change) == (32, 30, 2)


def test_overview_and_reads_for_pages(dbp):
    services.import_indicateur_values(dbp, (FIXTURES / "valeurs.csv").read_bytes(), "valeurs.csv", today=TODAY)
    overview = services.indicateur_overview(dbp, today=date(2025, 7, 1), comite_date=date(2025, 2, 1)).set_index(
        "indicateur_id")
    assert list(overview.index) == ["velos-libre-service", "part-voiture", "emissions-transport",
                                    "part-voiture-agents", "agents-formes"]
    velos = overview.loc["velos-libre-service"]
    assert (velos["fiche_titre"], velos["unite"], velos["sens"]) == ("Développer les mobilités douces", "nombre", "hausse")
    # last 61 on 2025-06-15; at the committee of 2025-02-01: 55 (2025-01-15) → +6; 16 days old.
    assert (velos["last_value"], velos["comite_value"], velos["change"], velos["days_since_last"]) == (61, 55, 6, 16)
    assert velos["target_year"] == 2026 and velos["target"] == 100 and not velos["stale"]
    # part-voiture's only value (2024-12-31) is 182 days old on 2025-07-01 (31+28+31+30+31+30+1):
    # stale, and one value cannot be projected.
    assert overview.loc["part-voiture", "days_since_last"] == 182 and overview.loc["part-voiture", "stale"]
    assert overview.loc["part-voiture", "status"] == "données insuffisantes"
    assert overview.loc["part-voiture-agents", "status"] == "pas de cible"
    assert services.indicateur_targets(dbp, "velos-libre-service").values.tolist() == [[2026, 100.0]]
    assert services.indicateur_values(dbp, "velos-libre-service")["valeur"].tolist() == [40, 55, 61]


# ---------------------------------------------------------------------------------------------
# demo data


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "pcaet.duckdb"
    services.init_database(path, demo=False)
    install_demo_indicateurs(path, TODAY)
    return path


def test_demo_shows_every_flag(demo_db):
    overview = services.indicateur_overview(demo_db, today=TODAY).set_index("indicateur_id")
    assert overview.loc[CHARTE, "status"] == "atteinte"
    assert overview.loc[CLUB, "status"] == "en retard" and overview.loc[CLUB, "behind_trajectory"]
    # collective actions: last counted 2026-06-30, 148 days before 2026-11-25 (31 + 31 + 30 + 31 + 25).
    actions = overview.loc[ACTIONS]
    assert actions["stale"] and actions["days_since_last"] == 148 and actions["status"] == "en bonne voie"
    assert not actions["behind_trajectory"]
    assert services.indicateur_targets(demo_db, CHARTE).values.tolist() == [[2023, 15.0], [2026, 40.0]]


def test_demo_values_move_between_the_weekly_comites(demo_db):
    for indicateur_id in (CHARTE, CLUB):
        values = services.indicateur_values(demo_db, indicateur_id)
        seen = [indicateur_status(values, {}, "hausse", TODAY, comite_date=c).comite_value for c in COMITE_DATES]
        assert len(set(seen)) == 3, (indicateur_id, seen)
        assert values["valeur"].iloc[0] >= 0 and values["date"].min() >= pd.Timestamp("2021-01-01")


def test_demo_install_is_idempotent_and_respects_today(demo_db, tmp_path):
    before = counts(demo_db)
    assert "déjà installées" in install_demo_indicateurs(demo_db, TODAY)[0]
    assert counts(demo_db) == before
    early = pd.read_csv(io.BytesIO(demo_csv(date(2026, 3, 1))), sep=";", dtype=str, keep_default_na=False)
    measured = early[early["valeur"] != ""]
    assert pd.to_datetime(measured["date"], format="%d/%m/%Y").max() <= pd.Timestamp("2026-03-01")
    path = tmp_path / "pcaet.duckdb"
    shutil.copy(demo_db, path)
    with store.writing(path) as con:
        con.execute("DELETE FROM indicateur_valeurs")
    install_demo_indicateurs(path, date(2026, 3, 1))
    with store.reading(path) as con:
        assert con.execute("SELECT max(date) FROM indicateur_valeurs").fetchone()[0] <= date(2026, 3, 1)


def test_the_documented_example_imports_on_the_seed_fiche(demo_db, tmp_path):
    text = (Path(__file__).resolve().parents[1] / "docs" / "import-indicateurs.md").read_text(encoding="utf-8")
    example = text.split("### Exemple", 1)[1].split("```", 2)[1].strip() + "\n"
    path = tmp_path / "pcaet.duckdb"
    shutil.copy(demo_db, path)
    result = services.import_indicateur_values(path, example.encode("utf-8"), "exemple.csv", today=TODAY)
    # 4 values on dates the demo already has: the charter's 34 on 2026-06-30 is the demo's own value
    # (unchanged), the 3 others replace the demo's; the 2026 target (12) is the demo's, 2030 is new.
    assert (result.created, result.replaced, result.unchanged, result.targets) == (0, 3, 1, 1)
    assert services.indicateur_targets(path, ACTIONS).values.tolist() == [[2026, 12.0], [2030, 20.0]]
