"""Stars (scoring.md §5): thresholds, mandatory actions, désactivation, scenario 08.

Hand-made tree (100 points), holding every node a criterion names:

    1.1.1 mesure 1 ── 1.1.1.1 (100 %) ── 1.1.1.1.1: 1
    1.1.2 mesure 1 ── 1.1.2.0 (0 %) ── 1.1.2.0.1: 0, 1.1.2.0.2: 0
                   └─ 1.1.2.1 (100 %) ── 1.1.2.1.1: 1
    5.1.1 mesure 1 ── 5.1.1.1 (50 %) ── 5.1.1.1.3: 0.5
                   └─ 5.1.1.3 (50 %) ── 5.1.1.3.2: 0.5
    5.1.2 mesure 1 ── 5.1.2.1 (100 %) ── 5.1.2.1.1: 1
    6.1.1 mesure 96 ── 6.1.1.1 (100 %, no tâche): 96

With every criterion met the criterion nodes give 4 points fait; 6.1.1.1 détaillé with a
share f of fait gives 96·f more, so the root score is (4 + 96·f) / 100.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.shared import EXAMPLES, REFERENTIELS

from cae_data.personnalisation.profile import Profile
from cae_data.referentiel.model import NODE_COLUMNS, RULE_COLUMNS, Referentiel, niveau_for_depth, parent_of
from cae_data.scoring.engine import score_evaluations, score_one
from cae_data.scoring.etoiles import CRITERE_COLUMNS, ETOILE_COLUMNS, criteres, etoiles, referentiel_complet

POINTS = {
    "": 100, "1": 2, "1.1": 2,
    "1.1.1": 1, "1.1.1.1": 1, "1.1.1.1.1": 1,
    "1.1.2": 1, "1.1.2.0": 0, "1.1.2.0.1": 0, "1.1.2.0.2": 0, "1.1.2.1": 1, "1.1.2.1.1": 1,
    "5": 2, "5.1": 2,
    "5.1.1": 1, "5.1.1.1": 0.5, "5.1.1.1.3": 0.5, "5.1.1.3": 0.5, "5.1.1.3.2": 0.5,
    "5.1.2": 1, "5.1.2.1": 1, "5.1.2.1.1": 1,
    "6": 96, "6.1": 96, "6.1.1": 96, "6.1.1.1": 96,
}
SHARES = {"1.1.1.1": 100, "1.1.2.0": 0, "1.1.2.1": 100, "5.1.1.1": 50, "5.1.1.3": 50,
          "5.1.2.1": 100, "6.1.1.1": 100}


def make_referentiel(points: dict[str, float], shares: dict[str, float],
                     rules: list[tuple[str, str, str]] = ()) -> Referentiel:
    """Nodes with the model's columns; mesures (depth 3) carry their points."""
    rows = []
    for action_id, value in points.items():
        depth = 0 if action_id == "" else action_id.count(".") + 1
        rows.append({
            "action_id": action_id, "parent_id": parent_of(action_id), "depth": depth,
            "niveau": niveau_for_depth(depth, 3), "ordre": 0, "nom": f"Action {action_id}",
            "description": "", "textes": {}, "categorie": None,
            "points_declares": float(value) if depth == 3 else np.nan,
            "pourcentage": float(shares.get(action_id, np.nan)),
            "point_referentiel": float(value), "collectivite_type": None, "climat_pratic_id": None,
            "source_file": "test", "source_line": len(rows) + 1,
        })
    nodes = pd.DataFrame(rows, columns=NODE_COLUMNS)
    nodes["parent_id"] = nodes["parent_id"].astype(object)
    rule_rows = [{"action_id": a, "kind": k, "expression": e, "description": "", "source_file": "test",
                  "source_line": i + 1} for i, (a, k, e) in enumerate(rules)]
    return Referentiel(nom="test", titre="Test", nodes=nodes, rules=pd.DataFrame(rule_rows, columns=RULE_COLUMNS))


def statuses(*rows) -> pd.DataFrame:
    """rows: (action_id, statut) or (action_id, "detaille", fait, programme, pas_fait)."""
    records = []
    for action_id, statut, *shares in rows:
        fait, programme, pas_fait = shares if shares else (np.nan, np.nan, np.nan)
        records.append({"action_id": action_id, "statut": statut, "fait": fait, "programme": programme,
                        "pas_fait": pas_fait})
    return pd.DataFrame(records, columns=["action_id", "statut", "fait", "programme", "pas_fait"])


