"""Bad input to every importer and parser (hypothesis, bounded): random bytes, wrong
encodings, huge cells and files, zip bombs, HTML and formula-like cells. Property: a clean
result or InvalidInput (French `fichier:ligne:colonne: message`), never another exception, and
a refusal writes nothing (row counts and data_version unchanged). The crashes found this way
are kept below as plain tests (« found by fuzzing »)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cae_data import clock, services, store
from cae_data.errors import InvalidInput, Problem
from cae_data.evaluation.reader import read_evaluation
from cae_data.evaluation.statuses import STATUTS
from cae_data.fiches.indicateurs import read_indicateur_values
from cae_data.fiches.yaml_format import read_fiche_yaml
from cae_data.personnalisation.profile import read_profile
from cae_data.personnalisation.rules import RuleSyntaxError, parse_rule
from cae_data.referentiel.loader import read_referentiel
from cae_data.referentiel.model import QUESTION_COLUMNS
from cae_data.safe_markdown import escape_markdown, sanitize_markdown
from cae_data.tabular import MAX_UNCOMPRESSED_BYTES, read_sheet

# Bounded and reproducible in the suite (about 30 s); PCAET_FUZZ_EXAMPLES=2000 explores more,
# with random seeds, when hunting for crashes locally.
EXPLORE = int(os.environ.get("PCAET_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=EXPLORE or 40, deadline=None, derandomize=not EXPLORE, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
FUZZ_DB = settings(FUZZ, max_examples=EXPLORE // 4 or 12)  # each example opens the database a few times

TODAY = dt.date(2026, 1, 15)
SEED_REF = {"cae": {"6.1.1": "mesure", "6.1.1.1": "sous-action", "6.1.1.1.1": "tache", "6.1.1.1.2": "tache",
                    "6.1.1.2": "sous-action", "6.1.2": "mesure", "6.1.2.1": "sous-action", "6": "axe",
                    "6.1": "sous-axe", "": "referentiel"}}
KNOWN_INDICATEURS = pd.DataFrame({"indicateur_id": ["velos", "part-voiture"],
                                 "nom": ["Nombre de vélos", "Part modale de la voiture"],
                                 "unite": ["nombre", "%"], "sens": ["hausse", "baisse"]})
QUESTIONS = pd.DataFrame([
    {"question_id": "voirie", "type": "binaire", "choix": None},
    {"question_id": "ecoles", "type": "choix", "choix": [{"id": "ecoles_a", "label": "A"}, {"id": "ecoles_b", "label": "B"}]},
    {"question_id": "part", "type": "proportion", "choix": None},
]).reindex(columns=QUESTION_COLUMNS)

# English words of Python, csv, PyYAML or DuckDB errors that must never reach a user as is.
ENGLISH = re.compile(r"Traceback|[A-Za-z]+Error\b|Exception|NoneType|object has no attribute|field larger than|"
                     r"line contains NUL|could not convert|invalid literal|unexpected end|expected <|but found|"
                     r"while scanning|while parsing|special characters are not allowed")

FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "=1+1", "=HYPERLINK(\"http://x\")", "-2+3"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[clic](javascript:alert(1))",
          "**gras** _it_ `code`", "<a href='https://x.fr'>x</a>", "$\\frac{1}{0}$", "<!-- -->", "</td></tr>"]
NASTY = ["", " ", '"', '""', 'a"b', ";", ",", "\t", "\n", "\r\n", "a\nb", "\x00", "\x1b[31m", "é", "œ", "€",
         "\u202e", "\ufeff", "\U0001d54f", "NaN", "nan", "inf", "-inf", "1e400", "-0", "0,5", "50 %", "100", "101",
         "-5", "9" * 30, "2024-02-30", "31/12/9999", "0000-01-01", "2024-01-01", "15/03/2024", "fait",
         "programmé", "pas fait", "détaillé", "non concerné", "non renseigné", "FAIT ", "cae_6.1.1.1", "6.1.1.1",
         "6.1.1.1.1", "6.1.1.1.9", "6.1.1", "6", "cae_", "eci_6.1.1.1", "..", "CAPSO", "Autre", "x" * 300,
         "velos", "part-voiture", "Nombre de vélos", "12,5", "1 234", "Total", "N°", "Statut"] + FORMULAS + MARKUP
EVALUATION_HEADERS = ["action_id", "Action ID", "statut", "Statut", "fait", "programme", "pas_fait", "% fait",
                      "commentaire", "date", "collectivite", "referentiel", "N°", "Potentiel personnalisé",
                      "Points faits", "intitule", ""]
INDICATEUR_HEADERS = ["indicateur", "Indicateur", "date", "valeur", "cible", "commentaire", "unite", ""]

cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))


def check_refusal(exc: InvalidInput, *filenames: str) -> None:
    """Every problem names one of the files, a 1-based line or none, and says it in French."""
    assert exc.problems
    for problem in exc.problems:
        assert isinstance(problem, Problem)
        assert problem.file in filenames, problem
        assert problem.line is None or (isinstance(problem.line, (int, np.integer)) and problem.line >= 1), problem
        assert problem.message.strip(), problem
        assert not ENGLISH.search(re.sub(r"«.*?»", "", problem.message, flags=re.S)), problem.message  # quotes aside
        assert str(problem).startswith(f"{problem.file}:"), problem


def outcome(function, *args, filenames: tuple[str, ...], **kwargs):
    """The result, or None after checking the refusal; any other exception fails the test."""
    try:
        return function(*args, **kwargs)
    except InvalidInput as exc:
        check_refusal(exc, *filenames)
        return None


def csv_bytes(header: list[str], rows: list[list[str]], separator: str, quoted: bool, encoding: str) -> bytes:
    if quoted:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows([header, *rows])
        text = buffer.getvalue()
    else:
        text = "\n".join(separator.join(row) for row in [header, *rows]) + "\n"
    return text.encode(encoding, errors="replace")


@st.composite
def table_files(draw, headers: list[str]) -> tuple[bytes, str]:
    """A CSV or XLSX made of the importer's headers (and others), nasty cells and formulas."""
    header = draw(st.lists(st.one_of(st.sampled_from(headers), st.text(max_size=8)), min_size=1, max_size=7))
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=12))
    kind = draw(st.sampled_from(["csv", "csv", "csv", "xlsx"]))
    if kind == "xlsx":
        buffer = io.BytesIO()
        # Default options: text starting with « = » becomes a real formula cell.
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(draw(st.sampled_from(["evaluation", "indicateurs", "Feuil1"])))
        for r, row in enumerate([header, *rows]):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        workbook.close()
        return buffer.getvalue(), draw(st.sampled_from(["f.xlsx", "f.csv"]))
    data = csv_bytes(header, rows, draw(st.sampled_from([";", ",", "\t"])), draw(st.booleans()),
                     draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"])))
    return data, draw(st.sampled_from(["f.csv", "f.txt", "f.xlsx"]))


raw_files = st.tuples(st.binary(max_size=600), st.sampled_from(["f.csv", "f.xlsx", "f.xls", "f.yaml", "f"]))


# --- evaluation files ------------------------------------------------------------------------

def check_evaluation(result) -> None:
    if result is None:
        return
    rows = result.rows
    assert set(rows["statut"]) <= set(STATUTS)
    shares = rows[["fait", "programme", "pas_fait"]].to_numpy(dtype=float)
    assert np.all(np.isnan(shares) | ((shares >= 0) & (shares <= 1)))
    assert not rows["commentaire"].str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", regex=True).any()
    assert all(d <= TODAY for d in rows["date"])


@FUZZ
@given(table_files(EVALUATION_HEADERS))
def test_read_evaluation_table_files(file):
    data, filename = file
    check_evaluation(outcome(read_evaluation, data, filename, SEED_REF, collectivite="CAPSO", today=TODAY,
                             filenames=(filename,)))


@FUZZ
@given(raw_files)
def test_read_evaluation_random_bytes(file):
    data, filename = file
    check_evaluation(outcome(read_evaluation, data, filename, SEED_REF, collectivite="CAPSO", date=TODAY,
                             today=TODAY, filenames=(filename,)))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["6.1.1.1", "6.1.1.2", "cae_6.1.2.1", "6.1.1.1.1"]),
                          st.sampled_from(["fait", "programmé", "pas fait", "non concerné"]),
                          st.sampled_from(FORMULAS + MARKUP + ["", "ok"])), min_size=1, max_size=4,
                unique_by=lambda r: r[0].removeprefix("cae_")))
