"""The DuckDB work of backup and restore: a copy of the database opened on its own, CHECKPOINT,
row counts, the catalog of a database and the one the migrations build, integrity reads,
sequence positions, the data version. cae_data/sauvegarde.py keeps the file work (manifest,
signature, archive, swap, permissions), the decisions and the French messages, and calls these.

A copy (a backup's `base.duckdb`, a scratch file) is opened directly, not through
`connexion.connect`: only this process uses it, so there is no lock to wait for, no writer
priority and no migration on opening."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .schema import MIGRATIONS, current_version, migrate
from .sql import run

DUCKDB_VERSION = duckdb.__version__  # written in a backup's manifest
DatabaseError = duckdb.Error  # what DuckDB raises on a damaged or foreign file, for the callers' French messages

_HERE = "database_name = current_database()"


@dataclass
class CopyContents:
    """What a checkpointed copy of the database holds, as a backup's manifest records it."""
    schema_version: int
    data_version: int
    tables: dict[str, int]  # row count of every table
    stored_paths: list[str]  # the archive files the uploads table names


def open_copy(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to a file only this process uses (raises DatabaseError when DuckDB cannot
    open it); the caller closes it."""
    return duckdb.connect(str(path), read_only=read_only)


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the write-ahead log into the database file (the WAL file is removed)."""
    run(con, "CHECKPOINT")


def meta_data_version(con: duckdb.DuckDBPyConnection) -> int:
    """`meta.data_version` (0 when empty); raises DatabaseError without a `meta` table."""
    return int(run(con, "SELECT max(data_version) FROM meta")[0][0] or 0)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every table of the database (schema main), by name."""
    names = [r[0] for r in run(con, f"SELECT table_name FROM duckdb_tables() WHERE {_HERE} AND schema_name = 'main' "
                                    "ORDER BY table_name")]
    return {name: int(run(con, f'SELECT count(*) FROM main."{name}"')[0][0]) for name in names}


def read_copy(path: Path) -> CopyContents:
    """Checkpoint a fresh copy of the database (its WAL folded in) and read what it holds."""
    con = open_copy(path)
    try:
        checkpoint(con)
        schema_version = current_version(con)
        data_version = meta_data_version(con) if schema_version else 0
        tables = table_counts(con)
        stored = [r[0] for r in run(con, "SELECT stored_path FROM uploads")] if "uploads" in tables else []
    finally:
        con.close()
    return CopyContents(schema_version, data_version, tables, stored)


def read_whole(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Read every row of `table` whole (each row hashed, so every column's blocks are read and
    DuckDB checks their checksums) and return its row count; raises DatabaseError on a damaged
    block."""
    return int(run(con, f'SELECT count(*), bit_xor(hash(_ligne)) FROM main."{table}" AS _ligne')[0][0])


def serial_positions(con: duckdb.DuckDBPyConnection,
                     serials: list[tuple[str, str, str]]) -> list[tuple[str, str, str, int | None, int]]:
    """For each (table, column, sequence): (table, column, sequence, the column's highest value
    or None when the table is empty, the value the sequence gives next)."""
    positions = []
    for table, column, sequence in serials:
        highest = run(con, f'SELECT max("{column}") FROM main."{table}"')[0][0]
        start, step, last = run(con, "SELECT start_value, increment_by, last_value FROM duckdb_sequences() "
                                     f"WHERE {_HERE} AND schema_name = 'main' AND sequence_name = ?", [sequence])[0]
        positions.append((table, column, sequence, highest, start if last is None else last + step))
    return positions


def advance_data_version(path: Path, beyond: int) -> None:
    """Set the copy's data version past `beyond` (and its own) and checkpoint it: page caches
    key on the data version, which must move forward when a restored file replaces another."""
    con = open_copy(path)
    try:
        run(con, "UPDATE meta SET data_version = greatest(data_version, ?) + 1", [beyond])
        checkpoint(con)
    finally:
        con.close()


# --- the catalog of a database -------------------------------------------------------------

@dataclass
class TableShape:
    sql: str
    columns: list[tuple[str, str]]  # (name, type), in order
    nullable: dict[str, bool]
    defaults: dict[str, str | None]
    constraints: set[str]  # PRIMARY KEY(…), UNIQUE(…), CHECK(…), FOREIGN KEY …: NOT NULL is in `nullable`


@dataclass
class Catalog:
    """Every object a DuckDB database holds (schema main unless named schema.object)."""
    tables: dict[str, TableShape]
    sequences: dict[str, str]  # name → CREATE SEQUENCE text without its START (the position)
    others: dict[tuple[str, str], str]  # (kind, name) → definition: views, macros, indexes, types, schemas

    def serials(self) -> list[tuple[str, str, str]]:
        """(table, column, sequence) of every column whose default draws from a sequence."""
        found = []
        for table, shape in self.tables.items():
            for column, default in shape.defaults.items():
                named = re.fullmatch(r"nextval\('([^']+)'\)", default or "")
                if named:
                    found.append((table, column, named.group(1)))
        return sorted(found)


def catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    """The catalog of the database open on `con`. Kinds of the other objects are named in French
    (they appear in the restore's messages): vue, macro, index, type, schéma, table, séquence."""
    tables: dict[str, TableShape] = {}
    others: dict[tuple[str, str], str] = {}
    for schema, name, sql in run(con, f"SELECT schema_name, table_name, sql FROM duckdb_tables() WHERE {_HERE}"):
        if schema == "main":
            tables[name] = TableShape(sql, [], {}, {}, set())
        else:
            others[("table", f"{schema}.{name}")] = sql
    for table, column, data_type, nullable, default in run(
            con, f"SELECT table_name, column_name, data_type, is_nullable, column_default FROM duckdb_columns() "
                 f"WHERE {_HERE} AND schema_name = 'main' ORDER BY table_name, column_index"):
        if table in tables:
            tables[table].columns.append((column, data_type))
            tables[table].nullable[column] = bool(nullable)
            tables[table].defaults[column] = default
    for table, text in run(con, f"SELECT table_name, constraint_text FROM duckdb_constraints() WHERE {_HERE} "
                                "AND schema_name = 'main' AND constraint_type <> 'NOT NULL'"):
        if table in tables:
            tables[table].constraints.add(text)
    sequences: dict[str, str] = {}
    for schema, name, sql in run(con, f"SELECT schema_name, sequence_name, sql FROM duckdb_sequences() "
                                      f"WHERE {_HERE}"):
        sql = re.sub(r" START -?\d+", "", sql or "")  # where it stands, not what it is (checked with its table)
        if schema == "main":
            sequences[name] = sql
        else:
            others[("séquence", f"{schema}.{name}")] = sql
    for kind, query in (
            ("vue", f"SELECT schema_name, view_name, sql FROM duckdb_views() WHERE {_HERE} AND NOT internal"),
            ("macro", f"SELECT schema_name, function_name, macro_definition FROM duckdb_functions() "
                      f"WHERE {_HERE} AND NOT internal"),
            ("index", f"SELECT schema_name, index_name, sql FROM duckdb_indexes() WHERE {_HERE}"),
            ("type", f"SELECT schema_name, type_name, logical_type FROM duckdb_types() WHERE {_HERE} AND NOT internal"),
            ("schéma", f"SELECT schema_name, schema_name, sql FROM duckdb_schemas() WHERE {_HERE} AND NOT internal")):
        for schema, name, sql in run(con, query):
            others[(kind, name if schema == "main" or kind == "schéma" else f"{schema}.{name}")] = str(sql)
    return Catalog(tables, sequences, others)


@functools.lru_cache(maxsize=None)
def expected_catalog(version: int) -> Catalog:
    """The catalog the migrations build for schema `version`, in a scratch in-memory database
    (the migrations are the one source of truth for the schema). Cached: do not modify it."""
    con = duckdb.connect(":memory:")
    try:
        for migration in MIGRATIONS[:version]:
            run(con, migration)
        return catalog(con)
    finally:
        con.close()


def migrate_copy(path: Path) -> Catalog:
    """Bring a copy of the database to the current schema, checkpoint it, and return its catalog
    (for the caller to compare with the expected one)."""
    con = open_copy(path)
    try:
        migrate(con)
        checkpoint(con)
        return catalog(con)
    finally:
        con.close()