EPCI = Profile(nom="CA Test", type="EPCI", population=60000, localisation="Metropole")
COMMUNE = Profile(nom="Commune Test", type="commune", population=8000, localisation="Metropole")
ALL_MET = {
    "1.1.1.1.1": "fait", "1.1.2.0.1": "fait", "1.1.2.0.2": "fait", "1.1.2.1.1": "fait",
    "5.1.1.1.3": "fait", "5.1.1.3.2": "fait", "5.1.2.1.1": "fait",
}


def evaluation(score_share: float, changes: dict | None = None) -> pd.DataFrame:
    """Every criterion met, then `changes` (action_id → statut, or None to remove the row);
    6.1.1.1 détaillé so that the root reaches `score_share` when the criteria give 4 points."""
    rows = dict(ALL_MET)
    rows.update(changes or {})
    f = (score_share * 100 - 4) / 96
    listed = [(a, s) for a, s in rows.items() if s is not None]
    return statuses(*listed, ("6.1.1.1", "detaille", f, 0.0, 1 - f))


def run(score_share: float, changes: dict | None = None, profile=EPCI, rules=()):
    referentiel = make_referentiel(POINTS, SHARES, rules=rules)
    rows = evaluation(score_share, changes)
    scores = score_one(referentiel, profile, rows)
    return referentiel, scores, rows


def etoile_row(score_share: float, changes: dict | None = None, profile=EPCI, rules=()) -> pd.Series:
    referentiel, scores, rows = run(score_share, changes, profile, rules)
    result = etoiles(referentiel, scores, rows)
    assert list(result.columns) == ETOILE_COLUMNS and len(result) == 1
    return result.iloc[0]


@pytest.mark.parametrize("share, expected", [
    (0.04, 1), (0.349, 1), (0.35, 2), (0.499, 2), (0.50, 3), (0.649, 3), (0.65, 4), (0.749, 4), (0.75, 5),
    (1.0, 5),
])
def test_thresholds(share, expected):
    row = etoile_row(share)
    assert row["score_realise"] == pytest.approx(share)
    assert row["etoiles"] == expected


def test_next_etoile_and_points_still_needed():
    row = etoile_row(0.349)
    assert row["prochaine_etoile"] == 2
    assert row["points_manquants"] == pytest.approx(0.1)  # 35 − 34.9 points of 100
    assert row["criteres_manquants"] == 1  # the 35 % threshold
    assert row["actions_manquantes"] == 0  # … which is no mandatory action (issue 16: no « 1 action obligatoire »)
    top = etoile_row(0.8)
    assert pd.isna(top["prochaine_etoile"]) and top["points_manquants"] == 0


@pytest.mark.parametrize("changes, expected, missing", [
    ({"5.1.2.1.1": "programme"}, 0, "5.1.2.1.1"),  # élu référent: fait needed
    ({"5.1.1.1.3": None}, 0, "5.1.1.1.3"),  # référent technique without status
    ({"5.1.1.3.2": "pas_fait"}, 0, "5.1.1.3.2"),  # équipe projet
    ({"1.1.2.1.1": "pas_fait"}, 0, "1.1.2"),  # mesure 1.1.2 at 0 % fait
    ({"1.1.2.0.1": "pas_fait"}, 0, "1.1.2.0.1"),  # PCAET conformity
    ({"1.1.2.0.2": None}, 0, "1.1.2.0.2"),  # BEGES conformity
    ({"1.1.1.1.1": "programme"}, 1, "1.1.1.1.1"),  # star 2: fait needed
    ({"1.1.2.0.1": "programme"}, 1, "1.1.2.0.1"),  # star 1 accepts programmé, star 2 does not
    ({"1.1.2.0.2": "programme"}, 1, "1.1.2.0.2"),
])
def test_each_mandatory_criterion(changes, expected, missing):
    referentiel, scores, rows = run(0.8, changes)
    assert etoiles(referentiel, scores, rows).iloc[0]["etoiles"] == expected
    table = criteres(referentiel, scores, rows)
    assert list(table.columns) == CRITERE_COLUMNS
    unmet = table[~table["satisfait"]]
    assert set(unmet["action_id"]) == {missing}
    assert unmet["etoile"].min() == expected + 1


