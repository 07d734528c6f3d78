"""Two people at once: a real `pcaet evaluation import` running in other processes, again and
again, while reader processes and threads read the same evaluation. DuckDB lets one process
write or several read (toolchain.md), so every reader must see the whole old evaluation or the
whole new one, and a reader kept waiting too long gets the French « occupée » message, never a
traceback.

Both files evaluate the 12 sous-actions of the seed referential for (CAPSO, 2023-06-30): all
« fait » in one, all « programmé » in the other. By scoring.md, an all-fait evaluation has
point_fait = point_potentiel and point_programme = 0 at the root, and the other the reverse."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest

from cae_data import services, store

TESTS_DIR = Path(__file__).resolve().parent
PROJECT = TESTS_DIR.parent
SOUS_ACTIONS = ["6.1.1.1", "6.1.1.2", "6.1.1.3", "6.1.1.4", "6.1.1.5", "6.1.2.1", "6.1.2.2", "6.1.2.3",
                "6.1.2.4", "6.5.1.1", "6.5.1.2", "6.5.1.3"]
DATE = dt.date(2023, 6, 30)
COLLECTIVITE = "CAPSO"
WRITES = 4  # imports, alternating the two files
READER_PROCESSES = 2
READER_THREADS = 2
MAX_READS = 400  # per reader
MAX_SECONDS = 40.0  # per reader, whatever happens
PAUSE_BETWEEN_READS = 0.1  # a page rerun, not a spin: readers still overlap most of the time
BUSY_START = "La base de données "
BUSY_END = "est occupée par une autre opération (un import est sans doute en cours). Réessayez dans quelques secondes."


def evaluation_csv(statut: str) -> bytes:
    return ("action_id;statut\n" + "".join(f"{i};{statut}\n" for i in SOUS_ACTIONS)).encode("utf-8")


def observe(db_path: Path) -> dict:
    """One read of the stored statuses and one scoring, each in its own read-only connection."""
    try:
        with store.reading(db_path) as con:
            counts = dict(con.execute(
                "SELECT statut, count(*) FROM evaluation_statuses WHERE collectivite = ? AND date = ? "
                "AND referentiel = 'cae' GROUP BY statut", [COLLECTIVITE, DATE]).fetchall())
        scores = services.compute_scores(db_path, "cae", COLLECTIVITE, DATE)
        root = scores[scores["action_id"].astype(str) == ""].iloc[0]
        return {"statuts": counts, "potentiel": float(root["point_potentiel"]),
                "fait": float(root["point_fait"]), "programme": float(root["point_programme"])}
    except store.DatabaseBusy as exc:
        return {"busy": str(exc)}
    except Exception:  # anything else is a failure of the test, reported with its traceback
        return {"error": traceback.format_exc()}


def reader_loop(db_path: Path, stop: Path, emit) -> None:
    deadline = time.monotonic() + MAX_SECONDS
    for n in range(MAX_READS):
        if n and (stop.exists() or time.monotonic() > deadline):
            break
        emit(observe(db_path))
        time.sleep(PAUSE_BETWEEN_READS)


def reader_main(db_path: str, stop: str) -> None:
    """Entry point of a reader process: `ready`, then one JSON line per observation on stdout."""
    print(json.dumps({"ready": True}), flush=True)
    reader_loop(Path(db_path), Path(stop), lambda record: print(json.dumps(record), flush=True))


def kind_of(record: dict) -> str:
    """'fait' or 'programme' when the observation is one whole evaluation, else a description."""
    statuts = record["statuts"]
    if statuts == {"fait": len(SOUS_ACTIONS)}:
        from_statuses = "fait"
    elif statuts == {"programme": len(SOUS_ACTIONS)}:
        from_statuses = "programme"
    else:
        return f"mélange de statuts {statuts}"
    potentiel, fait, programme = record["potentiel"], record["fait"], record["programme"]
    if abs(fait - potentiel) < 1e-9 and programme == 0:
        from_scores = "fait"
    elif abs(programme - potentiel) < 1e-9 and fait == 0:
        from_scores = "programme"
    else:
        return f"scores mélangés {record}"
    # The two reads are two snapshots: each must be whole, they may differ from each other.
    return from_statuses if from_statuses == from_scores else "fait/programme"


@pytest.fixture
def contested_db(seeded_db, tmp_path) -> Path:
    services.import_evaluation(seeded_db, evaluation_csv("fait"), "a.csv", COLLECTIVITE, DATE)
    return seeded_db


def test_readers_see_whole_evaluations_while_imports_run(contested_db, tmp_path):
    files = {"fait": tmp_path / "tout-fait.csv", "programme": tmp_path / "tout-programme.csv"}
    files["fait"].write_bytes(evaluation_csv("fait"))
    files["programme"].write_bytes(evaluation_csv("programmé"))
    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT), str(TESTS_DIR)])}
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", "import sys, test_concurrency as t; t.reader_main(sys.argv[1], sys.argv[2])",
             str(contested_db), str(stop)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT,
        )
        for _ in range(READER_PROCESSES)
    ]
    thread_records: list[list[dict]] = [[] for _ in range(READER_THREADS)]
    threads = [threading.Thread(target=reader_loop, args=(contested_db, stop, records.append))
               for records in thread_records]
    for thread in threads:
        thread.start()

    writes = []
    try:
        for reader in readers:  # a loaded machine takes seconds to import pandas
            assert json.loads(reader.stdout.readline()) == {"ready": True}
        time.sleep(0.5)
        for n in range(WRITES):
            target = "programme" if n % 2 == 0 else "fait"
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "cae_data.cli", "evaluation", "import", str(files[target]),
                 "--collectivite", COLLECTIVITE, "--date", DATE.isoformat(), "--confirmer", "--db", str(contested_db)],
                capture_output=True, text=True, env=env, cwd=PROJECT, timeout=60,
            )
            writes.append((target, done.returncode, done.stdout, done.stderr, time.monotonic() - started))
    finally:
        stop.touch()
        for thread in threads:
            thread.join(timeout=60)
        outputs = [reader.communicate(timeout=60) for reader in readers]

    for target, code, out, err, _ in writes:
        assert code == 0, f"import {target} refusé ou planté : {out}{err}"
        assert "évaluation remplacée" in out
        assert "Traceback" not in err
    # The last import wrote the all-fait file (WRITES is even).
    assert kind_of(observe(contested_db)) == "fait"

    per_reader = [[json.loads(line) for line in out.splitlines() if line.strip()] for out, _ in outputs]
    per_reader += thread_records
    for (out, err), reader in zip(outputs, readers):
        assert reader.returncode == 0 and "Traceback" not in err, err
    seen = check_records(per_reader)
    # The imports really happened under the readers' eyes.
    assert {"fait", "programme"} <= seen, seen


def check_records(per_reader: list[list[dict]]) -> set[str]:
    """Every observation whole (or the French busy message); returns the kinds seen."""
    seen = set()
    for records in per_reader:
        assert any("statuts" in r for r in records), f"un lecteur n'a rien pu lire : {records[:3]}"
        for record in records:
            assert "error" not in record, record.get("error")
            if "busy" in record:
                assert record["busy"].startswith(BUSY_START) and record["busy"].endswith(BUSY_END)
                continue
            kind = kind_of(record)
            assert kind in ("fait", "programme", "fait/programme"), kind
            seen.add(kind)
    return seen


def test_dashboard_process_reads_while_one_of_its_threads_imports(contested_db, tmp_path):
    """The Streamlit server is one process: a session importing while others read. DuckDB then
    refuses the second mode in the same process (« different configuration »), which must be
    waited out like another process's lock, not shown as a traceback."""
    stop = tmp_path / "stop"
    thread_records: list[list[dict]] = [[] for _ in range(READER_THREADS)]
    threads = [threading.Thread(target=reader_loop, args=(contested_db, stop, records.append))
               for records in thread_records]
    for thread in threads:
        thread.start()
    outcomes = []
    try:
        time.sleep(0.3)
        for n in range(WRITES):
            statut = "programmé" if n % 2 == 0 else "fait"
            result = services.import_evaluation(contested_db, evaluation_csv(statut), f"{n}.csv", COLLECTIVITE, DATE)
            outcomes.append(result.outcomes[0].action)
            time.sleep(0.3)
    finally:
        stop.touch()
        for thread in threads:
            thread.join(timeout=60)
    assert outcomes == ["remplacée"] * WRITES
    assert kind_of(observe(contested_db)) == "fait"
    check_records(thread_records)


