"""Hostile and broken files (issue 17, items 1–3): spreadsheets read within bounds, no row lost
silently in a CSV, dates, numbers and text in range. One test per defect; each failed on the
code before this change (noted on each). Expected values are written from the rules."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from support.xlsx import XSheet, far_cell_workbook, workbook

from cae_data import validation
from cae_data.errors import InvalidInput
from cae_data.evaluation.reader import read_evaluation
from cae_data.fiches.indicateurs import check_single_value, export_frame, indicateur_status, read_indicateur_values
from cae_data.fiches.yaml_format import read_fiche_yaml
from cae_data.tabular import MAX_COLUMNS, read_sheet

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 25)
REF = {"cae": {"1": "axe", "1.1": "sous-axe", "1.1.1": "mesure", "1.1.1.1": "sous-action", "1.1.1.2": "sous-action",
               "1.1.1.3": "sous-action", "1.1.1.4": "sous-action", "1.1.1.5": "sous-action", "": "referentiel"}}
KNOWN = pd.DataFrame({"indicateur_id": ["velos"], "nom": ["Nombre de vélos"], "unite": ["nombre"],
                      "sens": ["hausse"]})
# 1 048 576 × 16 384 written the French way (narrow no-break spaces as thousands separators).
NBSP = "\u00a0"


def evaluation(data: bytes, name: str, **kwargs):
    kwargs.setdefault("collectivite", "CAPSO")
    kwargs.setdefault("date", dt.date(2026, 11, 1))
    return read_evaluation(data, name, REF, today=TODAY, **kwargs)


def refusal(call, *args, **kwargs) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        call(*args, **kwargs)
    return [str(p) for p in refused.value.problems]


# --- 1. spreadsheets read within bounds ------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.path.insert(0, sys.argv[3])
    import datetime as dt
    from cae_data.errors import InvalidInput
    from cae_data.evaluation.reader import read_evaluation
    from cae_data.fiches.indicateurs import read_indicateur_values
    import pandas as pd
    data = open(sys.argv[2], "rb").read()
    ref = {"cae": {"1.1.1.1": "sous-action", "1.1.1": "mesure"}}
    known = pd.DataFrame({"indicateur_id": ["v"], "nom": ["V"], "unite": [""], "sens": ["hausse"]})
    out = {}
    for name, call in (("evaluation", lambda: read_evaluation(data, "loin.xlsx", ref, collectivite="CAPSO",
                                                              date=dt.date(2026, 1, 1), today=dt.date(2026, 11, 25))),
                       ("indicateurs", lambda: read_indicateur_values(data, "loin.xlsx", known,
                                                                     dt.date(2026, 11, 25)))):
        started = time.perf_counter()
        try:
            call()
            message = None
        except InvalidInput as exc:
            message = str(exc)
        out[name] = {"message": message, "seconds": time.perf_counter() - started}
    print(json.dumps(out))
""")
MEMORY_LIMIT = 1536 * 1024 * 1024


def read_in_bounded_child(tmp_path: Path, data: bytes) -> dict:
    """Both readers on `data` in a child process capped at 1.5 Go of address space."""
    path = tmp_path / "loin.xlsx"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", CHILD, str(MEMORY_LIMIT), str(path), str(PROJECT_ROOT)],
                          capture_output=True, text=True, timeout=120)
    # Before: calamine asked for 549 755 813 888 bytes (1 048 576 × 16 384 cells × 32) and the
    # process aborted (return code −6); the 60 001 × 2 001 file needed 3.8 Go.
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("row, column, dimension, expected", [
    # The declared dimension is refused before any cell is read.
    (1_048_576, 16_384, "auto", f"1{NBSP}048{NBSP}576 lignes × 16{NBSP}384 colonnes déclarées"),
    (60_001, 2_001, "auto", f"60{NBSP}001 lignes × 2{NBSP}001 colonnes déclarées"),
    # A dimension that lies (or none): the actual extent, found by streaming the sheet's XML.
    (1_048_576, 16_384, "A1:B2", f"1{NBSP}048{NBSP}576 lignes × 16{NBSP}384 colonnes utilisées"),
    (60_001, 2_001, None, f"60{NBSP}001 lignes × 2{NBSP}001 colonnes utilisées"),
])
def test_far_cell_workbook_refused_fast_within_memory(tmp_path, row, column, dimension, expected):
    data = far_cell_workbook(row, column, dimension)
    assert len(data) < 5 * 1024
    results = read_in_bounded_child(tmp_path, data)
    # Limits: 200 000 data rows (+ 50 for titles) for evaluations, 50 000 (+ 50) for indicators.
    for reader, rows in (("evaluation", "200 050"), ("indicateurs", "50 050")):
        result = results[reader]
        assert result["message"] == (f"loin.xlsx::: feuille trop grande : {expected} ; maximum "
                                      f"{rows.replace(' ', NBSP)} lignes et {MAX_COLUMNS} colonnes"), reader
        assert result["seconds"] < 1.0, result


