"""Two helpers every store module uses to execute SQL."""

from __future__ import annotations

import duckdb


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    """Execute one statement and read its result to the end: DuckDB 2.0 refuses later work on
    the connection (register, another execute) while a result is unfinished."""
    return con.execute(sql, params or []).fetchall()


def first_row(result) -> tuple | None:
    """The first row of a query, its result read to the end: DuckDB 2.0 refuses some later
    work on the connection (register) while a result is unfinished, as fetchone leaves it."""
    rows = result.fetchall()
    return rows[0] if rows else None
