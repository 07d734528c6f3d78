"""Engine-level conformance on the official examples (formats/scoring-examples/*/).

Each example gives a profile, an evaluation and the official engine's points for every node
of the full CAE referential. The referential is read twice: from ADEME's markdown (with its
personnalisations and questions) and from the CSV structure file (rules inside). Every
field of every node must match after rounding to 3 decimals; all mismatches of a scenario
are reported at once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.shared import EXAMPLES, REFERENTIELS, shared_path

from cae_data.personnalisation.profile import read_profile
from cae_data.referentiel.loader import read_referentiel
from cae_data.scoring.engine import score_evaluations, score_one
from cae_data.scoring.rounding import round_scores

pytestmark = pytest.mark.shared("referentiels")

STATUT_CODES = {
    "fait": "fait", "programmé": "programme", "pas fait": "pas_fait",
    "non concerné": "non_concerne", "non renseigné": "non_renseigne", "détaillé": "detaille",
}
POINTS = ["point_referentiel", "point_potentiel", "point_fait", "point_programme",
          "point_pas_fait", "point_non_renseigne"]
FLAGS = ["desactive", "concerne"]


def example_dirs() -> list[Path]:
    if not EXAMPLES.is_dir():
        return []
    return sorted(p for p in EXAMPLES.iterdir() if (p / "expected.csv").is_file())


@pytest.fixture(scope="module", params=["markdown", "csv"])
def referentiel(request):
    shared_path("referentiels/cae")
    if request.param == "markdown":
        return read_referentiel(REFERENTIELS / "cae", personnalisations=REFERENTIELS / "personnalisations",
                                questions=REFERENTIELS / "questions")
    return read_referentiel(REFERENTIELS / "cae-structure.csv", questions=REFERENTIELS / "questions")


@pytest.fixture(scope="module")
def questions():
    shared_path("referentiels/cae")
    ref = read_referentiel(REFERENTIELS / "cae", personnalisations=REFERENTIELS / "personnalisations",
                           questions=REFERENTIELS / "questions")
    return ref.questions


def read_evaluation(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / "evaluation.csv", dtype=str, keep_default_na=False)
    statut = frame["statut"].str.strip().map(STATUT_CODES)
    assert statut.notna().all(), f"statut inconnu dans {folder.name}/evaluation.csv"
    rows = pd.DataFrame({"action_id": frame["action_id"].str.strip(), "statut": statut})
    for column in ("fait", "programme", "pas_fait"):
        rows[column] = pd.to_numeric(frame[column].str.replace(",", "."), errors="coerce") / 100
    return rows


def read_expected(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "expected.csv", dtype={"action_id": str}, keep_default_na=False)


def mismatches(expected: pd.DataFrame, got: pd.DataFrame) -> list[str]:
    got = round_scores(got)
    got = got.assign(action_id=got["action_id"].astype(str))
    merged = expected.merge(got, on="action_id", how="outer", suffixes=("_attendu", "_obtenu"),
                            indicator=True)
    problems = [f"{a or '(racine)'} : nœud absent du résultat" for a in
                merged.loc[merged["_merge"] == "left_only", "action_id"]]
    problems += [f"{a or '(racine)'} : nœud en trop" for a in
                 merged.loc[merged["_merge"] == "right_only", "action_id"]]
    both = merged[merged["_merge"] == "both"]
    for field in POINTS:
        want = both[f"{field}_attendu"].astype(float).to_numpy()
        have = both[f"{field}_obtenu"].astype(float).to_numpy()
        for i in np.flatnonzero(np.abs(want - have) > 1e-9):
            problems.append(f"{both['action_id'].iloc[i] or '(racine)'} {field} : attendu {want[i]:.3f}, "
                            f"obtenu {have[i]:.3f}")
    for field in FLAGS:
        want = both[f"{field}_attendu"].astype(str).str.lower().to_numpy()
        have = both[f"{field}_obtenu"].astype(bool).map({True: "true", False: "false"}).to_numpy()
        for i in np.flatnonzero(want != have):
            problems.append(f"{both['action_id'].iloc[i] or '(racine)'} {field} : attendu {want[i]}, "
                            f"obtenu {have[i]}")
    return problems


@pytest.mark.parametrize("folder", example_dirs(), ids=lambda p: p.name)
def test_example_matches_official_scores(referentiel, questions, folder):
    profile = read_profile((folder / "collectivite.yaml").read_bytes(), "collectivite.yaml", questions)
    got = score_one(referentiel, profile, read_evaluation(folder))
    problems = mismatches(read_expected(folder), got)
    assert not problems, f"{folder.name} : {len(problems)} écart(s)\n" + "\n".join(problems)


def test_all_examples_scored_together_match(referentiel, questions):
    """The 8 evaluations as one batch (8 subjects, 8 profiles) give each its own results."""
    shared_path("formats/scoring-examples")
    folders = example_dirs()
    profiles, rows = [], []
    for k, folder in enumerate(folders):
        profiles.append(read_profile((folder / "collectivite.yaml").read_bytes(), "collectivite.yaml",
                                     questions))
        rows.append(read_evaluation(folder).assign(subject=k))
    subjects = pd.DataFrame({"subject": range(len(folders)), "profile": range(len(folders))})
    scores = score_evaluations(referentiel, profiles, subjects, pd.concat(rows, ignore_index=True))
    for k, folder in enumerate(folders):
        got = scores[scores["subject"] == k].drop(columns="subject")
        problems = mismatches(read_expected(folder), got)
        assert not problems, f"{folder.name} (lot) : {len(problems)} écart(s)\n" + "\n".join(problems[:50])


@pytest.mark.shared("referentiels/cae", "formats/scoring-examples")
def test_examples_are_present():
    assert len(example_dirs()) == 8
