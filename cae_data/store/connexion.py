"""Connections to the DuckDB file: short-lived, retried while another process holds it.

DuckDB allows one writing process: while it holds the file, no other process can open it, not
even read-only. So every connection here is short-lived: readers open read-only and close at
once, writers open, write in one transaction and close; both retry with a short back-off while
the file is locked and then fail with a French message. The schema and its migrations
are in schema.py (described in docs/data-model.md).
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

from .. import clock
from ..errors import DatabaseBusy, DatabaseMissing, NoChange
from .schema import current_version, migrate
from .sql import first_row

DEFAULT_DB = Path("data") / "pcaet.duckdb"
Connection = duckdb.DuckDBPyConnection  # what services hand to the store's functions

LOCK_RETRY_SECONDS = 15.0


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


def is_initialised(db_path: Path) -> bool:
    if not db_path.exists():
        return False
    try:
        with reading(db_path) as con:
            return current_version(con) > 0 and first_row(con.execute("SELECT count(*) FROM referentiels"))[0] > 0
    except duckdb.Error:
        return False
