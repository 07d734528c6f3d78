"""Seed referential (seeds/000, 001, 004): structure, tâches from bullets, points, errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cae_data.errors import InvalidInput
from cae_data.referentiel.loader import detect_format, read_referentiel, read_seed_referentiel
from cae_data.referentiel.model import ALL_NODE_COLUMNS

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def seed():
    return read_seed_referentiel(SEEDS)


@pytest.fixture(scope="module")
def nodes(seed):
    return seed.nodes.set_index("action_id")


def children(seed, action_id):
    frame = seed.nodes[seed.nodes["parent_id"] == action_id].sort_values("ordre")
    return frame["action_id"].tolist()


def test_columns_and_kind(seed):
    assert list(seed.nodes.columns) == ALL_NODE_COLUMNS
    assert seed.source_kind == "seed"
    assert seed.nom == "cae"
    assert seed.titre == "Climat Air Énergie"


def test_only_the_three_mesure_files_are_read(seed):
    files = set(seed.nodes["source_file"])
    assert files == {"000_d33718b3a9a552de.txt", "001_97847ae86a0cdb10.txt", "004_d6e67a4ae60f0603.txt"}


def test_ancestors_created_with_neutral_titles(seed, nodes):
    assert seed.nodes.iloc[0]["action_id"] == ""
    assert nodes.loc["", "nom"] == "Climat Air Énergie"
    assert nodes.loc["6", "nom"] == "Axe 6"
    assert nodes.loc["6.1", "nom"] == "Sous-axe 6.1"
    assert nodes.loc["6.5", "nom"] == "Sous-axe 6.5"
    assert children(seed, "") == ["6"]
    assert children(seed, "6") == ["6.1", "6.5"]
    assert children(seed, "6.1") == ["6.1.1", "6.1.2"]
    assert nodes.loc["6.1.2", "niveau"] == "mesure"
    assert nodes.loc["6", "niveau"] == "axe"
    assert nodes.loc["6.5", "niveau"] == "sous-axe"
    assert seed.action_depth == 3


def test_mesure_fields(nodes):
    assert nodes.loc["6.1.1", "nom"] == "Développer une stratégie partenariale multi-niveaux"
    assert nodes.loc["6.1.1", "climat_pratic_id"] == "parten_coop"
    assert nodes.loc["6.5.1", "climat_pratic_id"] is None
    assert nodes.loc["6.1.1", "description"].startswith("La collectivité définit une stratégie de coopération")
    assert math.isnan(nodes.loc["6.1.1", "points_declares"])
    assert nodes.loc["6.1.1", "source_line"] == 1
    assert nodes.loc["6.1.1.1", "source_line"] == 12


def test_6_1_1_sous_actions(seed, nodes):
    subs = children(seed, "6.1.1")
    assert subs == ["6.1.1.1", "6.1.1.2", "6.1.1.3", "6.1.1.4", "6.1.1.5"]
    assert [nodes.loc[s, "point_referentiel"] for s in subs] == [10, 25, 25, 15, 25]
    assert [nodes.loc[s, "pourcentage"] for s in subs] == [10, 25, 25, 15, 25]
    assert [nodes.loc[s, "categorie"] for s in subs] == ["bases"] + ["mise en œuvre"] * 4
    assert all(nodes.loc[s, "niveau"] == "sous-action" for s in subs)


def test_6_5_1_sous_actions(seed, nodes):
    subs = children(seed, "6.5.1")
    assert [nodes.loc[s, "point_referentiel"] for s in subs] == [35, 45, 20]
    assert [nodes.loc[s, "categorie"] for s in subs] == ["bases", "mise en œuvre", "effets"]


def test_tasks_share_equally(seed, nodes):
    assert children(seed, "6.1.1.1") == ["6.1.1.1.1", "6.1.1.1.2"]
    assert [nodes.loc[t, "point_referentiel"] for t in children(seed, "6.1.1.1")] == [5, 5]
    assert [nodes.loc[t, "point_referentiel"] for t in children(seed, "6.5.1.1")] == [7] * 5
    # 45 points over 8 bullets
    assert [nodes.loc[t, "point_referentiel"] for t in children(seed, "6.5.1.2")] == [5.625] * 8
    assert nodes.loc["6.1.1.1.1", "nom"].startswith("identifier et cartographier les acteurs clés")
    assert nodes.loc["6.1.1.1.2", "source_line"] == 20
    assert nodes.loc["6.1.1.1.1", "niveau"] == "tache"


def test_points_roll_up(nodes):
    assert nodes.loc["6.1.1", "point_referentiel"] == 100
    assert nodes.loc["6.1", "point_referentiel"] == 200
    assert nodes.loc["6.5", "point_referentiel"] == 100
    assert nodes.loc["6", "point_referentiel"] == 300
    assert nodes.loc["", "point_referentiel"] == 300


def test_notes_are_not_tasks(seed, nodes):
    assert len(children(seed, "6.1.2.3")) == 2
    assert len(children(seed, "6.1.1.4")) == 4
    assert len(children(seed, "6.1.1.2")) == 5
    assert len(children(seed, "6.5.1.3")) == 4
    notes = nodes.loc["6.1.2.3", "textes"]["Notes"]
    assert notes.startswith("Exemples de projets collectifs concernés")
    assert "− Conseil en énergie partagé" in notes
    assert "− Etc." in notes
    assert nodes.loc["6.1.1.4", "textes"]["Notes"].startswith("Nota : ces actions")
    assert nodes.loc["6.5.1.3", "textes"]["Notes"].startswith("Evalué dans la 5.1.4")
    assert "Notes" not in nodes.loc["6.1.1.1", "textes"]


def test_epci_and_commune_tasks(seed, nodes):
    assert children(seed, "6.1.2.3") == ["6.1.2.3.1", "6.1.2.3.2"]
    assert nodes.loc["6.1.2.3.1", "collectivite_type"] == "EPCI"
    assert nodes.loc["6.1.2.3.2", "collectivite_type"] == "commune"
    assert nodes.loc["6.1.2.3.1", "nom"].startswith("la collectivité est animatrice")
    assert nodes.loc["6.1.2.3.2", "nom"].startswith("la collectivité est force de proposition")
    types = [nodes.loc[t, "collectivite_type"] for t in children(seed, "6.1.2.4")]
    assert types == ["EPCI", "EPCI", "EPCI", "commune", "commune"]
    assert nodes.loc["6.1.2.4.4", "nom"].startswith("Elle donne l’exemple au sein de l’EPCI")
    # the bullet that only mentions EPCI in its middle is for everyone
    assert nodes.loc["6.1.2.1.2", "collectivite_type"] is None
    assert nodes.loc["6.1.2.4", "point_referentiel"] == 20
    assert [nodes.loc[t, "point_referentiel"] for t in children(seed, "6.1.2.4")] == [4] * 5


def test_read_referentiel_detects_seed_folder():
    assert detect_format(SEEDS) == "seed"
    ref = read_referentiel(SEEDS, nom="cae")
    assert ref.source_kind == "seed"
    assert len(ref.nodes) == 68
    assert ref.rules.empty and ref.questions.empty
    # without a name, read_referentiel names it after the folder (read_seed_referentiel: "cae")
    unnamed = read_referentiel(SEEDS)
    assert (unnamed.nom, unnamed.titre, unnamed.nodes.iloc[0]["nom"]) == ("seeds", "seeds", "seeds")


# --- small seed folders written in tmp_path ---------------------------------------------------

MESURE = """# Mesure inventée
```yaml
id: 7.1.10
```
## Description
Texte.