def test_far_cell_in_a_child_reader_is_refused_not_fatal():
    """XLS and ODS go through calamine in a child process capped in memory: the far-cell file
    forced through that path kills the child, and the caller gets a French refusal."""
    from cae_data import tabular

    problems = refusal(tabular._read_in_child, far_cell_workbook(1_048_576, 16_384, None), "loin.xls", None, None,
                       tabular.sheet_limits(None))
    assert problems == ["loin.xls::: classeur trop grand ou endommagé : sa lecture dépasse 1536 Mo de mémoire ; "
                        "enregistrez-le en XLSX ou en CSV"]


def test_rows_beyond_the_limit_keep_the_row_message():
    """Too many rows alone (declared A1:B400, 300 allowed + 50 title rows) gives the usual message."""
    sheet = XSheet("evaluation", dimension="A1:B400").row(1, "action_id", "statut")
    for r in range(2, 401):
        sheet.row(r, "1.1.1.1", "fait")
    assert refusal(evaluation, workbook(sheet), "long.xlsx", max_rows=300) == [
        "long.xlsx:351:: fichier trop long : plus de 300 lignes de données, lecture arrêtée à cette ligne (maximum 300)"]


def test_too_many_cells_names_the_cell_and_memory_limits():
    """201 columns are refused by the column limit; 30 000 rows × 200 columns = 6 000 000 cells by
    the cell limit (5 000 000), the estimate being 6 000 000 × 96 bytes ≈ 549 Mo."""
    wide = XSheet("evaluation").row(1, "action_id", "statut").row(2, "1.1.1.1", "fait")
    wide.cells[(2, 201)] = "x"
    assert refusal(evaluation, workbook(wide), "large.xlsx") == [
        f"large.xlsx::: feuille trop grande : 2 lignes × 201 colonnes utilisées ; maximum 200{NBSP}050 lignes et "
        "200 colonnes"]
    big = XSheet("evaluation").row(1, "action_id", "statut")
    big.cells[(30_000, 200)] = "x"
    assert refusal(evaluation, workbook(big), "gros.xlsx") == [
        f"gros.xlsx::: feuille trop grande : 30{NBSP}000 lignes × 200 colonnes utilisées, soit 6{NBSP}000{NBSP}000 "
        f"cellules (environ 549 Mo en mémoire) ; maximum 5{NBSP}000{NBSP}000 cellules et 600 Mo"]


def test_merged_status_is_spread_to_every_row_of_its_range():
    """Before: a status merged over B2:B5 imported 1 row instead of 4."""
    sheet = XSheet("evaluation", merged=["B2:B5"]).row(1, "action_id", "statut")
    for r, action in enumerate(["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"], start=2):
        sheet.row(r, action)
    sheet.row(2, None, "fait")
    result = evaluation(workbook(sheet), "fusion.xlsx")
    assert result.rows[["line", "action_id", "statut"]].values.tolist() == [
        [2, "1.1.1.1", "fait"], [3, "1.1.1.2", "fait"], [4, "1.1.1.3", "fait"], [5, "1.1.1.4", "fait"]]


