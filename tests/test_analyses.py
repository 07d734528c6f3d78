"""Score analytics (cae_data/analyses.py) and the score-view reads of cae_data/services.py.

A hand-made referential, points written out by hand (scoring.md §1):

    root 40
    ├── 1 (axe) 20 ── 1.1 (sous-axe) 20
    │   ├── 1.1.1 mesure 10
    │   │   ├── 1.1.1.1 40 % = 4  bases
    │   │   └── 1.1.1.2 60 % = 6  mise en œuvre
    │   └── 1.1.2 mesure 10
    │       ├── 1.1.2.1 40 % = 4  mise en œuvre
    │       └── 1.1.2.2 60 % = 6  effets → tâches 1.1.2.2.1 / 1.1.2.2.2: 3 each
    └── 2 (axe) 20 ── 2.1 (sous-axe) 20 ── 2.1.1 mesure 20
        ├── 2.1.1.1 50 % = 10 bases
        └── 2.1.1.2 50 % = 10 effets

Three evaluations of « Testville » (D1, D2, D3), statuses in STATUSES below.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cae_data import analyses, services
from cae_data.personnalisation.profile import Profile
from cae_data.referentiel.model import NODE_COLUMNS, RULE_COLUMNS, Referentiel, niveau_for_depth, parent_of

POINTS = {
    "": 40, "1": 20, "1.1": 20, "1.1.1": 10, "1.1.1.1": 4, "1.1.1.2": 6,
    "1.1.2": 10, "1.1.2.1": 4, "1.1.2.2": 6, "1.1.2.2.1": 3, "1.1.2.2.2": 3,
    "2": 20, "2.1": 20, "2.1.1": 20, "2.1.1.1": 10, "2.1.1.2": 10,
}
SHARES = {"1.1.1.1": 40, "1.1.1.2": 60, "1.1.2.1": 40, "1.1.2.2": 60, "2.1.1.1": 50, "2.1.1.2": 50}
CATEGORIES = {"1.1.1.1": "bases", "1.1.1.2": "mise en œuvre", "1.1.2.1": "mise en œuvre",
              "1.1.2.2": "effets", "2.1.1.1": "bases", "2.1.1.2": "effets"}
NOMS = {"": "Racine", "1": "Planification", "2": "Patrimoine", "1.1.1": "Stratégie", "1.1.2": "Diagnostic",
        "2.1.1": "Bâtiments"}

D1, D2, D3 = date(2025, 1, 15), date(2025, 6, 15), date(2026, 1, 15)
STATUSES = {
    D1: [("1.1.1.1", "fait"), ("1.1.1.2", "programme"), ("1.1.2.1", "pas_fait"), ("1.1.2.2.1", "fait"),
         ("2.1.1.1", "detaille", 0.5, 0.25, 0.25)],
    D2: [("1.1.1.1", "fait"), ("1.1.1.2", "fait"), ("1.1.2.1", "programme"), ("1.1.2.2.1", "fait"),
         ("1.1.2.2.2", "programme"), ("2.1.1.1", "detaille", 0.5, 0.25, 0.25), ("2.1.1.2", "pas_fait")],
    # 1.1.2.2 carries its own status: its tâches no longer count. 2.1.1.1 non concerné: its 10
    # points go to its only concerné sibling 2.1.1.2 (potential 20).
    D3: [("1.1.1.1", "fait"), ("1.1.1.2", "fait"), ("1.1.2.1", "fait"), ("1.1.2.2", "fait"),
         ("1.1.2.2.1", "fait"), ("1.1.2.2.2", "pas_fait"), ("2.1.1.1", "non_concerne"), ("2.1.1.2", "programme")],
}


def make_referentiel(rules: list[tuple[str, str, str]] = ()) -> Referentiel:
    rows = []
    for action_id, value in POINTS.items():
        depth = 0 if action_id == "" else action_id.count(".") + 1
        rows.append({
            "action_id": action_id, "parent_id": parent_of(action_id), "depth": depth,
            "niveau": niveau_for_depth(depth, 3), "ordre": 0, "nom": NOMS.get(action_id, f"Action {action_id}"),
            "description": "", "textes": {}, "categorie": CATEGORIES.get(action_id),
            "points_declares": float(value) if depth == 3 else math.nan,
            "pourcentage": float(SHARES[action_id]) if action_id in SHARES else math.nan,
            "point_referentiel": float(value), "collectivite_type": None, "climat_pratic_id": None,
            "source_file": "test", "source_line": len(rows) + 1,
        })
    nodes = pd.DataFrame(rows, columns=NODE_COLUMNS)
    nodes["parent_id"] = nodes["parent_id"].astype(object)
    rule_rows = [{"action_id": a, "kind": k, "expression": e, "description": "", "source_file": "test",
                  "source_line": i + 1} for i, (a, k, e) in enumerate(rules)]
    return Referentiel(nom="test", titre="Test", nodes=nodes, rules=pd.DataFrame(rule_rows, columns=RULE_COLUMNS))


def status_frame(rows) -> pd.DataFrame:
    records = []
    for row in rows:
        action_id, statut, *shares = row
        fait, programme, pas_fait = shares if shares else (np.nan, np.nan, np.nan)
        records.append({"action_id": action_id, "statut": statut, "fait": fait, "programme": programme,
                        "pas_fait": pas_fait, "commentaire": ""})
    return pd.DataFrame(records, columns=["action_id", "statut", "fait", "programme", "pas_fait", "commentaire"])


@pytest.fixture(scope="module")
def ref() -> Referentiel:
    return make_referentiel()


@pytest.fixture(scope="module")
def scores(ref) -> pd.DataFrame:
    """The long scores frame of the three evaluations, as services.compute_scores(toutes=True)."""
    keys = pd.DataFrame({"collectivite": "Testville", "date": pd.to_datetime([D1, D2, D3]), "subject": [0, 1, 2]})
    statuses = pd.concat([status_frame(STATUSES[d]).assign(subject=i) for i, d in enumerate([D1, D2, D3])],
                         ignore_index=True)
    return services.score_subjects(ref, {"Testville": Profile(nom="Testville", type="EPCI")}, keys, statuses)


def row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        if column == "date":
            value = pd.Timestamp(value)
        mask &= (frame[column] == value).to_numpy()
    assert mask.sum() == 1, f"{where}: {mask.sum()} rows"
    return frame[mask].iloc[0]


def approx(value):
    return pytest.approx(value, abs=1e-9)


# --------------------------------------------------------------------------- global summary


def test_global_summary_per_evaluation(scores):
    summary = analyses.global_summary(scores)
    assert list(summary["date"]) == list(pd.to_datetime([D1, D2, D3]))
    # D1: fait 4 (1.1.1.1) + 3 (tâche 1.1.2.2.1) + 5 (0.5 × 10) = 12; programmé 6 + 2.5 = 8.5;
    # pas fait 4 + 2.5 = 6.5; non renseigné 3 (tâche 1.1.2.2.2) + 10 (2.1.1.2) = 13
    first = row(summary, date=D1)
    assert (first["point_potentiel"], first["point_fait"], first["point_programme"], first["point_pas_fait"],
            first["point_non_renseigne"]) == (approx(40), approx(12), approx(8.5), approx(6.5), approx(13))
    assert (first["part_fait"], first["part_programme"], first["part_pas_fait"], first["part_non_renseigne"]) == (
        approx(0.3), approx(0.2125), approx(0.1625), approx(0.325))
    # D2: fait 4 + 6 + 3 + 5 = 18; programmé 4 + 3 + 2.5 = 9.5; pas fait 2.5 + 10 = 12.5
    second = row(summary, date=D2)
    assert (second["part_fait"], second["part_programme"], second["part_pas_fait"], second["part_non_renseigne"]) == (
        approx(0.45), approx(0.2375), approx(0.3125), approx(0))
    # D3: fait 4 + 6 + 4 + 6 = 20; programmé 20 (2.1.1.2 with 2.1.1.1's points)
    third = row(summary, date=D3)
    assert (third["point_fait"], third["point_programme"], third["part_fait"]) == (approx(20), approx(20), approx(0.5))
    parts = summary[analyses.PARTS].sum(axis=1)
    assert np.allclose(parts, 1.0)


# --------------------------------------------------------------------------- levels, axes, categories


def test_scores_by_level_mesures_and_mesures_of_one_axe(scores, ref):
    mesures = analyses.scores_by_level(scores, "mesure", nodes=ref.nodes)
    assert list(mesures[mesures["date"] == pd.Timestamp(D1)]["action_id"]) == ["1.1.1", "1.1.2", "2.1.1"]
    # D1: 1.1.1 fait 4 / 10, programmé 6; 1.1.2 fait 3, pas fait 4, non renseigné 3; 2.1.1 fait 5 / 20
    m = row(mesures, date=D1, action_id="1.1.1")
    assert (m["nom"], m["point_fait"], m["point_programme"], m["part_fait"]) == ("Stratégie", approx(4), approx(6), approx(0.4))
    m = row(mesures, date=D1, action_id="1.1.2")
    assert (m["point_pas_fait"], m["point_non_renseigne"], m["part_fait"]) == (approx(4), approx(3), approx(0.3))
    assert row(mesures, date=D1, action_id="2.1.1")["part_fait"] == approx(0.25)
    # D2: 1.1.1 all fait (10 / 10); 1.1.2 fait 3, programmé 4 + 3 = 7
    assert row(mesures, date=D2, action_id="1.1.1")["part_fait"] == approx(1.0)
    assert row(mesures, date=D2, action_id="1.1.2")["part_programme"] == approx(0.7)
    of_axe = analyses.scores_by_level(scores, "mesure", parent="1", nodes=ref.nodes)
    assert set(of_axe["action_id"]) == {"1.1.1", "1.1.2"}
    assert len(of_axe) == 6  # 2 mesures × 3 dates
    with pytest.raises(ValueError, match="niveau inconnu"):
        analyses.scores_by_level(scores, "chapitre", nodes=ref.nodes)


def test_scores_by_axis_axes_then_mesures_of_one_axe(scores, ref):
    axes = analyses.scores_by_axis(scores, nodes=ref.nodes)
    # axe 1 at D1: fait 4 + 3 = 7 of 20; axe 2: 5 of 20. D2: 4 + 6 + 3 = 13. D3: 20 and 0.
    assert row(axes, date=D1, action_id="1")["part_fait"] == approx(0.35)
    assert row(axes, date=D1, action_id="2")["part_fait"] == approx(0.25)
    assert row(axes, date=D2, action_id="1")["part_fait"] == approx(0.65)
    assert row(axes, date=D3, action_id="1")["part_fait"] == approx(1.0)
    assert row(axes, date=D3, action_id="2")["part_fait"] == approx(0.0)
    mesures = analyses.scores_by_axis(scores, axe="1", nodes=ref.nodes)
    assert sorted(set(mesures["action_id"])) == ["1.1.1", "1.1.2"]


def test_scores_by_category_sums_sous_actions(scores, ref):
    cats = analyses.scores_by_category(scores, ref.nodes)
    assert list(cats[cats["date"] == pd.Timestamp(D1)]["categorie"]) == ["bases", "mise en œuvre", "effets"]
    # D1: bases = 1.1.1.1 (4, fait) + 2.1.1.1 (10, fait 5) → 9 / 14;
    # mise en œuvre = 1.1.1.2 (programmé) + 1.1.2.1 (pas fait) → 0 / 10;
    # effets = 1.1.2.2 (tâche fait 3) + 2.1.1.2 (no status) → 3 / 16
    c = row(cats, date=D1, categorie="bases")
    assert (c["point_potentiel"], c["point_fait"], c["part_fait"]) == (approx(14), approx(9), approx(9 / 14))
    assert row(cats, date=D1, categorie="mise en œuvre")["part_fait"] == approx(0)
    assert row(cats, date=D1, categorie="effets")["part_fait"] == approx(3 / 16)
    # D2: mise en œuvre 6 / 10
    assert row(cats, date=D2, categorie="mise en œuvre")["part_fait"] == approx(0.6)
    # D3: bases 4 / 4 (2.1.1.1 non concerné: potential 0); effets 6 / (6 + 20)
    c = row(cats, date=D3, categorie="bases")
    assert (c["point_potentiel"], c["part_fait"]) == (approx(4), approx(1.0))
    assert row(cats, date=D3, categorie="effets")["part_fait"] == approx(6 / 26)
    # one axe: axe 2 has no « mise en œuvre » sous-action, which still appears with 0
    axe2 = analyses.scores_by_category(scores, ref.nodes, axe="2")
    assert row(axe2, date=D1, categorie="bases")["part_fait"] == approx(0.5)  # 5 / 10
    c = row(axe2, date=D1, categorie="mise en œuvre")
    assert (c["point_potentiel"], c["part_fait"]) == (approx(0), approx(0))
    assert row(axe2, date=D1, categorie="effets")["part_fait"] == approx(0)


# --------------------------------------------------------------------------- moves and history


def test_biggest_moves_ranks_by_absolute_change(scores, ref):
    # D1 → D3, point_fait: 1.1.1 4 → 10 (+6), 1.1.2 3 → 10 (+7), 2.1.1 5 → 0 (−5)
    moves = analyses.biggest_moves(scores, D1, D3, n=5, nodes=ref.nodes)
    assert list(moves["action_id"]) == ["1.1.2", "1.1.1", "2.1.1"]
    m = row(moves, action_id="2.1.1")
    assert (m["point_fait_avant"], m["point_fait_apres"], m["delta_point_fait"]) == (approx(5), approx(0), approx(-5))
    assert (m["part_fait_avant"], m["part_fait_apres"], m["delta_part_fait"]) == (approx(0.25), approx(0), approx(-0.25))
    assert row(moves, action_id="1.1.2")["delta_part_fait"] == approx(0.7)  # 0.3 → 1.0
    assert list(analyses.biggest_moves(scores, D1, D3, n=2, nodes=ref.nodes)["action_id"]) == ["1.1.2", "1.1.1"]
    # D1 → D2 only 1.1.1 moved (+6): the others are left out
    moved = analyses.biggest_moves(scores, "2025-01-15", "2025-06-15", nodes=ref.nodes)
    assert list(moved["action_id"]) == ["1.1.1"]
    assert moved["delta_point_fait"].iloc[0] == approx(6)
    # by axe D1 → D2: axe 1 +6, axe 2 unchanged
    assert list(analyses.biggest_moves(scores, D1, D2, niveau="axe", nodes=ref.nodes)["action_id"]) == ["1"]


def test_points_delta_by_mesure(scores, ref):
    # D2 → D3: 1.1.1 unchanged (10); 1.1.2 3 → 10 (+7, programmé 7 → 0);
    # 2.1.1 5 → 0 (−5, programmé 2.5 → 20)
    delta = analyses.points_delta_by_mesure(scores, D2, D3, nodes=ref.nodes)
    assert list(delta["action_id"]) == ["1.1.2", "2.1.1"]
    first = row(delta, action_id="1.1.2")
    assert (first["point_fait_avant"], first["point_fait_apres"], first["delta_point_fait"],
            first["delta_point_programme"]) == (approx(3), approx(10), approx(7), approx(-7))
    second = row(delta, action_id="2.1.1")
    assert (second["delta_point_fait"], second["delta_point_programme"], second["delta_part_fait"]) == (
        approx(-5), approx(17.5), approx(-0.25))


def test_history_long_frame(scores, ref):
    root = analyses.history(scores, nodes=ref.nodes)
    assert list(root["part_fait"]) == [approx(0.3), approx(0.45), approx(0.5)]  # 12, 18, 20 of 40
    one = analyses.history(scores, "mesure", ids=["1.1.2"], nodes=ref.nodes)
    assert list(one["point_fait"]) == [approx(3), approx(3), approx(10)]
    assert list(one["part_fait"]) == [approx(0.3), approx(0.3), approx(1.0)]
    assert list(one["nom"]) == ["Diagnostic"] * 3
    assert len(analyses.history(scores, "mesure", nodes=ref.nodes)) == 9  # 3 mesures × 3 dates


def test_names_needed_without_nom_column(scores):
    with pytest.raises(ValueError, match="nodes"):
        analyses.scores_by_level(scores, "axe")


# --------------------------------------------------------------------------- statuses


def test_status_labels_come_from_the_status_module():
    assert analyses.STATUT_LABELS == {
        "fait": "Fait", "programme": "Programmé", "pas_fait": "Pas fait", "non_concerne": "Non concerné",
        "non_renseigne": "Non renseigné", "detaille": "Détaillé",
    }
    assert analyses.statut_label(None) == "Non renseigné"


def test_compare_statuses_lists_changes_with_french_labels(ref):
    changes = analyses.compare_statuses(status_frame(STATUSES[D1]), status_frame(STATUSES[D2]), ref.nodes)
    got = list(zip(changes["action_id"], changes["statut_avant"], changes["statut_apres"]))
    assert got == [
        ("1.1.1.2", "Programmé", "Fait"),
        ("1.1.2.1", "Pas fait", "Programmé"),
        ("1.1.2.2.2", "Non renseigné", "Programmé"),  # a row that appears
        ("2.1.1.2", "Non renseigné", "Pas fait"),
    ]
    assert list(changes["niveau"]) == ["sous-action", "sous-action", "tache", "sous-action"]
    later = analyses.compare_statuses(status_frame(STATUSES[D2]), status_frame(STATUSES[D3]), ref.nodes)
    got = dict(zip(later["action_id"], zip(later["statut_avant"], later["statut_apres"])))
    assert got == {
        "1.1.2.1": ("Programmé", "Fait"),
        "1.1.2.2": ("Non renseigné", "Fait"),
        "1.1.2.2.2": ("Programmé", "Pas fait"),
        "2.1.1.1": ("Détaillé (fait 50\u00a0%, programmé 25\u00a0%, pas fait 25\u00a0%)", "Non concerné"),
        "2.1.1.2": ("Pas fait", "Programmé"),
    }
    # rows that disappear read « Non renseigné »
    back = analyses.compare_statuses(status_frame(STATUSES[D3]), status_frame(STATUSES[D1]), ref.nodes)
    assert row(back, action_id="1.1.2.2")[["statut_avant", "statut_apres"]].tolist() == ["Fait", "Non renseigné"]


def test_compare_statuses_ignores_same_meaning_and_unknown_ids(ref):
    before = status_frame([("1.1.1.1", "non_renseigne"), ("9.9.9", "fait"), ("2.1.1.1", "detaille", 0.5, 0.5, 0)])
    after = status_frame([("9.9.9", "pas_fait"), ("2.1.1.1", "detaille", 0.5, 0.5, 0.0)])
    assert analyses.compare_statuses(before, after, ref.nodes).empty
    shares = analyses.compare_statuses(before, status_frame([("2.1.1.1", "detaille", 0.125, 0.875, 0)]), ref.nodes)
    assert shares["statut_apres"].tolist() == ["Détaillé (fait 12,5\u00a0%, programmé 87,5\u00a0%, pas fait 0\u00a0%)"]
    assert analyses.compare_statuses(None, status_frame([("1.1.1.1", "fait")]), ref.nodes)["code_apres"].tolist() == ["fait"]


# --------------------------------------------------------------------------- the seed demo database


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "p.duckdb"
    services.init_database(path, today=date(2026, 12, 1))
    return path


def test_demo_summaries(demo_db):
    scores = services.all_scores(demo_db)
    summary = analyses.global_summary(scores)
    assert len(summary) == 8
    assert summary["date"].is_monotonic_increasing
    assert (summary["part_fait"].diff().dropna() >= -1e-12).all()  # the demo only moves forward
    assert np.allclose(summary[analyses.PARTS].sum(axis=1), 1.0)
    cats = analyses.scores_by_category(scores)  # nom / categorie come with all_scores
    assert set(cats["categorie"].astype(str)) == {"bases", "mise en œuvre", "effets"}
    assert len(cats) == 8 * 3
    axes = analyses.scores_by_axis(scores)
    assert axes["nom"].notna().all() and len(axes) == 8  # the seeds: one axe (6), 8 dates
    # the same numbers with compute_scores + nodes
    ref = services.load_referentiel(demo_db)
    plain = services.compute_scores(demo_db, toutes=True)
    again = analyses.scores_by_category(plain, ref.nodes)
    assert np.allclose(again["part_fait"], cats["part_fait"])


def test_demo_reads(demo_db):
    dates = services.evaluation_dates(demo_db, "CAPSO")
    assert len(dates) == 8 and dates == sorted(dates) and dates[0] == date(2024, 3, 15)
    assert services.evaluation_dates(demo_db, "Inconnue") == []
    statuses = services.statuses_at(demo_db, "CAPSO", dates[-1])
    assert list(statuses.columns) == ["action_id", "statut", "fait", "programme", "pas_fait", "commentaire"]
    assert len(statuses) > 0 and statuses["commentaire"].notna().all()
    assert "Compétence non exercée par la CAPSO" in set(statuses["commentaire"])
    assert services.statuses_at(demo_db, "CAPSO", date(2000, 1, 1)).empty
    uploads = services.list_uploads(demo_db)
    evaluations = uploads[uploads["kind"] == "evaluation"]
    assert len(evaluations) == 8
    assert set(evaluations["uploaded_by"]) == {"démo"}
    assert evaluations["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert evaluations["filename"].str.startswith("evaluation-capso-").all()
    assert (uploads["uploaded_at"].diff().dropna() <= pd.Timedelta(0)).all()  # newest first


def test_demo_etoiles_and_changes(demo_db):
    stars = services.etoiles_for_all(demo_db)
    assert len(stars) == 8
    assert not stars["referentiel_complet"].any()  # the seed measures alone
    assert (stars["etoiles"].diff().dropna() >= 0).all()
    summary = analyses.global_summary(services.all_scores(demo_db))
    assert np.allclose(stars["score_realise"], summary["part_fait"])
    dates = services.evaluation_dates(demo_db, "CAPSO")
    ref = services.load_referentiel(demo_db)
    changes = analyses.compare_statuses(services.statuses_at(demo_db, "CAPSO", dates[0]),
                                        services.statuses_at(demo_db, "CAPSO", dates[1]), ref.nodes)
    assert len(changes) > 0 and (changes["statut_avant"] != changes["statut_apres"]).all()
    labels = set(analyses.STATUT_LABELS.values())
    plain = changes[~changes["statut_apres"].str.startswith("Détaillé")]
    assert set(plain["statut_apres"]) <= labels


def test_empty_database_views(tmp_path):
    path = tmp_path / "p.duckdb"
    services.init_database(path, demo=False)
    assert services.all_scores(path).empty
    assert services.etoiles_for_all(path).empty
    assert services.list_uploads(path).empty