def test_two_sessions_of_one_process_import_at_the_same_time(contested_db):
    """Two dashboard sessions importing at once share the process's DuckDB instance: without
    taking turns their transactions conflict (« Conflict on update »). Each import must succeed."""
    failures: list[str] = []
    done: list[str] = []

    def session(k: int) -> None:
        for n in range(3):
            statut = "programmé" if (n + k) % 2 == 0 else "fait"
            try:
                result = services.import_evaluation(contested_db, evaluation_csv(statut), f"{k}-{n}.csv",
                                                    COLLECTIVITE, DATE)
                done.append(result.outcomes[0].action)
            except Exception:
                failures.append(traceback.format_exc())

    sessions = [threading.Thread(target=session, args=(k,)) for k in range(3)]
    for thread in sessions:
        thread.start()
    for thread in sessions:
        thread.join(timeout=120)
    assert not failures, failures[0]
    assert len(done) == 9 and set(done) <= {"remplacée", "identique"}
    assert kind_of(observe(contested_db)) in ("fait", "programme")


def test_a_writer_gets_in_between_readers_that_never_let_go(seeded_db, tmp_path):
    """Two reader threads whose connections always overlap keep the file locked for as long as
    they run. A writer waiting leaves a marker; new readers hold back, the open ones finish,
    and the writer gets in well within its budget (without the marker it never would)."""
    stop = threading.Event()
    opened = []

    def overlapping_reader(offset: float) -> None:
        time.sleep(offset)
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            con = store.connect(seeded_db, read_only=True)
            opened.append(time.monotonic())
            time.sleep(0.3)
            con.close()

    readers = [threading.Thread(target=overlapping_reader, args=(offset,)) for offset in (0.0, 0.15)]
    for reader in readers:
        reader.start()
    try:
        time.sleep(0.5)
        writer = subprocess.run(
            [sys.executable, "-c",
             "import sys, time; from pathlib import Path; from cae_data import store\n"
             "start = time.monotonic(); con = store.connect(Path(sys.argv[1]), read_only=False, retry_seconds=8)\n"
             "print(round(time.monotonic() - start, 2)); con.close()",
             str(seeded_db)],
            capture_output=True, text=True, cwd=PROJECT, timeout=60,
            env={**os.environ, "PYTHONPATH": str(PROJECT)},
        )
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    assert writer.returncode == 0, writer.stderr
    assert float(writer.stdout) < store.WRITER_PRIORITY_SECONDS + 1
    assert len(opened) >= 4  # the readers did run before and after
    assert not list(seeded_db.parent.glob(f".{seeded_db.name}.writer-waiting-*"))  # marker removed


def test_busy_database_gives_the_french_message_after_the_retry_budget(seeded_db):
    """A writer that keeps the file: a reader gives up after its budget with the French message."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(30)",
         str(seeded_db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        started = time.monotonic()
        with pytest.raises(store.DatabaseBusy) as caught:
            store.connect(seeded_db, read_only=True, retry_seconds=0.5)
        waited = time.monotonic() - started
        assert 0.5 <= waited < 3.0
        assert str(caught.value) == BUSY_START + BUSY_END  # no server path on screen (issue 16)
        assert str(seeded_db) not in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
    # Once the writer is gone, reading works again (the seed referential has 68 nodes).
    assert len(services.compute_scores(seeded_db, "cae", "CAPSO")) == 68