def test_formulas_and_markup_in_comments_are_kept_as_text(rows):
    """A valid file whose comments hold formulas and HTML: accepted, each comment stored exactly
    as written (neutralised when exported, escaped when shown, never run)."""
    data = csv_bytes(["action_id", "statut", "commentaire"], [list(r) for r in rows], ";", True, "utf-8")
    result = read_evaluation(data, "f.csv", SEED_REF, collectivite="CAPSO", date=TODAY, today=TODAY)
    assert result.rows["commentaire"].tolist() == [r[2] for r in rows]
    for comment in result.rows["commentaire"]:
        shown = sanitize_markdown(comment)
        assert "<script" not in shown and "<img" not in shown and "javascript:" not in shown.lower()
        assert "<" not in escape_markdown(comment).replace("\\<", "")


# --- indicator values ------------------------------------------------------------------------

@FUZZ
@given(st.one_of(table_files(INDICATEUR_HEADERS), raw_files))
def test_read_indicateur_values(file):
    data, filename = file
    rows = outcome(read_indicateur_values, data, filename, KNOWN_INDICATEURS, TODAY, filenames=(filename,))
    if rows is not None:
        assert set(rows["indicateur_id"]) <= {"velos", "part-voiture"}
        values = rows["valeur"].dropna().to_numpy(dtype=float)
        assert np.isfinite(values).all()