## Actions
### Première
```yaml
id: 7.1.10.1
points: {p1}
categorie: bases
```
- tâche une
- tâche deux

### Seconde
```yaml
id: {id2}
points: {p2}
categorie: effets
```
- tâche trois
"""


def write_seed(tmp_path, text, name="m.txt"):
    folder = tmp_path / "seed"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    (folder / "notes.txt").write_text("Un compte rendu sans titre.\n", encoding="utf-8")
    return folder


def problems_of(folder):
    with pytest.raises(InvalidInput) as info:
        read_seed_referentiel(folder)
    return [str(p) for p in info.value.problems]


def test_ids_stay_strings_and_zero_share(tmp_path):
    folder = write_seed(tmp_path, MESURE.format(p1="0 ", id2="7.1.10.10", p2="100"))
    nodes = read_seed_referentiel(folder).nodes.set_index("action_id")
    assert "7.1.10" in nodes.index and "7.1.10.10" in nodes.index
    assert nodes.loc["7.1.10.1", "point_referentiel"] == 0
    assert nodes.loc["7.1.10.1.1", "point_referentiel"] == 0
    assert nodes.loc["7.1.10.10", "point_referentiel"] == 100
    assert nodes.loc["7.1.10.10.1", "point_referentiel"] == 100


def test_missing_yaml_block(tmp_path):
    text = MESURE.format(p1="40", id2="7.1.10.2", p2="60").replace(
        "### Seconde\n```yaml\nid: 7.1.10.2\npoints: 60\ncategorie: effets\n```\n", "### Seconde\n")
    assert problems_of(write_seed(tmp_path, text)) == [
        "m.txt:18:1: bloc yaml manquant après le titre « Seconde »",
    ]


def test_duplicate_id(tmp_path):
    folder = write_seed(tmp_path, MESURE.format(p1="40", id2="7.1.10.1", p2="60"))
    assert problems_of(folder) == ["m.txt:20:1: identifiant en double « 7.1.10.1 » (déjà défini ligne 11)"]


def test_percentages_not_100(tmp_path):
    folder = write_seed(tmp_path, MESURE.format(p1="40", id2="7.1.10.2", p2="50"))
    assert problems_of(folder) == [
        "m.txt:1:1: les pourcentages des sous-actions de la mesure « 7.1.10 » font 90 au lieu de 100",
    ]


def test_points_not_a_number(tmp_path):
    folder = write_seed(tmp_path, MESURE.format(p1="quarante", id2="7.1.10.2", p2="60"))
    assert problems_of(folder) == ["m.txt:12:1: points : nombre attendu, trouvé « quarante »"]


def test_sous_action_not_under_its_mesure(tmp_path):
    folder = write_seed(tmp_path, MESURE.format(p1="40", id2="7.2.1.2", p2="60"))
    problems = problems_of(folder)
    assert problems[0] == "m.txt:20:1: l'identifiant « 7.2.1.2 » n'est pas sous la mesure « 7.1.10 » de ce fichier"


def test_folder_without_seed_documents(tmp_path):
    folder = tmp_path / "vide"
    folder.mkdir()
    (folder / "slides.txt").write_text("Quels outils ?\n", encoding="utf-8")
    assert problems_of(folder) == [
        "vide::: aucun document de mesure (« # titre » suivi d'un bloc yaml « id ») dans ce dossier",
    ]


def test_seed_folder_with_explicit_rules_and_questions(tmp_path):
    rules = tmp_path / "regles"
    rules.mkdir()
    (rules / "cae_6.md").write_text(
        "# Réduction inventée\n```yaml\naction_id: cae_6.1.2\n```\n## Règles\n### Réduction de potentiel\n"
        "```formule\nsi identite(type, commune) alors 0.5\n```\nTexte inventé.\n", encoding="utf-8")
    (rules / "eci_1.md").write_text("# Autre\n```yaml\naction_id: eci_1.1\n```\n", encoding="utf-8")
    questions = tmp_path / "questions.md"
    questions.write_text("# Question ?\n```yaml\nid: q\ntype: proportion\nactions: [cae_6.1.2]\n```\n",
                         encoding="utf-8")
    ref = read_referentiel(SEEDS, nom="cae", personnalisations=rules, questions=questions)
    assert ref.rules[["action_id", "kind", "expression", "description"]].values.tolist() == [
        ["6.1.2", "reduction", "si identite(type, commune) alors 0.5", "Texte inventé."]]
    assert ref.questions[["question_id", "type", "actions"]].values.tolist() == [["q", "proportion", ["cae_6.1.2"]]]
    (rules / "cae_6.md").write_text(
        "# Sur une mesure absente des seeds\n```yaml\naction_id: cae_1.1.1\n```\n## Règles\n### Désactivation\n"
        "```formule\nVRAI\n```\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        read_referentiel(SEEDS, nom="cae", personnalisations=rules)
    assert [str(p) for p in info.value.problems] == [
        "cae_6.md:6:1: règle de désactivation sur une action inconnue « 1.1.1 »"]
