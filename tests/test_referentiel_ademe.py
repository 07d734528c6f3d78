"""ADEME markdown referential: the official CAE folder (skipped when absent), the invented
`velo` fixture (depth-2 action level, ids with letters) and malformed folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.shared import REFERENTIELS as SHARED

from cae_data.errors import InvalidInput
from cae_data.referentiel.loader import default_nom, detect_format, read_referentiel
from cae_data.referentiel.model import ALL_NODE_COLUMNS, ALL_QUESTION_COLUMNS, RULE_COLUMNS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "referentiel"

official = pytest.mark.shared("referentiels/cae")


@pytest.fixture(scope="module")
def cae():
    return read_referentiel(SHARED / "cae")


# --- official referential ---------------------------------------------------------------------

@official
@pytest.mark.shared("referentiels")
def test_full_referential_shape(cae):
    nodes = cae.nodes
    assert list(nodes.columns) == ALL_NODE_COLUMNS
    assert cae.nom == "cae" and cae.titre == "Climat Air Énergie" and cae.source_kind == "ademe-markdown"
    assert nodes["niveau"].value_counts().to_dict() == {
        "referentiel": 1, "axe": 6, "sous-axe": 19, "mesure": 61, "sous-action": 325, "tache": 1059,
    }
    assert cae.action_depth == 3
    assert nodes.iloc[0]["action_id"] == "" and nodes.iloc[0]["parent_id"] is None
    assert nodes.iloc[0]["point_referentiel"] == pytest.approx(500, abs=1e-9)
    assert nodes["action_id"].is_unique
    assert nodes["source_file"].ne("").all() and nodes["source_line"].gt(0).all()


@official
@pytest.mark.shared("referentiels")
def test_full_referential_shares_and_points(cae):
    nodes = cae.nodes.set_index("action_id")
    subs = cae.nodes[cae.nodes["niveau"] == "sous-action"]
    sums = subs.groupby("parent_id")["pourcentage"].sum()
    assert len(sums) == 61
    assert ((sums - 100).abs() <= 0.01).all()
    # 1.1.1: 12 points; 1.1.1.1 is 5 % (0.6) over two tâches; 1.1.1.5 has no tâche (30 % → 3.6)
    assert nodes.loc["1.1.1", "points_declares"] == 12
    assert nodes.loc["1.1.1.1", "point_referentiel"] == pytest.approx(0.6)
    assert nodes.loc["1.1.1.1.2", "point_referentiel"] == pytest.approx(0.3)
    assert nodes.loc["1.1.1.5", "point_referentiel"] == pytest.approx(3.6)
    # 1.1.2.0 has `pourcentage : 0` (space before the colon): worth 0, and so are its tâches
    assert nodes.loc["1.1.2.0", "pourcentage"] == 0
    assert nodes.loc["1.1.2.0.1", "point_referentiel"] == 0
    # 1.2.3.3 (30 % of 10) carries explicit tâche points 1 + 4 × 0.5
    assert nodes.loc["1.2.3.3", "point_referentiel"] == pytest.approx(3)
    assert [nodes.loc[f"1.2.3.3.{i}", "point_referentiel"] for i in range(1, 6)] == [1, 0.5, 0.5, 0.5, 0.5]
    # mesures sum to their sous-actions' shares
    assert nodes.loc["1.1", "point_referentiel"] == pytest.approx(
        sum(nodes.loc[m, "points_declares"] for m in ("1.1.1", "1.1.2", "1.1.3")))


@official
@pytest.mark.shared("referentiels")
def test_full_referential_texts(cae):
    nodes = cae.nodes.set_index("action_id")
    assert nodes.loc["1.1.2", "climat_pratic_id"] == "strategie"
    assert set(nodes.loc["1.1.2", "textes"]) == {
        "Contexte", "Ressources", "Exemples", "Réduction de potentiel", "Périmètre de l'évaluation"}
    assert nodes.loc["1.1.2", "description"].startswith("La collectivité effectue régulièrement")
    assert nodes.loc["1.1.2", "textes"]["Réduction de potentiel"] == "Pas de réduction de potentiel"
    # `##### Description` straight under a sous-action without tâches
    assert nodes.loc["2.2.4.3", "description"].startswith("L’électricité renouvelable produite")
    assert nodes.loc["5.2.2.3", "textes"]["Preuve"].startswith("- Il n'y a pas de document type")
    # loose paragraph after a tâche's yaml block
    assert nodes.loc["1.1.1.1.1", "description"].startswith("Une vision et des engagements sont formalisés")
    assert nodes.loc["1.1.1.3", "description"].startswith("Pour les obligés PCAET")
    assert nodes.loc["1.1.2.2.1", "source_file"] == "1.1.2.md"
    assert nodes.loc["1.1.1", "source_line"] == 1


@official
@pytest.mark.shared("referentiels")
def test_full_referential_rules(cae):
    rules = cae.rules
    assert list(rules.columns) == RULE_COLUMNS
    # grep '^### ' personnalisations/*.md: 39 Désactivation, 54 Réduction de potentiel, 1 Score réalisé
    assert len(rules) == 94
    assert rules["kind"].value_counts().to_dict() == {"reduction": 54, "desactivation": 39, "score": 1}
    # grep -c '^action_id' personnalisations/*.md: 18 + 7 + 14 + 19 + 25 = 83 blocks, but the
    # block of cae_3.2.1.1 (cae_3.md line 63) has an empty `## Règles`
    assert rules["action_id"].nunique() == 82
    assert "3.2.1.1" not in set(rules["action_id"])
    assert set(rules["action_id"]) <= set(cae.nodes["action_id"])
    assert not rules["action_id"].str.startswith("cae_").any()
    score = rules[rules["kind"] == "score"].iloc[0]
    assert score["action_id"] == "3.3.5"
    assert score["expression"] == "min(score(cae_1.2.3), score(cae_3.3.5))"
    first = rules.iloc[0]
    assert (first["action_id"], first["kind"], first["source_file"], first["source_line"]) == (
        "1.1.2.0.1", "desactivation", "cae_1.md", 6)
    assert first["expression"] == (
        "si identite(type, commune) alors VRAI\n"
        "sinon si identite(type, EPCI) et identite(population, moins_de_20000) alors VRAI")
    assert first["description"].startswith("Seuls les EPCI à fiscalité propre")


@official
@pytest.mark.shared("referentiels")
def test_full_referential_questions(cae):
    questions = cae.questions
    assert list(questions.columns) == ALL_QUESTION_COLUMNS
    # 53 questions in the folder (grep -c '^# '), 4 only for ECI (SPASER, formation, REOM, dev_eco_1)
    assert len(questions) == 49
    assert not set(questions["question_id"]) & {"SPASER", "formation", "REOM", "dev_eco_1"}
    assert questions["type"].value_counts().to_dict() == {"binaire": 39, "proportion": 8, "choix": 2}
    ep1 = questions.set_index("question_id").loc["EP_1"]
    assert ep1["titre"] == "La collectivité a-t-elle la compétence \"éclairage public\" ?"
    assert ep1["thematique_id"] == "energie"
    assert ep1["actions"] == ["cae_2.3.1"]
    assert [c["id"] for c in ep1["choix"]] == ["EP_1_a", "EP_1_b", "EP_1_c"]
    assert ep1["choix"][2]["label"] == "Non pas du tout"
    scolaire = questions.set_index("question_id").loc["scolaire_2"]
    assert scolaire["description"].startswith("La question porte sur les établissements scolaires")
    assert (scolaire["source_file"], scolaire["source_line"]) == ("identite.md", 30)
    # every question a rule asks about is loaded
    asked = set(cae.rules["expression"].str.findall(r"reponse\s*\(\s*(\w+)").explode().dropna())
    assert asked <= set(questions["question_id"])


# --- invented referential `velo` (tests/fixtures) ---------------------------------------------

@pytest.fixture(scope="module")
def velo():
    return read_referentiel(FIXTURES / "velo" / "velo")


def test_velo_structure_and_points(velo):
    assert detect_format(FIXTURES / "velo" / "velo") == "ademe-markdown"
    assert velo.nom == "velo" and velo.titre == "Territoire cyclable"
    assert velo.action_depth == 2
    nodes = velo.nodes.set_index("action_id")
    assert velo.nodes["action_id"].tolist() == [
        "", "1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.2", "1.1.2", "1.1.2.1", "1.1.2.2",
        "1.2bis", "1.2bis.1", "1.2bis.1.1", "1.2bis.2", "1.2bis.2.1", "1.2bis.2.2", "1.2bis.2.3", "1.2bis.2.4",
        "2", "2.1", "2.1.1", "2.1.2", "2.1.2.1", "2.1.2.2",
    ]
    assert nodes.loc["1.2bis", "niveau"] == "mesure"
    assert nodes.loc["1.2bis.2", "niveau"] == "sous-action"
    assert nodes.loc["1.2bis.2.1", "niveau"] == "tache"
    assert nodes.loc["1", "niveau"] == "axe"
    expected = {
        "": 100, "1": 50, "1.1": 30, "1.1.1": 12, "1.1.1.1": 6, "1.1.1.2": 6,
        "1.1.2": 18, "1.1.2.1": 10, "1.1.2.2": 8,              # explicit tâche points
        "1.2bis": 20, "1.2bis.1": 0, "1.2bis.1.1": 0,           # `pourcentage : 0`
        "1.2bis.2": 20, "1.2bis.2.1": 20 / 3, "1.2bis.2.4": 0,  # `points: 0` left out of the split
        "2": 50, "2.1": 50, "2.1.1": 18.75, "2.1.2": 31.25, "2.1.2.2": 15.625,
    }
    for action_id, points in expected.items():
        assert nodes.loc[action_id, "point_referentiel"] == pytest.approx(points, abs=1e-9), action_id


def test_velo_texts(velo):
    nodes = velo.nodes.set_index("action_id")
    assert nodes.loc["1.1", "description"] == (
        "La collectivité planifie un réseau cyclable **sans coupure** entre les quartiers.")
    assert nodes.loc["1.1", "textes"] == {"Contexte": "Texte de contexte inventé pour les tests."}
    assert nodes.loc["1.1.1.1", "description"] == "Une carte des coupures est tenue à jour."
    assert nodes.loc["1.1.1.2", "description"] == "Par fréquentation attendue."
    assert nodes.loc["1.1.2", "description"] == "Travaux programmés et réalisés."
    assert nodes.loc["1.1.2", "categorie"] == "mise en œuvre"
    assert nodes.loc["2.1", "climat_pratic_id"] == "mobilite"
    assert (nodes.loc["1.1.2.2", "source_file"], nodes.loc["1.1.2.2", "source_line"]) == ("1.1.md", 49)


def test_velo_rules_and_questions_from_sibling_folders(velo):
    rules = velo.rules
    assert rules[["action_id", "kind", "expression"]].values.tolist() == [
        ["1.1.2", "reduction", "si reponse(voirie_velo, NON) alors 0.5"],
        ["2.1.1", "desactivation", "identite(type, commune)"],
    ]
    assert rules.iloc[0]["description"] == "Sans compétence voirie, la sous-action compte pour moitié."
    questions = velo.questions.set_index("question_id")
    assert list(questions.index) == ["voirie_velo", "ecoles_velo"]  # autre_question is not for velo
    assert questions.loc["voirie_velo", "description"] == "Question inventée pour les tests."
    assert questions.loc["ecoles_velo", "choix"] == [
        {"id": "ecoles_velo_a", "label": "Aucune"}, {"id": "ecoles_velo_b", "label": "Quelques-unes"}]


def test_explicit_folders_and_name(tmp_path):
    ref = read_referentiel(FIXTURES / "velo" / "velo", nom="velo",
                           personnalisations=FIXTURES / "velo" / "personnalisations" / "velo_2.md",
                           questions=tmp_path)
    assert ref.rules["action_id"].tolist() == ["2.1.1"]
    assert ref.questions.empty
    structure = tmp_path / "cae-structure.csv"
    structure.write_text("identifiant,nom\n", encoding="utf-8")
    assert default_nom(structure) == "cae"
    assert default_nom(FIXTURES / "velo-structure.csv") == "velo"


# --- malformed folders ------------------------------------------------------------------------

MESURE = """# Mesure
```yaml
identifiant: 1.1
points: 10
```
## Actions
### Première
```yaml
identifiant: 1.1.1
pourcentage: 40
```
#### Actions
##### Tâche
```yaml
identifiant: 1.1.1.1
```
### Seconde
```yaml
identifiant: 1.1.2
pourcentage: 60
```
"""


def build(tmp_path, mesure=MESURE, extra=None):
    folder = tmp_path / "essai"
    folder.mkdir()
    (folder / "essai.md").write_text('# Racine\n```yaml\nidentifiant: ""\n```\n', encoding="utf-8")
    (folder / "1.md").write_text("# Axe\n```yaml\nidentifiant: 1\n```\n", encoding="utf-8")
    (folder / "1.1.md").write_text(mesure, encoding="utf-8")
    for name, text in (extra or {}).items():
        path = folder.parent / name if "/" in name else folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def problems_of(folder):
    with pytest.raises(InvalidInput) as info:
        read_referentiel(folder)
    return [str(p) for p in info.value.problems]


def test_valid_small_folder(tmp_path):
    ref = read_referentiel(build(tmp_path))
    nodes = ref.nodes.set_index("action_id")
    assert nodes.loc["", "point_referentiel"] == 10
    assert nodes.loc["1.1.1.1", "point_referentiel"] == 4
    assert ref.titre == "Racine"


def test_missing_yaml_block(tmp_path):
    text = MESURE.replace("### Seconde\n```yaml\nidentifiant: 1.1.2\npourcentage: 60\n```\n", "### Seconde\n")
    assert problems_of(build(tmp_path, text)) == ["1.1.md:17:1: bloc yaml manquant après le titre « Seconde »"]


def test_duplicate_id(tmp_path):
    text = MESURE.replace("identifiant: 1.1.2", "identifiant: 1.1.1")
    assert problems_of(build(tmp_path, text)) == [
        "1.1.md:19:1: identifiant en double « 1.1.1 » (déjà défini ligne 9)"]


def test_duplicate_id_in_another_file(tmp_path):
    folder = build(tmp_path, extra={"1.2.md": "# Copie\n```yaml\nidentifiant: 1.1\npoints: 5\n```\n"})
    assert problems_of(folder) == ["1.2.md:3:1: identifiant en double « 1.1 » (déjà défini dans 1.1.md ligne 3)"]


def test_percentages_not_100(tmp_path):
    text = MESURE.replace("pourcentage: 60", "pourcentage: 50")
    assert problems_of(build(tmp_path, text)) == [
        "1.1.md:1:1: les pourcentages des sous-actions de la mesure « 1.1 » font 90 au lieu de 100"]


def test_points_not_a_number(tmp_path):
    text = MESURE.replace("points: 10", "points: dix")
    assert problems_of(build(tmp_path, text)) == ["1.1.md:4:1: points : nombre attendu, trouvé « dix »"]


def test_unknown_parent(tmp_path):
    text = MESURE.replace("identifiant: 1.1.1.1", "identifiant: 1.1.3.1")
    assert problems_of(build(tmp_path, text)) == [
        "1.1.md:15:1: parent inconnu « 1.1.3 » pour « 1.1.3.1 » : aucun nœud ne porte cet identifiant"]


def test_unknown_axis(tmp_path):
    folder = build(tmp_path, extra={"2.1.md": "# Orpheline\n```yaml\nidentifiant: 2.1\npoints: 5\n```\n"})
    assert problems_of(folder) == [
        "2.1.md:3:1: parent inconnu « 2 » pour « 2.1 » : aucun nœud ne porte cet identifiant"]


def test_node_outside_its_file(tmp_path):
    text = MESURE.replace("identifiant: 1.1.2", "identifiant: 1.2.2")
    assert problems_of(build(tmp_path, text))[0] == (
        "1.1.md:19:1: l'identifiant « 1.2.2 » n'est pas sous « 1.1 », le nœud décrit par ce fichier")


def test_all_problems_at_once(tmp_path):
    text = MESURE.replace("points: 10", "points: dix").replace("pourcentage: 60", "pourcentage: 50")
    folder = build(tmp_path, text, extra={"2.md": "# Axe deux sans yaml\n\nTexte.\n"})
    assert problems_of(folder) == [
        "1.1.md:4:1: points : nombre attendu, trouvé « dix »",
        "2.md:1:1: bloc yaml manquant après le titre « Axe deux sans yaml »",
    ]


def test_unknown_category_and_bad_yaml(tmp_path):
    text = MESURE.replace("pourcentage: 40", "pourcentage: 40\ncategorie: moyens").replace(
        "identifiant: 1.1.1.1", "identifiant: [1.1.1.1")
    assert problems_of(build(tmp_path, text)) == [
        "1.1.md:11:1: categorie : catégorie inconnue « moyens » (attendu : bases, mise en œuvre ou effets)",
        "1.1.md:16:1: bloc yaml illisible : expected ',' or ']', but got '<stream end>'",
    ]


def test_rule_and_question_problems(tmp_path):
    rules = ("# R\n```yaml\naction_id: essai_1.9\n```\n## Règles\n### Désactivation\n```formule\nVRAI\n```\n"
             "### Bonus\n```formule\n1\n```\n### Score\nPas de formule.\n")
    questions = ("# Q ?\n```yaml\nid: q1\ntype: texte\nactions: [essai_1.1]\n```\n"
                 "# Q2 ?\n```yaml\nid: q2\ntype: choix\nactions: [essai_1.1]\n```\n")
    folder = build(tmp_path, extra={"personnalisations/essai_1.md": rules, "questions/q.md": questions})
    assert problems_of(folder) == [
        "essai_1.md:10:1: type de règle inconnu « Bonus » (attendu : Désactivation, Réduction de potentiel ou Score)",
        "essai_1.md:14:1: bloc « ```formule » manquant sous « Score »",
        "essai_1.md:6:1: règle de désactivation sur une action inconnue « 1.9 »",
        "q.md:4:1: type de question « texte » inconnu pour « q1 » (attendu : binaire, choix ou proportion)",
        "q.md:7:1: la question à choix « q2 » n'a aucun choix (section « ## Choix »)",
    ]


def test_missing_path_and_unknown_file_type(tmp_path):
    problems = problems_of(tmp_path / "absent")
    assert len(problems) == 1 and problems[0].startswith("absent::: dossier ou fichier introuvable : ")
    text = tmp_path / "notes.txt"
    text.write_text("rien\n", encoding="utf-8")
    assert problems_of(text) == [
        "notes.txt::: format non reconnu : un dossier de markdown ou un fichier CSV de structure est attendu"]


def test_markdown_file_without_heading(tmp_path):
    folder = build(tmp_path, extra={"notes.md": "Juste du texte.\n", "README.md": "Ignoré.\n"})
    assert problems_of(folder) == [
        "notes.md:1:1: aucun titre « # … » suivi d'un bloc yaml : ce n'est pas un fichier de référentiel"]
