"""CSV structure referential: the official `cae-structure.csv` against the markdown folder,
the invented `velo-structure.csv` against its markdown twin, and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.shared import REFERENTIELS as SHARED

from cae_data.errors import InvalidInput
from cae_data.referentiel.loader import read_referentiel
from cae_data.referentiel.model import ALL_NODE_COLUMNS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "referentiel"

official = pytest.mark.shared("referentiels/cae-structure.csv", "referentiels/cae")


def ws(text) -> str:
    return " ".join(str(text).split())


def compare_trees(a, b):
    """Differences between two referentials' trees, as (action_id, field) pairs."""
    left = a.nodes.set_index("action_id")
    right = b.nodes.set_index("action_id")
    assert list(left.index) == list(right.index)
    diffs = []
    for action_id in left.index:
        l, r = left.loc[action_id], right.loc[action_id]
        for column in ("parent_id", "depth", "niveau", "ordre", "categorie", "collectivite_type"):
            if l[column] != r[column]:
                diffs.append((action_id, column))
        if abs(l["point_referentiel"] - r["point_referentiel"]) > 1e-9:
            diffs.append((action_id, "point_referentiel"))
        if ws(l["nom"]) != ws(r["nom"]):
            diffs.append((action_id, "nom"))
    return diffs


def rules_by_key(ref):
    return {(r.action_id, r.kind): ws(r.expression) for r in ref.rules.itertuples()}


# --- official CSV -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def csv_ref():
    return read_referentiel(SHARED / "cae-structure.csv")


@pytest.fixture(scope="module")
def md_ref():
    return read_referentiel(SHARED / "cae")


@official
@pytest.mark.shared("referentiels")
def test_official_csv_shape(csv_ref):
    nodes = csv_ref.nodes
    assert list(nodes.columns) == ALL_NODE_COLUMNS
    assert csv_ref.nom == "cae" and csv_ref.source_kind == "csv"
    # no root row in the file: created with the referential's title
    assert nodes.iloc[0]["action_id"] == "" and nodes.iloc[0]["nom"] == "Climat Air Énergie"
    assert csv_ref.titre == "Climat Air Énergie"
    assert nodes["niveau"].value_counts().to_dict() == {
        "referentiel": 1, "axe": 6, "sous-axe": 19, "mesure": 61, "sous-action": 325, "tache": 1059}
    assert nodes.iloc[0]["point_referentiel"] == pytest.approx(500, abs=1e-9)
    # decimal commas: 1.2.3.3.2 has `0,5`
    assert nodes.set_index("action_id").loc["1.2.3.3.2", "points_declares"] == 0.5
    # rows come from their file lines (multi-line quoted cells in between); header is line 1
    one = nodes.set_index("action_id").loc["1"]
    assert (one["source_file"], one["source_line"]) == ("cae-structure.csv", 2)
    assert csv_ref.questions.empty


@official
@pytest.mark.shared("referentiels")
def test_official_csv_attributes_read_without_warning(csv_ref):
    # every column of the file has a place now: nothing to warn about
    assert csv_ref.warnings == []
    nodes = csv_ref.nodes.set_index("action_id")
    assert int(nodes["coremeasure"].sum()) == 36            # `x` in 36 rows
    assert nodes["expr_score"].notna().sum() == 35          # all parse, `cae_49.f-hab` included
    assert nodes["questions_personnalisation"].dropna().map(len).gt(0).sum() == 36
    assert nodes["indicateurs"].dropna().map(len).gt(0).sum() == 39
    assert nodes.loc["", "indicateurs"] is None              # the created root has no such cell


@official
@pytest.mark.shared("referentiels")
def test_official_csv_rules(csv_ref):
    rules = csv_ref.rules
    # non-empty cells: desactivation 6 + 15 + 17, reduction 38 + 16, score 1
    assert rules["kind"].value_counts().to_dict() == {"reduction": 54, "desactivation": 38, "score": 1}
    score = rules[rules["kind"] == "score"].iloc[0]
    assert (score["action_id"], score["expression"]) == ("3.3.5", "min(score(cae_1.2.3), score(cae_3.3.5))")
    assert rules["source_file"].eq("cae-structure.csv").all()