# --- profiles, fiches, rules -----------------------------------------------------------------

YAML_WORDS = ["nom:", "type:", "population:", "localisation:", "reponses:", "voirie:", "ecoles:", "part:",
              "  ", "- ", "[", "]", "{", "}", ":", "&a", "*a", "!!python/object:os.system", "!!binary", "|", ">",
              "---", "...", "#", "'", '"', "oui", "NON", "ecoles_b", "0,3", "1.5", ".inf", ".nan", "-1",
              "999999999999999999999", "EPCI", "commune", "DOM", "\t", "\n", "\n  ", "titre:", "id:", "cibles:",
              "indicateurs:", "sous_actions:", "mesures:", "2026:", "etat:", "periode:", "impacts:", "pilotage:",
              "sens:", "hausse", "unite:", "numero:", "calendrier:", "debut:", "fin:"] + FORMULAS + MARKUP
yaml_texts = st.lists(st.one_of(st.sampled_from(YAML_WORDS), st.text(max_size=6)), max_size=40).map(" ".join)


@FUZZ
@given(st.one_of(yaml_texts.map(lambda t: t.encode("utf-8")), st.binary(max_size=400)))
def test_read_profile(data):
    profile = outcome(read_profile, data, "c.yaml", QUESTIONS, filenames=("c.yaml",))
    if profile is not None:
        assert profile.nom.strip()
        assert profile.population is None or 0 <= profile.population <= 1_000_000_000


@FUZZ
@given(st.one_of(yaml_texts.map(lambda t: ("titre: Fiche\n" + t).encode("utf-8")), st.binary(max_size=400)))
def test_read_fiche_yaml(data):
    fiche = outcome(read_fiche_yaml, data, "f.yaml", filenames=("f.yaml",))
    if fiche is not None:
        assert fiche.titre and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", fiche.fiche_id)


RULE_WORDS = ["si", "alors", "sinon", "et", "ou", "vrai", "faux", "identite", "reponse", "score", "min", "max",
              "(", ")", ",", "+", "-", "*", "/", "type", "population", "localisation", "EPCI", "commune",
              "moins_de_3000", "plus_de_20000", "0.5", "1", ".5", "2/0", "cae_1.2.3", "voirie", "OUI", "\n", "é"]


@FUZZ
@given(st.one_of(st.lists(st.sampled_from(RULE_WORDS), max_size=25).map(" ".join), st.text(max_size=60)),
       st.sampled_from(["reduction", "desactivation", "score"]))
