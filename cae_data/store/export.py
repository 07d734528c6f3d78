"""Tables written out as CSV by DuckDB, not value by value in Python: the command line's
`pcaet scores` and the exports. An in-memory DuckDB reads the frame (through Arrow) and writes
the file; numbers get a fixed number of decimals as the formats ask (cli.md: 3)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def csv_bytes(frame: pd.DataFrame, decimals: dict[str, int] | None = None, separator: str = ",") -> bytes:
    """The frame as UTF-8 CSV with a header and `\\n` line ends, like pandas' `to_csv(index=False)`:
    fields quoted only when needed, empty strings and missing values as empty fields, booleans as
    `true`/`false`, and each column of `decimals` printed with exactly that many decimals (the
    values are expected rounded already: the cast only prints them)."""
    decimals = decimals or {}
    columns = []
    for name in frame.columns:
        column = _quoted(str(name))
        if name in decimals:
            expression = f"CASE WHEN isfinite({column}) THEN CAST({column} AS DECIMAL(38, {int(decimals[name])})) END"
        elif pd.api.types.is_string_dtype(frame[name]) or frame[name].dtype == object:
            expression = f"NULLIF(CAST({column} AS VARCHAR), '')"
        else:
            expression = column
        columns.append(f"{expression} AS {column}")
    con = duckdb.connect()
    try:
        con.register("frame", frame)
        with tempfile.TemporaryDirectory(prefix="pcaet-export-") as folder:
            target = Path(folder) / "export.csv"
            con.execute(
                f"COPY (SELECT {', '.join(columns)} FROM frame) TO '{target}' "
                f"(HEADER, DELIMITER '{separator}', QUOTE '\"', ESCAPE '\"', NULLSTR '')"
            )
            return target.read_bytes()
    finally:
        con.close()