def test_a_huge_merged_range_is_refused_not_spread():
    sheet = XSheet("evaluation", merged=["B2:B1048576"]).row(1, "action_id", "statut").row(2, "1.1.1.1", "fait")
    # Rows alone beyond the limit (200 000 + 50): the usual row message, at line 200 051.
    assert refusal(evaluation, workbook(sheet), "fusion.xlsx") == [
        "fusion.xlsx:200051:: fichier trop long : plus de 200000 lignes de données, lecture arrêtée à cette ligne "
        "(maximum 200000)"]
    sheet.merged = ["B2:ZZ3"]  # ZZ is column 26 × 26 + 26 = 702
    assert refusal(evaluation, workbook(sheet), "fusion.xlsx") == [
        f"fusion.xlsx::: feuille trop grande : 3 lignes × 702 colonnes utilisées ; maximum 200{NBSP}050 lignes et "
        "200 colonnes"]


def test_error_cells_are_errors_naming_the_cell():
    """Before: a `#DIV/0!` share read as 0 and the row was imported."""
    sheet = (XSheet("evaluation").row(1, "action_id", "statut", "fait", "programme", "pas_fait")
             .row(2, "1.1.1.1", "fait")
             .row(3, "1.1.1.2", "détaillé", ("e", "#DIV/0!"), 50, 50)
             .row(4, "1.1.1.3", ("e", "#N/A")))
    assert refusal(evaluation, workbook(sheet), "fichier.xlsx") == [
        "fichier.xlsx:3:fait: cellule en erreur « #DIV/0! » : corrigez la formule ou saisissez la valeur",
        "fichier.xlsx:4:statut: cellule en erreur « #N/A » : corrigez la formule ou saisissez la valeur",
    ]


def test_error_cells_in_an_indicateur_file():
    sheet = XSheet("indicateurs").row(1, "indicateur", "date", "valeur").row(2, "velos", "2026-01-01",
                                                                            ("e", "#VALUE!"))
    assert refusal(read_indicateur_values, workbook(sheet), "i.xlsx", KNOWN, TODAY) == [
        "i.xlsx:2:valeur: cellule en erreur « #VALUE! » : corrigez la formule ou saisissez la valeur"]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheet_named_evaluation_is_not_chosen(state):
    """Before: a very hidden sheet named « evaluation » was read instead of the visible one."""
    visible = XSheet("Feuil1").row(1, "action_id", "statut").row(2, "1.1.1.1", "fait")
    hidden = XSheet("evaluation", state=state).row(1, "action_id", "statut").row(2, "1.1.1.5", "pas fait")
    data = workbook(visible, hidden)
    result = evaluation(data, "cache.xlsx")
    assert result.sheet_name == "Feuil1"
    assert result.rows[["action_id", "statut"]].values.tolist() == [["1.1.1.1", "fait"]]
    # Named by the caller, a hidden sheet is read.
    assert read_sheet(data, "cache.xlsx", explicit_sheet="Evaluation").rows == [["action_id", "statut"],
                                                                                 ["1.1.1.5", "pas fait"]]


def test_a_hidden_sheet_named_by_the_user_is_read_and_duplicates_refused():
    visible = XSheet("Feuil1").row(1, "action_id", "statut").row(2, "1.1.1.1", "fait")
    hidden = XSheet("Notes", state="hidden").row(1, "action_id", "statut").row(2, "1.1.1.2", "programmé")
    result = evaluation(workbook(visible, hidden), "cache.xlsx", explicit_sheet="notes")
    assert (result.sheet_name, result.rows["action_id"].tolist()) == ("Notes", ["1.1.1.2"])
    twice = workbook(visible, XSheet("FEUIL1").row(1, "x"))
    assert refusal(evaluation, twice, "double.xlsx") == [
        "double.xlsx::: classeur endommagé : deux feuilles portent le nom « FEUIL1 »"]


def test_a_workbook_without_a_visible_sheet_is_refused():
    data = workbook(XSheet("evaluation", state="hidden").row(1, "action_id", "statut"))
    assert refusal(evaluation, data, "cache.xlsx") == ["cache.xlsx::: le classeur ne contient aucune feuille visible"]


# --- 2. no silent loss in CSV ----------------------------------------------------------------

