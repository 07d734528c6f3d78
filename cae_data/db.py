"""DuckDB schema, migrations and connections.

DuckDB allows one writing process: while it holds the file, no other process can open it, not
even read-only. So every connection here is short-lived: readers open read-only and close at
once, writers open, write in one transaction and close; both retry with a short back-off while
the file is locked and then fail with a French message. The schema is described in
docs/data-model.md.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from . import clock
from .errors import InvalidInput

DEFAULT_DB = Path("data") / "pcaet.duckdb"
SCHEMA_VERSION = 3

LOCK_RETRY_SECONDS = 15.0


class DatabaseBusy(RuntimeError):
    """The database stayed locked by another process longer than we wait."""

    def __init__(self, path: Path):
        super().__init__(
            f"La base de données {path} est occupée par une autre opération (un import est sans doute "
            "en cours). Réessayez dans quelques secondes."
        )


class DatabaseMissing(RuntimeError):
    def __init__(self, path: Path):
        super().__init__(
            f"La base de données {path} n'existe pas encore. Créez-la avec la commande : pcaet init"
        )


def resolve_db_path(option: str | os.PathLike | None = None) -> Path:
    """`--db`, else env PCAET_DB, else data/pcaet.duckdb (cli.md)."""
    if option:
        return Path(option)
    env = os.environ.get("PCAET_DB")
    return Path(env) if env else DEFAULT_DB


def uploads_dir(db_path: Path) -> Path:
    """The upload archive lives in a folder beside the database."""
    return db_path.parent / "uploads"


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    # "different configuration": this process already holds the file in the other mode (a
    # dashboard thread reading while another imports): as busy as another process's lock.
    return ("lock" in text or "conflicting" in text or "being used by another process" in text
            or "different configuration" in text)


# Writer priority. Readers can hold the file one after another without a gap, so a writer
# retrying alone could wait forever (seen with a few reader processes in a loop). A writer that
# finds the file busy leaves a marker file beside the database while it waits; readers about
# to open hold back while a live marker is there (at most WRITER_PRIORITY_SECONDS), so the
# readers already in finish and the writer gets in. A marker of a dead process is ignored.
WRITER_PRIORITY_SECONDS = 3.0
_MARKER_INFIX = ".writer-waiting-"


def _marker_pattern(db_path: Path) -> str:
    return f".{db_path.name}{_MARKER_INFIX}*"


def _writer_waiting(db_path: Path) -> bool:
    for marker in db_path.parent.glob(_marker_pattern(db_path)):
        try:
            pid = int(marker.name.rsplit("-", 2)[-2])
            written = marker.read_text(encoding="ascii").strip()
        except (ValueError, OSError):
            continue
        # The marker holds the time it was written, read with the same clock as here (a file's
        # mtime comes from the file system's clock, which a test's shifted clock does not move).
        try:
            age = time.time() - float(written)
        except ValueError:
            age = 0.0  # being written right now
        if age > LOCK_RETRY_SECONDS + 5:
            continue  # a writer gives up after LOCK_RETRY_SECONDS: left by a killed process
        if os.name == "nt":  # os.kill(pid, 0) would terminate the process there: age only
            return True
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass
        return True
    return False


def connect(db_path: Path, read_only: bool = True, retry_seconds: float = LOCK_RETRY_SECONDS) -> duckdb.DuckDBPyConnection:
    if read_only and not db_path.exists():
        raise DatabaseMissing(db_path)
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    deadline = started + retry_seconds
    delay = 0.01
    marker: Path | None = None
    try:
        while True:
            if read_only and time.monotonic() - started < WRITER_PRIORITY_SECONDS and _writer_waiting(db_path):
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(db_path)
                time.sleep(delay + random.random() * delay)
                delay = min(delay * 2, 0.1)
                continue
            try:
                return duckdb.connect(str(db_path), read_only=read_only)
            except duckdb.Error as exc:
                if not _is_lock_error(exc) or time.monotonic() >= deadline:
                    if _is_lock_error(exc):
                        raise DatabaseBusy(db_path) from None
                    raise
            if not read_only and marker is None:
                marker = db_path.parent / (f".{db_path.name}{_MARKER_INFIX}{os.getpid()}-"
                                           f"{threading.get_ident()}")
                try:
                    marker.write_text(repr(time.time()), encoding="ascii")
                except OSError:  # a folder we cannot write to: no priority, plain retries
                    pass
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 0.25)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


@contextmanager
def reading(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(db_path, read_only=True)
    try:
        yield con
    finally:
        con.close()


# Two threads of one process (two dashboard sessions importing at once) would share one
# DuckDB instance and their transactions would conflict (« Conflict on update »): the writes of
# a process take turns. Reentrant so that a write nested in another does not deadlock.
_PROCESS_WRITE_LOCK = threading.RLock()


class NoChange(Exception):
    """Raised inside `writing()` when the checks made in the transaction show there is nothing
    to write (an identical file again): the transaction is rolled back, silently."""


@contextmanager
def writing(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction: everything inside is committed together or not at all."""
    if not _PROCESS_WRITE_LOCK.acquire(timeout=LOCK_RETRY_SECONDS):
        raise DatabaseBusy(db_path)
    try:
        with _one_transaction(db_path) as con:
            yield con
    finally:
        _PROCESS_WRITE_LOCK.release()