def test_parse_rule(text, kind):
    try:
        rule = parse_rule(text, "1.2.3", kind)
    except RuleSyntaxError as exc:
        assert str(exc).startswith("règle de ") and " illisible : « " in str(exc)
        assert not ENGLISH.search(re.sub(r"«.*?»", "", str(exc), flags=re.S)) and len(str(exc)) < 1000
    else:
        assert rule.kind == kind


# --- referentials: a folder of markdown, a CSV structure -------------------------------------

MARKDOWN_LINES = ["# 6.1.1 Titre", "# Titre", "## Actions", "### Sous-action", "#### Tâche", "## Description",
                  "```yaml", "```", "~~~", "identifiant: 6.1", "identifiant: cae_6.1.1", "identifiant: 6.1.1.1",
                  "identifiant: \"\"", "id: 6.1.1", "id: 6.1.1.1", "points: 10", "points: abc", "points: -3",
                  "points: .inf", "pourcentage: 50", "pourcentage: 150", "categorie: bases", "categorie: autre",
                  "referentiel: \"fuzz\"", "- une tâche", "EPCI :", "communes : x", "[[[[", "{a: [b, {c: d}]}",
                  "- [x](javascript:alert(1))", "", "   "] + MARKUP + FORMULAS


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["6.1.md", "6.1.1.md", "fuzz.md", "x.txt", "cae_6.md", "a.markdown"]),
                          st.lists(st.one_of(st.sampled_from(MARKDOWN_LINES), st.text(max_size=10)), max_size=30)),
                min_size=1, max_size=3, unique_by=lambda f: f[0]),
       st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_read_referentiel_markdown_folder(files, encoding):
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for name, lines in files:
            (Path(folder) / name).write_bytes("\n".join(lines).encode(encoding, errors="replace"))
            names.append(name)
        ref = outcome(read_referentiel, Path(folder), nom="fuzz", filenames=tuple(names) + (Path(folder).name,))
        if ref is not None:
            assert (ref.nodes["point_referentiel"].dropna() >= 0).all()


@FUZZ
@given(st.lists(st.sampled_from(["identifiant", "nom", "points", "pourcentage", "categorie", "desactivation",
                                 "reduction", "score", "description", "Identifiant", "Nom"]), min_size=1, max_size=6),
       st.lists(st.lists(st.one_of(st.sampled_from(NASTY + RULE_WORDS + ["1", "1.1", "1.1.1", "1.1.1.1", "2"]),
                                   st.text(max_size=8)), max_size=7), max_size=10),
       st.sampled_from([";", ","]))
def test_read_referentiel_csv_structure(header, rows, separator):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz-structure.csv"
        path.write_bytes(csv_bytes(header, rows, separator, True, "utf-8"))
        outcome(read_referentiel, path, filenames=("fuzz-structure.csv",))


# --- backup manifests ------------------------------------------------------------------------

json_values = st.recursive(st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=False)
                           | st.text(max_size=10) | st.sampled_from(["base.duckdb", "uploads/ab/x", "../x", "0" * 64]),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                           max_leaves=12)
manifest_entries = st.fixed_dictionaries({}, optional={"path": json_values, "sha256": json_values, "size": json_values})


@FUZZ
@given(st.fixed_dictionaries({"format": st.sampled_from(["pcaet-sauvegarde", "autre"])},
                             optional={"format_version": json_values, "schema_version": json_values,
                                       "data_version": json_values, "tables": json_values, "created_at": json_values,
                                       "files": st.lists(st.one_of(manifest_entries, json_values), max_size=4)}),
       st.booleans())
def test_backup_manifests(manifest, as_text):
    from cae_data.sauvegarde import verifier

    with tempfile.TemporaryDirectory() as folder:
        text = json.dumps(manifest) if as_text else json.dumps(manifest)[:-1]  # whole or cut short
        (Path(folder) / "manifest.json").write_text(text, encoding="utf-8")
        (Path(folder) / "base.duckdb").write_bytes(b"pas une base")
        paths = tuple(e["path"] for e in manifest.get("files", []) if isinstance(e, dict) and isinstance(e.get("path"), str))
        outcome(verifier, Path(folder), filenames=("manifest.json",) + paths)


# --- the services: a refusal writes nothing --------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_db(_seeded_template, tmp_path_factory) -> Path:
    """A copy of conftest's seeded database (file and archive) for the whole module."""
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(_seeded_template.parent, folder, dirs_exist_ok=True)
    return folder / _seeded_template.name


