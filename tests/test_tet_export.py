"""Score exports of Territoires en Transitions read as evaluations. The fixtures are described
(and their points computed by hand) in tests/fixtures/evaluations/make_fixtures.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cae_data.errors import InvalidInput
from cae_data.evaluation import read_evaluation
from cae_data.evaluation.tet_export import _Cells, _Formula, _Unevaluable, find_header_row
from cae_data.tabular import Sheet, read_sheet

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "evaluations"
TODAY = dt.date(2026, 1, 1)


def seed_levels() -> dict[str, str]:
    """Nodes of the seed mesures 6.1.1 and 6.5.1 (tâches: the bullets of seeds/000 and 004)."""
    levels = {"": "referentiel", "6": "axe", "6.1": "sous-axe", "6.5": "sous-axe", "6.1.1": "mesure",
              "6.5.1": "mesure"}
    for mesure, counts in (("6.1.1", (2, 5, 5, 4, 5)), ("6.5.1", (5, 8, 4))):
        for s, n in enumerate(counts, start=1):
            levels[f"{mesure}.{s}"] = "sous-action"
            for t in range(1, n + 1):
                levels[f"{mesure}.{s}.{t}"] = "tache"
    return levels


REFS = {"cae": seed_levels()}

# (action_id, statut) of the status rows: 6.1.1.3 is « Détaillé à la tâche » and 6.5.1.2 a plain
# « Détaillé » with statuses on its tâches: neither gets a row; tâches left empty get none.
STATUS_ROWS = (
    [("6.1.1.1", "fait"), ("6.1.1.2", "detaille")]
    + [(f"6.1.1.2.{k}", "non_renseigne") for k in range(1, 6)]
    + [("6.1.1.3.1", "fait"), ("6.1.1.3.2", "programme"), ("6.1.1.3.3", "pas_fait"), ("6.1.1.3.4", "non_renseigne"),
       ("6.1.1.3.5", "fait"), ("6.1.1.4", "non_concerne")]
    + [(f"6.1.1.4.{k}", "non_concerne") for k in range(1, 5)]
    + [("6.1.1.5", "pas_fait"), ("6.5.1.1", "fait"), ("6.5.1.2.1", "fait"), ("6.5.1.2.2", "fait"),
       ("6.5.1.2.3", "programme"), ("6.5.1.2.4", "pas_fait"), ("6.5.1.3", "detaille")]
    + [(f"6.5.1.3.{k}", "non_renseigne") for k in range(1, 5)]
)
# Spreadsheet rows of the status rows in the XLSX (Total on row 8, nodes in order below it).
XLSX_LINES = [12, 15, 16, 17, 18, 19, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 40, 47, 48, 49, 50, 55, 56,
              57, 58, 59]
# Points of the file (potentiel, fait, programmé, pas fait), from make_fixtures.py's docstring.
EXPECTED_POINTS = {
    "": (200, 90.125, 30.75, 50.875),
    "6": (200, 90.125, 30.75, 50.875),
    "6.1.1": (100, 33.875, 20.125, 40.25),
    "6.1.1.1": (13.75, 13.75, 0, 0),
    "6.1.1.2": (28.75, 8.625, 14.375, 5.75),
    "6.1.1.3": (28.75, 11.5, 5.75, 5.75),
    "6.1.1.3.2": (5.75, 0, 5.75, 0),
    "6.1.1.4": (0, 0, 0, 0),
    "6.1.1.5": (28.75, 0, 0, 28.75),
    "6.5.1": (100, 56.25, 10.625, 10.625),
    "6.5.1.2": (45, 11.25, 5.625, 5.625),
    "6.5.1.2.3": (5.625, 0, 5.625, 0),
    "6.5.1.3": (20, 10, 5, 5),
}
N_NODES = 1 + 1 + 2 + 2 + (5 + 2 + 5 + 5 + 4 + 5) + (3 + 5 + 8 + 4)  # total, axe, sous-axes, mesures, rest


def read(data: bytes, name: str, **kwargs):
    kwargs.setdefault("today", TODAY)
    return read_evaluation(data, name, kwargs.pop("refs", REFS), **kwargs)


def problems(data: bytes, name: str = "export.csv", **kwargs) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        read(data, name, **kwargs)
    return [str(p) for p in info.value.problems]


def check_export(result, lines):
    assert result.kind == "export-tet"
    assert result.pairs == [("CA du Pays de Saint-Omer", dt.date(2025, 3, 15))]
    assert [tuple(r) for r in result.rows[["action_id", "statut"]].itertuples(index=False)] == STATUS_ROWS
    assert result.rows["line"].tolist() == lines
    assert (result.rows["referentiel"] == "cae").all()
    rows = result.rows.set_index("action_id")
    assert rows.loc["6.1.1.2", ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.3, 0.5, 0.2])
    assert rows.loc["6.5.1.3", ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.5, 0.25, 0.25])
    assert rows.loc["6.1.1.2", "commentaire"] == ("Coopération avec le PNR des Caps et Marais d'Opale ; convention "
                                                  "signée en 2024")
    assert rows.loc["6.5.1.1", "commentaire"] == ("Charte de la participation votée\nConseil de développement "
                                                  "réuni 3 fois en 2024")
    points = result.expected_points.set_index("action_id")
    assert len(points) == N_NODES
    for node, values in EXPECTED_POINTS.items():
        assert points.loc[node, ["point_potentiel", "point_fait", "point_programme", "point_pas_fait"]].tolist() == \
            pytest.approx(list(values)), node


def test_xlsx_export_with_formulas_without_cached_values():
    # Mesure rows are sums of formulas, sous-action points are potentiel × %, 6.1.1.2 has ROUND
    # formulas (not evaluated: shares from its points), 6.5.1.3 has =G55/F55 formulas.
    result = read((FIXTURES / "tet-export-seed.xlsx").read_bytes(), "export.xlsx")
    assert result.sheet_name == "Export état des lieux"
    check_export(result, XLSX_LINES)


def test_csv_export_semicolon_cp1252():
    # Same rows; the file lines move by one after the two-line comment of 6.5.1.1 (line 40).
    result = read((FIXTURES / "tet-export-seed.csv").read_bytes(), "export.csv")
    check_export(result, [n if n <= 40 else n + 1 for n in XLSX_LINES])


def test_collectivite_and_date_given_on_import_win_over_the_title_rows():
    result = read((FIXTURES / "tet-export-seed.csv").read_bytes(), "export.csv", collectivite="CAPSO",
                  date=dt.date(2025, 1, 31))
    assert result.pairs == [("CAPSO", dt.date(2025, 1, 31))]


def test_header_row_is_found_by_its_content():
    sheet = read_sheet((FIXTURES / "tet-export-seed.csv").read_bytes(), "export.csv")
    assert find_header_row(sheet) == 6
    assert find_header_row(read_sheet(b"action_id;statut\n6.1.1.1;fait\n", "e.csv")) is None
    assert find_header_row(read_sheet(b"N\xc2\xb0;Statut;action_id\n6.1.1.1;fait;x\n", "e.csv")) is None


SMALL_HEADER = ("N°;Intitulé;Potentiel collectivité;Points réalisés;% réalisé;Points programmés;% programmé;"
                "Points pas faits;% pas fait;Statut;Champs de précision de l'état d'avancement;aide1;aide2\n")


def padded(title: str) -> str:
    """Title rows as a spreadsheet saves them: padded with `;` to the width of the table."""
    return "".join(line + ";" * (12 - line.count(";")) + "\n" for line in title.splitlines())


def small_export(*rows: str, title: str = "Commune de Test\n\nDate d'export;01/12/2025\n") -> bytes:
    return (padded(title) + SMALL_HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def test_percent_formulas_are_evaluated_with_the_sheet_cells():
    # Rows: 5 Total (no id), 6 = 6.1.1.2, 7 = 6.1.1.5, 8 = 6.1.1. The % of 6.1.1.2 are formulas on
    # helper cells L6/M6 (3/10, 5/10) and 1 − both; its points are empty, so only the formulas
    # can give 0.3 / 0.5 / 0.2.
    data = small_export(
        ";Total;100;;;;;;;;;;",
        "6.1.1.2;Échanger;10;;=L6/M6;;=IFERROR(5/M6,0);;=1-E6-G6;Détaillé au %;;3;10",
        "6.1.1.5;Agir;10;2;=ROUND(D7/C7,2);8;=ROUND(F7/C7,2);0;;Détaillé au %;;;",
        "6.1.1;Mesure;20;=SUM(D6:D7);;=G6*C6+F7;;=SUM(H6,H7);;;;;",
    )
    result = read(data, "export.csv")
    assert result.pairs == [("Commune de Test", dt.date(2025, 12, 1))]
    rows = result.rows.set_index("action_id")
    assert rows.loc["6.1.1.2", ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.3, 0.5, 0.2])
    # ROUND is not evaluated: the shares come from points / potentiel (2/10, 8/10, empty = 0).
    assert rows.loc["6.1.1.5", ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.2, 0.8, 0.0])
    points = result.expected_points.set_index("action_id")
    # D8 = 0 + 2; F8 = 0.5 × 10 + 8; H8 = 0 + 0.
    assert points.loc["6.1.1", ["point_potentiel", "point_fait", "point_programme", "point_pas_fait"]].tolist() == \
        pytest.approx([20, 2, 13, 0])
    assert points.loc["", "point_potentiel"] == 100
    assert result.expected_points["action_id"].tolist() == ["", "6.1.1.2", "6.1.1.5", "6.1.1"]


def test_plain_detaille_without_task_statuses_reads_the_percent_columns():
    data = small_export(
        "Total;;40;;;;;;;;;;",
        "6.1.1.2;Échanger;20;6;30 %;10;50 %;4;20 %;Détaillé;;;",
        "6.1.1.2.1;Tâche;4;0;;0;;0;;Non renseigné;;;",
        "6.1.1.3;Formaliser;20;10;0,5;10;0,5;0;;Détaillé;;;",
        "6.1.1.3.1;Tâche;10;10;1;0;;0;;Fait;note;;",
        "6.1.1.3.2;Tâche;10;0;;10;1;0;;Programmé;;;",
    )
    result = read(data, "export.csv")
    assert [tuple(r) for r in result.rows[["line", "action_id", "statut"]].itertuples(index=False)] == [
        (6, "6.1.1.2", "detaille"), (7, "6.1.1.2.1", "non_renseigne"), (9, "6.1.1.3.1", "fait"),
        (10, "6.1.1.3.2", "programme")]
    assert result.rows.loc[0, ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.3, 0.5, 0.2])
    assert result.rows.loc[2, "commentaire"] == "note"


def test_non_disponible_and_empty_statuses_give_no_row():
    data = small_export("6.1.1.1;A;10;0;;0;;0;;Non disponible;;;", "6.1.1.2;B;10;0;;0;;0;;;;;",
                        "6.1.1.3;C;10;0;;0;;10;1;pas FAIT;;;")
    result = read(data, "export.csv")
    assert result.rows[["line", "action_id", "statut"]].values.tolist() == [[7, "6.1.1.3", "pas_fait"]]


def test_two_snapshot_groups_read_the_last_one():
    header = ("N°;Intitulé;Potentiel collectivité;Points réalisés;% réalisé;Statut;"
              "Potentiel collectivité;Points réalisés;% réalisé;Statut\n")
    data = ("CC Test;;;;;;;;;\n;;;;;;;;;\n" + header + "6.1.1.1;A;10;0;;Pas fait;10;10;1;Fait\n").encode("utf-8")
    result = read(data, "export.csv", date=dt.date(2025, 6, 1))
    assert result.rows[["action_id", "statut"]].values.tolist() == [["6.1.1.1", "fait"]]


def test_export_problems_are_all_reported():
    data = small_export(
        "Total;;100;;;;;;;;;;",
        "6.1.1.2;Échanger;10;3;0,3;5;0,5;1;0,1;Détaillé au %;;;",
        "6.1.1.3;Formaliser;10;0;;0;;0;;Fini;;;",
        "6.1.1;Mesure;20;;;;;;;Fait;;;",
        "6.1.9;Inconnue;10;;;;;;;Fait;;;",
    )
    assert problems(data) == [
        "export.csv:6:% réalisé: les parts fait + programmé + pas fait doivent faire 100 (trouvé 90)",
        "export.csv:7:Statut: statut inconnu « Fini » (attendu : Fait, Programmé, Pas fait, Non concerné, "
        "Non renseigné, Détaillé au %, Détaillé à la tâche)",
        "export.csv:8:N°: « 6.1.1 » est une mesure : seules les sous-actions et les tâches reçoivent un statut",
        "export.csv:9:N°: action inconnue « 6.1.9 » dans le référentiel cae",
    ]


def test_export_date_problems_and_missing_collectivite():
    data = small_export("6.1.1.1;A;10;10;1;0;;0;;Fait;;;", title="\n\nDate d'export;2027-01-01\n")
    assert problems(data) == [
        "export.csv::: collectivité non précisée : aucune collectivité n'est enregistrée ; indiquez-la à l'import "
        "(--collectivite NOM) ou dans une colonne collectivite",
        "export.csv:3:Date d'export: date d'export dans le futur « 2027-01-01 » : une évaluation ne peut pas être "
        "postérieure à aujourd'hui (01/01/2026)",
    ]
    data = small_export("6.1.1.1;A;10;10;1;0;;0;;Fait;;;", title="CC Test\nDate d'export : demain\n")
    assert problems(data) == [
        "export.csv:2:Date d'export: date d'export non reconnue « demain » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"]


def test_export_without_any_status():
    data = small_export("Total;;100;;;;;;;;;;", "6.1.1.1;A;10;0;;0;;0;;;;;")
    assert problems(data) == ["export.csv::Statut: export sans aucun statut de sous-action ou de tâche"]


def test_export_with_the_referential_chosen_by_its_ids():
    refs = {"eci": {"", "1", "1.1", "1.1.1", "1.1.1.1"}, "cae": set(seed_levels())}
    data = small_export("6.1.1.1;A;10;10;1;0;;0;;Fait;;;", "6.1.1.2.3;B;5;0;;0;;5;1;Pas fait;;;")
    result = read(data, "export.csv", refs=refs)
    assert result.rows["referentiel"].tolist() == ["cae", "cae"]


def grid(*rows: list[str]) -> _Cells:
    return _Cells(Sheet("f.csv", [list(r) for r in rows], list(range(1, len(rows) + 1))), b"")


@pytest.mark.parametrize("formula, value", [
    ("A1+B1*2", 11.0), ("(A1+B1)*2", 14.0), ("-A1+10", 7.0), ("A1/B1", 0.75), ("SUM(A1:B2)", 8.5),
    ("SUM(A1;B1;2)", 9.0), ('IFERROR(A1/C1,"")', None), ("IFERROR(A1/C1;0)", 0.0), ("$A$1*2", 6.0),
    ("A2", 0.5), ("B2", 1.0), ("C1+1", 1.0),
])
def test_formula_evaluation(formula, value):
    cells = grid(["3", "4", ""], ["50 %", "=A1-2"])
    result = _Formula(formula, cells, frozenset()).evaluate()
    assert result == (pytest.approx(value) if value is not None else None)


@pytest.mark.parametrize("formula", ["ROUND(A1;2)", "A1/C1", "A3", "A1+", "B3", "A1:B1", '"x"', "B1*2"])
def test_formulas_that_cannot_be_evaluated(formula):
    cells = grid(["3", "texte", "0"], ["", ""], ["=A3", "=B3+1"])
    with pytest.raises((_Unevaluable, ZeroDivisionError)):
        _Formula(formula, cells, frozenset()).evaluate()


def test_title_rows_without_separators():
    data = ("Commune de Test\n" + SMALL_HEADER + "6.1.1.1;A;10;10;1;0;;0;;Fait;;;\n").encode("utf-8")
    result = read(data, "export.csv", date=dt.date(2025, 6, 1))
    assert result.rows["action_id"].tolist() == ["6.1.1.1"]
