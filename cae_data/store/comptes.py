"""The accounts (table `utilisateurs`): every read and write of it. The rules (roles, names,
password hashing, who may do what) are in cae_data/auth.py, which calls these functions.

A database of an older schema opened read-only has no `utilisateurs` table until its next write
(migration 2 → 3): callers check `comptes_table_exists` first."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from .schema import table_exists
from .sql import run

COMPTE_COLUMNS = ["nom", "role", "created_at", "updated_at"]  # what a listing shows: never the hash


def comptes_table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, "utilisateurs")


def count_comptes(con: duckdb.DuckDBPyConnection, role: str | None = None, without: str | None = None) -> int:
    """Number of accounts, only those of `role` when given, leaving out the account `without`."""
    clauses, params = [], []
    if role is not None:
        clauses.append("role = ?")
        params.append(role)
    if without is not None:
        clauses.append("nom <> ?")
        params.append(without)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return int(run(con, f"SELECT count(*) FROM utilisateurs{where}", params)[0][0])


def compte_role(con: duckdb.DuckDBPyConnection, nom: str) -> str | None:
    """The role of the account `nom`, None when there is no such account."""
    rows = run(con, "SELECT role FROM utilisateurs WHERE nom = ?", [nom])
    return rows[0][0] if rows else None


def compte_row(con: duckdb.DuckDBPyConnection, nom: str) -> tuple[str, str, str, datetime, datetime] | None:
    """(nom, role, password_hash, created_at, updated_at) of the account `nom`, or None."""
    rows = run(con, "SELECT nom, role, password_hash, created_at, updated_at FROM utilisateurs WHERE nom = ?", [nom])
    return tuple(rows[0]) if rows else None


def usual_hash_prefix(con: duckdb.DuckDBPyConnection) -> str | None:
    """The most frequent 7-character prefix of the stored hashes (bcrypt's `$2b$12$`: version
    and cost), the greater one on a tie; None when there is no account."""
    rows = run(con, "SELECT substr(password_hash, 1, 7) AS prefix FROM utilisateurs GROUP BY prefix "
                    "ORDER BY count(*) DESC, prefix DESC LIMIT 1")
    return rows[0][0] if rows else None


def comptes_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every account by name: COMPTE_COLUMNS (never the hash)."""
    return con.execute(f"SELECT {', '.join(COMPTE_COLUMNS)} FROM utilisateurs ORDER BY nom").df()


def comptes_with_journal(con: duckdb.DuckDBPyConnection, journal: bool = True) -> list[tuple[str, str, str, bool]]:
    """(nom, role, password_hash, in_journal) of every account by name, stored values as they
    are (a backup's accounts are checked with them); `in_journal`: the journal has a `compte`
    line about the account (always False with `journal=False`, for a schema without journal)."""
    in_journal = ("EXISTS (SELECT 1 FROM journal j WHERE j.action = 'compte' AND j.objet = u.nom)"
                  if journal else "false")
    return [tuple(row) for row in run(
        con, f"SELECT u.nom, u.role, u.password_hash, {in_journal} FROM utilisateurs u ORDER BY u.nom")]


def insert_compte(con: duckdb.DuckDBPyConnection, nom: str, role: str, password_hash: str, now: datetime) -> None:
    """One new account, inside the caller's write transaction."""
    run(con, "INSERT INTO utilisateurs VALUES (?, ?, ?, ?, ?)", [nom, role, password_hash, now, now])


def delete_compte(con: duckdb.DuckDBPyConnection, nom: str) -> None:
    run(con, "DELETE FROM utilisateurs WHERE nom = ?", [nom])


def update_compte_role(con: duckdb.DuckDBPyConnection, nom: str, role: str, now: datetime) -> None:
    run(con, "UPDATE utilisateurs SET role = ?, updated_at = ? WHERE nom = ?", [role, now, nom])


def update_compte_password(con: duckdb.DuckDBPyConnection, nom: str, password_hash: str, now: datetime) -> None:
    run(con, "UPDATE utilisateurs SET password_hash = ?, updated_at = ? WHERE nom = ?", [password_hash, now, nom])