@official
@pytest.mark.shared("referentiels")
def test_official_csv_equals_markdown(csv_ref, md_ref):
    # The only tree difference: a typo in the markdown title of 6.4.1.8.5 (« agricultue »).
    assert compare_trees(md_ref, csv_ref) == [("6.4.1.8.5", "nom")]
    assert "agricultue biologique" in md_ref.nodes.set_index("action_id").loc["6.4.1.8.5", "nom"]
    assert "agriculture biologique" in csv_ref.nodes.set_index("action_id").loc["6.4.1.8.5", "nom"]
    md_rules, csv_rules = rules_by_key(md_ref), rules_by_key(csv_ref)
    # The markdown has one rule the CSV lacks: the désactivation of 2.3.1 (cae_2.md line 68).
    assert set(md_rules) - set(csv_rules) == {("2.3.1", "desactivation")}
    assert set(csv_rules) - set(md_rules) == set()
    assert {k: v for k, v in md_rules.items() if k in csv_rules} == csv_rules


@official
@pytest.mark.shared("referentiels")
def test_official_csv_with_questions():
    ref = read_referentiel(SHARED / "cae-structure.csv", questions=SHARED / "questions")
    assert len(ref.questions) == 49


# --- invented referential in both formats ---------------------------------------------------

@pytest.fixture(scope="module")
def velo_csv():
    return read_referentiel(FIXTURES / "velo-structure.csv")


def test_velo_csv_equals_markdown(velo_csv):
    markdown = read_referentiel(FIXTURES / "velo" / "velo")
    # the CSV has no root row: the created root is titled by the name
    assert compare_trees(markdown, velo_csv) == [("", "nom")]
    assert velo_csv.titre == "velo"
    assert velo_csv.action_depth == 2
    assert rules_by_key(markdown) == rules_by_key(velo_csv)
    assert velo_csv.rules.set_index("action_id").loc["1.1.2", "description"] == (
        "Sans compétence voirie, la sous-action compte pour moitié.")
    nodes = velo_csv.nodes.set_index("action_id")
    assert nodes.loc["1.1", "description"] == markdown.nodes.set_index("action_id").loc["1.1", "description"]


def test_velo_csv_points_at_two_levels(velo_csv):
    nodes = velo_csv.nodes.set_index("action_id")
    # 2.1 has 50 points and its sous-actions 18,75 + 31,25: shares 37.5 % and 62.5 %
    assert nodes.loc["2.1", "points_declares"] == 50
    assert nodes.loc["2.1.1", "points_declares"] == 18.75
    assert nodes.loc["2.1.1", "pourcentage"] == pytest.approx(37.5)
    assert nodes.loc["2.1.2", "point_referentiel"] == pytest.approx(31.25)
    assert nodes.loc["2.1.2.1", "point_referentiel"] == pytest.approx(15.625)
    assert nodes.loc["2.1", "point_referentiel"] == 50
    # capitalised `Categorie` with « Mise en oeuvre »
    assert nodes.loc["1.1.2", "categorie"] == "mise en œuvre"
    # rows given out of order: siblings follow the ids
    assert velo_csv.nodes["action_id"].tolist()[:3] == ["", "1", "1.1"]
    assert nodes.loc["2.1.2.1", "ordre"] == 0 and nodes.loc["2.1.2.2", "ordre"] == 1
    assert nodes.loc["2.1.2.2", "source_line"] == 22


def test_velo_csv_with_markdown_rules_and_questions():
    ref = read_referentiel(FIXTURES / "velo-structure.csv",
                           personnalisations=FIXTURES / "velo" / "personnalisations",
                           questions=FIXTURES / "velo" / "questions")
    assert ref.rules["source_file"].tolist() == ["velo_1.md", "velo_2.md"]
    assert ref.questions["question_id"].tolist() == ["voirie_velo", "ecoles_velo"]


# --- malformed CSV ----------------------------------------------------------------------------

HEADER = "identifiant,nom,points,pourcentage,categorie,desactivation\n"
ROWS = [
    ",Racine,,,,",                      # line 2
    "1,Axe,,,,",                        # line 3
    "1.1,Mesure,10,,,",                 # line 4
    "1.1.1,Première,,40,bases,",        # line 5
    "1.1.1.1,Tâche,,,,",                # line 6
    "1.1.2,Seconde,,60,effets,VRAI",    # line 7
]


