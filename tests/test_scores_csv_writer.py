"""The fast CSV writer of scores (scoring/csv_writer.py, services.write_scores_csv) writes the
bytes the general writer (DuckDB, store.export.csv_bytes, itself checked against the former
pandas writer in test_export_csv.py) writes: hand-written lines first, then random tables with
awkward texts and numbers, then the whole command on a database."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cae_data import services
from cae_data.cli import main
from cae_data.scoring.csv_writer import csv_text
from cae_data.scoring.rounding import round_exact
from cae_data.store.export import csv_bytes


def test_hand_written_lines():
    frame = pd.DataFrame({
        "action_id": pd.Categorical(["", "1.1", 'a "b"']),
        "nom": ["Ville, Test", None, "x"],
        # 1.0005 is stored as 1.000499999999999944… → 1.000 (Python's round; np.round gives 1.001);
        # 0.0005 is stored as 0.000500000000000000010… → 0.001; 500 → 500.000; NaN → empty.
        "point": [1.0005, 0.0005, 500.0],
        "autre": [np.nan, 12.5, 0.0],
        "drapeau": [True, False, True],
    })
    assert csv_text(frame, {"point": 3, "autre": 3}) == (
        b'action_id,nom,point,autre,drapeau\n'
        b',"Ville, Test",1.000,,true\n'
        b'1.1,,0.001,12.500,false\n'
        b'"a ""b""",x,500.000,0.000,true\n'
    )


def test_numbers_too_long_for_the_fast_writer_are_refused():
    frame = pd.DataFrame({"a": ["x"], "point": [12345678.0]})  # 12345678.000, 13 bytes with the comma
    assert csv_text(frame, {"point": 3}) is None


@pytest.mark.parametrize("seed", range(6))
def test_random_tables_match_the_general_writer(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        n = int(rng.integers(0, 60))
        values = rng.choice([0.0, -0.0, 0.0005, 0.0015, 2.675, 1 / 3, -1 / 3, 12.3456, 999.9995, 999.9994,
                             -0.0004, np.nan, np.inf, 123456.789, 0.3375, 2.7 / 8], size=n)
        texts = rng.choice(["", "a,b", 'il "x"', "deux\nl", "é ü", " y", "z ", "ok", "a\rb"], size=n).astype(object)
        texts[rng.random(n) < 0.1] = None
        raw = pd.DataFrame({"t": texts, "c": pd.Categorical(rng.choice(["1.1", "", "x,y"], size=n)),
                            "p": values * rng.choice([1, 10, 0.01]), "q": rng.random(n) * 100,
                            "b": rng.random(n) < 0.5})
        rounded = raw.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for column in ("p", "q"):
                rounded[column] = round_exact(raw[column].to_numpy(), 3) + 0.0
        expected = csv_bytes(rounded, {"p": 3, "q": 3})
        for frame in (raw, rounded):  # it rounds unrounded values itself
            assert csv_text(frame, {"p": 3, "q": 3}) == expected


def test_command_and_stream_give_the_general_writer_bytes(tmp_path):
    db = tmp_path / "pcaet.duckdb"
    services.init_database(db, demo=True)
    for toutes in (False, True):
        expected = csv_bytes(services.scores_for_output(services.compute_scores(db, toutes=toutes), toutes),
                             {c: 3 for c in services.POINT_FIELDS})
        stream = io.BytesIO()
        services.write_scores_csv(db, stream, toutes=toutes)
        assert stream.getvalue() == expected
        args = ["scores", *(["--toutes"] if toutes else []), "--db", str(db)]
        assert CliRunner().invoke(main, args).stdout_bytes == expected
    # 8 demo evaluations of the 3 seed mesures: 8 × 94 node lines and the header
    assert len(expected.splitlines()) == 1 + 8 * len(services.load_referentiel(db).nodes)


def test_stream_for_a_collectivity_without_evaluation(tmp_path):
    db = tmp_path / "pcaet.duckdb"
    services.init_database(db, demo=False)
    services.set_collectivites(db, [(b"nom: Bourg\ntype: commune\npopulation: 900\n", "bourg.yaml")])
    stream = io.BytesIO()
    services.write_scores_csv(db, stream, collectivite="Bourg")
    expected = services.scores_csv(services.compute_scores(db, collectivite="Bourg"), with_keys=False)
    assert stream.getvalue() == expected
    root = stream.getvalue().splitlines()[1]
    # nothing evaluated: the whole potential (3 seed mesures × 100 points) is non renseigné
    assert root == b"cae,,referentiel,300.000,300.000,0.000,0.000,0.000,300.000,false,true"


def test_json_stream_gives_the_pandas_text(tmp_path):
    """`pcaet scores --format json` writes what pandas' to_json wrote (records, indent 1, a final
    line end), built by the fast writer: 500 → 500.0, 58.63 stays 58.63, NaN → null."""
    db = tmp_path / "pcaet.duckdb"
    services.init_database(db, demo=True)
    for toutes in (False, True):
        frame = services.scores_for_output(services.compute_scores(db, toutes=toutes), toutes)
        expected = (frame.to_json(orient="records", force_ascii=False, indent=1) + "\n").encode("utf-8")
        stream = io.BytesIO()
        services.write_scores_json(db, stream, toutes=toutes)
        assert stream.getvalue() == expected
        args = ["scores", "--format", "json", *(["--toutes"] if toutes else []), "--db", str(db)]
        assert CliRunner().invoke(main, args).stdout_bytes == expected
    assert expected.startswith(b'[\n {\n  "collectivite":"CAPSO",\n  "date":"2024-03-15",\n  "referentiel":"cae",\n')


def test_json_numbers_and_nulls():
    from cae_data.scoring.csv_writer import JsonNumbers, Pieces, iter_lines

    values = np.array([0.0, 58.63, 500.0, 0.001, np.nan, 999.999, 12.5, 1.0005, 7.1204])
    text = b"".join(iter_lines([Pieces(np.zeros(len(values), dtype=np.int64), [b":"]),
                                JsonNumbers(values, b",")], len(values)))
    # 1.0005 is stored below the midpoint → 1.000 → "1.0"; 7.1204 → 7.120 → "7.12"
    assert text == b":0.0,:58.63,:500.0,:0.001,:null,:999.999,:12.5,:1.0,:7.12,"