def state(db_path: Path) -> tuple:
    with store.reading(db_path) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        counts = tuple(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)
        version = con.execute("SELECT data_version FROM meta").fetchone()[0]
    archive = sorted(p.name for p in store.uploads_dir(db_path).rglob("*") if p.is_file())
    return counts, version, store.data_version(db_path), archive


def refused_without_writing(db_path: Path, call, filename: str) -> bool:
    before = state(db_path)
    try:
        call()
    except InvalidInput as exc:
        check_refusal(exc, filename)
        assert state(db_path) == before, "écriture partielle après un refus"
        return True
    return False


@FUZZ_DB
@given(st.one_of(table_files(EVALUATION_HEADERS), raw_files))
def test_import_evaluation_refusal_writes_nothing(fuzz_db, file):
    data, filename = file
    refused_without_writing(fuzz_db, lambda: services.import_evaluation(fuzz_db, data, filename, "CAPSO"), filename)


@FUZZ_DB
@given(st.one_of(table_files(INDICATEUR_HEADERS), raw_files))
def test_import_indicateur_values_refusal_writes_nothing(fuzz_db, file):
    data, filename = file
    refused_without_writing(fuzz_db, lambda: services.import_indicateur_values(fuzz_db, data, filename), filename)


@FUZZ_DB
@given(yaml_texts.map(lambda t: t.encode("utf-8")))
def test_set_collectivites_and_save_fiche_refusal_writes_nothing(fuzz_db, data):
    refused_without_writing(fuzz_db, lambda: services.set_collectivites(fuzz_db, [(data, "c.yaml")]), "c.yaml")
    refused_without_writing(fuzz_db, lambda: services.save_fiche_yaml(fuzz_db, b"titre: F\n" + data, "f.yaml"),
                            "f.yaml")


def test_a_refused_file_among_valid_ones_writes_nothing(fuzz_db):
    """All or nothing across files: one bad profile refuses the good one with it."""
    good = "nom: Fuzzville\ntype: commune\npopulation: 1200\n".encode("utf-8")
    bad = "nom: Autre\npopulation: .inf\n".encode("utf-8")
    assert refused_without_writing(fuzz_db, lambda: services.set_collectivites(fuzz_db, [(good, "a.yaml"),
                                                                                        (bad, "b.yaml")]), "b.yaml")


# --- size limits: refused before heavy work --------------------------------------------------

def million_rows(line: bytes, header: bytes) -> bytes:
    """A 1,000,000-row CSV built by repetition (never a list of a million rows)."""
    return header + line * 1_000_000


def test_a_million_row_evaluation_is_refused_quickly():
    data = million_rows(b"cae_6.1.1.1;fait\n", b"action_id;statut\n")
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as refused:
        read_evaluation(data, "gros.csv", SEED_REF, collectivite="CAPSO", date=TODAY, today=TODAY)
    elapsed = time.perf_counter() - started
    assert str(refused.value) == ("gros.csv:200051:: fichier trop long : plus de 200000 lignes de données, "
                                  "lecture arrêtée à cette ligne (maximum 200000)")
    assert elapsed < 2.0  # reading every row first took about 4 s


def test_a_million_row_indicateur_file_is_refused_quickly():
    data = million_rows(b"velos;2024-01-01;3\n", b"indicateur;date;valeur\n")
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as refused:
        read_indicateur_values(data, "gros.csv", KNOWN_INDICATEURS, TODAY)
    assert str(refused.value).startswith("gros.csv:50051:: fichier trop long : plus de 50000 lignes de données")
    assert time.perf_counter() - started < 2.0


def test_a_workbook_too_long_is_refused_before_its_rows_are_converted():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("evaluation")
    sheet.write_row(0, 0, ["action_id", "statut"])
    for r in range(1, 400):
        sheet.write_row(r, 0, ["6.1.1.1", "fait"])
    workbook.close()
    with pytest.raises(InvalidInput) as refused:
        read_evaluation(buffer.getvalue(), "long.xlsx", SEED_REF, collectivite="CAPSO", date=TODAY, today=TODAY,
                        max_rows=300)
    assert str(refused.value) == ("long.xlsx:351:: fichier trop long : plus de 300 lignes de données, lecture "
                                  "arrêtée à cette ligne (maximum 300)")


