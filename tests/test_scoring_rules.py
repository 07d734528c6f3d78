"""One scenario per rule of scoring.md on small hand-made trees, numbers computed by hand.

The tree used by most tests (points per §1, written out by hand):

    root 30
    ├── 1 (axe) 20 ── 1.1 (sous-axe) 20
    │   ├── 1.1.1 mesure 12
    │   │   ├── 1.1.1.1 25 % = 3  → tâches 1.1.1.1.1/2/3: 1 each
    │   │   ├── 1.1.1.2 25 % = 3  → tâches 1.1.1.2.1/2: 1.5 each
    │   │   └── 1.1.1.3 50 % = 6  → tâches 1.1.1.3.1/2/3: 2 each
    │   └── 1.1.2 mesure 8
    │       ├── 1.1.2.1 50 % = 4 (no tâche)
    │       └── 1.1.2.2 50 % = 4 (no tâche)
    └── 2 (axe) 10 ── 2.1 (sous-axe) 10 ── 2.1.1 mesure 10
        ├── 2.1.1.0 0 % = 0   → tâche 2.1.1.0.1: 0
        ├── 2.1.1.1 60 % = 6  → tâches 2.1.1.1.1/2: 3 each
        └── 2.1.1.2 40 % = 4 (no tâche)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cae_data.personnalisation.profile import Profile
from cae_data.referentiel.model import NODE_COLUMNS, RULE_COLUMNS, Referentiel, niveau_for_depth, parent_of
from cae_data.scoring.engine import OUTPUT_COLUMNS, score_evaluations, score_one
from cae_data.scoring.rounding import round_exact, round_scores

TREE = {
    "": 30, "1": 20, "1.1": 20,
    "1.1.1": 12,
    "1.1.1.1": 3, "1.1.1.1.1": 1, "1.1.1.1.2": 1, "1.1.1.1.3": 1,
    "1.1.1.2": 3, "1.1.1.2.1": 1.5, "1.1.1.2.2": 1.5,
    "1.1.1.3": 6, "1.1.1.3.1": 2, "1.1.1.3.2": 2, "1.1.1.3.3": 2,
    "1.1.2": 8, "1.1.2.1": 4, "1.1.2.2": 4,
    "2": 10, "2.1": 10, "2.1.1": 10,
    "2.1.1.0": 0, "2.1.1.0.1": 0,
    "2.1.1.1": 6, "2.1.1.1.1": 3, "2.1.1.1.2": 3,
    "2.1.1.2": 4,
}
SHARES = {"1.1.1.1": 25, "1.1.1.2": 25, "1.1.1.3": 50, "1.1.2.1": 50, "1.1.2.2": 50,
          "2.1.1.0": 0, "2.1.1.1": 60, "2.1.1.2": 40}
EPCI = Profile(nom="CA Test", type="EPCI", population=60000, localisation="Metropole")
COMMUNE = Profile(nom="Commune Test", type="commune", population=8000, localisation="DOM",
                  reponses={"q1": "NON"})


def make_referentiel(points: dict[str, float], shares: dict[str, float], action_depth: int = 3,
                     rules: list[tuple[str, str, str]] = ()) -> Referentiel:
    rows = []
    for action_id, value in points.items():
        depth = 0 if action_id == "" else action_id.count(".") + 1
        rows.append({
            "action_id": action_id, "parent_id": parent_of(action_id), "depth": depth,
            "niveau": niveau_for_depth(depth, action_depth), "ordre": 0, "nom": f"Action {action_id}",
            "description": "", "textes": {}, "categorie": None,
            "points_declares": float(value) if depth == action_depth else math.nan,
            "pourcentage": float(shares[action_id]) if action_id in shares else math.nan,
            "point_referentiel": float(value), "collectivite_type": None, "climat_pratic_id": None,
            "source_file": "test", "source_line": len(rows) + 1,
        })
    nodes = pd.DataFrame(rows, columns=NODE_COLUMNS)
    nodes["parent_id"] = nodes["parent_id"].astype(object)
    rule_rows = [{"action_id": a, "kind": k, "expression": e, "description": "", "source_file": "test",
                  "source_line": i + 1} for i, (a, k, e) in enumerate(rules)]
    return Referentiel(nom="test", titre="Test", nodes=nodes,
                       rules=pd.DataFrame(rule_rows, columns=RULE_COLUMNS))


def statuses(*rows) -> pd.DataFrame:
    """rows: (action_id, statut) or (action_id, "detaille", fait, programme, pas_fait)."""
    records = []
    for row in rows:
        action_id, statut, *shares = row
        fait, programme, pas_fait = shares if shares else (np.nan, np.nan, np.nan)
        records.append({"action_id": action_id, "statut": statut, "fait": fait,
                        "programme": programme, "pas_fait": pas_fait})
    return pd.DataFrame(records, columns=["action_id", "statut", "fait", "programme", "pas_fait"])


def score(rows=(), profile=EPCI, rules=(), points=TREE, shares=SHARES, action_depth=3) -> pd.DataFrame:
    referentiel = make_referentiel(points, shares, action_depth, rules)
    return score_one(referentiel, profile, statuses(*rows)).set_index("action_id")


def check(result: pd.DataFrame, action_id: str, **expected) -> None:
    row = result.loc[action_id]
    for field, value in expected.items():
        if isinstance(value, bool):
            assert bool(row[field]) is value, f"{action_id} {field}: {row[field]} != {value}"
        else:
            assert row[field] == pytest.approx(value, abs=1e-12), f"{action_id} {field}: {row[field]} != {value}"


# ---------------------------------------------------------------- §2 statuses


def test_no_status_every_leaf_is_non_renseigne():
    result = score()
    check(result, "", point_potentiel=30, point_fait=0, point_non_renseigne=30, concerne=True)
    check(result, "1.1.1.3.2", point_potentiel=2, point_non_renseigne=2)
    check(result, "1.1.2.1", point_potentiel=4, point_non_renseigne=4)
    assert list(result.reset_index().columns) == [c for c in OUTPUT_COLUMNS if c != "subject"]
    assert list(result.index) == list(TREE)  # referential order


def test_statuses_give_points_per_the_table_and_parents_sum_children():
    result = score([
        ("1.1.1.1.1", "fait"), ("1.1.1.1.2", "programme"), ("1.1.1.1.3", "pas_fait"),
        ("1.1.1.2", "detaille", 0.3, 0.5, 0.2),
        ("1.1.2.1", "fait"),
    ])
    check(result, "1.1.1.1", point_fait=1, point_programme=1, point_pas_fait=1, point_non_renseigne=0)
    # détaillé 30/50/20 on a sous-action of 3 points: 0.9 / 1.5 / 0.6
    check(result, "1.1.1.2", point_potentiel=3, point_fait=0.9, point_programme=1.5, point_pas_fait=0.6,
          point_non_renseigne=0)
    # its tâches keep their own lines (no status: non renseigné)
    check(result, "1.1.1.2.1", point_fait=0, point_non_renseigne=1.5)
    # mesure 1.1.1: fait 1 + 0.9, programmé 1 + 1.5, pas fait 1 + 0.6, non renseigné 6 (1.1.1.3)
    check(result, "1.1.1", point_fait=1.9, point_programme=2.5, point_pas_fait=1.6, point_non_renseigne=6)
    check(result, "1.1.2", point_fait=4, point_non_renseigne=4)
    check(result, "", point_potentiel=30, point_fait=5.9, point_programme=2.5, point_pas_fait=1.6,
          point_non_renseigne=20)


def test_detaille_on_a_tache():
    result = score([("1.1.1.3.1", "detaille", 0.25, 0.25, 0.5)])
    check(result, "1.1.1.3.1", point_fait=0.5, point_programme=0.5, point_pas_fait=1, point_non_renseigne=0)
    check(result, "1.1.1.3", point_fait=0.5, point_programme=0.5, point_pas_fait=1, point_non_renseigne=4)


def test_sous_action_status_wins_over_its_taches():
    result = score([("1.1.1.2", "pas_fait"), ("1.1.1.2.1", "fait"), ("1.1.1.2.2", "fait")])
    check(result, "1.1.1.2", point_fait=0, point_pas_fait=3, point_non_renseigne=0)
    check(result, "1.1.1.2.1", point_fait=1.5)  # still its own line
    check(result, "1.1.1", point_fait=0, point_pas_fait=3, point_non_renseigne=9)


def test_explicit_non_renseigne_on_a_sous_action_lets_its_taches_count():
    result = score([("1.1.1.2", "non_renseigne"), ("1.1.1.2.1", "fait")])
    check(result, "1.1.1.2", point_potentiel=3, point_fait=1.5, point_non_renseigne=1.5, concerne=True)


def test_explicit_non_renseigne_keeps_a_sous_action_concerne_when_its_taches_are_not():
    result = score([("1.1.1.2", "non_renseigne"), ("1.1.1.2.1", "non_concerne"),
                    ("1.1.1.2.2", "non_concerne")])
    check(result, "1.1.1.2", concerne=True, point_potentiel=3)
    check(result, "1.1.1.1", point_potentiel=3)  # nothing redistributed
    check(result, "1.1.1.2.1", concerne=False, point_potentiel=0)


# ---------------------------------------------------------------- §3 non concerné and redistribution


def test_non_concerne_tache_shares_its_points_equally_among_the_others():
    result = score([("1.1.1.1.1", "non_concerne")])
    # 1 point shared between 2 tâches of 1 point: 1.5 each; the sous-action keeps 3
    check(result, "1.1.1.1.1", point_potentiel=0, point_non_renseigne=0, concerne=False)
    check(result, "1.1.1.1.2", point_potentiel=1.5, point_non_renseigne=1.5)
    check(result, "1.1.1.1.3", point_potentiel=1.5)
    check(result, "1.1.1.1", point_potentiel=3, concerne=True)


def test_non_concerne_sous_action_is_shared_equally_not_proportionally_then_rescaled_to_taches():
    result = score([("1.1.1.1", "non_concerne"), ("1.1.1.3.1", "fait")])
    # 3 points shared equally: 1.1.1.2 gets 3 + 1.5 = 4.5, 1.1.1.3 gets 6 + 1.5 = 7.5
    # (proportionally it would be 4 and 8)
    check(result, "1.1.1.1", point_potentiel=0, concerne=False)
    check(result, "1.1.1.2", point_potentiel=4.5)
    check(result, "1.1.1.3", point_potentiel=7.5)
    # rescaled top-down: 1.5 × 4.5/3 = 2.25 and 2 × 7.5/6 = 2.5
    check(result, "1.1.1.2.1", point_potentiel=2.25)
    check(result, "1.1.1.3.1", point_potentiel=2.5, point_fait=2.5)
    # a non concerné sous-action's tâches go to 0 but are not themselves non concernées
    check(result, "1.1.1.1.2", point_potentiel=0, point_non_renseigne=0, concerne=True)
    check(result, "1.1.1", point_potentiel=12, point_fait=2.5, point_non_renseigne=9.5)


def test_sous_action_whose_taches_are_all_non_concernees_becomes_non_concernee():
    result = score([("1.1.1.2.1", "non_concerne"), ("1.1.1.2.2", "non_concerne")])
    check(result, "1.1.1.2", concerne=False, point_potentiel=0, point_non_renseigne=0)
    check(result, "1.1.1.1", point_potentiel=4.5)
    check(result, "1.1.1.1.1", point_potentiel=1.5)
    check(result, "1.1.1.3", point_potentiel=7.5)
    check(result, "1.1.1.3.3", point_potentiel=2.5)
    check(result, "1.1.1", point_potentiel=12)


def test_a_status_keeps_a_sous_action_concernee_when_all_its_taches_are_not():
    result = score([("1.1.1.2", "pas_fait"), ("1.1.1.2.1", "non_concerne"), ("1.1.1.2.2", "non_concerne")])
    check(result, "1.1.1.2", concerne=True, point_potentiel=3, point_pas_fait=3)
    check(result, "1.1.1.1", point_potentiel=3)
    check(result, "1.1.1.2.1", concerne=False, point_potentiel=0)


def test_siblings_worth_zero_receive_nothing():
    result = score([("2.1.1.2", "non_concerne")])
    # 4 points go to 2.1.1.1 alone: 2.1.1.0 is worth 0
    check(result, "2.1.1.0", point_potentiel=0, concerne=True)
    check(result, "2.1.1.1", point_potentiel=10)
    check(result, "2.1.1.1.1", point_potentiel=5)
    check(result, "2.1.1", point_potentiel=10)


def test_whole_mesure_non_concernee_drops_out_of_its_axis():
    result = score([("1.1.2.1", "non_concerne"), ("1.1.2.2", "non_concerne"), ("1.1.1.3", "fait")])
    check(result, "1.1.2", concerne=False, point_potentiel=0, point_non_renseigne=0)
    check(result, "1.1.1", point_potentiel=12)  # no redistribution above the action level
    check(result, "1.1", point_potentiel=12, concerne=True)
    check(result, "1", point_potentiel=12, point_fait=6, point_non_renseigne=6)
    check(result, "", point_potentiel=22, point_fait=6, point_non_renseigne=16)
    check(result, "", point_referentiel=30)


def test_non_concerne_above_the_action_level_when_every_mesure_is():
    result = score([("2.1.1.0", "non_concerne"), ("2.1.1.1", "non_concerne"), ("2.1.1.2", "non_concerne")])
    for action_id in ("2.1.1", "2.1", "2"):
        check(result, action_id, concerne=False, point_potentiel=0)
    check(result, "", point_potentiel=20, concerne=True)


def test_action_level_is_read_from_the_data():
    # ECI-like: the action level is depth 2 (1.1 and 1.2 carry the points)
    points = {"": 20, "1": 20, "1.1": 10, "1.1.1": 5, "1.1.2": 5, "1.2": 10, "1.2.1": 10}
    shares = {"1.1.1": 50, "1.1.2": 50, "1.2.1": 100}
    result = score([("1.1.1", "non_concerne"), ("1.2.1", "non_concerne")], points=points,
                   shares=shares, action_depth=2)
    check(result, "1.1.2", point_potentiel=10)  # redistributed below the action level
    check(result, "1.2", concerne=False, point_potentiel=0)  # not redistributed at it
    check(result, "1.1", point_potentiel=10)
    check(result, "", point_potentiel=10)
    assert result.loc["1.1", "niveau"] == "mesure"


# ---------------------------------------------------------------- §4 personnalisation


def test_nested_reductions_multiply_down():
    rules = [("1.1.1", "reduction", "si identite(type, EPCI) alors 2"),
             ("1.1.1.1", "reduction", "si identite(type, EPCI) alors 2"),
             ("1.1.1.3", "reduction", "si identite(type, EPCI) alors 0.5")]
    result = score(rules=rules)
    # mesure 12 × 2 = 24; 1.1.1.1: 3 × 2 × 2 = 12; 1.1.1.2: 3 × 2 = 6; 1.1.1.3: 6 × 2 × 0.5 = 6
    check(result, "1.1.1", point_potentiel=24, point_referentiel=12)
    check(result, "1.1.1.1", point_potentiel=12)
    check(result, "1.1.1.1.1", point_potentiel=4)
    check(result, "1.1.1.2.1", point_potentiel=3)
    check(result, "1.1.1.3", point_potentiel=6)
    check(result, "1.1.1.3.1", point_potentiel=2)
    check(result, "", point_potentiel=42, point_referentiel=30)
    # a profile the rules do not match keeps the referential points
    other = score(rules=rules, profile=COMMUNE)
    check(other, "1.1.1", point_potentiel=12)
    check(other, "1.1.1.1.1", point_potentiel=1)


def test_reduction_without_value_changes_nothing():
    result = score(rules=[("1.1.2", "reduction", "reponse(p1)")])  # unanswered proportion
    check(result, "1.1.2", point_potentiel=8)


def test_desactivation_is_non_concerne_with_desactive_true():
    rules = [("1.1.1.3", "desactivation", "identite(type, commune)")]
    result = score(rules=rules, profile=COMMUNE)
    for action_id in ("1.1.1.3", "1.1.1.3.1", "1.1.1.3.3"):
        check(result, action_id, desactive=True, concerne=False, point_potentiel=0)
    # its 6 points shared equally: 1.1.1.1 and 1.1.1.2 get 3 + 3 = 6 each
    check(result, "1.1.1.1", point_potentiel=6, desactive=False)
    check(result, "1.1.1.1.1", point_potentiel=2)
    check(result, "1.1.1.2.2", point_potentiel=3)
    check(result, "1.1.1", point_potentiel=12, desactive=False, concerne=True)
    # an EPCI is not concerned by the rule
    check(score(rules=rules), "1.1.1.3", desactive=False, concerne=True, point_potentiel=6)


def test_desactivation_with_reduction_to_zero_gives_nothing_to_share():
    # as CAE's 1.1.2.1 (its siblings are raised by other rules so the mesure keeps its points)
    rules = [("1.1.1.1", "reduction", "si identite(type, commune) alors 0"),
             ("1.1.1.1", "desactivation", "identite(type, commune)"),
             ("1.1.1.2", "reduction", "si identite(type, commune) alors 2")]
    result = score(rules=rules, profile=COMMUNE)
    check(result, "1.1.1.1", point_potentiel=0, desactive=True)
    check(result, "1.1.1.2", point_potentiel=6)  # 3 × 2, nothing redistributed
    check(result, "1.1.1.3", point_potentiel=6)
    check(result, "1.1.1", point_potentiel=12)


def test_desactivated_status_counts_for_nothing():
    rules = [("1.1.2.1", "desactivation", "identite(localisation, DOM)")]
    result = score([("1.1.2.1", "fait"), ("1.1.2.2", "fait")], profile=COMMUNE, rules=rules)
    check(result, "1.1.2.1", point_fait=0, point_potentiel=0, desactive=True)
    check(result, "1.1.2.2", point_fait=8, point_potentiel=8)  # 4 + 4 received
    check(result, "1.1.2", point_fait=8, point_potentiel=8)


def test_score_rule_caps_a_realised_ratio_and_only_changes_point_fait():
    rules = [("1.1.2", "score", "min(score(cae_1.1.1), score(cae_1.1.2))")]
    rows = [("1.1.1.3", "fait"), ("1.1.2.1", "fait"), ("1.1.2.2", "detaille", 0.5, 0.5, 0)]
    result = score(rows, rules=rules)
    # before: score(1.1.1) = 6/12 = 0.5, score(1.1.2) = (4 + 2)/8 = 0.75 → new ratio 0.5,
    # point_fait × 0.5/0.75 on 1.1.2 and its sous-actions
    check(result, "1.1.2", point_fait=4, point_programme=2, point_pas_fait=0, point_potentiel=8)
    check(result, "1.1.2.1", point_fait=4 * 2 / 3)
    check(result, "1.1.2.2", point_fait=2 * 2 / 3, point_programme=2)
    check(result, "1.1", point_fait=10)  # ancestors re-summed: 6 + 4
    check(result, "", point_fait=10, point_programme=2)
    # when the other ratio is higher, nothing changes
    lower = score([("1.1.1", "fait"), ("1.1.1.1", "fait"), ("1.1.1.2", "fait"), ("1.1.1.3", "fait"),
                   ("1.1.2.1", "fait")], rules=rules)
    check(lower, "1.1.2", point_fait=4)


def test_score_function_is_zero_when_the_potential_is_zero():
    # score(1.1.2) with 1.1.2 wholly non concernée is 0: 2.1.1's ratio drops to 0 …
    rules = [("2.1.1", "score", "min(score(cae_1.1.2), score(cae_2.1.1))")]
    result = score([("1.1.2.1", "non_concerne"), ("1.1.2.2", "non_concerne"), ("2.1.1.2", "fait")], rules=rules)
    check(result, "2.1.1", point_fait=0, point_potentiel=10)
    check(result, "2.1.1.2", point_fait=0)
    check(result, "", point_fait=0)


# ---------------------------------------------------------------- several evaluations at once


def test_several_subjects_get_their_own_results_same_as_one_by_one():
    rules = [("1.1.1.3", "desactivation", "identite(type, commune)"),
             ("1.1.2", "reduction", "si identite(localisation, DOM) alors 0.5")]
    referentiel = make_referentiel(TREE, SHARES, rules=rules)
    first = statuses(("1.1.1.3", "fait"), ("1.1.2.1", "fait"))
    second = statuses(("1.1.1.1.1", "non_concerne"), ("1.1.2.2", "programme"), ("1.1.1.3", "fait"))
    subjects = pd.DataFrame({"subject": [10, 11, 12], "profile": [0, 1, 0],
                             "collectivite": ["A", "B", "A"]})
    rows = pd.concat([first.assign(subject=10), second.assign(subject=11)], ignore_index=True)
    together = score_evaluations(referentiel, [EPCI, COMMUNE], subjects, rows)
    assert list(together.columns) == list(OUTPUT_COLUMNS)
    assert together["subject"].tolist() == [10] * len(TREE) + [11] * len(TREE) + [12] * len(TREE)

    a = together[together["subject"] == 10].set_index("action_id")
    b = together[together["subject"] == 11].set_index("action_id")
    c = together[together["subject"] == 12].set_index("action_id")
    # subject 10, EPCI: 1.1.1.3 fait (6), 1.1.2.1 fait (4)
    check(a, "", point_fait=10, point_potentiel=30)
    # subject 11, commune in a DOM: 1.1.1.3 désactivé (its fait counts for nothing), 1.1.2 halved
    check(b, "1.1.1.3", desactive=True, point_fait=0)
    check(b, "1.1.1.1.2", point_potentiel=3)  # (1 + 0.5) × 6/3 after 1.1.1.3's 3 went to 1.1.1.1
    check(b, "1.1.2.2", point_programme=2)
    check(b, "", point_fait=0, point_programme=2, point_potentiel=26)
    # subject 12: no status row at all
    check(c, "", point_non_renseigne=30)

    for subject, profile, rows_one in ((10, EPCI, first), (11, COMMUNE, second), (12, EPCI, statuses())):
        alone = score_one(referentiel, profile, rows_one).reset_index(drop=True)
        batch = together[together["subject"] == subject].drop(columns="subject").reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, batch)


def test_batches_larger_than_a_chunk_match_one_by_one(monkeypatch):
    from cae_data.scoring import engine

    monkeypatch.setattr(engine, "CHUNK", 2)
    referentiel = make_referentiel(TREE, SHARES)
    choices = [("1.1.1.1", "fait"), ("1.1.1.2.1", "non_concerne"), ("1.1.2.2", "pas_fait"),
               ("2.1.1.2", "programme"), ("1.1.1.3", "non_renseigne")]
    rows = pd.concat([statuses(*choices[: k + 1]).assign(subject=k) for k in range(5)], ignore_index=True)
    together = score_evaluations(referentiel, [EPCI], pd.DataFrame({"subject": range(5), "profile": 0}), rows)
    for k in range(5):
        alone = score_one(referentiel, EPCI, statuses(*choices[: k + 1]))
        batch = together[together["subject"] == k].drop(columns="subject").reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, batch)


def test_empty_inputs():
    referentiel = make_referentiel(TREE, SHARES)
    assert score_one(referentiel, EPCI, pd.DataFrame())["point_non_renseigne"].iloc[0] == 30
    none = score_evaluations(referentiel, [EPCI], pd.DataFrame({"subject": [], "profile": []}), pd.DataFrame())
    assert none.empty and list(none.columns) == list(OUTPUT_COLUMNS)


def test_unknown_ids_are_ignored_and_a_repeated_row_keeps_the_last():
    result = score([("9.9.9", "fait"), ("1.1.2.1", "pas_fait"), ("1.1.2.1", "fait")])
    check(result, "1.1.2.1", point_fait=4, point_pas_fait=0)
    assert "9.9.9" not in result.index


def test_unknown_statut_is_refused_in_french():
    with pytest.raises(ValueError, match="statuts inconnus : termine"):
        score([("1.1.2.1", "termine")])


# ---------------------------------------------------------------- rounding (§1: 3 decimals at the end)


def test_rounding_decides_on_the_exact_binary_value():
    # 1.725 × 0.3 is stored just below 0.5175, 2.7 / 8 just above 0.3375 (official: 0.517, 0.338)
    assert round_exact(np.array([1.725 * 0.3, 2.7 / 8, 0.0005, 2.5e-3, 1.0, np.nan]))[:5].tolist() == \
        [0.517, 0.338, 0.001, 0.003, 1.0]
    assert np.isnan(round_exact(np.array([np.nan]))[0])
    scores = pd.DataFrame({"point_fait": [0.33749999999999997], "desactive": [False]})
    assert round_scores(scores)["point_fait"].tolist() == [0.337]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(min_value=0, max_value=1e6, allow_nan=False),
                          st.integers(min_value=0, max_value=10 ** 8).map(lambda k: k / 2000)),
                min_size=1, max_size=50))
def test_rounding_matches_python_round(values):
    expected = [round(float(v), 3) for v in values]
    assert round_exact(np.array(values)).tolist() == expected


# ---------------------------------------------------------------- the benchmark's generator


def test_benchmark_generates_a_full_size_referential_and_scores_it():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scoring.py"
    spec = importlib.util.spec_from_file_location("bench_scoring", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    referentiel = bench.synthetic_referentiel()
    counts = referentiel.nodes["niveau"].value_counts()
    assert (counts["axe"], counts["sous-axe"], counts["mesure"]) == (6, 19, 60)
    assert 300 <= counts["sous-action"] <= 340 and 1000 <= counts["tache"] <= 1150
    assert 90 <= len(referentiel.rules) <= 130 and set(referentiel.rules["kind"]) == {
        "reduction", "desactivation", "score"}
    # mesures' points add up at the root, shares of each mesure add up to 100
    nodes = referentiel.nodes.set_index("action_id")
    mesures = nodes[nodes["niveau"] == "mesure"]
    assert nodes.loc["", "point_referentiel"] == pytest.approx(mesures["point_referentiel"].sum())
    shares = nodes[nodes["niveau"] == "sous-action"].groupby("parent_id")["pourcentage"].sum()
    assert (shares == 100).all()
    rows = bench.random_statuses(referentiel, 3)
    profiles = bench.random_profiles(3)
    scores = score_evaluations(referentiel, profiles, pd.DataFrame({"subject": range(3), "profile": range(3)}), rows)
    assert len(scores) == 3 * len(referentiel.nodes)
    assert scores["point_potentiel"].notna().all() and (scores["point_potentiel"] >= 0).all()
