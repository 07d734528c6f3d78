"""Any referential shape: the action level (the mesures) is read from the data, branch by
branch, in markdown and CSV, and the levels keep their canonical codes with labels per
referential.

Fixtures (invented, never seen by the loader before this test was written):
- `recyclerie` (ECI-shaped): axe → mesure → sous-action → tâche, `points` on axes AND mesures,
  `pourcentage` on sous-actions and tâches. Main's loader refused the markdown (« pourcentage
  manquant pour la sous-action « 1.1 » ») and read the CSV with the axes as mesures.
- `mixte` (third shape): axis 1 has no sous-axe (mesure 1.1 at depth 2), axis 2 has one
  (mesure 2.1.1 at depth 3). Main's loader refused both files (« points manquants pour la
  mesure « 2.1 » »).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cae_data.personnalisation.profile import Profile
from cae_data.referentiel.loader import read_referentiel
from cae_data.scoring import score_one

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "referentiel"

RECYCLERIE = {"markdown": FIXTURES / "recyclerie" / "recyclerie", "csv": FIXTURES / "recyclerie-structure.csv"}
MIXTE = {"markdown": FIXTURES / "mixte" / "mixte", "csv": FIXTURES / "mixte-structure.csv"}


def nodes_of(ref) -> pd.DataFrame:
    return ref.nodes.set_index("action_id")


# --- ECI-shaped -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_eci_shape_levels_from_the_data(fmt):
    ref = read_referentiel(RECYCLERIE[fmt], nom="recyclerie")
    nodes = nodes_of(ref)
    assert ref.action_depth == 2
    assert nodes.loc[["1", "1.1", "1.1.1", "1.1.1.1", "2", "2.1", "2.1.1.2"], "niveau"].tolist() == [
        "axe", "mesure", "sous-action", "tache", "axe", "mesure", "tache"]
    assert "sous-axe" not in set(nodes["niveau"])
    # labels: no sous-axe in an ECI-shaped referential
    assert list(ref.niveau_labels) == ["referentiel", "axe", "mesure", "sous-action", "tache"]
    assert ref.niveau_labels["tache"] == ("tâche", "tâches")
    assert ref.niveau_label("sous-action", pluriel=True) == "sous-actions"


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_eci_shape_points_by_hand(fmt):
    nodes = nodes_of(read_referentiel(RECYCLERIE[fmt], nom="recyclerie"))
    expected = {
        "1.1": 10,            # declared
        "1.1.1": 4,           # 40 % of 10
        "1.1.1.1": 2,         # 50 % of 4
        "1.1.2": 6,           # 60 % of 10
        "1.1.2.1": 1.2,       # 20 % of 6
        "1.1.2.2": 4.8,       # 80 % of 6
        "1.2": 20,
        "1.2.1": 5,           # 25 % of 20
        "1.2.1.1": 5,         # 100 % of 5
        "1.2.2.1": 4.5,       # 30 % of 75 % of 20 = 30 % of 15
        "1.2.2.2": 10.5,      # 70 % of 15
        "1": 30,              # 10 + 20 (the axis' written 30 is not used, it agrees anyway)
        "2.1.1.1": 6,         # 40 % of 100 % of 15
        "2": 15,
        "": 45,               # 30 + 15
    }
    for action_id, points in expected.items():
        assert nodes.loc[action_id, "point_referentiel"] == pytest.approx(points), action_id


def test_eci_shape_both_formats_give_the_same_tree():
    markdown = read_referentiel(RECYCLERIE["markdown"], nom="recyclerie")
    table = read_referentiel(RECYCLERIE["csv"], nom="recyclerie")
    columns = ["action_id", "parent_id", "depth", "niveau", "ordre", "nom", "categorie", "pourcentage"]
    pd.testing.assert_frame_equal(markdown.nodes[columns], table.nodes[columns])
    assert markdown.nodes["point_referentiel"].tolist() == pytest.approx(table.nodes["point_referentiel"].tolist())
    assert markdown.warnings == [] and table.warnings == []


def test_eci_shape_tache_shares_must_add_up(tmp_path):
    text = RECYCLERIE["csv"].read_text(encoding="utf-8").replace("1.1.2.2,Suivre le programme d'actions,,,80,",
                                                                  "1.1.2.2,Suivre le programme d'actions,,,70,")
    path = tmp_path / "recyclerie-structure.csv"
    path.write_text(text, encoding="utf-8")
    from cae_data.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        read_referentiel(path)
    assert [str(p) for p in caught.value.problems] == [
        "recyclerie-structure.csv:8:pourcentage: les pourcentages des tâches de la sous-action « 1.1.2 » "
        "font 90 au lieu de 100"]


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_eci_shape_redistributes_below_its_mesures(fmt):
    ref = read_referentiel(RECYCLERIE[fmt], nom="recyclerie")
    statuses = pd.DataFrame({"action_id": ["1.1.1", "1.1.2.1", "1.1.2.2"],
                             "statut": ["non_concerne", "fait", "pas_fait"]})
    scores = score_one(ref, Profile(nom="X"), statuses).assign(action_id=lambda f: f["action_id"].astype(str))
    scores = scores.set_index("action_id")
    # 1.1.1 (4 points) is non concerné: its sibling 1.1.2 (the only one left) receives them:
    # 6 + 4 = 10, rescaled to its tâches 1.2 × 10/6 = 2 and 4.8 × 10/6 = 8
    assert scores.loc["1.1.2", "point_potentiel"] == pytest.approx(10)
    assert scores.loc["1.1.2.1", "point_fait"] == pytest.approx(2)
    assert scores.loc["1.1.2.2", "point_pas_fait"] == pytest.approx(8)
    assert scores.loc["1.1", "point_potentiel"] == pytest.approx(10)
    # a non concerné mesure is never redistributed to the other mesures of its axis
    scores = score_one(ref, Profile(nom="X"), pd.DataFrame({"action_id": ["1.2"], "statut": ["non_concerne"]}))
    scores = scores.assign(action_id=scores["action_id"].astype(str)).set_index("action_id")
    assert scores.loc["1.1", "point_potentiel"] == pytest.approx(10)
    assert scores.loc["1", "point_potentiel"] == pytest.approx(10)  # 30 − 20
    assert scores.loc["", "point_potentiel"] == pytest.approx(25)   # 45 − 20


# --- third shape: one axis without sous-axe ----------------------------------------------------

@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_mixed_depth_mesures(fmt):
    ref = read_referentiel(MIXTE[fmt], nom="mixte")
    nodes = nodes_of(ref)
    assert nodes["niveau"].to_dict() == {
        "": "referentiel", "1": "axe", "1.1": "mesure", "1.1.1": "sous-action", "1.1.1.1": "tache",
        "1.1.1.2": "tache", "1.1.2": "sous-action", "2": "axe", "2.1": "sous-axe", "2.1.1": "mesure",
        "2.1.1.1": "sous-action", "2.1.1.2": "sous-action", "2.1.1.2.1": "tache", "2.1.1.2.2": "tache",
        "2.1.1.2.3": "tache"}
    assert ref.action_depth == 2  # the shallowest mesures
    expected = {"1.1": 8, "1.1.1": 4, "1.1.1.1": 2, "1.1.2": 4, "1": 8,     # 50 % of 8, then 4 / 2
                "2.1.1": 12, "2.1.1.1": 3, "2.1.1.2": 9, "2.1.1.2.3": 3,   # 25 % / 75 % of 12, 9 / 3
                "2.1": 12, "2": 12, "": 20}
    for action_id, points in expected.items():
        assert nodes.loc[action_id, "point_referentiel"] == pytest.approx(points), action_id


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_mixed_depth_redistribution_follows_each_branch(fmt):
    ref = read_referentiel(MIXTE[fmt], nom="mixte")
    statuses = pd.DataFrame({"action_id": ["1.1.1", "2.1.1.1"], "statut": ["non_concerne", "non_concerne"]})
    scores = score_one(ref, Profile(nom="X"), statuses)
    scores = scores.assign(action_id=scores["action_id"].astype(str)).set_index("action_id")
    # depth 3 in axis 1: 1.1.2 receives 1.1.1's 4 points → 8; mesure 1.1 keeps 8
    assert scores.loc["1.1.2", "point_potentiel"] == pytest.approx(8)
    assert scores.loc["1.1", "point_potentiel"] == pytest.approx(8)
    # depth 4 in axis 2: 2.1.1.2 receives 2.1.1.1's 3 points → 12, its tâches 3 × 12/9 = 4 each
    assert scores.loc["2.1.1.2", "point_potentiel"] == pytest.approx(12)
    assert scores.loc["2.1.1.2.1", "point_potentiel"] == pytest.approx(4)
    assert scores.loc["", "point_potentiel"] == pytest.approx(20)
    # the sous-axe 2.1 is above the mesures: a non concerné mesure 2.1.1 is not redistributed
    scores = score_one(ref, Profile(nom="X"), pd.DataFrame({"action_id": ["2.1.1"], "statut": ["non_concerne"]}))
    root = scores[scores["action_id"].astype(str) == ""].iloc[0]
    assert root["point_potentiel"] == pytest.approx(8)


def test_level_labels_per_referential():
    velo = read_referentiel(FIXTURES / "velo" / "velo")
    assert velo.niveau_label("sous-action") == "sous-action"
    assert velo.categorie_label("mise en œuvre") == "mise en œuvre"
    te = read_referentiel(FIXTURES / "te-mini-structure.csv", nom="te")
    assert list(te.niveau_labels) == ["referentiel", "axe", "sous-axe", "mesure", "sous-action", "tache"]
    assert te.niveau_labels["sous-action"] == ("sous-mesure", "sous-mesures")
    assert te.niveau_label("tache", pluriel=True) == "tâches"
    assert [te.categorie_label(c) for c in ("bases", "mise en œuvre", "effets", None)] == [
        "S'engager", "Concrétiser", "Mesurer les effets", None]
