"""`pcaet scores --format csv` is written by DuckDB (store.export.csv_bytes), byte for byte what
the former pandas writer gave (`to_csv(index=False, float_format="%.3f")`, booleans as
true/false): on the 8 official scoring examples through the command line, and on the awkward
values a CSV writer can get wrong."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from support.shared import EXAMPLES, REFERENTIELS, shared_names

from cae_data import services
from cae_data.cli import main
from cae_data.store.export import csv_bytes


def pandas_reference(frame: pd.DataFrame, decimal_columns: list[str]) -> bytes:
    """The writer `pcaet scores` used before: pandas, floats formatted one by one in Python."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "true", False: "false"})
    return out.to_csv(index=False, float_format="%.3f", lineterminator="\n").encode("utf-8")


def test_awkward_values_are_written_as_pandas_wrote_them():
    frame = pd.DataFrame({
        "texte": ["", "a,b", 'il a dit "oui"', "deux\nlignes", "é ü œ", None],
        "point": [0.0, 12.5, 1e6 + 0.125, 3.0, np.nan, 1 / 3],
        "drapeau": [True, False, True, False, True, False],
        "entier": [1, 2, 3, 4, 5, 6],
    })
    frame["point"] = frame["point"].round(3)
    assert csv_bytes(frame, {"point": 3}) == pandas_reference(frame, ["point"])


def test_an_empty_table_keeps_its_header():
    frame = pd.DataFrame({"action_id": pd.Series(dtype=object), "point_fait": pd.Series(dtype=float)})
    assert csv_bytes(frame, {"point_fait": 3}) == b"action_id,point_fait\n"


@pytest.fixture(scope="module")
def referential_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("export") / "pcaet.duckdb"
    result = CliRunner().invoke(main, ["referentiel", "import", str(REFERENTIELS / "cae"), "--personnalisations",
                                       str(REFERENTIELS / "personnalisations"), "--questions",
                                       str(REFERENTIELS / "questions"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@pytest.mark.shared("referentiels/cae", "formats/scoring-examples")
@pytest.mark.parametrize("scenario", shared_names("formats/scoring-examples"))
def test_scores_csv_is_byte_identical_to_the_former_writer(scenario, referential_db, tmp_path):
    db = tmp_path / "pcaet.duckdb"
    shutil.copy(referential_db, db)
    folder = EXAMPLES / scenario
    runner = CliRunner()
    for args in (["collectivite", "set", str(folder / "collectivite.yaml")],
                 ["evaluation", "import", str(folder / "evaluation.csv")]):
        assert runner.invoke(main, [*args, "--db", str(db)]).exit_code == 0
    for toutes in (False, True):
        written = runner.invoke(main, ["scores", *(["--toutes"] if toutes else []), "--db", str(db)]).stdout_bytes
        frame = services.scores_for_output(services.compute_scores(db, toutes=toutes), with_keys=toutes)
        points = [c for c in frame.columns if c.startswith("point_")]
        assert frame[points].dtypes.eq(float).all()
        assert written == pandas_reference(frame, points)
        # root, 6 axes, 19 sous-axes, 61 mesures, 325 sous-actions, 1059 tâches, and the header
        assert len(written.splitlines()) == 1 + 1 + 6 + 19 + 61 + 325 + 1059