def write_csv(tmp_path, rows, header=HEADER, name="essai.csv"):
    path = tmp_path / name
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def problems_of(path, **kwargs):
    with pytest.raises(InvalidInput) as info:
        read_referentiel(path, **kwargs)
    return [str(p) for p in info.value.problems]


def test_small_csv_loads(tmp_path):
    ref = read_referentiel(write_csv(tmp_path, ROWS))
    nodes = ref.nodes.set_index("action_id")
    assert ref.nom == "essai" and ref.titre == "Racine"
    assert nodes.loc["1.1.1.1", "point_referentiel"] == 4
    assert nodes.loc["", "point_referentiel"] == 10
    assert ref.rules[["action_id", "kind", "expression", "source_line"]].values.tolist() == [
        ["1.1.2", "desactivation", "VRAI", 7]]


def test_points_not_a_number(tmp_path):
    rows = ROWS.copy()
    rows[2] = "1.1,Mesure,abc,,,"
    assert problems_of(write_csv(tmp_path, rows)) == ["essai.csv:4:points: nombre attendu, trouvé « abc »"]


def test_points_not_a_number_capitalised_header(tmp_path):
    rows = ["Mesure;1.1;dix;", "Axe;1;;", "Première;1.1.1;;100"]
    path = write_csv(tmp_path, rows, header="Nom;Identifiant;Points;Pourcentage\n")
    assert problems_of(path) == ["essai.csv:2:Points: nombre attendu, trouvé « dix »"]


def test_duplicate_id(tmp_path):
    rows = ROWS + ["1.1.1,Doublon,,10,,"]
    assert problems_of(write_csv(tmp_path, rows)) == [
        "essai.csv:8:identifiant: identifiant en double « 1.1.1 » (déjà défini ligne 5)"]


def test_percentages_not_100(tmp_path):
    rows = ROWS.copy()
    rows[5] = "1.1.2,Seconde,,50,effets,"
    assert problems_of(write_csv(tmp_path, rows)) == [
        "essai.csv:4:pourcentage: les pourcentages des sous-actions de la mesure « 1.1 » font 90 au lieu de 100"]


def test_sous_action_points_not_adding_to_mesure(tmp_path):
    rows = ["1,Axe,,,,", "1.1,Mesure,10,,,", "1.1.1,Première,3,,,", "1.1.2,Seconde,6,,,"]
    assert problems_of(write_csv(tmp_path, rows)) == [
        "essai.csv:3:pourcentage: les pourcentages des sous-actions de la mesure « 1.1 » font 90 au lieu de 100"]


def test_unknown_parent(tmp_path):
    rows = ROWS + ["1.3.1,Orpheline,,100,,"]
    assert problems_of(write_csv(tmp_path, rows)) == [
        "essai.csv:8:identifiant: parent inconnu « 1.3 » pour « 1.3.1 » : aucun nœud ne porte cet identifiant"]


def test_missing_column_and_bad_values(tmp_path):
    assert problems_of(write_csv(tmp_path, ["1,Axe"], header="identifiant,titre\n")) == [
        "essai.csv:1:: colonne « nom » manquante"]
    rows = ROWS.copy()
    rows[3] = "1.1.1,Première,,-40,moyens,"
    rows[4] = "1.x-1,Tâche,,,,"
    assert problems_of(write_csv(tmp_path, rows, name="autre.csv")) == [
        "autre.csv:5:pourcentage: nombre positif attendu, trouvé « -40 »",
        "autre.csv:5:categorie: catégorie inconnue « moyens » (attendu : bases, mise en œuvre ou effets)",
        "autre.csv:6:identifiant: identifiant invalide « 1.x-1 » (attendu : des numéros séparés par des points, comme 6.1.2)",
    ]


def test_rule_on_unknown_action_and_foreign_prefix(tmp_path):
    rows = ROWS + ["autre_1.1.3,Étrangère,,,,"]
    assert problems_of(write_csv(tmp_path, rows)) == [
        "essai.csv:8:identifiant: l'action « autre_1.1.3 » n'appartient pas au référentiel « essai »"]
    rows = [r.replace("1.1.1,", "essai_1.1.1,", 1) if r.startswith("1.1.1,") else r for r in ROWS]
    ref = read_referentiel(write_csv(tmp_path, rows, name="essai2.csv"), nom="essai")
    assert "1.1.1" in set(ref.nodes["action_id"])