@contextmanager
def _one_transaction(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(db_path, read_only=False)
    try:
        migrate(con)
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            _test_pause()
        except NoChange:
            con.execute("ROLLBACK")
            return
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("UPDATE meta SET data_version = data_version + 1, updated_at = ?", [clock.now()])
        con.execute("COMMIT")
    finally:
        con.close()


@contextmanager
def exclusive(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The file held read-write, no transaction opened: nobody else can open it meanwhile
    (a restore swaps the file under this hold, sauvegarde.py). Writes of this process wait."""
    if not _PROCESS_WRITE_LOCK.acquire(timeout=LOCK_RETRY_SECONDS):
        raise DatabaseBusy(db_path)
    try:
        con = connect(db_path, read_only=False)
        try:
            yield con
        finally:
            con.close()
    finally:
        _PROCESS_WRITE_LOCK.release()


def _test_pause() -> None:
    """Crash tests only (tests/test_crash.py): with PCAET_TEST_PAUSE_IN_TRANSACTION=seconds,
    a write announces itself on stderr and waits inside its transaction, before COMMIT, so a
    test can kill it there. Never set in production (docs/securite.md)."""
    seconds = os.environ.get("PCAET_TEST_PAUSE_IN_TRANSACTION")
    if seconds:
        sys.stderr.write("PCAET_TEST_PAUSE\n")
        sys.stderr.flush()
        time.sleep(float(seconds))


def first_row(result) -> tuple | None:
    """The first row of a query, its result read to the end: DuckDB 2.0 refuses some later
    work on the connection (register) while a result is unfinished, as fetchone leaves it."""
    rows = result.fetchall()
    return rows[0] if rows else None


def data_version(db_path: Path) -> tuple:
    """A cheap key that changes whenever the database file changes (for page caches)."""
    parts = []
    for path in (db_path, db_path.with_name(db_path.name + ".wal")):
        try:
            st = path.stat()
            parts.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)


# Each migration brings the schema from version i to i+1; a database made by an older
# version of the project is brought up to date when it is next opened for writing.
MIGRATIONS: list[str] = [
    # 0 -> 1: the foundation
    """
    CREATE TABLE IF NOT EXISTS meta (
        schema_version INTEGER NOT NULL,
        data_version BIGINT NOT NULL DEFAULT 0,
        updated_at TIMESTAMP
    );
    CREATE TABLE IF NOT EXISTS referentiels (
        nom VARCHAR PRIMARY KEY,
        titre VARCHAR NOT NULL,
        source_kind VARCHAR NOT NULL,
        source VARCHAR,
        action_depth INTEGER NOT NULL,
        loaded_at TIMESTAMP NOT NULL
    );
    CREATE TABLE IF NOT EXISTS referentiel_nodes (
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        parent_id VARCHAR,
        depth INTEGER NOT NULL,
        niveau VARCHAR NOT NULL,
        ordre INTEGER NOT NULL,
        position INTEGER NOT NULL,
        nom VARCHAR NOT NULL,
        description VARCHAR,
        textes JSON,
        categorie VARCHAR,
        points_declares DOUBLE,
        pourcentage DOUBLE,
        point_referentiel DOUBLE NOT NULL,
        collectivite_type VARCHAR,
        climat_pratic_id VARCHAR,
        source_file VARCHAR,
        source_line INTEGER,
        PRIMARY KEY (referentiel, action_id)
    );
    CREATE TABLE IF NOT EXISTS personnalisation_rules (
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        expression VARCHAR NOT NULL,
        description VARCHAR,
        source_file VARCHAR,
        source_line INTEGER,
        PRIMARY KEY (referentiel, action_id, kind)
    );
    CREATE TABLE IF NOT EXISTS questions (
        referentiel VARCHAR NOT NULL,
        question_id VARCHAR NOT NULL,
        type VARCHAR NOT NULL,
        thematique_id VARCHAR,
        titre VARCHAR,
        description VARCHAR,
        choix JSON,
        actions JSON,
        source_file VARCHAR,
        source_line INTEGER,
        PRIMARY KEY (referentiel, question_id)
    );
    CREATE TABLE IF NOT EXISTS collectivites (
        nom VARCHAR PRIMARY KEY,
        type VARCHAR,
        population BIGINT,
        localisation VARCHAR,
        reponses JSON,
        updated_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE IF NOT EXISTS upload_ids START 1;
    CREATE TABLE IF NOT EXISTS uploads (
        upload_id BIGINT PRIMARY KEY DEFAULT nextval('upload_ids'),
        kind VARCHAR NOT NULL,
        filename VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        stored_path VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        rows INTEGER NOT NULL,
        uploaded_at TIMESTAMP NOT NULL,
        uploaded_by VARCHAR,
        summary VARCHAR
    );
    CREATE TABLE IF NOT EXISTS evaluations (
        collectivite VARCHAR NOT NULL,
        date DATE NOT NULL,
        referentiel VARCHAR NOT NULL,
        upload_id BIGINT,
        imported_at TIMESTAMP NOT NULL,
        PRIMARY KEY (collectivite, date, referentiel)
    );
    CREATE TABLE IF NOT EXISTS evaluation_statuses (
        collectivite VARCHAR NOT NULL,
        date DATE NOT NULL,
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        statut VARCHAR NOT NULL,
        fait DOUBLE,
        programme DOUBLE,
        pas_fait DOUBLE,
        commentaire VARCHAR,
        PRIMARY KEY (collectivite, date, referentiel, action_id)
    );
    CREATE TABLE IF NOT EXISTS fiches (
        fiche_id VARCHAR PRIMARY KEY,
        titre VARCHAR NOT NULL,
        collectivite VARCHAR,
        etat VARCHAR,
        annee_debut INTEGER,
        annee_fin INTEGER,
        maitre_ouvrage VARCHAR,
        document JSON NOT NULL,
        yaml VARCHAR NOT NULL,
        source_file VARCHAR,
        updated_at TIMESTAMP NOT NULL
    );
    CREATE TABLE IF NOT EXISTS fiche_mesures (
        fiche_id VARCHAR NOT NULL,
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        PRIMARY KEY (fiche_id, referentiel, action_id)
    );
    CREATE TABLE IF NOT EXISTS indicateurs (
        indicateur_id VARCHAR PRIMARY KEY,
        fiche_id VARCHAR,
        nom VARCHAR NOT NULL,
        unite VARCHAR,
        sens VARCHAR NOT NULL,
        source VARCHAR,
        description VARCHAR
    );
    CREATE TABLE IF NOT EXISTS indicateur_cibles (
        indicateur_id VARCHAR NOT NULL,
        annee INTEGER NOT NULL,
        valeur DOUBLE NOT NULL,
        PRIMARY KEY (indicateur_id, annee)
    );
    CREATE TABLE IF NOT EXISTS indicateur_valeurs (
        indicateur_id VARCHAR NOT NULL,
        date DATE NOT NULL,
        valeur DOUBLE NOT NULL,
        commentaire VARCHAR,
        saisi_par VARCHAR,
        saisi_le TIMESTAMP NOT NULL,
        upload_id BIGINT,
        PRIMARY KEY (indicateur_id, date)
    );
    CREATE TABLE IF NOT EXISTS outils_cooperation (
        outil_id VARCHAR PRIMARY KEY,
        position INTEGER NOT NULL,
        titre VARCHAR NOT NULL,
        document JSON NOT NULL
    );
    """,
    # 1 -> 2: weekly steering committees (docs/comites.md)
    """
    CREATE SEQUENCE IF NOT EXISTS comite_ids START 1;
    CREATE TABLE IF NOT EXISTS comites (
        comite_id BIGINT PRIMARY KEY DEFAULT nextval('comite_ids'),
        date DATE NOT NULL UNIQUE,
        titre VARCHAR NOT NULL,
        participants JSON NOT NULL,
        notes VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR
    );
    """,
    # 2 -> 3: accounts and the audit journal (docs/securite.md)
    """
    CREATE TABLE IF NOT EXISTS utilisateurs (
        nom VARCHAR PRIMARY KEY,
        role VARCHAR NOT NULL,
        password_hash VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE IF NOT EXISTS journal_ids START 1;
    CREATE TABLE IF NOT EXISTS journal (
        journal_id BIGINT PRIMARY KEY DEFAULT nextval('journal_ids'),
        recorded_at TIMESTAMP NOT NULL,
        utilisateur VARCHAR,
        action VARCHAR NOT NULL,
        objet VARCHAR,
        detail VARCHAR,
        upload_id BIGINT
    );
    """,
]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT max(schema_version) FROM meta").fetchone()
    return int(row[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the missing migrations in one transaction; returns the schema version."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise InvalidInput.single(
            "base", None, None,
            f"cette base a été créée par une version plus récente du tableau de bord (schéma {version}, "
            f"cette version connaît le schéma {SCHEMA_VERSION})",
        )
    if version == SCHEMA_VERSION:
        return version
    con.execute("BEGIN TRANSACTION")
    try:
        for number in range(version, SCHEMA_VERSION):
            con.execute(MIGRATIONS[number])
        if version == 0:
            con.execute("INSERT INTO meta VALUES (?, 0, ?)", [SCHEMA_VERSION, clock.now()])
        else:
            con.execute("UPDATE meta SET schema_version = ?", [SCHEMA_VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


def is_initialised(db_path: Path) -> bool:
    if not db_path.exists():
        return False
    try:
        with reading(db_path) as con:
            return current_version(con) > 0 and con.execute("SELECT count(*) FROM referentiels").fetchone()[0] > 0
    except duckdb.Error:
        return False
