"""« Vers la prochaine étoile » (cae_data/simulation.py), on hand-made referentials.

STAR tree: the nodes the star criteria name (scoring.md §5), points by hand:

    root 40
    ├── 1 / 1.1 (20)
    │   ├── 1.1.1 mesure 10: 1.1.1.1 40 % = 4 (tâches 1.1.1.1.1, 1.1.1.1.2: 2 each), 1.1.1.2 60 % = 6
    │   └── 1.1.2 mesure 10: 1.1.2.0 0 % = 0 (tâches 1.1.2.0.1, 1.1.2.0.2: 0),
    │                        1.1.2.1 20 % = 2, 1.1.2.2 80 % = 8
    └── 5 / 5.1 (20)
        ├── 5.1.1 mesure 10: 5.1.1.1 30 % = 3 (tâches 5.1.1.1.1–3: 1 each), 5.1.1.2 30 % = 3,
        │                    5.1.1.3 40 % = 4 (tâches 5.1.1.3.1, 5.1.1.3.2: 2 each)
        └── 5.1.2 mesure 10: 5.1.2.1 40 % = 4 (tâches 5.1.2.1.1, 5.1.2.1.2: 2 each), 5.1.2.2 60 % = 6

Stars: 35 % of 40 = 14 points fait for the second star.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.shared import shared_path

from cae_data import simulation
from cae_data.personnalisation.profile import Profile
from cae_data.referentiel.model import NODE_COLUMNS, RULE_COLUMNS, Referentiel, niveau_for_depth, parent_of
from cae_data.scoring.engine import score_evaluations
from cae_data.scoring.etoiles import CRITERES, criteres, etoiles
from cae_data.scoring.tree import tree_of

ETOILE_TREE = {
    "": 40, "1": 20, "1.1": 20,
    "1.1.1": 10, "1.1.1.1": 4, "1.1.1.1.1": 2, "1.1.1.1.2": 2, "1.1.1.2": 6,
    "1.1.2": 10, "1.1.2.0": 0, "1.1.2.0.1": 0, "1.1.2.0.2": 0, "1.1.2.1": 2, "1.1.2.2": 8,
    "5": 20, "5.1": 20,
    "5.1.1": 10, "5.1.1.1": 3, "5.1.1.1.1": 1, "5.1.1.1.2": 1, "5.1.1.1.3": 1, "5.1.1.2": 3,
    "5.1.1.3": 4, "5.1.1.3.1": 2, "5.1.1.3.2": 2,
    "5.1.2": 10, "5.1.2.1": 4, "5.1.2.1.1": 2, "5.1.2.1.2": 2, "5.1.2.2": 6,
}
ETOILE_SHARES = {"1.1.1.1": 40, "1.1.1.2": 60, "1.1.2.0": 0, "1.1.2.1": 20, "1.1.2.2": 80,
               "5.1.1.1": 30, "5.1.1.2": 30, "5.1.1.3": 40, "5.1.2.1": 40, "5.1.2.2": 60}

# PLAIN tree (no node a star criterion names: only the thresholds count):
#   root 40; 3.1.1 mesure 10: 3.1.1.1 40 % = 4, 3.1.1.2 60 % = 6;
#   3.1.2 mesure 10: 3.1.2.1 40 % = 4, 3.1.2.2 60 % = 6 (tâches 3.1.2.2.1/2: 3 each);
#   4.1.1 mesure 20: 4.1.1.1 50 % = 10, 4.1.1.2 50 % = 10
PLAIN_TREE = {
    "": 40, "3": 20, "3.1": 20, "3.1.1": 10, "3.1.1.1": 4, "3.1.1.2": 6,
    "3.1.2": 10, "3.1.2.1": 4, "3.1.2.2": 6, "3.1.2.2.1": 3, "3.1.2.2.2": 3,
    "4": 20, "4.1": 20, "4.1.1": 20, "4.1.1.1": 10, "4.1.1.2": 10,
}
PLAIN_SHARES = {"3.1.1.1": 40, "3.1.1.2": 60, "3.1.2.1": 40, "3.1.2.2": 60, "4.1.1.1": 50, "4.1.1.2": 50}

EPCI = Profile(nom="Testville", type="EPCI", population=60000, localisation="Metropole")


def make_referentiel(points: dict, shares: dict, rules=()) -> Referentiel:
    rows = []
    for action_id, value in points.items():
        depth = 0 if action_id == "" else action_id.count(".") + 1
        rows.append({
            "action_id": action_id, "parent_id": parent_of(action_id), "depth": depth,
            "niveau": niveau_for_depth(depth, 3), "ordre": 0, "nom": f"Action {action_id}",
            "description": "", "textes": {}, "categorie": "bases" if depth == 4 else None,
            "points_declares": float(value) if depth == 3 else math.nan,
            "pourcentage": float(shares[action_id]) if action_id in shares else math.nan,
            "point_referentiel": float(value), "collectivite_type": None, "climat_pratic_id": None,
            "source_file": "test", "source_line": len(rows) + 1,
        })
    nodes = pd.DataFrame(rows, columns=NODE_COLUMNS)
    nodes["parent_id"] = nodes["parent_id"].astype(object)
    rule_rows = [{"action_id": a, "kind": k, "expression": e, "description": "", "source_file": "test",
                  "source_line": i + 1} for i, (a, k, e) in enumerate(rules)]
    return Referentiel(nom="test", titre="Test", nodes=nodes, rules=pd.DataFrame(rule_rows, columns=RULE_COLUMNS))


def statuses(*rows) -> pd.DataFrame:
    records = []
    for action_id, statut, *shares in rows:
        fait, programme, pas_fait = shares if shares else (np.nan, np.nan, np.nan)
        records.append({"action_id": action_id, "statut": statut, "fait": fait, "programme": programme,
                        "pas_fait": pas_fait})
    return pd.DataFrame(records, columns=["action_id", "statut", "fait", "programme", "pas_fait"])


def criterion(etoile: int, action_id: str) -> str:
    return next(c.critere for c in CRITERES if c.etoile == etoile and c.action_id == action_id)


@pytest.fixture(scope="module")
def etoile_ref() -> Referentiel:
    return make_referentiel(ETOILE_TREE, ETOILE_SHARES)


# Every criterion of stars 1 and 2 met, 9 points fait of 40 (22.5 %): 5.1.2.1.1 (2),
# 5.1.1.1.3 (1), 5.1.1.3.2 (2), 1.1.2.1 (2: mesure 1.1.2 at 2 / 10 = 20 %), 1.1.1.1.1 (2);
# conformity tâches 1.1.2.0.1/2 fait (worth 0, read from their statuses).
# Programmées: 1.1.1.2 (6 points) and 5.1.1.2 (3 points).
BASE = [
    ("5.1.2.1.1", "fait"), ("5.1.1.1.3", "fait"), ("5.1.1.3.2", "fait"), ("1.1.2.0.1", "fait"),
    ("1.1.2.0.2", "fait"), ("1.1.2.1", "fait"), ("1.1.1.1.1", "fait"), ("1.1.2.2", "pas_fait"),
    ("1.1.1.2", "programme"), ("5.1.1.2", "programme"),
]


def replaced(rows, **changes):
    """BASE with some statuses replaced: replaced(BASE, **{"1.1.1.2": "pas_fait"})."""
    return [(a, changes.get(a, s), *rest) for a, s, *rest in rows]


# --------------------------------------------------------------------------- simulate


def test_simulate_completing_a_programmed_sous_action_crosses_35_percent(etoile_ref):
    result = simulation.simulate(etoile_ref, EPCI, statuses(*BASE), {"1.1.1.2": "fait"})
    # before: 9 / 40 = 22.5 %, 1 star; after: 9 + 6 = 15 / 40 = 37.5 % ≥ 35 %: 2 stars
    assert result.score_realise_avant == pytest.approx(0.225)
    assert result.etoiles_avant == 1
    assert result.score_realise == pytest.approx(0.375)
    assert result.etoiles == 2
    assert result.prochaine_etoile == 3
    assert result.points_manquants == pytest.approx(0.5 * 40 - 15)  # 50 % of 40 = 20
    assert result.gain == pytest.approx(6)
    scores = result.scores.set_index("action_id")
    assert scores.loc["1.1.1", "point_fait"] == pytest.approx(2 + 6)  # tâche 1.1.1.1.1 + 1.1.1.2
    assert scores.loc["1.1.1", "nom"] == "Action 1.1.1"
    assert result.resume["point_fait"] == pytest.approx(15)
    assert set(result.criteres["satisfait"]) == {True, False}  # 50 %, 65 %, 75 % not reached
    assert "subject" not in result.criteres.columns
    unchanged = simulation.simulate(etoile_ref, EPCI, statuses(*BASE), {})
    assert (unchanged.score_realise, unchanged.etoiles) == (pytest.approx(0.225), 1)


def test_simulate_sous_action_status_wins_over_its_taches(etoile_ref):
    # 5.1.2.1 set to pas fait: its fait tâche 5.1.2.1.1 no longer counts (9 − 2 = 7 points),
    # and the élu référent criterion is judged on the sous-action: not met, 0 stars.
    result = simulation.simulate(etoile_ref, EPCI, statuses(*BASE), {"5.1.2.1": "Pas fait"})
    assert result.point_fait == pytest.approx(7)
    assert result.etoiles == 0
    table = result.criteres.set_index(["etoile", "action_id"])
    assert not table.loc[(1, "5.1.2.1.1"), "satisfait"]
    # « non renseigné » on the sous-action lets the tâches count again
    back = simulation.simulate(etoile_ref, EPCI, statuses(*BASE), {"5.1.2.1": "non_renseigne"})
    assert back.point_fait == pytest.approx(9)
    assert back.etoiles == 1


def test_simulate_refuses_unknown_ids_and_statuses(etoile_ref):
    with pytest.raises(ValueError, match="9.9.9"):
        simulation.simulate(etoile_ref, EPCI, statuses(*BASE), {"9.9.9": "fait"})
    with pytest.raises(ValueError, match="statuts impossibles"):
        simulation.simulate(etoile_ref, EPCI, statuses(*BASE), {"1.1.1.2": "presque"})
    with pytest.raises(ValueError, match="statuts impossibles"):
        simulation.simulate(etoile_ref, EPCI, statuses(*BASE), {"1.1.1.2": "detaille"})


# --------------------------------------------------------------------------- smallest set


def test_one_programmed_sous_action_of_6_points_reaches_the_second_etoile(etoile_ref):
    plan = simulation.smallest_completion_set(etoile_ref, EPCI, statuses(*BASE))
    # 14 points needed, 9 fait: 1.1.1.2 (+6 → 15) is enough alone, 5.1.1.2 (+3 → 12) is not
    assert (plan.etoiles, plan.etoile_visee, plan.atteignable) == (1, 2, True)
    assert plan.action_ids == ["1.1.1.2"]
    assert plan.score_avant == pytest.approx(0.225)
    assert plan.score_apres == pytest.approx(0.375)
    assert plan.points_manquants == 0 and plan.criteres_manquants == []
    assert plan.detail[["action_id", "raison"]].values.tolist() == [["1.1.1.2", "seuil"]]
    assert plan.detail["gain"].tolist() == [pytest.approx(6)]
    assert plan.message == "Réaliser 1 sous-action programmée suffit pour atteindre la 2e étoile."


def test_a_missing_programmed_criterion_is_in_the_set(etoile_ref):
    # 1.1.1.1.1 (star 2 needs it fait) is only programmé: 9 − 2 = 7 points fait.
    # Completing its sous-action 1.1.1.1 meets the criterion (+2 → 9); 5 more points are needed
    # for 14: 1.1.1.2 (+6). 5.1.1.2 (+3) would not do.
    plan = simulation.smallest_completion_set(etoile_ref, EPCI, statuses(*replaced(BASE, **{"1.1.1.1.1": "programme"})))
    assert (plan.etoiles, plan.etoile_visee, plan.atteignable) == (1, 2, True)
    assert plan.action_ids == ["1.1.1.1", "1.1.1.2"]
    reasons = dict(zip(plan.detail["action_id"], plan.detail["raison"]))
    assert reasons == {"1.1.1.1": "critère obligatoire", "1.1.1.2": "seuil"}
    assert plan.score_apres == pytest.approx(15 / 40)
    assert plan.message == "Réaliser 2 sous-actions programmées suffit pour atteindre la 2e étoile."


def test_first_etoile_needs_only_its_criteria(etoile_ref):
    # élu référent (5.1.2.1.1) programmé instead of fait: 0 stars; star 1 has no threshold,
    # so completing 5.1.2.1 alone gives it.
    plan = simulation.smallest_completion_set(etoile_ref, EPCI, statuses(*replaced(BASE, **{"5.1.2.1.1": "programme"})))
    assert (plan.etoiles, plan.etoile_visee, plan.atteignable) == (0, 1, True)
    assert plan.action_ids == ["5.1.2.1"]
    assert plan.message == "Réaliser 1 sous-action programmée suffit pour atteindre la 1re étoile."


def test_unreachable_with_programmees_only_threshold(etoile_ref):
    # 1.1.1.2 pas fait: only 5.1.1.2 (+3) is programmé: 9 + 3 = 12 < 14, 2 points missing
    plan = simulation.smallest_completion_set(etoile_ref, EPCI, statuses(*replaced(BASE, **{"1.1.1.2": "pas_fait"})))
    assert (plan.etoile_visee, plan.atteignable) == (2, False)
    assert plan.action_ids == ["5.1.1.2"]
    assert plan.points_manquants == pytest.approx(2)
    assert plan.criteres_manquants == []
    assert plan.message == ("Les sous-actions programmées ne suffisent pas pour atteindre la 2e étoile : "
                            "il manquerait encore 2,0 points.")


def test_unreachable_when_a_criterion_is_not_programmed(etoile_ref):
    # 1.1.1.1.1 pas fait: star 2 cannot be had by completing programmées. The points would be
    # there (7 + 6 + 3 = 16 ≥ 14) but the criterion stays unmet.
    plan = simulation.smallest_completion_set(etoile_ref, EPCI, statuses(*replaced(BASE, **{"1.1.1.1.1": "pas_fait"})))
    assert (plan.etoile_visee, plan.atteignable) == (2, False)
    assert plan.points_manquants == 0
    assert plan.criteres_manquants == [criterion(2, "1.1.1.1.1")]
    assert plan.action_ids == ["1.1.1.2", "5.1.1.2"]
    assert criterion(2, "1.1.1.1.1") in plan.message


def test_five_etoiles_has_no_next_etoile(etoile_ref):
    everything = [(a, "fait") for a in ETOILE_TREE if a.count(".") == 3]
    plan = simulation.smallest_completion_set(etoile_ref, EPCI, statuses(*everything))
    assert (plan.etoiles, plan.etoile_visee, plan.action_ids) == (5, None, [])
    assert plan.message == "Cinq étoiles : il n'y a pas d'étoile suivante."


def test_non_additive_score_rule_is_fixed_by_verification():
    # 3.1.2 may not score higher than 3.1.1 (a score rule, as CAE's 3.3.5 / 1.2.3).
    # Base: 3.1.1.2 fait (6: score(3.1.1) = 0.6), 4.1.1.2 détaillé 10 % fait (1) → 7 of 40,
    # 1 star (no criterion node in this tree). Programmées: X = 3.1.2.1 (+4: 3.1.2 at 0.4),
    # Y = tâche 3.1.2.2.1 (+3: 0.3), Z = 4.1.1.1 détaillé 30 % programmé (+3).
    # 14 needed, so 7 more: greedy by gain takes X + Y (4 + 3 = 7), but together 3.1.2 would be
    # at 0.7, capped to 0.6: only +6 → 13 < 14. Verification adds Z (→ 16), then pruning finds
    # Y useless: X + Z = 7 + 4 + 3 = 14 = 35 %.
    ref = make_referentiel(PLAIN_TREE, PLAIN_SHARES, rules=[("3.1.2", "score", "min(score(cae_3.1.1), score(cae_3.1.2))")])
    rows = statuses(("3.1.1.2", "fait"), ("4.1.1.2", "detaille", 0.1, 0.0, 0.9), ("3.1.2.1", "programme"),
                    ("3.1.2.2.1", "programme"), ("4.1.1.1", "detaille", 0.0, 0.3, 0.7))
    plan = simulation.smallest_completion_set(ref, EPCI, rows)
    assert (plan.etoiles, plan.etoile_visee, plan.atteignable) == (1, 2, True)
    assert plan.action_ids == ["3.1.2.1", "4.1.1.1"]
    assert plan.score_apres == pytest.approx(0.35)
    # the same with the engine: X and Y completed give 13 points, not 14
    both = simulation.simulate(ref, EPCI, rows, {"3.1.2.1": "fait", "3.1.2.2.1": "fait"})
    assert both.point_fait == pytest.approx(13)


def test_etoiles_read_from_the_reduced_rows_are_the_same(etoile_ref):
    # _etoile_inputs keeps only the rows the star rules read: same tables as with every row
    tree = tree_of(etoile_ref)
    rows = pd.concat([statuses(*BASE).assign(subject=0),
                      statuses(*replaced(BASE, **{"5.1.2.1.1": "programme", "1.1.2.1": "pas_fait"})).assign(subject=1)],
                     ignore_index=True)
    scores = score_evaluations(etoile_ref, [EPCI], pd.DataFrame({"subject": [0, 1], "profile": 0}), rows)
    reduced = simulation._etoile_inputs(scores, tree, 2)
    assert len(reduced) < len(scores)
    pd.testing.assert_frame_equal(criteres(etoile_ref, reduced, rows), criteres(etoile_ref, scores, rows))
    pd.testing.assert_frame_equal(etoiles(etoile_ref, reduced, rows), etoiles(etoile_ref, scores, rows))


# --------------------------------------------------------------------------- full referential


def shared_referentiels() -> Path:
    return shared_path("referentiels/cae").parent


@pytest.fixture(scope="module")
def full():
    folder = shared_referentiels()
    from cae_data import demo
    from cae_data.personnalisation.profile import read_profile
    from cae_data.referentiel.loader import read_referentiel

    ref = read_referentiel(folder / "cae", nom="cae", personnalisations=folder / "personnalisations",
                           questions=folder / "questions")
    profile = read_profile(demo.demo_profile_yaml(ref).encode("utf-8"), "capso.yaml", ref.questions)
    return ref, profile, demo.demo_statuses(ref)


def test_full_referential_plans_are_verified(full):
    ref, profile, by_date = full
    simulation.smallest_completion_set(ref, profile, next(iter(by_date.values())))  # warm caches
    for when, rows in by_date.items():
        plan = simulation.smallest_completion_set(ref, profile, rows)  # speed: benchmarks/bench_simulation.py
        if plan.etoile_visee is None:
            continue
        # the answer is checked with the engine: completing the set gives the star (or not)
        rows = rows[["action_id", "statut", "fait", "programme", "pas_fait"]]
        changed = rows[rows["action_id"].str.split(".").str[:4].str.join(".").isin(plan.action_ids)]
        completed = rows.copy()
        completed.loc[changed.index, "statut"] = changed["statut"].replace({"programme": "fait"})
        detail = changed["statut"] == "detaille"
        completed.loc[changed.index[detail], "fait"] = changed["fait"][detail] + changed["programme"][detail]
        completed.loc[changed.index[detail], "programme"] = 0.0
        result = simulation.simulate(ref, profile, completed)
        assert (result.etoiles >= plan.etoile_visee) == plan.atteignable, when
        assert result.score_realise == pytest.approx(plan.score_apres)


def test_full_referential_etoile_rows_equivalence(full):
    ref, profile, by_date = full
    tree = tree_of(ref)
    rows = pd.concat([frame.assign(subject=i) for i, frame in enumerate(by_date.values())], ignore_index=True)
    n = len(by_date)
    scores = score_evaluations(ref, [profile], pd.DataFrame({"subject": range(n), "profile": 0}), rows)
    reduced = simulation._etoile_inputs(scores, tree, n)
    pd.testing.assert_frame_equal(etoiles(ref, reduced, rows), etoiles(ref, scores, rows))


# --------------------------------------------------------------------------- the simulator's table
# (moved from the page's tests with simulation_table, simulation_choices, plan_choices)

def _table_nodes(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["action_id", "niveau", "depth"]).assign(nom=lambda f: "Nom " + f["action_id"])


TABLE_NODES = _table_nodes([
    ("1.1.1", "mesure", 3),
    ("1.1.1.1", "sous-action", 4), ("1.1.1.1.1", "tache", 5), ("1.1.1.1.2", "tache", 5),
    ("1.1.1.2", "sous-action", 4), ("1.1.1.2.1", "tache", 5),
    ("1.1.1.3", "sous-action", 4), ("1.1.1.3.1", "tache", 5),
])
TABLE_STATUSES = pd.DataFrame({
    "action_id": ["1.1.1.1.1", "1.1.1.2", "1.1.1.2.1", "1.1.1.3"],
    "statut": ["programme", "detaille", "fait", "non_renseigne"],
    "fait": [None, 0.25, None, None], "programme": [None, 0.5, None, None], "pas_fait": [None, 0.25, None, None],
})
TABLE_SCORES = pd.DataFrame({"action_id": TABLE_NODES["action_id"], "point_potentiel": 10.0, "point_fait": 1.0})


def test_simulation_table_sous_actions_et_taches():
    table = simulation.simulation_table(TABLE_NODES, 3, TABLE_STATUSES, TABLE_SCORES)
    # 1.1.1.1 is evaluated by tâche: its tâches follow; 1.1.1.2's own status wins over its tâche
    assert table["action_id"].tolist() == ["1.1.1.1", "1.1.1.1.1", "1.1.1.1.2", "1.1.1.2", "1.1.1.3"]
    assert table["statut_actuel"].tolist() == ["détaillé à la tâche", "programmé", "non renseigné", "détaillé",
                                               "non renseigné"]
    assert table.loc[3, "detail"] == "25\u00a0% fait, 50\u00a0% programmé, 25\u00a0% pas fait"
    assert table["programme"].tolist() == [0, 0, 0, 0.5, 0]
    assert table["mesure_id"].unique().tolist() == ["1.1.1"]
    assert table.loc[1, "sous_action_id"] == "1.1.1.1"


def test_simulation_choices_et_plan():
    table = simulation.simulation_table(TABLE_NODES, 3, TABLE_STATUSES, TABLE_SCORES)
    decoded = simulation.simulation_choices(table, {
        "1.1.1.1.1": "fait",  # a change
        "1.1.1.3": "non renseigné",  # its own label: no change
        "1.1.1.2": "détaillé, part programmée faite",  # completes the programmé share
        "1.1.1.1.2": "détaillé",  # impossible without shares
        "9.9": "fait",  # not a row
    })
    assert decoded.changes == {"1.1.1.1.1": "fait"}
    assert decoded.realises == ["1.1.1.2"]
    assert decoded.ignores == ["1.1.1.1.2", "9.9"]
    assert simulation.plan_choices(table, TABLE_STATUSES, ["1.1.1.1", "1.1.1.2"], 3) == {
        "1.1.1.1.1": "fait", "1.1.1.2": "détaillé, part programmée faite"}
    done = simulation.complete_detailed(TABLE_STATUSES, ["1.1.1.2", "1.1.1.1.1"])
    assert done.loc[1, ["fait", "programme", "pas_fait"]].tolist() == [0.75, 0.0, 0.25]
    assert done.loc[0, "statut"] == "programme"  # only détaillé rows move
    assert TABLE_STATUSES.loc[1, "fait"] == 0.25  # the input is not modified
