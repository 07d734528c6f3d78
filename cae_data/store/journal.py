"""The audit journal: one row per write, recorded by the write itself in its own transaction, so
a write and its journal row are committed together or not at all."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from .. import clock
from ..journal import ACTIONS
from .schema import table_exists


def record_journal(con: duckdb.DuckDBPyConnection, utilisateur: str | None, action: str, objet: str | None,
           detail: str | None = None, upload_id: int | None = None) -> int:
    """Append one row inside the caller's write transaction; returns its journal_id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown journal action {action!r}: add it to journal.ACTIONS")
    rows = con.execute(
        "INSERT INTO journal (recorded_at, utilisateur, action, objet, detail, upload_id) VALUES (?, ?, ?, ?, ?, ?) "
        "RETURNING journal_id",
        [clock.now(), utilisateur, action, objet, detail, upload_id],
    ).fetchall()
    return int(rows[0][0])


def journal_rows(con: duckdb.DuckDBPyConnection, depuis: date | None = None, jusqu_au: date | None = None,
                 utilisateurs: list[str | None] | None = None, actions: list[str] | None = None) -> pd.DataFrame | None:
    """Journal rows, newest first, filtered by day range (both days included), users (None in
    the list means no account) and action codes: journal_id, recorded_at, utilisateur, action,
    objet, detail, upload_id and the archived file's `filename`. None before the journal exists."""
    if not table_exists(con, "journal"):
        return None
    clauses, params = [], []
    if depuis is not None:
        clauses.append("j.recorded_at >= ?")
        params.append(datetime.combine(depuis, datetime.min.time()))
    if jusqu_au is not None:
        clauses.append("j.recorded_at < ?")
        params.append(datetime.combine(jusqu_au + timedelta(days=1), datetime.min.time()))
    if utilisateurs is not None:
        names = [u for u in utilisateurs if u is not None]
        clauses.append("(list_contains(?, j.utilisateur) OR (? AND j.utilisateur IS NULL))")
        params.extend([names, None in utilisateurs])
    if actions is not None:
        clauses.append("list_contains(?, j.action)")
        params.append(list(actions))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return con.execute(
        "SELECT j.journal_id, j.recorded_at, j.utilisateur, j.action, j.objet, j.detail, j.upload_id, u.filename "
        f"FROM journal j LEFT JOIN uploads u USING (upload_id) {where} "
        "ORDER BY j.recorded_at DESC, j.journal_id DESC", params,
    ).df()
