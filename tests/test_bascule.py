"""The switch to Climat Ressources (referentiel-te.md § Switching), engine side, on the invented
pair tests/fixtures/bascule/ (a mini CAE, a mini ECI and a mini TE whose origins point to them).
Every expectation is computed by hand from the rules below; the arithmetic is in the comments.

Mini CAE (38 points; tâches share their sous-action equally):

    1.1  mesure 10    1.1.1 40 % = 4  (tâches .1 .2: 2 each)    1.1.2 60 % = 6 (tâches .1 .2 .3: 2 each)
    1.2  mesure 20    1.2.1 50 % = 10 (tâches .1 .2: 5 each)    1.2.2 25 % = 5 (4 tâches: 1.25 each)
                      1.2.3 25 % = 5  (tâches .1 .2: 2.5 each)
    2.1  mesure 8     2.1.1 50 % = 4  (tâches .1 .2: 2 each)    2.1.2 50 % = 4 (no tâche)

The CAE evaluation (EVALUATION):

    1.1.1.1 fait, 1.1.1.2 programmé         1.1.2 détaillé 60/20/20 (and 1.1.2.1 pas fait, hidden)
    1.2.1 fait (on the sous-action)          1.2.2 non concerné
    1.2.3.1 fait, 1.2.3.2 non concerné      2.1.1 non concerné        2.1.2 pas fait

Mini TE (sous-mesure points; P after the profile's personnalisation, eau_1 = NON):

    1.1.1.1   3  one origin             cae 1.1.1
    1.1.1.2   6  weighted origins       cae 1.1.2 (1), cae 1.2.1 (0,5)      (1.1.2 is détaillé)
    1.1.1.3   4  a non concerné origin  cae 1.2.2 (non concerné), cae 1.2.3
    1.1.2.1   2  all origins NC         cae 2.1.1
    1.1.2.2   5  Nouvelle action        (tâches .a .b: 2.5 each; désactivé when PCAET_1 = NON)
    1.1.2.3   2  tâche origins          cae 1.2.1.1, cae 1.2.1.2  (the status is on 1.2.1)
    2.1.1.1   3  reduced × 0.5 when eau_1 = NON: P = 1.5        cae 2.1.2
    2.1.1.2   1  an ECI origin          eci 1.1.1
    2.1.1.3   2  no origin; its tâche 2.1.1.3.a (1 point) has cae 1.1.1.1, 2.1.1.3.b (1) none
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cae_data.bascule import avancement_taches, projeter, synthese
from cae_data.bascule.projection import (
    DESACTIVEE,
    NON_CONCERNEE,
    NON_RENSEIGNEE,
    PROJETEE,
    SourceOrigine,
    arrondi_cinq_pourcent,
    statuts_depuis_points,
)
from cae_data.bascule.xlsx import SHEETS, build_xlsx
from cae_data.personnalisation.profile import Profile
from cae_data.referentiel.loader import read_referentiel
from cae_data.scoring import score_one

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bascule"
PROFILE = Profile(nom="Testville", type="EPCI", reponses={"eau_1": "NON"})
EVALUATION = pd.DataFrame({
    "action_id": ["1.1.1.1", "1.1.1.2", "1.1.2", "1.1.2.1", "1.2.1", "1.2.2", "1.2.3.1", "1.2.3.2", "2.1.1",
                  "2.1.2"],
    "statut": ["fait", "programme", "detaille", "pas_fait", "fait", "non_concerne", "fait", "non_concerne",
               "non_concerne", "pas_fait"],
    "fait": [np.nan, np.nan, 0.6, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
    "programme": [np.nan, np.nan, 0.2, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
    "pas_fait": [np.nan, np.nan, 0.2, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
})


@pytest.fixture(scope="module")
def cae():
    return read_referentiel(FIXTURES / "cae-structure.csv")


@pytest.fixture(scope="module")
def eci():
    return read_referentiel(FIXTURES / "eci-structure.csv")


@pytest.fixture(scope="module")
def te():
    return read_referentiel(FIXTURES / "te-structure.csv", questions=FIXTURES / "questions")


@pytest.fixture(scope="module")
def projection(te, cae):
    return projeter(te, PROFILE, {"cae": SourceOrigine(cae, EVALUATION)})


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(action_id=frame["action_id"].astype(str)).set_index("action_id")


# ---------------------------------------------------------------- shares counted on tâches


def test_shares_are_counted_on_taches_as_the_platform(cae):
    scores = score_one(cae, PROFILE, EVALUATION)
    a = by_id(avancement_taches(cae, scores, EVALUATION))
    # 1.1.1: its tâches fait and programmé → 1 / 2 each
    assert a.loc["1.1.1", ["total_taches", "fait", "programme", "pas_fait"]].tolist() == [2, 0.5, 0.5, 0]
    # 1.1.2: its own détaillé status wins over the tâche 1.1.2.1 « pas fait »: 60/20/20 on 3 tâches
    assert a.loc["1.1.2", "total_taches"] == 3
    assert a.loc["1.1.2", ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.6, 0.2, 0.2])
    # 1.2.1 fait on the sous-action: 1; its tâches have no status of their own: 0, flagged
    assert a.loc["1.2.1", ["total_taches", "fait"]].tolist() == [2, 1]
    assert a.loc["1.2.1.1", "fait"] == 0 and a.loc["1.2.1.1", "sous_statut_parent"]
    assert not a.loc["1.1.1.1", "sous_statut_parent"]
    # 1.2.2 non concerné: not concerné, and neither are its tâches (the platform propagates it)
    assert not a.loc["1.2.2", "concerne"] and not a.loc["1.2.2.3", "concerne"]
    assert a.loc["1.2.2", "total_taches"] == 4  # its 4 leaf children
    # 1.2.3: 1 tâche fait, 1 non concernée still counted: 1 / 2 (the platform's rule)
    assert a.loc["1.2.3", ["total_taches", "taches_non_concernees", "fait"]].tolist() == [2, 1, 0.5]
    # mesure 1.2: totals 2 + 4 + 2 = 8, fait 1×2 + 0 + 1 = 3 → 3 / 8
    assert a.loc["1.2", ["total_taches", "fait"]].tolist() == [8, 3 / 8]
    # root: totals 5 + 8 + 3 (2.1.1 non concerné: 2 leaf children; 2.1.2 a leaf: 1) = 16;
    # fait 1 + 0.6×3 + 3 = 5.8; pas fait 0.2×3 + 1 = 1.6
    assert a.loc["", "total_taches"] == 16
    assert a.loc["", "fait"] == pytest.approx(5.8 / 16) and a.loc["", "pas_fait"] == pytest.approx(1.6 / 16)


# ---------------------------------------------------------------- the rules, cible by cible


def cible(projection, action_id: str) -> pd.Series:
    return by_id(projection.cibles).loc[action_id]


def test_one_origin(projection):
    c = cible(projection, "1.1.1.1")
    # ratio = 3 / 4; fait = 0.75 × (0.5 × 4) = 1.5; programmé the same; non renseigné 3 − 3 = 0
    assert c["etat"] == PROJETEE and c["ratio"] == 0.75
    assert [c["point_fait"], c["point_programme"], c["point_pas_fait"], c["point_non_renseigne"]] == [1.5, 1.5, 0, 0]
    # shares 0.5 / 0.5 / 0: mixed → détaillé 50 / 50 / 0
    assert [c["statut"], c["fait"], c["programme"], c["pas_fait"]] == ["detaille", 0.5, 0.5, 0.0]


def test_several_weighted_origins_one_of_them_detaille(projection):
    c = cible(projection, "1.1.1.2")
    # Σ pts·w = 6×1 + 10×0.5 = 11; ratio = 6 / 11
    # fait = 6/11 × (0.6×6 + 1×10×0.5) = 6/11 × 8.6 = 4.6909…; programmé = pas fait = 6/11 × 0.2×6 = 0.6545…
    assert c["points_origines"] == 11 and c["ratio"] == pytest.approx(6 / 11)
    assert c["point_fait"] == pytest.approx(6 / 11 * 8.6)
    assert c["point_programme"] == pytest.approx(6 / 11 * 1.2) and c["point_pas_fait"] == pytest.approx(6 / 11 * 1.2)
    assert c["point_non_renseigne"] == pytest.approx(0, abs=1e-12)
    # the platform's statuses: rounded points 4.691 / 0.655 / 0.655 over 6 = 78.18 % / 10.92 % / 10.92 %,
    # rounded DOWN to 5 %: fait 75, programmé 10, pas fait the rest 100 − 75 − 10 = 15
    assert [c["statut"], c["fait"], c["programme"], c["pas_fait"]] == ["detaille", 0.75, 0.10, 0.15]
    # the CAE/ECI points fait these origins bring: 3.6 (1.1.2) + 0.5 × 12.5 (1.2.1, with the 2.5
    # the non concerné 1.2.2 hands it in the CAE engine) = 9.85
    assert c["point_fait_origines"] == pytest.approx(9.85)


def test_a_non_concerne_origin_is_left_out(projection):
    c = cible(projection, "1.1.1.3")
    # cae 1.2.2 non concerné is left out: ratio = 4 / 5 (1.2.3 alone); fait = 0.8 × (0.5 × 5) = 2;
    # non renseigné = 4 − 2 = 2
    assert (c["origines_concernees"], c["origines_non_concernees"]) == (1, 1)
    assert [c["ratio"], c["point_fait"], c["point_non_renseigne"]] == [0.8, 2, 2]
    # shares 0.5 / 0 / 0 → détaillé 50 / 0 / 50: the platform writes the non renseigné half as pas fait
    assert [c["statut"], c["fait"], c["programme"], c["pas_fait"]] == ["detaille", 0.5, 0.0, 0.5]


def test_all_origins_non_concerne_make_the_node_non_concerne(projection):
    c = cible(projection, "1.1.2.1")
    assert c["etat"] == NON_CONCERNEE and c["statut"] == "non_concerne"
    s = by_id(projection.scores)
    assert not s.loc["1.1.2.1", "concerne"] and s.loc["1.1.2.1", "point_potentiel"] == 0
    # no redistribution in TE: mesure 1.1.2 = 2 + 5 + 2 − 2 = 7
    assert s.loc["1.1.2", "point_potentiel"] == 7


def test_nouvelle_action_starts_non_renseignee(projection):
    s = by_id(projection.scores)
    assert "1.1.2.2" not in set(projection.cibles["action_id"])  # no origin: no status written
    assert s.loc["1.1.2.2", "point_non_renseigne"] == 5 and s.loc["1.1.2.2", "point_fait"] == 0
    assert s.loc["1.1.2.2.a", "point_non_renseigne"] == 2.5


def test_taches_whose_sous_action_carries_the_status_count_non_renseignees(projection):
    c = cible(projection, "1.1.2.3")
    # both origins are tâches of 1.2.1, which is fait on the sous-action only: shares 0 → 0 points,
    # non renseigné 2, no status written
    assert c["etat"] == NON_RENSEIGNEE and c["point_non_renseigne"] == 2 and pd.isna(c["statut"])


def test_te_personnalisation_reduces_p(projection):
    c = cible(projection, "2.1.1.1")
    # eau_1 = NON: P = 3 × 0.5 = 1.5; ratio = 1.5 / 4; pas fait = 0.375 × (1 × 4) = 1.5 = P → « pas fait »
    assert c["potentiel"] == 1.5 and c["ratio"] == 0.375
    assert c["point_pas_fait"] == 1.5 and c["statut"] == "pas_fait"


def test_an_origin_of_a_referential_not_followed_is_left_out(projection):
    # ECI is not among the sources (not loaded here): as on the platform for a collectivity that
    # follows CAE only, a node whose origins are all ECI has no concerné origin: non concerné
    c = cible(projection, "2.1.1.2")
    assert (c["origines_ignorees"], c["etat"], c["statut"]) == (1, NON_CONCERNEE, "non_concerne")
    row = by_id(projection.origines).loc["2.1.1.2"]
    assert (row["etat"], row["ignoree_car"]) == ("ignoree", "referentiel")


def test_an_eci_evaluation_counts_when_followed(te, cae, eci):
    eci_evaluation = pd.DataFrame({"action_id": ["1.1.1"], "statut": ["programme"]})
    p = projeter(te, PROFILE, {"cae": SourceOrigine(cae, EVALUATION), "eci": SourceOrigine(eci, eci_evaluation)})
    c = cible(p, "2.1.1.2")
    # eci 1.1.1 worth 5, programmé: ratio 1 / 5; programmé = 0.2 × (1 × 5) = 1 = P → « programme »
    assert c["ratio"] == 0.2 and c["point_programme"] == 1 and c["statut"] == "programme"
    # a source without any status (engine level): its nodes are non renseigné: 0 points, no status
    p = projeter(te, PROFILE, {"cae": SourceOrigine(cae, EVALUATION), "eci": SourceOrigine(eci, EVALUATION.iloc[:0])})
    assert cible(p, "2.1.1.2")["etat"] == NON_RENSEIGNEE


def test_a_tache_with_origins_is_a_cible_too(projection):
    c = cible(projection, "2.1.1.3.a")
    # P = 2 / 2 tâches = 1; cae 1.1.1.1 (2 points) fait: ratio 1 / 2, fait 0.5 × (1 × 2) = 1 → « fait »
    assert [c["potentiel"], c["ratio"], c["point_fait"], c["statut"]] == [1, 0.5, 1, "fait"]
    s = by_id(projection.scores)
    # the sous-mesure without origin sums its tâches: fait 1, non renseigné 1 (2.1.1.3.b)
    assert s.loc["2.1.1.3", ["point_fait", "point_non_renseigne"]].tolist() == [1, 1]


def test_totals_and_etoiles(projection):
    root = by_id(projection.scores).loc[""]
    # P: mesure 1.1.1 = 13, 1.1.2 = 7, 2.1.1 = 1.5 + 0 (ECI non concerné) + 2 = 3.5 → 23.5
    # fait = 1.5 + 6/11×8.6 + 2 + 1 = 9.1909…; programmé = 1.5 + 6/11×1.2; pas fait = 6/11×1.2 + 1.5
    # non renseigné = 2 (1.1.1.3) + 5 (1.1.2.2) + 2 (1.1.2.3) + 1 (2.1.1.3.b) = 10
    assert root["point_potentiel"] == 23.5
    assert root["point_fait"] == pytest.approx(4.5 + 6 / 11 * 8.6)
    assert root["point_programme"] == pytest.approx(1.5 + 6 / 11 * 1.2)
    assert root["point_pas_fait"] == pytest.approx(1.5 + 6 / 11 * 1.2)
    assert root["point_non_renseigne"] == pytest.approx(10)
    # score réalisé 9.1909 / 23.5 = 39.1 % ≥ 35 %: 2 stars (TE: thresholds only)
    assert projection.etoiles["score_realise"] == pytest.approx((4.5 + 6 / 11 * 8.6) / 23.5)
    assert projection.etoiles["etoiles"] == 2


def test_statuses_written_and_their_scores(projection):
    written = by_id(projection.statuts)
    # désactivé and non renseigné cibles get no row; the others, as the platform writes them
    assert list(written.index) == ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.2.1", "2.1.1.1", "2.1.1.2", "2.1.1.3.a"]
    assert written.loc["2.1.1.3.a", "commentaire"] == "Bascule Climat Ressources : projeté depuis cae 1.1.1.1"
    root = by_id(projection.scores_statuts).loc[""]
    # fait 3×0.5 + 6×0.75 + 4×0.5 + 1 = 9; programmé 1.5 + 0.6 = 2.1; pas fait 0.9 + 2 + 1.5 = 4.4;
    # non renseigné 5 + 2 + 1 = 8; 9 / 23.5 = 38.3 %
    assert [root["point_potentiel"], root["point_fait"], root["point_programme"], root["point_pas_fait"],
            root["point_non_renseigne"]] == pytest.approx([23.5, 9, 2.1, 4.4, 8])
    assert projection.etoiles_statuts["score_realise"] == pytest.approx(9 / 23.5)


def test_a_desactivated_new_mesure_leaves_the_list(te, cae):
    # PCAET_1 = NON désactivates the new sous-mesure 1.1.2.2 (5 points): it leaves the potential, the
    # new mesures to evaluate, and PCAET_1 is no longer a question to answer
    p = projeter(te, Profile(nom="T", type="EPCI", reponses={"eau_1": "NON", "PCAET_1": "NON"}),
                 {"cae": SourceOrigine(cae, EVALUATION)})
    s = by_id(p.scores)
    assert s.loc["1.1.2.2", "desactive"] and s.loc["1.1.2", "point_potentiel"] == 2  # 7 − 5
    b = synthese(p, "T", pd.Timestamp("2026-11-17").date())
    assert b.nouvelles_mesures.empty and b.questions.empty


def test_a_desactivated_cible_writes_nothing(te, cae):
    # the fixture's désactivation rule moved onto the cible 1.1.1.1 (PCAET_1 = NON)
    rules = te.rules.copy()
    rules.loc[rules["kind"] == "desactivation", "action_id"] = "1.1.1.1"
    import dataclasses

    te2 = dataclasses.replace(te, rules=rules)
    p = projeter(te2, Profile(nom="T", type="EPCI", reponses={"PCAET_1": "NON"}), {"cae": SourceOrigine(cae, EVALUATION)})
    c = cible(p, "1.1.1.1")
    assert c["etat"] == DESACTIVEE and pd.isna(c["statut"]) and c["potentiel"] == 0
    assert c["point_fait_origines"] == 0  # désactivé: its origin cae 1.1.1 (2 points fait) counts for nothing
    assert "1.1.1.1" not in set(p.statuts["action_id"])


# ---------------------------------------------------------------- the platform's status rounding


def test_five_percent_floor_and_pure_results():
    assert arrondi_cinq_pourcent([0.781833, 0.109167, 0.0499, 0.35, 1.0]).tolist() == [75, 10, 0, 35, 100]
    statut, fait, programme, pas_fait = statuts_depuis_points(
        [2.999, 0, 0, 1.2, 0, 0.5], [0, 3, 0, 0.9, 0, 0], [0.001, 0, 2.9991, 0.9, 0, 0], [3, 3, 3, 3, 3, 3])
    # 2.999 / 3 = 0.99967 within 0.001 → fait; 3 / 3 programmé; 2.9991 / 3 = 0.9997 → pas fait;
    # 0.4 / 0.3 / 0.3 → détaillé 40 / 30 / 30; nothing → no status; 0.5 / 3 = 16.7 % → 15 / 0 / 85
    assert statut.tolist() == ["fait", "programme", "pas_fait", "detaille", None, "detaille"]
    assert fait[3] == 0.4 and programme[3] == 0.3 and pas_fait[3] == 0.3
    assert [fait[5], programme[5], pas_fait[5]] == [0.15, 0.0, 0.85]
    assert np.isnan(fait[0]) and np.isnan(fait[4])


# ---------------------------------------------------------------- what the page shows


@pytest.fixture(scope="module")
def bascule(projection):
    return synthese(projection, "Testville", pd.Timestamp("2026-11-17").date())


def test_table_reasons_and_points_brought(bascule):
    t = by_id(bascule.tableau)
    assert t.loc["1.1.1.3", "raisons"] == ["origine_non_concernee", "ponderation", "taches_non_concernees"]
    assert "cae 1.2.2" in t.loc["1.1.1.3", "raison"]
    assert t.loc["1.1.2.3", "raisons"] == ["statut_sur_sous_action"]
    assert t.loc["2.1.1.1", "raisons"] == ["ponderation", "personnalisation_te"]
    assert "potentiel 3 → 1,5" in t.loc["2.1.1.1", "raison"]
    assert t.loc["1.1.2.2", "raisons"] == ["nouvelle_mesure"]
    assert t.loc["1.1.2.1", "raisons"] == ["non_concernee"]
    assert t.loc["2.1.1.2", "raisons"] == ["non_concernee", "origine_ignoree"]
    # under mesure 1.1.1, three sous-mesures are weighted (4 → 3, 11 → 6, 5 → 4)
    assert t.loc["1.1.1", "raison"].startswith("origine non concernée laissée de côté (1), pondération (3)")
    # CAE points brought: 2 (1.1.1) + 9.85 + 7.5 (1.2.3) + 2 (1.1.1.1 for 2.1.1.3.a) = 21.35
    assert t.loc["", "point_fait_origines"] == pytest.approx(21.35)
    assert t.loc["", "ecart_points"] == pytest.approx(4.5 + 6 / 11 * 8.6 - 21.35)
    assert t.loc["1.1.1.2", "statut_texte"] == "Détaillé (fait 75\u00a0%, programmé 10\u00a0%, pas fait 15\u00a0%)"
    assert t.loc["1.1.1.2", "niveau_label"] == "sous-mesure" and t.loc["1.1.1.2", "categorie"] == "Concrétiser"


def test_summary_new_mesures_and_questions(bascule):
    # CAE: fait 2 + 3.6 (1.1) + 12.5 + 7.5 (1.2) + 0 (2.1) = 25.6 of 38
    assert bascule.cae_score == pytest.approx(25.6 / 38)
    assert not bascule.cae_etoiles_significatives  # the mini CAE lacks the star criteria
    assert bascule.nouvelles_mesures[["action_id", "mesure_id", "point_potentiel"]].values.tolist() == [
        ["1.1.2.2", "1.1.2", 5.0]]
    # eau_1 answered; PCAET_1 asked (form order: Planifier first); PCAET_2 is not a TE question
    assert bascule.questions["question_id"].tolist() == ["PCAET_1"]
    lines = bascule.resume()
    assert lines[0] == ("Testville, évaluation CAE du 17/11/2026 : 67,4\u00a0% (étoiles non calculables : "
                        "référentiel CAE incomplet) → Climat Ressources projeté : 39,1\u00a0% (2 étoiles).")
    assert any("« eci »" in line and "1 nœud(s) sans autre origine deviennent non concernés" in line for line in lines)


def test_radar_frames(bascule):
    cat = bascule.radar_categories.set_index(["referentiel", "categorie"])
    # TE bases: 1.1.1.1 (3, fait 1.5) + 1.1.2.1 (0) + 2.1.1.2 (0) → 0.5
    # mise en œuvre: 6 + 5 + 2 = 13, fait 4.6909 + 0 + 1; effets: 4 + 2 + 1.5 = 7.5, fait 2
    assert cat.loc[("te", "bases"), ["point_potentiel", "part_fait"]].tolist() == [3, 0.5]
    assert cat.loc[("te", "mise en œuvre"), "point_potentiel"] == 13
    assert cat.loc[("te", "effets"), "part_fait"] == pytest.approx(2 / 7.5)
    assert cat.loc[("te", "bases"), "libelle"] == "S'engager"
    # CAE mise en œuvre: 1.1.2 (6, fait 3.6) + 1.2.1 (12.5 with the redistributed 2.5, fait 12.5)
    assert cat.loc[("cae", "mise en œuvre"), ["point_potentiel", "point_fait"]].tolist() == pytest.approx([18.5, 16.1])
    axes = bascule.radar_axes.set_index(["referentiel", "action_id"])
    assert axes.loc[("te", "2"), "point_potentiel"] == 3.5 and axes.loc[("cae", "1"), "point_fait"] == 25.6


def test_workbook_neutralises_formulas(bascule):
    import io

    import openpyxl

    data = build_xlsx(bascule)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == SHEETS
    sheet = book["Climat Ressources"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Identifiant", "Niveau", "Intitulé"] and "Écart (points)" in headers
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert rows["1.1.1.2"][5] == pytest.approx(6 / 11 * 8.6)  # points faits, a number cell
    assert rows["1.1.1.2"][12].startswith("Détaillé")
    assert book["Questions"]["A2"].value == "PCAET_1"


def test_formula_like_names_stay_text(te, cae):
    import dataclasses
    import io

    import openpyxl

    nodes = te.nodes.copy()
    nodes.loc[nodes["action_id"] == "1.1.1.1", "nom"] = "=HYPERLINK(\"http://x\")"
    p = projeter(dataclasses.replace(te, nodes=nodes), PROFILE, {"cae": SourceOrigine(cae, EVALUATION)})
    book = openpyxl.load_workbook(io.BytesIO(build_xlsx(synthese(p, "T", pd.Timestamp("2026-11-17").date()))))
    cell = next(row[2] for row in book["Climat Ressources"].iter_rows(min_row=2) if row[0].value == "1.1.1.1")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK") and cell.quotePrefix


def test_a_te_referential_without_origins_is_all_non_renseigne(te, cae):
    import dataclasses

    from cae_data.referentiel.model import empty_origines

    p = projeter(dataclasses.replace(te, origines=empty_origines()), PROFILE, {"cae": SourceOrigine(cae, EVALUATION)})
    root = by_id(p.scores).loc[""]
    # no cible: P = 13 + 9 + 1.5 + 1 + 2 = 26.5 (nothing non concerné), all of it non renseigné
    assert p.cibles.empty and p.statuts.empty
    assert [root["point_potentiel"], root["point_non_renseigne"], root["point_fait"]] == [26.5, 26.5, 0]
