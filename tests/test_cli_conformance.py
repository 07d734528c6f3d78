"""Issue 4 conformance: every official scenario through the public command line
(profile → import → `pcaet scores`), field for field, with the full referential loaded from
either format. Skipped when ../shared is absent."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from support.shared import EXAMPLES, REFERENTIELS, shared_names

from cae_data.cli import main

SCENARIOS = shared_names("formats/scoring-examples")
FIELDS = ["point_referentiel", "point_potentiel", "point_fait", "point_programme", "point_pas_fait",
          "point_non_renseigne", "desactive", "concerne"]

pytestmark = pytest.mark.shared("referentiels", "formats/scoring-examples")


def run(args: list[str], db: Path) -> str:
    result = CliRunner().invoke(main, [*args, "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module", params=["markdown", "csv"])
def referential_db(request, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp(f"ref-{request.param}") / "pcaet.duckdb"
    if request.param == "markdown":
        run(["referentiel", "import", str(REFERENTIELS / "cae"),
             "--personnalisations", str(REFERENTIELS / "personnalisations"),
             "--questions", str(REFERENTIELS / "questions")], db)
    else:
        run(["referentiel", "import", str(REFERENTIELS / "cae-structure.csv"),
             "--questions", str(REFERENTIELS / "questions")], db)
    return db


def read_scores(text: str) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(text), dtype={"action_id": str}, keep_default_na=False)
    return frame.set_index("action_id")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_through_cli(scenario, referential_db, tmp_path):
    db = tmp_path / "pcaet.duckdb"
    shutil.copy(referential_db, db)
    folder = EXAMPLES / scenario
    run(["collectivite", "set", str(folder / "collectivite.yaml")], db)
    run(["evaluation", "import", str(folder / "evaluation.csv")], db)
    got = read_scores(run(["scores"], db))
    expected = read_scores((folder / "expected.csv").read_text(encoding="utf-8"))
    assert list(got.index) == list(expected.index)
    mismatches = []
    for field in FIELDS:
        differs = got[field].astype(str) != expected[field].astype(str)
        for action_id in got.index[differs]:
            mismatches.append(f"{action_id or 'racine'} {field}: {got.at[action_id, field]} ≠ {expected.at[action_id, field]}")
    assert not mismatches, f"{scenario}: {len(mismatches)} écarts\n" + "\n".join(mismatches[:40])
    assert set(got["referentiel"]) == {"cae"}
    assert got.at["", "niveau"] == "referentiel" and got.at["6.1.1", "niveau"] == "mesure"


def test_subprocess_cli_json_and_exit_codes(tmp_path):
    """The installed `pcaet` entry point itself: JSON output, refused input (1), usage (2)."""
    db = tmp_path / "p.duckdb"
    pcaet = [sys.executable, "-m", "cae_data.cli"]
    folder = EXAMPLES / "01-mesure-6.1.1-statuts-melanges"

    def call(*args):
        return subprocess.run([*pcaet, *args, "--db", str(db)], capture_output=True, text=True)

    assert call("referentiel", "import", str(REFERENTIELS / "cae-structure.csv")).returncode == 0
    assert call("collectivite", "set", str(folder / "collectivite.yaml")).returncode == 0
    assert call("evaluation", "import", str(folder / "evaluation.csv"), "--date", "2026-03-01").returncode == 0
    out = call("scores", "--format", "json")
    assert out.returncode == 0, out.stderr
    records = pd.read_json(io.StringIO(out.stdout), dtype={"action_id": str})
    root = records[records["action_id"] == ""].iloc[0]
    expected = pd.read_csv(folder / "expected.csv", dtype={"action_id": str}, keep_default_na=False)
    expected_root = expected[expected["action_id"] == ""].iloc[0]
    assert root["point_fait"] == pytest.approx(float(expected_root["point_fait"]), abs=5e-4)
    assert root["desactive"] is False or root["desactive"] == False  # noqa: E712 (JSON boolean)

    bad = tmp_path / "mauvais.csv"
    bad.write_bytes("action_id;statut\n6.1.1.1;faitt\n9.9.9.9;fait\n".encode("cp1252"))
    refused = call("evaluation", "import", str(bad))
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert lines[0].startswith("mauvais.csv:2:statut: ") and "faitt" in lines[0]
    assert lines[1].startswith("mauvais.csv:3:action_id: ") and "9.9.9.9" in lines[1]
    assert call("scores", "--format", "xml").returncode == 2
    toutes = call("scores", "--toutes")
    assert toutes.returncode == 0
    assert toutes.stdout.splitlines()[0].startswith("collectivite,date,referentiel,action_id,niveau")
