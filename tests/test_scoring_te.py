"""TE scoring (referentiel-te.md § Scoring TE) on the invented `te-mini-structure.csv`, every
expectation computed by hand from its points:

    1 Planifier                      14 = 1.1
      1.1 Stratégies                 14 = 6 + 3 + 5
        1.1.1 diagnostic              6 = 1.5 + 2.5 + 2      désactivé when PCAET_1 = NON
          1.1.1.1                   1.5
          1.1.1.2                   2.5  (tâches 1.1.1.2.a, .b: 1.25 each)
          1.1.1.3                     2  score indicatif: cae_18
        1.1.1alter                    3 = 3                 désactivé when PCAET_1 = OUI
          1.1.1alter.1                3
        1.1.2 stratégie               5 = 2 + 3
          1.1.2.1                     2
          1.1.2.2                     3                     désactivé for sous-type syndicat
    2 Préserver                       5 = 2.1 = 2.1.1 = 4 + 1
          2.1.1.1                     4                     score indicatif: te_7
          2.1.1.2                     1                     score indicatif: te_15 (uncapped)
    root                             19
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cae_data.personnalisation.profile import Profile
from cae_data.referentiel.loader import read_referentiel
from cae_data.scoring import criteres, etoiles, score_one
from cae_data.scoring.indicatif import INDICATIF_COLUMNS, scores_indicatifs

MINI = Path(__file__).resolve().parent / "fixtures" / "referentiel" / "te-mini-structure.csv"
PCAET_OUI = Profile(nom="CA", type="EPCI", reponses={"PCAET_1": "OUI"})
PCAET_NON = Profile(nom="CC", type="EPCI", reponses={"PCAET_1": "NON"})


@pytest.fixture(scope="module")
def te():
    return read_referentiel(MINI, nom="te")


def statuses(rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"action_id": list(rows), "statut": list(rows.values())})


def scored(te, profile, rows: dict[str, str]) -> pd.DataFrame:
    scores = score_one(te, profile, statuses(rows))
    return scores.assign(action_id=scores["action_id"].astype(str)).set_index("action_id")


def test_non_concerne_sous_mesure_shrinks_its_mesure_by_exactly_its_points(te):
    s = scored(te, PCAET_OUI, {"1.1.1.1": "fait", "1.1.1.2": "fait", "1.1.1.3": "non_concerne"})
    # no redistribution: 1.1.1.1 and 1.1.1.2 keep their own points
    assert s.loc["1.1.1.1", "point_potentiel"] == 1.5
    assert s.loc["1.1.1.2", "point_potentiel"] == 2.5
    assert s.loc["1.1.1.3", "point_potentiel"] == 0 and not s.loc["1.1.1.3", "concerne"]
    assert s.loc["1.1.1", "point_potentiel"] == pytest.approx(6 - 2)
    assert s.loc["1.1.1", "point_fait"] == pytest.approx(1.5 + 2.5)
    # 1.1 = 4 (1.1.1) + 0 (alter, désactivé by PCAET_1 = OUI) + 5; root = 9 + 5
    assert s.loc["1.1", "point_potentiel"] == pytest.approx(9)
    assert s.loc["", "point_potentiel"] == pytest.approx(14)
    # a CAE-like referential would have given 2 / 2 = 1 point more to each concerné sibling
    assert s.loc["1.1.1.2.a", "point_potentiel"] == 1.25   # the sous-mesure's own tâches are untouched


def test_desactivated_sous_mesure_and_non_concerne_tache(te):
    syndicat = Profile(nom="S", type="syndicat", reponses={"PCAET_1": "OUI"})
    s = scored(te, syndicat, {"1.1.2.1": "fait"})
    # identite(soustype, syndicat): 1.1.2.2 (3) désactivé, 1.1.2 shrinks to 2 and is all fait
    assert bool(s.loc["1.1.2.2", "desactive"]) and s.loc["1.1.2.2", "point_potentiel"] == 0
    assert s.loc["1.1.2", "point_potentiel"] == 2 and s.loc["1.1.2", "point_fait"] == 2
    # same for an EPCI whose sous-type is syndicat; an EPCI without sous-type keeps 5
    epci_syndicat = Profile(nom="S", type="EPCI", soustype="syndicat", reponses={"PCAET_1": "OUI"})
    assert scored(te, epci_syndicat, {}).loc["1.1.2", "point_potentiel"] == 2
    assert scored(te, PCAET_OUI, {}).loc["1.1.2", "point_potentiel"] == 5
    # a non concerné tâche takes its 1.25 out of the sous-mesure, which shrinks to 1.25
    s = scored(te, PCAET_OUI, {"1.1.1.2.a": "non_concerne", "1.1.1.2.b": "fait"})
    assert s.loc["1.1.1.2", "point_potentiel"] == 1.25 and s.loc["1.1.1.2", "point_fait"] == 1.25
    assert s.loc["1.1.1", "point_potentiel"] == pytest.approx(1.5 + 1.25 + 2)


def test_alter_mesure_replaces_its_twin_for_a_given_answer(te):
    with_pcaet = scored(te, PCAET_OUI, {})
    without = scored(te, PCAET_NON, {})
    # PCAET_1 = OUI: 1.1.1 counts (6), 1.1.1alter is désactivé
    assert with_pcaet.loc["1.1.1", "point_potentiel"] == 6 and bool(with_pcaet.loc["1.1.1alter", "desactive"])
    assert with_pcaet.loc["1.1", "point_potentiel"] == pytest.approx(6 + 5)
    # PCAET_1 = NON: the other way round, 3 instead of 6
    assert bool(without.loc["1.1.1", "desactive"]) and without.loc["1.1.1alter", "point_potentiel"] == 3
    assert without.loc["1.1", "point_potentiel"] == pytest.approx(3 + 5)
    assert without.loc["", "point_potentiel"] == pytest.approx(8 + 5)
    # the sous-mesures of the désactivé twin read désactivé too
    assert bool(without.loc["1.1.1.2.a", "desactive"]) and not without.loc["1.1.1.2.a", "concerne"]


def test_status_on_sous_mesure_wins_over_its_taches(te):
    s = scored(te, PCAET_OUI, {"1.1.1.2": "programme", "1.1.1.2.a": "fait"})
    assert s.loc["1.1.1.2", "point_programme"] == 2.5 and s.loc["1.1.1.2", "point_fait"] == 0
    detail = pd.DataFrame({"action_id": ["1.1.1.3"], "statut": ["detaille"], "fait": [0.25], "programme": [0.5],
                           "pas_fait": [0.25]})
    scores = score_one(te, PCAET_OUI, detail).set_index(pd.Index(te.nodes["action_id"]))
    assert scores.loc["1.1.1.3", ["point_fait", "point_programme", "point_pas_fait"]].tolist() == [0.5, 1.0, 0.5]


def test_etoiles_same_thresholds_without_mandatory_actions(te):
    # potential with PCAET_1 = OUI: 19 − 3 (alter) = 16; fait: 1.1.1 (6) + 1.1.2.1 (2) = 8 → 50 %
    rows = {"1.1.1.1": "fait", "1.1.1.2": "fait", "1.1.1.3": "fait", "1.1.2.1": "fait"}
    result = etoiles(te, score_one(te, PCAET_OUI, statuses(rows)), statuses(rows)).iloc[0]
    assert result["score_realise"] == pytest.approx(8 / 16)
    assert result["etoiles"] == 3 and result["prochaine_etoile"] == 4
    assert result["points_manquants"] == pytest.approx(0.65 * 16 - 8)   # 2.4 points fait to reach 65 %
    table = criteres(te, score_one(te, PCAET_OUI, statuses(rows)), statuses(rows))
    assert table["action_id"].tolist() == ["", "", "", ""]          # thresholds of stars 2–5 only
    # nothing done: 1 star (0 %), no élu référent needed
    nothing = etoiles(te, score_one(te, PCAET_OUI, statuses({})), statuses({})).iloc[0]
    assert nothing["etoiles"] == 1 and nothing["prochaine_etoile"] == 2


def test_many_te_evaluations_at_once_match_one_by_one(te):
    from cae_data.scoring import score_evaluations

    profiles = [PCAET_OUI, PCAET_NON]
    subjects = pd.DataFrame({"subject": [10, 11, 12], "profile": [0, 1, 0]})
    rows = pd.DataFrame({"subject": [10, 11, 12, 12], "action_id": ["1.1.1.3", "1.1.1alter.1", "2.1.1.1", "1.1.2.2"],
                         "statut": ["non_concerne", "fait", "programme", "non_concerne"]})
    batch = score_evaluations(te, profiles, subjects, rows)
    for subject, profile in ((10, PCAET_OUI), (11, PCAET_NON), (12, PCAET_OUI)):
        one = score_one(te, profile, rows[rows["subject"] == subject].drop(columns="subject"))
        mine = batch[batch["subject"] == subject].drop(columns="subject").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, one)


# --- score indicatif -------------------------------------------------------------------------------

def indicatif(te, rows, profile=PCAET_OUI) -> pd.DataFrame:
    valeurs = pd.DataFrame(rows, columns=["subject", "indicateur", "valeur", "cible", "limite"])
    subjects = pd.DataFrame({"subject": sorted(set(valeurs["subject"])), "profile": 0})
    table = scores_indicatifs(te, valeurs, [profile], subjects)
    assert list(table.columns) == INDICATIF_COLUMNS
    return table.set_index(["subject", "action_id"])


def test_score_indicatif_above_at_and_below_target(te):
    nan = np.nan
    table = indicatif(te, [
        # 1.1.1.3: si val > cible alors 1 sinon val / cible
        [1, "cae_18", 12, 10, nan],    # above: 1
        [2, "cae_18", 10, 10, nan],    # at: not above, 10 / 10 = 1
        [3, "cae_18", 4, 10, nan],     # below: 4 / 10 = 0.4
        # 2.1.1.1: 0 below the threshold, 1 above the target, linear in between
        [1, "te_7", 5, 4, 1],          # above the target 4: 1
        [2, "te_7", 2.5, 4, 1],        # (2.5 − 1) / (4 − 1) = 0.5
        [3, "TE_7", 0.5, 4, 1],        # under the threshold 1: 0 (ids read without case)
    ])
    assert table.loc[(1, "1.1.1.3"), "ratio"] == 1
    assert table.loc[(2, "1.1.1.3"), "ratio"] == 1
    assert table.loc[(3, "1.1.1.3"), "ratio"] == pytest.approx(0.4)
    assert table.loc[(1, "2.1.1.1"), "ratio"] == 1
    assert table.loc[(2, "2.1.1.1"), "ratio"] == pytest.approx(0.5)
    assert table.loc[(3, "2.1.1.1"), "ratio"] == 0
    assert table.loc[(1, "1.1.1.3"), "indicateurs"] == ["cae_18"]
    assert table.loc[(3, "1.1.1.3"), "valeurs_manquantes"] == [] and table.loc[(3, "1.1.1.3"), "calcule"]
    # the unreadable formula of 2.1.1 gives no row
    assert "2.1.1" not in set(table.index.get_level_values("action_id"))


def test_score_indicatif_missing_values_are_named(te):
    nan = np.nan
    table = indicatif(te, [
        [1, "cae_18", nan, 10, nan],   # no value: not computed, val missing
        [2, "cae_18", 8, nan, nan],    # no target: cible missing
        [3, "te_15", 7, 4, 1],         # (7 − 1) / (4 − 1) = 2: shown as 1, 2 kept as ratio_brut
        [4, "te_15", 3, 1, 1],         # cible = limite: division by zero, not computed, nothing missing
    ])
    assert np.isnan(table.loc[(1, "1.1.1.3"), "ratio"]) and not table.loc[(1, "1.1.1.3"), "calcule"]
    assert table.loc[(1, "1.1.1.3"), "valeurs_manquantes"] == ["val(cae_18)"]
    assert table.loc[(2, "1.1.1.3"), "valeurs_manquantes"] == ["cible(cae_18)"]
    # nothing at all for te_7: everything its formula may need is named
    assert table.loc[(1, "2.1.1.1"), "valeurs_manquantes"] == ["val(te_7)", "limite(te_7)", "cible(te_7)"]
    assert table.loc[(3, "2.1.1.2"), "ratio"] == 1 and table.loc[(3, "2.1.1.2"), "ratio_brut"] == 2
    assert not table.loc[(4, "2.1.1.2"), "calcule"] and table.loc[(4, "2.1.1.2"), "valeurs_manquantes"] == []


def test_score_indicatif_reads_only_the_branch_of_the_collectivity(te):
    nan = np.nan
    rows = [[1, "cae_15.a", 3, 4, nan]]                 # 1.1.1.2.a: val / cible, Metropole branch
    metropole = indicatif(te, rows, Profile(nom="M", localisation="Metropole"))
    assert metropole.loc[(1, "1.1.1.2.a"), "ratio"] == pytest.approx(0.75)
    assert metropole.loc[(1, "1.1.1.2.a"), "valeurs_manquantes"] == []   # the DOM values are not needed
    dom = indicatif(te, rows, Profile(nom="D", localisation="DOM"))
    assert not dom.loc[(1, "1.1.1.2.a"), "calcule"]
    assert dom.loc[(1, "1.1.1.2.a"), "valeurs_manquantes"] == ["val(cae_15.a_dom)", "cible(cae_15.a_dom)"]


def test_score_indicatif_never_changes_the_points(te):
    rows = statuses({"1.1.1.3": "pas_fait"})
    before = score_one(te, PCAET_OUI, rows)
    indicatif(te, [[0, "cae_18", 12, 10, np.nan]])
    after = score_one(te, PCAET_OUI, rows)
    pd.testing.assert_frame_equal(before, after)
    assert after[after["action_id"].astype(str) == "1.1.1.3"]["point_fait"].iloc[0] == 0