def test_programme_is_enough_for_the_project_team_and_20_percent_for_1_1_2():
    assert etoile_row(0.8, {"5.1.1.3.2": "programme"})["etoiles"] == 5
    referentiel = make_referentiel(POINTS, SHARES)
    rows = evaluation(0.8, {"1.1.2.1.1": None})
    rows = pd.concat([rows, statuses(("1.1.2.1.1", "detaille", 0.2, 0.0, 0.8))], ignore_index=True)
    scores = score_one(referentiel, EPCI, rows)
    assert etoiles(referentiel, scores, rows).iloc[0]["etoiles"] == 5
    rows.loc[rows["action_id"] == "1.1.2.1.1", ["fait", "pas_fait"]] = [0.19, 0.81]
    scores = score_one(referentiel, EPCI, rows)
    assert etoiles(referentiel, scores, rows).iloc[0]["etoiles"] == 0


def test_a_criterion_on_a_desactivated_node_is_dropped():
    rules = [("1.1.2.0.1", "desactivation", "identite(type, commune)")]
    referentiel, scores, rows = run(0.8, {"1.1.2.0.1": None}, profile=COMMUNE, rules=rules)
    assert etoiles(referentiel, scores, rows).iloc[0]["etoiles"] == 5
    table = criteres(referentiel, scores, rows)
    dropped = table[table["action_id"] == "1.1.2.0.1"]
    assert len(dropped) == 2 and not dropped["applicable"].any() and dropped["satisfait"].all()
    # the same profile without the rule: the criterion counts, and is missing
    referentiel, scores, rows = run(0.8, {"1.1.2.0.1": None}, profile=COMMUNE)
    assert etoiles(referentiel, scores, rows).iloc[0]["etoiles"] == 0


def test_a_tache_criterion_uses_its_sous_action_own_status():
    # 5.1.2.1 fait: the élu référent counts as fait although its tâche has no status
    assert etoile_row(0.8, {"5.1.2.1.1": None, "5.1.2.1": "fait"})["etoiles"] == 5
    # 5.1.2.1 programmé wins over a tâche marked fait
    assert etoile_row(0.8, {"5.1.2.1": "programme"})["etoiles"] == 0
    # conformity tâches worth 0 points, judged on 1.1.2.0's own status
    assert etoile_row(0.8, {"1.1.2.0.1": None, "1.1.2.0.2": None, "1.1.2.0": "fait"})["etoiles"] == 5
    assert etoile_row(0.8, {"1.1.2.0.1": None, "1.1.2.0.2": None, "1.1.2.0": "programme"})["etoiles"] == 1


def test_several_subjects():
    referentiel = make_referentiel(POINTS, SHARES)
    rows = pd.concat([evaluation(0.8).assign(subject=3), evaluation(0.4, {"5.1.2.1.1": "programme"}).assign(subject=4),
                      evaluation(0.55).assign(subject=5)], ignore_index=True)
    subjects = pd.DataFrame({"subject": [3, 4, 5], "profile": [0, 0, 0]})
    scores = score_evaluations(referentiel, [EPCI], subjects, rows)
    result = etoiles(referentiel, scores, rows)
    assert result["subject"].tolist() == [3, 4, 5]
    assert result["etoiles"].tolist() == [5, 0, 3]
    assert result["prochaine_etoile"].tolist()[1:] == [1, 4]
    assert result["points_manquants"].tolist()[2] == pytest.approx(10)  # 65 − 55
    assert len(criteres(referentiel, scores, rows)) == 3 * 13


def test_referentiel_complet():
    assert referentiel_complet(make_referentiel(POINTS, SHARES))
    partial = {k: v for k, v in POINTS.items() if not k.startswith("5.1.2")}
    partial.update({"5": 1, "5.1": 1, "": 99})
    assert not referentiel_complet(make_referentiel(partial, SHARES))


# ---------------------------------------------------------------- scenario 08

EXAMPLE_08 = EXAMPLES / "08-etat-des-lieux-complet"


