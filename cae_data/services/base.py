"""What the dashboard asks of the database before it reads: where it is, a cheap version that
changes whenever the file changes (the key of its page caches) and whether it holds data yet."""

from __future__ import annotations

from pathlib import Path

from .. import store
from ..archive import sha256_of


def database_path(option: str | None = None) -> Path:
    """The database the command line and the dashboard use (`--db`, else $PCAET_DB, else
    data/pcaet.duckdb), as an absolute path."""
    return store.resolve_db_path(option).resolve()


def data_version(db_path: Path) -> tuple:
    """A cheap key that changes whenever the database file (or its WAL) changes."""
    return store.data_version(Path(db_path))


def is_ready(db_path: Path) -> bool:
    """Whether the database exists, is migrated and holds a referential."""
    return store.is_initialised(Path(db_path))


__all__ = ["database_path", "data_version", "is_ready", "sha256_of"]