def test_unclosed_quote_swallowing_the_next_rows_is_refused():
    """Before: the quote opened on line 2 swallowed the 199 rows after it into one comment, exit 0."""
    rows = "".join(f"1.1.1.{1 + i % 5};fait;ligne {i}\n" for i in range(199))
    data = f'action_id;statut;commentaire\n1.1.1.1;fait;"commentaire ouvert\n{rows}'.encode()
    assert refusal(evaluation, data, "guillemet.csv") == [
        "guillemet.csv:2:: guillemet « \" » ouvert et jamais refermé : tout ce qui suit jusqu'à la fin du fichier "
        "(ligne 201) serait lu comme une seule cellule ; fermez-le, ou doublez-le (« \"\" ») s'il fait partie du texte"]


def test_quote_closed_rows_later_is_refused():
    data = ('action_id;statut;commentaire\n1.1.1.1;fait;"ouvert\n1.1.1.2;fait;rien\n1.1.1.3;fait;"fermé ici\n'
            '1.1.1.4;fait;ok\n').encode()
    assert refusal(evaluation, data, "guillemet.csv") == [
        "guillemet.csv:2:: guillemet « \" » ouvert sur cette ligne et refermé seulement ligne 4, au milieu d'un "
        "texte : les lignes 3 à 4 seraient lues comme une seule cellule ; fermez le guillemet, ou doublez-le "
        "(« \"\" ») s'il fait partie du texte"]


def test_a_multiline_comment_is_still_accepted():
    """Its lines may hold as many separators as a row (prose in a `,` file): it closes cleanly."""
    data = 'action_id;statut;commentaire\n1.1.1.1;fait;"deux lignes\nde texte; une; virgule, ok"\n1.1.1.2;fait;\n'
    result = evaluation(data.encode(), "ok.csv")
    assert result.rows["commentaire"].tolist() == ["deux lignes\nde texte; une; virgule, ok", ""]


def test_a_line_with_another_separator_is_refused():
    """Before: `1.1.1.2,fait` in a `;` file was read as one cell without a status and skipped."""
    data = b"action_id;statut;commentaire\n1.1.1.1;fait;\n1.1.1.2,fait,\n1.1.1.3;fait;\n"
    assert refusal(evaluation, data, "sep.csv") == [
        "sep.csv:3:: ligne séparée par « , » alors que le fichier utilise « ; » : 1 champ au lieu de 3 ; utilisez le "
        "même séparateur sur toutes les lignes"]


def test_too_many_and_too_few_fields_are_refused():
    data = b"action_id;statut;commentaire\n1.1.1.1;fait\n1.1.1.2;fait;note;perdue\n1.1.1.3;fait;;\n"
    # Line 4 has a trailing empty field: nothing is lost, it is read.
    assert refusal(evaluation, data, "champs.csv") == [
        "champs.csv:2:: 2 champs au lieu de 3 (autant que l'en-tête) : ajoutez les « ; » manquants, même pour les "
        "cellules vides",
        "champs.csv:3:: 4 champs au lieu de 3 (autant que l'en-tête) : les cellules au-delà de la dernière colonne "
        "seraient perdues ; un « ; » dans un texte doit être entre guillemets",
    ]


def test_mixed_encoding_is_refused_naming_the_line():
    """Before: read wholly as cp1252, « réunion » was stored « rÃ©union »."""
    data = ("action_id;statut;commentaire\n1.1.1.1;fait;réunion\n".encode("utf-8")
            + "1.1.1.2;fait;été\n".encode("cp1252"))
    assert refusal(evaluation, data, "mixte.csv") == [
        "mixte.csv:3:: encodage mélangé : cette ligne n'est pas en UTF-8 (octet 0xE9, un caractère Windows-1252) "
        "alors que le fichier l'est ailleurs (ligne 2) ; enregistrez tout le fichier en UTF-8"]


def test_broken_accents_are_never_stored():
    data = "action_id;statut;commentaire\n1.1.1.1;fait;rÃ©union\n".encode("utf-8")
    assert refusal(evaluation, data, "abime.csv") == [
        "abime.csv:2:: accents abîmés « rÃ©union » : le texte a été enregistré avec un mauvais encodage ; "
        "corrigez-le avant l'import"]


def test_a_real_cp1252_file_is_still_read():
    data = "action_id;statut;commentaire\n1.1.1.1;programmé;réunion « été » – 5 €\n".encode("cp1252")
    assert evaluation(data, "cp.csv").rows["commentaire"].tolist() == ["réunion « été » – 5 €"]


