"""A crash in the middle of an import: the process is killed (SIGKILL, no clean-up at all)
inside its write transaction, after the raw file was archived and every row was written but
before COMMIT. The hook `PCAET_TEST_PAUSE_IN_TRANSACTION` (store.connexion._test_pause) holds the
transaction open there and says so on stderr. Afterwards the previous data must be intact, the
next start healthy, and importing the same file again must work."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cae_data import services, store

PROJECT = Path(__file__).resolve().parents[1]
SOUS_ACTIONS = ["6.1.1.1", "6.1.1.2", "6.1.1.3", "6.1.1.4", "6.1.1.5", "6.1.2.1", "6.1.2.2", "6.1.2.3",
                "6.1.2.4", "6.5.1.1", "6.5.1.2", "6.5.1.3"]
DATE = dt.date(2023, 6, 30)
TABLES = ["evaluations", "evaluation_statuses", "uploads", "collectivites", "indicateur_valeurs",
          "indicateur_cibles", "referentiel_nodes", "fiches"]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")


def evaluation_csv(statut: str) -> bytes:
    return ("action_id;statut\n" + "".join(f"{i};{statut}\n" for i in SOUS_ACTIONS)).encode("utf-8")


def pcaet(db_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cae_data.cli", *args, "--db", str(db_path)],
                          capture_output=True, text=True, cwd=PROJECT, timeout=120, env=env)


def snapshot(db_path: Path) -> dict:
    with store.reading(db_path) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        version = con.execute("SELECT data_version FROM meta").fetchone()[0]
        uploads = con.execute("SELECT sha256 FROM uploads").fetchall()
    return {"counts": counts, "data_version": version, "uploads": sorted(u[0] for u in uploads)}


def kill_inside_transaction(db_path: Path, *args: str) -> None:
    """Run a `pcaet` write with the test pause, SIGKILL it once it waits before COMMIT."""
    env = {**os.environ, "PCAET_TEST_PAUSE_IN_TRANSACTION": "60"}
    process = subprocess.Popen([sys.executable, "-m", "cae_data.cli", *args, "--db", str(db_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT, env=env)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line or line.strip() == "PCAET_TEST_PAUSE":
                break
        assert line.strip() == "PCAET_TEST_PAUSE", f"the write never reached its transaction: {line!r}"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def root_points(db_path: Path) -> tuple[float, float, float]:
    scores = services.compute_scores(db_path, "cae", "CAPSO", DATE)
    root = scores[scores["action_id"].astype(str) == ""].iloc[0]
    return float(root["point_potentiel"]), float(root["point_fait"]), float(root["point_programme"])


def test_import_killed_before_commit_leaves_the_previous_evaluation(seeded_db, tmp_path):
    services.import_evaluation(seeded_db, evaluation_csv("fait"), "tout-fait.csv", "CAPSO", DATE)
    potentiel, fait, programme = root_points(seeded_db)
    assert fait == potentiel and programme == 0  # every sous-action fait (scoring.md)
    before = snapshot(seeded_db)
    scores_before = pcaet(seeded_db, "scores", "--collectivite", "CAPSO", "--date", DATE.isoformat())
    assert scores_before.returncode == 0

    incoming = tmp_path / "tout-programme.csv"
    incoming.write_bytes(evaluation_csv("programmé"))
    digest = hashlib.sha256(incoming.read_bytes()).hexdigest()
    kill_inside_transaction(seeded_db, "evaluation", "import", str(incoming),
                            "--collectivite", "CAPSO", "--date", DATE.isoformat(), "--confirmer")

    # The archive was written before the transaction: a content-addressed file, nothing else.
    archived = list(store.uploads_dir(seeded_db).glob(f"{digest[:2]}/{digest}__*"))
    assert len(archived) == 1 and archived[0].read_bytes() == incoming.read_bytes()
    assert not list(store.uploads_dir(seeded_db).rglob(".incoming-*"))
    # The database is exactly as before: same rows, same version, no upload row for the file.
    after = snapshot(seeded_db)
    assert after == before
    assert digest not in after["uploads"]
    scores_after = pcaet(seeded_db, "scores", "--collectivite", "CAPSO", "--date", DATE.isoformat())
    assert scores_after.returncode == 0 and scores_after.stdout == scores_before.stdout

    # The next start is healthy, and the same file imports normally.
    start = pcaet(seeded_db, "init", "--no-demo")
    assert start.returncode == 0, start.stderr
    again = pcaet(seeded_db, "evaluation", "import", str(incoming), "--collectivite", "CAPSO",
                  "--date", DATE.isoformat(), "--confirmer")
    assert again.returncode == 0, again.stderr
    assert "évaluation remplacée" in again.stdout
    potentiel, fait, programme = root_points(seeded_db)
    assert programme == potentiel and fait == 0
    final = snapshot(seeded_db)
    assert final["uploads"].count(digest) == 1
    with store.reading(seeded_db) as con:
        stored = con.execute("SELECT stored_path FROM uploads WHERE sha256 = ?", [digest]).fetchone()[0]
    assert (seeded_db.parent / stored).resolve() == archived[0].resolve()


def test_indicateur_import_killed_before_commit_changes_nothing(seeded_db, tmp_path):
    with store.reading(seeded_db) as con:
        indicateur = con.execute("SELECT min(indicateur_id) FROM indicateurs").fetchone()[0]
    before = snapshot(seeded_db)
    incoming = tmp_path / "valeurs.csv"
    incoming.write_text(f"indicateur;date;valeur\n{indicateur};2020-01-31;12345\n", encoding="utf-8")
    kill_inside_transaction(seeded_db, "indicateurs", "import", str(incoming))
    assert snapshot(seeded_db) == before
    again = pcaet(seeded_db, "indicateurs", "import", str(incoming))
    assert again.returncode == 0, again.stderr
    after = snapshot(seeded_db)
    assert after["counts"]["indicateur_valeurs"] == before["counts"]["indicateur_valeurs"] + 1
    assert after["counts"]["uploads"] == before["counts"]["uploads"] + 1
    assert after["data_version"] == before["data_version"] + 1


def test_a_marker_left_by_a_killed_writer_does_not_hold_readers_back(seeded_db):
    """A writer killed while it waited for the file leaves its marker: readers must not wait
    for a process that no longer exists."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    marker = seeded_db.parent / f".{seeded_db.name}.writer-waiting-{gone.pid}-1"
    marker.write_text(repr(time.time()), encoding="ascii")  # what a waiting writer writes
    started = time.monotonic()
    with store.reading(seeded_db) as con:
        assert con.execute("SELECT count(*) FROM referentiels").fetchone()[0] == 1
    assert time.monotonic() - started < store.WRITER_PRIORITY_SECONDS / 2
    # A live one (this very process) is waited for, but never longer than the priority window.
    alive = seeded_db.parent / f".{seeded_db.name}.writer-waiting-{os.getpid()}-1"
    alive.write_text(repr(time.time()), encoding="ascii")
    started = time.monotonic()
    with store.reading(seeded_db):
        pass
    waited = time.monotonic() - started
    alive.unlink()
    assert store.WRITER_PRIORITY_SECONDS <= waited < store.WRITER_PRIORITY_SECONDS + 2
