"""Scores and stars of ONE collectivity (`services.all_scores(…, collectivite=)`,
`services.etoiles_for_all(…, collectivite=)`): only its evaluations are read and scored, and the
figures are those of the whole-database path.

Hand figures on the seed referential (`pcaet init --no-demo`: mesures 6.1.1, 6.1.2 and 6.5.1,
100 points each, 300 at the root; sous-action points from the seed percentages, see
tests/test_pages_scores.py):
- « Ville-Test » at A (15/01/2026): fait 6.1.1.1 (10) + 40 % of 6.1.1.3 (25 → 10) + tâche
  6.1.2.1.1 (10) + 6.1.2.3 (40) + 6.5.1.1 (35) = 105 points fait;
  at B (15/06/2026): 10 + 25 (6.1.1.2) + 10 + 20 (both tâches of 6.1.2.1) + 40 + 35 = 140.
- « Bourg-Voisin » (01/03/2026): 6.5.1.1 fait = 35 points → 35 / 300 = 11,67 %.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cae_data import services, store
from cae_data.store.evaluations import evaluation_keys_of, statuses_of_collectivite

TODAY = date(2026, 11, 25)
DATE_A, DATE_B, DATE_VOISIN = date(2026, 1, 15), date(2026, 6, 15), date(2026, 3, 1)
EVALUATION_A = """action_id;statut;fait;programme;pas_fait
6.1.1.1;fait;;;
6.1.1.2;programmé;;;
6.1.1.3;détaillé;40;20;40
6.1.1.4;pas fait;;;
6.1.2.1.1;fait;;;
6.1.2.3;fait;;;
6.5.1.1;fait;;;
6.5.1.2;programmé;;;
"""
EVALUATION_B = """action_id;statut;fait;programme;pas_fait
6.1.1.1;fait;;;
6.1.1.2;fait;;;
6.1.1.3;détaillé;40;20;40
6.1.1.4;programmé;;;
6.1.2.1.1;fait;;;
6.1.2.1.2;fait;;;
6.1.2.3;fait;;;
6.5.1.1;fait;;;
6.5.1.2;pas fait;;;
"""
EVALUATION_VOISIN = """action_id;statut
6.5.1.1;fait
"""


@pytest.fixture(scope="module")
def two_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scores-collectivite") / "pcaet.duckdb"
    services.init_database(path, demo=False)
    for text, name, who, when in [(EVALUATION_A, "a.csv", "Ville-Test", DATE_A),
                                  (EVALUATION_B, "b.csv", "Ville-Test", DATE_B),
                                  (EVALUATION_VOISIN, "voisin.csv", "Bourg-Voisin", DATE_VOISIN)]:
        services.import_evaluation(path, text.encode("utf-8"), name, collectivite=who, on_date=when, today=TODAY)
    return path


def _root(scores: pd.DataFrame) -> pd.DataFrame:
    return scores[scores["action_id"].astype(str) == ""].reset_index(drop=True)


def test_one_collectivity_is_scored_alone(two_db):
    scores = services.all_scores(two_db, collectivite="Ville-Test")
    assert set(scores["collectivite"]) == {"Ville-Test"}
    root = _root(scores)
    assert root["date"].dt.date.tolist() == [DATE_A, DATE_B]
    assert root["point_fait"].tolist() == pytest.approx([105.0, 140.0])
    assert root["point_potentiel"].tolist() == pytest.approx([300.0, 300.0])
    voisin = _root(services.all_scores(two_db, collectivite="Bourg-Voisin"))
    assert voisin["point_fait"].tolist() == pytest.approx([35.0])


def test_same_rows_as_the_whole_database(two_db):
    everyone = services.all_scores(two_db)
    for nom in ("Ville-Test", "Bourg-Voisin"):
        alone = services.all_scores(two_db, collectivite=nom)
        expected = everyone[everyone["collectivite"] == nom].reset_index(drop=True)
        columns = ["collectivite", "date", "action_id", "point_potentiel", "point_fait", "point_programme",
                   "point_pas_fait", "point_non_renseigne", "desactive", "concerne", "nom"]
        left = alone[columns].astype({"action_id": str, "nom": str})
        right = expected[columns].astype({"action_id": str, "nom": str})
        pd.testing.assert_frame_equal(left, right)


def test_etoiles_of_one_collectivity(two_db):
    stars = services.etoiles_for_all(two_db, collectivite="Bourg-Voisin")
    assert stars["collectivite"].tolist() == ["Bourg-Voisin"]
    assert stars["score_realise"].tolist() == pytest.approx([35 / 300])
    ville = services.etoiles_for_all(two_db, collectivite="Ville-Test")
    assert ville["score_realise"].tolist() == pytest.approx([105 / 300, 140 / 300])
    everyone = services.etoiles_for_all(two_db)
    pd.testing.assert_frame_equal(ville.reset_index(drop=True),
                                  everyone[everyone["collectivite"] == "Ville-Test"].reset_index(drop=True))


def test_unknown_collectivity_gives_empty_tables(two_db):
    assert services.all_scores(two_db, collectivite="Inconnue").empty
    assert services.etoiles_for_all(two_db, collectivite="Inconnue").empty


def test_store_reads_only_that_collectivity(two_db):
    with store.reading(two_db) as con:
        keys = evaluation_keys_of(con, "cae", "Ville-Test")
        assert keys["date"].dt.date.tolist() == [DATE_A, DATE_B]
        statuses = statuses_of_collectivite(con, "cae", "Ville-Test", keys.assign(subject=[0, 1]))
    # A has 8 status rows, B 9 (nothing carried over: B gives every action A gave).
    assert statuses.groupby("subject").size().to_dict() == {0: 8, 1: 9}
    assert "6.5.1.1" in set(statuses["action_id"])


def test_evaluation_list_reads_keys_only(two_db):
    everyone = services.evaluation_list(two_db)
    assert list(zip(everyone["collectivite"], everyone["date"].dt.date)) == [
        ("Bourg-Voisin", DATE_VOISIN), ("Ville-Test", DATE_A), ("Ville-Test", DATE_B)]
    assert services.evaluation_list(two_db, collectivite="Ville-Test")["date"].dt.date.tolist() == [DATE_A, DATE_B]
