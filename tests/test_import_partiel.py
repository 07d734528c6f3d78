"""Partial and complete evaluation files (evaluation-csv.md, issue 16): a file updates the state
by default, a file marked complete replaces it; the preview says before → after.

The referential is the invented `velo` fixture (100 points, the action level at depth 2):
  1.1 (30 points): 1.1.1 40 % → 12 points; 1.1.2 60 % → 18 points, with tâches 1.1.2.1 (10) and
      1.1.2.2 (8);
  1.2bis (20 points): 1.2bis.1 0 %; 1.2bis.2 100 % → 20 points;
  2.1 (50 points): 2.1.1 18,75 points; 2.1.2 31,25 points.
The profile is an EPCI that answers nothing: no rule changes a potential (2.1.1 is désactivée
for communes only, 1.1.2 is halved only when voirie_velo is NON). The potential stays 100, so a
score réalisé in % is the sum of the points fait."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cae_data import services
from cae_data.cli import main
from cae_data.evaluation import mise_a_jour

FIXTURES = Path(__file__).resolve().parent / "fixtures"
D1, D2, D3, D4 = date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)


def csv(*rows: str) -> bytes:
    """A cp1252 `;` file as a spreadsheet saves it, for the velo referential."""
    return ("action_id;statut;referentiel\r\n" + "".join(f"{r};velo\r\n" for r in rows)).encode("cp1252")


@pytest.fixture
def velo_db(tmp_path) -> Path:
    db = tmp_path / "pcaet.duckdb"
    services.import_referentiel(db, FIXTURES / "referentiel" / "velo-structure.csv", nom="velo")
    services.set_collectivites(db, [(b"nom: Vallon\ntype: EPCI\npopulation: 30000\n", "vallon.yaml")])
    # D1, complete: 1.1.1 fait (12), 1.1.2 pas fait, 2.1.1 fait (18,75), 2.1.2 programmé → 30,75 % fait
    services.import_evaluation(db, csv("1.1.1;fait", "1.1.2;pas fait", "2.1.1;fait", "2.1.2;programmé"),
                               "d1.csv", "Vallon", D1, complet=True)
    return db


def score(db: Path, when: date) -> float:
    scores = services.compute_scores(db, "velo", "Vallon", when)
    root = scores[scores["action_id"].astype(str) == ""].iloc[0]
    return round(root["point_fait"] / root["point_potentiel"] * 100, 4)


def statuses(db: Path, when: date) -> dict[str, str]:
    frame = services.statuses_at(db, "Vallon", when, "velo")
    return dict(zip(frame["action_id"], frame["statut"]))


def test_a_partial_file_keeps_the_statuses_it_does_not_name(velo_db):
    assert score(velo_db, D1) == 30.75
    plan = services.plan_import(velo_db, csv("2.1.2;fait"), "d2.csv", "Vallon", D2)
    assert not plan.complet
    (bilan,) = plan.bilans
    # before: the D1 state, 30,75 %; after: 2.1.2 fait adds its 31,25 points → 62 %
    assert (round(bilan.score_avant * 100, 4), round(bilan.score_apres * 100, 4)) == (30.75, 62.0)
    assert bilan.base_date == D1 and not plan.needs_confirmation()
    assert bilan.natures == {"modifié": 1, "reporté": 3}
    assert services.evaluation_dates(velo_db, "Vallon", "velo") == [D1]  # the preview wrote nothing
    result = services.import_evaluation(velo_db, csv("2.1.2;fait"), "d2.csv", "Vallon", D2)
    assert "3 statuts repris de l'évaluation précédente (actions absentes du fichier)." in result.messages
    assert statuses(velo_db, D2) == {"1.1.1": "fait", "1.1.2": "pas_fait", "2.1.1": "fait", "2.1.2": "fait"}
    assert score(velo_db, D2) == 62.0


def test_a_status_given_on_a_tache_clears_the_old_status_of_its_sous_action(velo_db):
    services.import_evaluation(velo_db, csv("2.1.2;fait"), "d2.csv", "Vallon", D2)
    plan = services.plan_import(velo_db, csv("1.1.2.1;fait"), "d3.csv", "Vallon", D3)
    changes = plan.changes.set_index("action_id")
    # 1.1.2 « pas fait » would win over its tâches in the scoring: it is cleared, not carried
    assert changes.loc["1.1.2", "nature"] == "effacé" and changes.loc["1.1.2.1", "nature"] == "nouveau"
    services.import_evaluation(velo_db, csv("1.1.2.1;fait"), "d3.csv", "Vallon", D3)
    assert statuses(velo_db, D3) == {"1.1.1": "fait", "1.1.2.1": "fait", "2.1.1": "fait", "2.1.2": "fait"}
    # 12 + 10 (tâche 1.1.2.1 of 1.1.2) + 18,75 + 31,25 = 72
    assert score(velo_db, D3) == 72.0
    # and back up: a sous-action given again clears its tâches
    plan = services.plan_import(velo_db, csv("1.1.2;programmé"), "d4.csv", "Vallon", D4)
    assert plan.changes.set_index("action_id").loc["1.1.2.1", "nature"] == "effacé"


def test_a_complete_file_replaces_the_state_and_a_big_drop_asks_for_confirmation(velo_db):
    plan = services.plan_import(velo_db, csv("1.1.1;fait"), "d2.csv", "Vallon", D2, complet=True)
    (bilan,) = plan.bilans
    # only 1.1.1 fait is left: 12 %, down from 30,75 %: a drop of 18,75 points
    assert round(bilan.score_apres * 100, 4) == 12.0
    assert round(plan.baisse, 4) == 18.75 and plan.needs_confirmation()
    assert bilan.natures == {"inchangé": 1, "effacé": 3}
    services.import_evaluation(velo_db, csv("1.1.1;fait"), "d2.csv", "Vallon", D2, complet=True)
    assert statuses(velo_db, D2) == {"1.1.1": "fait"}


def test_the_first_evaluation_starts_from_nothing(tmp_path):
    db = tmp_path / "pcaet.duckdb"
    services.import_referentiel(db, FIXTURES / "referentiel" / "velo-structure.csv", nom="velo")
    plan = services.plan_import(db, csv("2.1.1;fait"), "d1.csv", "Vallon", D1)
    (bilan,) = plan.bilans
    assert bilan.base_date is None and (bilan.score_avant, round(bilan.score_apres * 100, 4)) == (0.0, 18.75)


def test_reimporting_a_new_file_for_the_same_date_rebuilds_it_from_the_earlier_state(velo_db):
    services.import_evaluation(velo_db, csv("2.1.2;fait"), "d2.csv", "Vallon", D2)
    services.import_evaluation(velo_db, csv("1.1.1;pas fait"), "d2-bis.csv", "Vallon", D2)
    # built on D1 again, not on the first D2 file: 2.1.2 is back to programmé
    assert statuses(velo_db, D2) == {"1.1.1": "pas_fait", "1.1.2": "pas_fait", "2.1.1": "fait", "2.1.2": "programme"}


def test_cli_update_then_a_refused_drop_then_confirmed(velo_db):
    runner = CliRunner()
    path = velo_db.parent / "maj.csv"
    path.write_bytes(csv("2.1.2;fait"))
    result = runner.invoke(main, ["evaluation", "import", str(path), "--collectivite", "Vallon", "--date",
                                  "2026-02-15", "--db", str(velo_db)])
    assert result.exit_code == 0, result.output
    assert ("Aperçu Vallon au 15/02/2026 (velo) (état du 15/01/2026) : score 30,8\u00a0% → 62,0\u00a0% ; "
            "statuts : 1 modifié, 3 repris ; mise à jour (les actions absentes gardent leur statut).") in result.output
    path.write_bytes(csv("1.1.1;fait"))
    args = ["evaluation", "import", str(path), "--collectivite", "Vallon", "--date", "2026-03-15", "--complet",
            "--db", str(velo_db)]
    refused = runner.invoke(main, args)  # not a terminal: no question, refused
    assert refused.exit_code == 1
    assert "maj.csv::: import arrêté : le score baisserait de 50,0 points." in refused.stderr
    assert services.evaluation_dates(velo_db, "Vallon", "velo") == [D1, D2]
    confirmed = runner.invoke(main, [*args, "--confirmer"])
    assert confirmed.exit_code == 0, confirmed.output
    assert statuses(velo_db, D3) == {"1.1.1": "fait"}


def test_merge_alone_keeps_other_collectivities_apart():
    base = pd.DataFrame({"collectivite": ["A", "B"], "date": [D2, D2], "referentiel": ["velo", "velo"],
                         "action_id": ["1.1.2", "1.1.2"], "statut": ["fait", "fait"], "fait": [None, None],
                         "programme": [None, None], "pas_fait": [None, None], "commentaire": ["", ""]})
    given = base.iloc[[0]].assign(action_id="1.1.2.1", statut="pas_fait")
    mise = mise_a_jour.merge(given, base, complet=False)
    # A's 1.1.2 is cleared by its tâche; B's 1.1.2 is not A's business and is carried
    assert mise.cleared[["collectivite", "action_id"]].values.tolist() == [["A", "1.1.2"]]
    assert mise.carried[["collectivite", "action_id"]].values.tolist() == [["B", "1.1.2"]]

