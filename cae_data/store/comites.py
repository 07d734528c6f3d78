"""Weekly steering committees."""

from __future__ import annotations

import duckdb

from .. import clock
from ..comites import Comite
from .codec import from_json, to_json
from .schema import table_exists
from .sql import first_row, run


def load_comites(con: duckdb.DuckDBPyConnection) -> list:
    """Every committee, oldest first (empty on a database not migrated yet)."""
    if not table_exists(con, "comites"):
        return []
    rows = con.execute(
        "SELECT comite_id, date, titre, participants, notes, created_at, created_by FROM comites ORDER BY date"
    ).fetchall()
    return [
        Comite(date=when, titre=titre, participants=list(from_json(participants) or []), notes=notes or "",
               comite_id=int(comite_id), created_at=created_at, created_by=created_by)
        for comite_id, when, titre, participants, notes, created_at, created_by in rows
    ]


def save_comite(con: duckdb.DuckDBPyConnection, comite, user: str | None) -> int:
    """Insert a committee (inside the caller's transaction); returns its id."""
    return int(con.execute(
        "INSERT INTO comites (date, titre, participants, notes, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) "
        "RETURNING comite_id",
        [comite.date, comite.titre, to_json(list(comite.participants)), comite.notes, clock.now(), user],
    ).fetchall()[0][0])


def replace_comite(con: duckdb.DuckDBPyConnection, old_date, comite) -> int | None:
    """Replace the committee of `old_date` by `comite` (its date may change), keeping its id and
    its creation; None when there is no committee at `old_date`. Delete then insert: DuckDB
    refuses some UPDATEs of a column under a UNIQUE constraint."""
    row = first_row(con.execute("SELECT comite_id, created_at, created_by FROM comites WHERE date = ?", [old_date]))
    if row is None:
        return None
    comite_id, created_at, created_by = row
    run(con, "DELETE FROM comites WHERE comite_id = ?", [comite_id])
    run(con, 
        "INSERT INTO comites VALUES (?, ?, ?, ?, ?, ?, ?)",
        [comite_id, comite.date, comite.titre, to_json(list(comite.participants)), comite.notes, created_at, created_by],
    )
    return int(comite_id)