@pytest.mark.shared("referentiels/cae", "formats/scoring-examples/08-etat-des-lieux-complet")
def test_etoiles_of_scenario_08():
    from cae_data.personnalisation.profile import read_profile
    from cae_data.referentiel.loader import read_referentiel

    # By hand from expected.csv: the root line reads 500.000 potentiel, 295.070 fait:
    # 295.070 / 500 = 59.0 % → 3 stars by the thresholds (50 % ≤ 59 % < 65 %).
    expected = pd.read_csv(EXAMPLE_08 / "expected.csv", dtype={"action_id": str}, keep_default_na=False)
    root = expected[expected["action_id"] == ""].iloc[0]
    assert (root["point_potentiel"], root["point_fait"]) == (500.0, 295.07)
    # But the evaluation gives 5.1.2.1 (the élu référent's sous-action) « programmé »: star 1
    # needs 5.1.2.1.1 fait, so 0 stars; 1.1.2.0 is programmé (conformity: enough for star 1,
    # not for star 2).
    referentiel = read_referentiel(REFERENTIELS / "cae", personnalisations=REFERENTIELS / "personnalisations",
                                   questions=REFERENTIELS / "questions")
    assert referentiel_complet(referentiel)
    profile = read_profile((EXAMPLE_08 / "collectivite.yaml").read_bytes(), "collectivite.yaml",
                           referentiel.questions)
    frame = pd.read_csv(EXAMPLE_08 / "evaluation.csv", dtype=str, keep_default_na=False)
    codes = {"fait": "fait", "programmé": "programme", "pas fait": "pas_fait", "non concerné": "non_concerne",
             "non renseigné": "non_renseigne", "détaillé": "detaille"}
    rows = pd.DataFrame({"action_id": frame["action_id"], "statut": frame["statut"].map(codes)})
    for column in ("fait", "programme", "pas_fait"):
        rows[column] = pd.to_numeric(frame[column], errors="coerce") / 100
    scores = score_one(referentiel, profile, rows)
    row = etoiles(referentiel, scores, rows).iloc[0]
    assert row["score_realise"] == pytest.approx(295.07 / 500, abs=1e-5)
    assert row["etoiles"] == 0 and row["prochaine_etoile"] == 1 and row["criteres_manquants"] == 1
    table = criteres(referentiel, scores, rows)
    unmet = table[~table["satisfait"]]
    assert unmet[unmet["etoile"] == 1]["action_id"].tolist() == ["5.1.2.1.1"]

    # élu référent fait: 5.1.2.1 is worth 2.1 points → (295.07 + 2.1) / 500 = 59.4 %; star 2
    # still waits for the conformity tâches fait → 1 star
    rows.loc[rows["action_id"] == "5.1.2.1", "statut"] = "fait"
    scores = score_one(referentiel, profile, rows)
    row = etoiles(referentiel, scores, rows).iloc[0]
    assert row["score_realise"] == pytest.approx(297.17 / 500, abs=1e-5)
    assert row["etoiles"] == 1
    # conformity fait too (1.1.2.0 is worth 0 points: the score does not move) → 3 stars;
    # star 4 needs 65 % of 500 = 325 points fait: 27.83 more
    rows.loc[rows["action_id"] == "1.1.2.0", "statut"] = "fait"
    scores = score_one(referentiel, profile, rows)
    row = etoiles(referentiel, scores, rows).iloc[0]
    assert row["etoiles"] == 3 and row["prochaine_etoile"] == 4
    assert row["points_manquants"] == pytest.approx(325 - 297.17, abs=1e-3)
    assert np.isclose(row["score_realise"], 297.17 / 500, atol=1e-5)


def test_missing_mandatory_actions_are_counted_apart_from_the_threshold():
    # 30 % réalisé with the élu référent's tâche only programmé: star 1 (no threshold) misses one
    # action; with 5.1.2.1.1 fait, star 2 misses its 35 % threshold and no action.
    referentiel, scores, rows = run(0.30, {"5.1.2.1.1": "programme"})
    row = etoiles(referentiel, scores, rows).iloc[0]
    assert (row["etoiles"], row["prochaine_etoile"]) == (0, 1)
    assert (row["criteres_manquants"], row["actions_manquantes"]) == (1, 1)
    row = etoile_row(0.30)
    assert (row["etoiles"], row["prochaine_etoile"], row["criteres_manquants"], row["actions_manquantes"]) == (1, 2, 1, 0)