def test_indicateur_file_rows_of_the_wrong_width_are_refused():
    data = b"indicateur;date;valeur\nvelos;2026-01-01;3\nvelos,2026-02-01,4\n"
    assert refusal(read_indicateur_values, data, "v.csv", KNOWN, TODAY) == [
        "v.csv:3:: ligne séparée par « , » alors que le fichier utilise « ; » : 1 champ au lieu de 3 ; utilisez le "
        "même séparateur sur toutes les lignes"]


# --- 3. dates, numbers and text in range -----------------------------------------------------

def test_validation_bounds():
    assert validation.date_problem(dt.date(1990, 1, 1)) is None
    assert validation.date_problem(dt.date(2100, 12, 31)) is None
    assert validation.date_problem(dt.date(1989, 12, 31)) == (
        "date hors limites « 31/12/1989 » : attendue entre le 01/01/1990 et le 31/12/2100")
    assert validation.date_problem(dt.date(999, 12, 31)) == (
        "date hors limites « 31/12/0999 » : attendue entre le 01/01/1990 et le 31/12/2100")
    assert validation.year_problem(2101) == "année « 2101 » hors limites : attendue entre 1990 et 2100"
    assert validation.number_problem(1e12) is None and validation.number_problem(-1e12) is None
    assert validation.number_problem(1.000001e12, "valeur", "1000001000000") == (
        "valeur « 1000001000000 » hors limites : attendu entre −1\u202f000\u202f000\u202f000\u202f000 et "
        "1\u202f000\u202f000\u202f000\u202f000")
    assert validation.number_problem(float("inf"), "valeur", "inf") == (
        "valeur « inf » invalide : un nombre fini est attendu")
    assert validation.clean_text("a\x00b\x1b[31mc\u202ed\r\ne") == ("ab[31mcd\ne", None)
    assert validation.clean_text("x" * 11, "titre", 10) == ("x" * 11, "titre trop long : 11 caractères ; maximum 10")
    assert validation.clean_name("  Saint-\nOmer ") == ("Saint- Omer", None)
    for name in ("=HYPERLINK(1)", "+33", "-x", "@SUM(1)"):
        assert validation.clean_name(name)[1] == (
            f"nom « {name} » refusé : il ne peut pas commencer par =, +, - ou @ (un tableur le prendrait pour une "
            "formule)")
    assert validation.numbers_out_of_range(pd.Series([1.0, np.nan, np.inf, -2e12])).tolist() == [
        False, False, True, True]


@pytest.mark.parametrize("raw", ["31/12/0999", "01/01/1500", "31/12/2262", "31/12/9999", "1989-12-31", "2101-01-01"])
def test_indicateur_target_dates_out_of_range_are_refused(raw):
    """Before: `31/12/0999` as a target was accepted, written into the fiche, and the page broke."""
    data = f"indicateur;date;cible\nvelos;{raw};30\n".encode()
    assert refusal(read_indicateur_values, data, "c.csv", KNOWN, TODAY) == [
        f"c.csv:2:date: date hors limites « {raw} » : attendue entre le 01/01/1990 et le 31/12/2100"]


def test_measured_values_before_1677_are_refused():
    """Before: a value dated 1500 gave an OutOfBoundsDatetime traceback."""
    data = b"indicateur;date;valeur\nvelos;01/01/1500;3\nvelos;2026-01-01;1e308\n"
    assert refusal(read_indicateur_values, data, "v.csv", KNOWN, TODAY) == [
        "v.csv:2:date: date hors limites « 01/01/1500 » : attendue entre le 01/01/1990 et le 31/12/2100",
        "v.csv:3:valeur: valeur « 1e308 » hors limites : attendu entre −1\u202f000\u202f000\u202f000\u202f000 et "
        "1\u202f000\u202f000\u202f000\u202f000",
    ]
    assert refusal(check_single_value, KNOWN, "velos", dt.date(1500, 1, 1), "3", TODAY) == [
        "saisie::date: date hors limites « 01/01/1500 » : attendue entre le 01/01/1990 et le 31/12/2100"]