def test_upload_size_limit_comes_first(fuzz_db):
    data = b"action_id;statut\n" + b"x" * (services.MAX_UPLOAD_BYTES + 1)
    assert refused_without_writing(fuzz_db, lambda: services.import_evaluation(fuzz_db, data, "enorme.csv", "CAPSO"),
                                   "enorme.csv")


def test_a_one_megabyte_cell_is_refused_in_french():
    data = b"action_id;statut;commentaire\n6.1.1.1;fait;\"" + b"x" * 1_048_576 + b"\"\n"
    with pytest.raises(InvalidInput) as refused:
        read_evaluation(data, "cellule.csv", SEED_REF, collectivite="CAPSO", date=TODAY, today=TODAY)
    assert str(refused.value) == "cellule.csv:2:: cellule trop longue (plus de 131072 caractères)"


def workbook_with_comment(comment: str) -> bytes:
    """An evaluation workbook whose comment cell holds `comment` whole: spreadsheet writers cut
    cells at Excel's 32,767 characters, so the sheet's XML is edited after writing."""
    source = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.title = "evaluation"
    workbook.active.append(["action_id", "statut", "commentaire"])
    workbook.active.append(["6.1.1.1", "fait", "PLACEHOLDER"])
    workbook.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as original, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as edited:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"PLACEHOLDER", comment.encode("utf-8"))
            edited.writestr(info.filename, data)
    return out.getvalue()


def test_a_one_megabyte_cell_in_a_workbook_is_kept_whole():
    comment = "é" * 1_048_576
    result = read_evaluation(workbook_with_comment(comment), "c.xlsx", SEED_REF, collectivite="CAPSO", date=TODAY,
                             today=TODAY)
    assert result.rows.at[0, "commentaire"] == comment


