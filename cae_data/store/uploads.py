"""The record of every raw file brought (the bytes themselves are in the archive folder,
cae_data/archive.py)."""

from __future__ import annotations

import duckdb
import pandas as pd

from .. import clock


def record_upload(con: duckdb.DuckDBPyConnection, kind: str, filename: str, sha256: str, stored_path: str,
                  size_bytes: int, rows: int, uploaded_by: str | None, summary: str | None) -> int:
    """One row for an archived file, inside the caller's transaction; returns its upload_id."""
    result = con.execute(
        "INSERT INTO uploads (kind, filename, sha256, stored_path, size_bytes, rows, uploaded_at, uploaded_by, summary) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING upload_id",
        [kind, filename, sha256, stored_path, size_bytes, rows, clock.now(), uploaded_by, summary],
    ).fetchall()
    return int(result[0][0])


def list_uploads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every upload, newest first: upload_id, kind, filename, sha256, uploaded_at, rows,
    uploaded_by, summary, size_bytes, stored_path."""
    return con.execute(
        "SELECT upload_id, kind, filename, sha256, uploaded_at, rows, uploaded_by, summary, size_bytes, "
        "stored_path FROM uploads ORDER BY uploaded_at DESC, upload_id DESC"
    ).df()


def upload_file(con: duckdb.DuckDBPyConnection, upload_id: int) -> tuple[str, str, str] | None:
    """(filename, sha256, stored_path) of one upload, or None."""
    rows = con.execute("SELECT filename, sha256, stored_path FROM uploads WHERE upload_id = ?",
                       [int(upload_id)]).fetchall()
    return tuple(rows[0]) if rows else None