@pytest.mark.parametrize("year", ["0999", "1500", "2262", "9999"])
def test_fiche_target_years_out_of_range_are_refused(year):
    data = f"titre: Fiche\nindicateurs:\n  - nom: Vélos\n    cibles: {{{year}: 30}}\n".encode()
    assert refusal(read_fiche_yaml, data, "f.yaml") == [
        f"f.yaml:4:14: indicateur 1 : année cible « {year} » hors limites : attendue entre 1990 et 2100"]


def test_data_written_before_bounds_no_longer_crash_export_and_status():
    """Before: years 1500, 2262 or 9999 made `pcaet indicateurs export` raise OutOfBoundsDatetime.
    Out-of-range rows stay in the export (dates as text); the status ignores them."""
    indicators = pd.DataFrame({"indicateur_id": ["velos"], "fiche_id": ["f"]})
    values = pd.DataFrame({"indicateur_id": ["velos", "velos"], "date": [dt.date(1500, 1, 1), dt.date(2025, 1, 1)],
                           "valeur": [1.0, 3.0]})
    targets = pd.DataFrame({"indicateur_id": ["velos"] * 3, "annee": [999, 2262, 9999], "valeur": [1.0, 2.0, 4.0]})
    exported = export_frame(indicators, values, targets)
    assert exported["date"].tolist() == ["0999-12-31", "1500-01-01", "2025-01-01", "2262-12-31", "9999-12-31"]
    status = indicateur_status(values, {999: 1.0, 2262: 2.0, 9999: 4.0}, "hausse", TODAY)
    # Only the 2025 value counts; no target within 1990–2100.
    assert (status.nb_values, status.last_value, status.status) == (1, 3.0, "pas de cible")


def test_evaluation_dates_out_of_range_are_refused():
    data = b"action_id;statut;date\n1.1.1.1;fait;0001-01-01\n1.1.1.2;fait;15/03/2025\n"
    assert refusal(evaluation, data, "d.csv") == [
        "d.csv:2:date: date hors limites « 0001-01-01 » : attendue entre le 01/01/1990 et le 31/12/2100"]
    assert refusal(evaluation, b"action_id;statut\n1.1.1.1;fait\n", "d.csv", date=dt.date(1, 1, 1)) == [
        "d.csv::: date d'évaluation hors limites « 01/01/0001 » : attendue entre le 01/01/1990 et le 31/12/2100"]


def test_control_characters_are_stripped_and_names_checked():
    """Before: NUL, ESC and U+202E were stored; formula-like collectivité names accepted."""
    data = ("action_id;statut;commentaire;collectivite\n1.1.1.1;fait;a\x1b[31mb\u202ec\x00;CAPSO\u202e\n"
            "1.1.1.2;fait;;=HYPERLINK(\"x\")\n").encode()
    assert refusal(evaluation, data, "c.csv") == [
        "c.csv:3:collectivite: nom de collectivité « =HYPERLINK(\"x\") » refusé : il ne peut pas commencer par =, +, "
        "- ou @ (un tableur le prendrait pour une formule)"]
    data = "action_id;statut;commentaire;collectivite\n1.1.1.1;fait;a\x1b[31mb\u202ec;CAPSO\u202e\n".encode()
    result = evaluation(data, "c.csv")
    assert result.rows[["commentaire", "collectivite"]].values.tolist() == [["a[31mbc", "CAPSO"]]


def test_over_long_text_is_refused_with_its_limit():
    comment = "x" * (validation.COMMENT_MAX_LENGTH + 1)
    sheet = XSheet("evaluation").row(1, "action_id", "statut", "commentaire").row(2, "1.1.1.1", "fait", comment)
    assert refusal(evaluation, workbook(sheet), "long.xlsx") == [
        "long.xlsx:2:commentaire: commentaire trop long : 1\u202f048\u202f577 caractères ; maximum "
        "1\u202f048\u202f576"]
    name = "N" * 201
    data = f"action_id;statut;collectivite\n1.1.1.1;fait;{name}\n".encode()
    assert refusal(evaluation, data, "n.csv") == [
        "n.csv:2:collectivite: nom de collectivité trop long : 201 caractères ; maximum 200"]
    data = f"titre: {'t' * 301}\n".encode()
    assert refusal(read_fiche_yaml, data, "f.yaml") == ["f.yaml:1:8: « titre » trop long : 301 caractères ; maximum 300"]