def zip_bomb() -> bytes:
    """A valid small workbook whose sheet inflates past MAX_UNCOMPRESSED_BYTES (about 0.3 Mo on disk)."""
    source = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.title = "evaluation"
    workbook.active.append(["action_id", "statut"])
    workbook.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as original, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                with bomb.open(info.filename, "w", force_zip64=True) as member:
                    head, tail = data.split(b"<sheetData>", 1)
                    member.write(head + b"<sheetData>")
                    chunk = b" " * (8 * 1024 * 1024)
                    for _ in range(MAX_UNCOMPRESSED_BYTES // len(chunk) + 2):
                        member.write(chunk)
                    member.write(tail)
            else:
                bomb.writestr(info.filename, data)
    return out.getvalue()


def test_zip_bomb_workbook_is_refused_before_inflating():
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as refused:
        read_sheet(bomb, "bombe.xlsx")
    assert str(refused.value) == "bombe.xlsx::: classeur trop volumineux une fois décompressé (216 Mo, maximum 200 Mo)"
    assert time.perf_counter() - started < 0.5


# --- crashes found by fuzzing, kept as plain tests -------------------------------------------

@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_found_infinite_population(value):
    """int(inf) raised OverflowError (int(nan) ValueError) out of read_profile."""
    with pytest.raises(InvalidInput) as refused:
        read_profile(f"nom: X\npopulation: {value}\n".encode(), "c.yaml", QUESTIONS)
    assert str(refused.value) == (f"c.yaml:2:population: population « {value} » illisible (attendu : un nombre "
                                  "entier d'habitants, par exemple 105000)")


def test_found_population_too_large_for_the_database(fuzz_db):
    """Accepted by the reader, then refused by DuckDB's BIGINT with a ConversionException."""
    data = b"nom: Fuzzville\npopulation: 99999999999999999999999\n"
    assert refused_without_writing(fuzz_db, lambda: services.set_collectivites(fuzz_db, [(data, "c.yaml")]), "c.yaml")


DEEP = 20_000


def test_found_deeply_nested_yaml():
    """PyYAML recurses once per level: RecursionError out of read_profile and read_fiche_yaml."""
    nested = "[" * DEEP + "]" * DEEP
    for reader, name, text in ((lambda d: read_profile(d, "c.yaml", QUESTIONS), "c.yaml", f"nom: X\nreponses: {nested}\n"),
                               (lambda d: read_fiche_yaml(d, "f.yaml"), "f.yaml", f"titre: X\nenjeux: {nested}\n")):
        with pytest.raises(InvalidInput) as refused:
            reader(text.encode())
        assert str(refused.value) == f"{name}::: YAML illisible : listes ou dictionnaires imbriqués sur trop de niveaux"


def test_found_deeply_nested_yaml_block_in_a_referential(tmp_path):
    (tmp_path / "6.md").write_text("# Mesure\n```yaml\nid: 6.1.1\n```\n## Actions\n### Sous-action\n```yaml\n"
                                   f"id: 6.1.1.1\nx: {'[' * DEEP}{']' * DEEP}\n```\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        read_referentiel(tmp_path, nom="fuzz")
    assert ("6.md:7:1: bloc yaml illisible : listes ou dictionnaires imbriqués sur trop de niveaux"
            in [str(p) for p in refused.value.problems])


@pytest.mark.parametrize("text", ["(" * DEEP + "1" + ")" * DEEP, "-" * DEEP + "1"])
def test_found_deeply_nested_rule(text):
    """The rule parser recursed once per parenthesis or sign: RecursionError."""
    with pytest.raises(RuleSyntaxError) as refused:
        parse_rule(text, "1.2.3", "reduction")
    message = str(refused.value)
    assert message.startswith("règle de réduction de 1.2.3 illisible : « ")
    assert message.endswith("» — règle trop imbriquée (parenthèses ou signes en trop grand nombre)")
    assert len(message) < 500  # the rule is cut, not printed whole


def test_found_deeply_nested_formula_in_a_platform_export():
    """The export's % cell formula evaluator recursed once per parenthesis: RecursionError."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["CAPSO"])
    sheet.append(["Date d'export", "2024-01-01"])
    sheet.append(["N°", "Intitulé", "Potentiel personnalisé", "Points faits", "% fait", "Statut"])
    sheet.append(["Total", "", 10, 5, 0.5, ""])
    sheet.append(["6.1.1.1", "x", 10, 5, "=" + "(" * 5000 + "1" + ")" * 5000, "Détaillé au %"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InvalidInput) as refused:
        read_evaluation(buffer.getvalue(), "export.xlsx", SEED_REF, collectivite="CAPSO", today=TODAY)
    assert [str(p) for p in refused.value.problems] == [
        "export.xlsx:5:Statut: parts du statut « détaillé » illisibles : ni les colonnes % ni les points ne "
        "donnent de valeur"]


def test_found_platform_export_without_rows_under_its_header():
    """`ids.ne("") | is_total` mixed a boolean and a str Series on an export with a header and
    nothing under it: a pandas deprecation warning today, an exception in the next pandas."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInput) as refused:
            read_evaluation("N°;Statut\n".encode(), "export.csv", SEED_REF, collectivite="CAPSO", today=TODAY)
    assert str(refused.value) == "export.csv::: export sans aucune ligne d'action sous l'en-tête"


def test_formulas_from_files_and_forms_stay_text_in_the_comite_workbook(fuzz_db):
    """Formula-like text brought by an evaluation file and typed in the committee form comes
    out of the committee XLSX as text: no formula cell, each such cell quote-prefixed."""
    from cae_data.comites import Comite

    day = clock.today() - dt.timedelta(days=1)
    services.import_evaluation(fuzz_db, "action_id;statut;commentaire\n6.1.1.1;fait;=cmd|' /C calc'!A0\n"
                               "6.1.1.2;programmé;@SUM(1)\n".encode("utf-8"), "formules.csv", "CAPSO", day)
    services.add_comite(fuzz_db, Comite(date=day, titre='=HYPERLINK("http://x","y")', participants="+33 1 23, -moi",
                                        notes="=1+1"), user="fuzz")
    workbook = openpyxl.load_workbook(io.BytesIO(services.comite_report(fuzz_db, "xlsx", comite_date=day)))
    risky = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.lstrip().startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    risky.append(cell.value)
    assert {"=cmd|' /C calc'!A0", "@SUM(1)", '=HYPERLINK("http://x","y")', "=1+1"} <= set(risky)