# --- the templates and an openpyxl workbook still read as before -----------------------------

def test_openpyxl_workbook_with_styles_and_shared_strings_reads():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "evaluation"
    sheet.append(["action_id", "statut", "commentaire"])
    sheet.append(["1.1.1.1", "fait", "ok"])
    sheet["D50"].style = "Good"  # a styled empty cell far below: not an extent
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert b'r="D50"' in archive.read("xl/worksheets/sheet1.xml")
    result = evaluation(buffer.getvalue(), "style.xlsx")
    assert result.rows[["action_id", "commentaire"]].values.tolist() == [["1.1.1.1", "ok"]]


# --- fuzzing the spreadsheet reader within bounds ----------------------------------------------

FUZZ_CHILD = textwrap.dedent("""
    import resource, sys, time
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.path[:0] = [sys.argv[2], sys.argv[2] + "/tests"]
    from hypothesis import HealthCheck, given, settings, strategies as st
    from support.xlsx import XSheet, ref, workbook
    from cae_data.errors import InvalidInput
    from cae_data.tabular import read_sheet, sheet_limits

    rows = st.one_of(st.integers(1, 60), st.integers(1, 1_048_576), st.sampled_from([200_050, 200_051, 60_001]))
    columns = st.one_of(st.integers(1, 12), st.integers(1, 16_384), st.sampled_from([200, 201, 2_001]))
    cell = st.tuples(rows, columns)
    value = st.one_of(st.text(max_size=5), st.integers(-5, 5), st.sampled_from([("e", "#DIV/0!"), ("e", "#N/A")]))
    merged = st.tuples(cell, cell).map(lambda p: f"{ref(*p[0])}:{ref(*p[1])}")

    @st.composite
    def sheets(draw):
        sheet = XSheet(draw(st.sampled_from(["evaluation", "Feuil1"])),
                       state=draw(st.sampled_from(["visible", "visible", "hidden", "veryHidden"])))
        sheet.row(1, "action_id", "statut")
        for position in draw(st.lists(cell, max_size=6)):
            sheet.cells[position] = draw(value)
        sheet.merged = draw(st.lists(merged, max_size=3))
        kind = draw(st.sampled_from(["truth", "lie", "none", "far"]))
        if kind == "far":
            sheet.dimension = ref(*draw(cell))
        elif kind == "lie":
            sheet.dimension = "A1:B2"
        elif kind == "truth":
            last = max(sheet.cells)
            sheet.dimension = "A1:" + ref(max(r for r, _ in sheet.cells), max(c for _, c in sheet.cells))
        return sheet

    count = 0

    @settings(max_examples=int(sys.argv[3]), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(sheets(), min_size=1, max_size=3), st.sampled_from([None, 10, 300]))
    def read(books, max_rows):
        global count
        count += 1
        data = workbook(*books)
        started = time.perf_counter()
        try:
            sheet = read_sheet(data, "f.xlsx", sheet_name="evaluation", max_rows=max_rows)
        except InvalidInput as exc:
            for problem in exc.problems:
                assert problem.file == "f.xlsx" and problem.message, problem
        else:
            limits = sheet_limits(max_rows)
            assert len(sheet.rows) <= limits.rows
            assert all(len(row) <= limits.columns for row in sheet.rows)
        elapsed = time.perf_counter() - started
        assert elapsed < 2.0, (elapsed, [(b.dimension, sorted(b.cells)[-1:], b.merged) for b in books])

    read()
    print("ok", count)
""")


def test_fuzz_spreadsheet_reader_bounded_in_time_and_memory():
    """Random far cells, lying or absent dimensions, merged ranges, error cells and hidden sheets,
    in a child capped at 1.5 Go: every workbook is read or refused in French, each in under 2 s
    (under 1 s on an idle machine), and what is read stays within the limits."""
    done = subprocess.run([sys.executable, "-c", FUZZ_CHILD, str(MEMORY_LIMIT), str(PROJECT_ROOT), "60"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    assert done.stdout.split() == ["ok", "60"] or done.stdout.startswith("ok ")
