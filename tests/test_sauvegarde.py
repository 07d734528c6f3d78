"""Backup and restore (cae_data/sauvegarde.py, `pcaet sauvegarde|restauration DIR`): a
round trip gives back the same scores and byte-identical archive files; an altered or
incomplete backup is refused, naming the file, and nothing changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cae_data import sauvegarde as backup_module
from cae_data import services, store
from cae_data.cli.sauvegarde import restauration as restauration_command
from cae_data.cli.sauvegarde import sauvegarde as sauvegarde_command
from cae_data.errors import InvalidInput
from cae_data.sauvegarde import restauration, sauvegarde, verifier

SOUS_ACTIONS = ["6.1.1.1", "6.1.1.2", "6.1.1.3", "6.1.1.4", "6.1.1.5", "6.1.2.1", "6.1.2.2", "6.1.2.3",
                "6.1.2.4", "6.5.1.1", "6.5.1.2", "6.5.1.3"]
NEW_DATE = dt.date(2023, 6, 30)


def evaluation_csv(statut: str) -> bytes:
    return ("action_id;statut\n" + "".join(f"{i};{statut}\n" for i in SOUS_ACTIONS)).encode("utf-8")


def archive_bytes(db_path: Path) -> dict[str, bytes]:
    folder = store.uploads_dir(db_path)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def all_scores(db_path: Path) -> pd.DataFrame:
    scores = services.compute_scores(db_path, toutes=True)
    return services.scores_for_output(scores, with_keys=True).reset_index(drop=True)


def counts(db_path: Path) -> dict[str, int]:
    with store.reading(db_path) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("evaluations", "evaluation_statuses", "uploads", "indicateur_valeurs")}


def data_version(db_path: Path) -> int:
    with store.reading(db_path) as con:
        return con.execute("SELECT data_version FROM meta").fetchone()[0]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_round_trip_gives_back_scores_and_archive(seeded_db, tmp_path):
    scores_before = all_scores(seeded_db)
    archive_before = archive_bytes(seeded_db)
    counts_before = counts(seeded_db)
    files = len(archive_before)
    assert counts_before["evaluations"] >= 1 and files >= 1  # the demo's evaluations and their files
    with store.reading(seeded_db) as con:
        last_upload = con.execute("SELECT max(upload_id) FROM uploads").fetchone()[0]

    result = sauvegarde(seeded_db, tmp_path / "sauvegarde")
    manifest = json.loads((tmp_path / "sauvegarde" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "pcaet-sauvegarde" and manifest["schema_version"] == store.SCHEMA_VERSION
    assert manifest["tables"]["evaluations"] == counts_before["evaluations"]
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert listed == {"base.duckdb": sha((tmp_path / "sauvegarde" / "base.duckdb").read_bytes()),
                      **{f"uploads/{name}": sha(data) for name, data in archive_before.items()}}
    assert result.archive_files == files and not result.warnings
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no half-written folder left

    # Things change after the backup: a new evaluation and its archived file.
    services.import_evaluation(seeded_db, evaluation_csv("fait"), "nouvelle.csv", "CAPSO", NEW_DATE)
    assert counts(seeded_db)["evaluations"] == counts_before["evaluations"] + 1
    assert not all_scores(seeded_db).equals(scores_before)
    version_before_restore = data_version(seeded_db)

    restored = restauration(seeded_db, tmp_path / "sauvegarde")
    assert all_scores(seeded_db).equals(scores_before)
    assert counts(seeded_db) == counts_before
    after = archive_bytes(seeded_db)
    assert {name: after[name] for name in archive_before} == archive_before  # byte-identical
    assert len(after) == files + 1  # the later file stays: additive, content-addressed, harmless
    assert restored.archive_present == files and restored.archive_copied == 0
    assert data_version(seeded_db) > version_before_restore  # caches see a change
    assert not seeded_db.with_name(seeded_db.name + ".wal").exists()
    # The replaced database is kept, with the evaluation imported after the backup.
    with store.reading(restored.replaced_copy) as con:
        assert con.execute("SELECT count(*) FROM evaluations").fetchone()[0] == counts_before["evaluations"] + 1
    # The restored database keeps its sequences: the next import gets a fresh upload id.
    result = services.import_evaluation(seeded_db, evaluation_csv("programmé"), "apres.csv", "CAPSO", NEW_DATE)
    assert result.upload_id == last_upload + 1
    assert counts(seeded_db)["uploads"] == counts_before["uploads"] + 1


def test_restore_onto_a_new_machine(seeded_db, tmp_path):
    sauvegarde(seeded_db, tmp_path / "s")
    fresh = tmp_path / "ailleurs" / "data" / "pcaet.duckdb"
    result = restauration(fresh, tmp_path / "s")
    assert result.replaced_copy is None and result.archive_copied == len(archive_bytes(seeded_db))
    assert all_scores(fresh).equals(all_scores(seeded_db))
    assert archive_bytes(fresh) == archive_bytes(seeded_db)
    # The archived files are readable through the service, checked against their sha256.
    with store.reading(fresh) as con:
        upload_id = con.execute("SELECT min(upload_id) FROM uploads").fetchone()[0]
    assert services.read_upload(fresh, upload_id).data == services.read_upload(seeded_db, upload_id).data


def tamper(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def unchanged_guard(db_path: Path):
    before = (hashlib.sha256(db_path.read_bytes()).hexdigest(), archive_bytes(db_path))
    return lambda: (hashlib.sha256(db_path.read_bytes()).hexdigest(), archive_bytes(db_path)) == before


@pytest.fixture
def backup_and_change(seeded_db, tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "s"
    sauvegarde(seeded_db, folder)
    services.import_evaluation(seeded_db, evaluation_csv("fait"), "nouvelle.csv", "CAPSO", NEW_DATE)
    return seeded_db, folder


def test_altered_archive_file_is_refused_and_nothing_changes(backup_and_change):
    db_path, folder = backup_and_change
    victim = sorted((folder / "uploads").rglob("*__*"))[0]
    tamper(victim)
    same = unchanged_guard(db_path)
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    name = victim.relative_to(folder).as_posix()
    assert [str(p) for p in refused.value.problems] == [
        f"{name}::: empreinte sha256 différente de celle du manifeste : fichier modifié ou abîmé"]
    assert same()
    with store.reading(db_path) as con:  # the change made after the backup is still there
        assert con.execute("SELECT count(*) FROM evaluations WHERE date = ?", [NEW_DATE]).fetchone()[0] == 1


def test_altered_database_copy_is_refused(backup_and_change):
    db_path, folder = backup_and_change
    tamper(folder / "base.duckdb")
    same = unchanged_guard(db_path)
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert str(refused.value) == "base.duckdb::: empreinte sha256 différente de celle du manifeste : fichier modifié ou abîmé"
    assert same()
    assert not [p for p in db_path.parent.iterdir() if ".restauration-" in p.name]


def test_incomplete_or_foreign_backups_are_refused(backup_and_change, tmp_path):
    db_path, folder = backup_and_change
    same = unchanged_guard(db_path)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    missing = sorted((folder / "uploads").rglob("*__*"))[-1]
    missing.unlink()
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert str(refused.value) == (f"{missing.relative_to(folder).as_posix()}::: fichier listé dans le manifeste "
                                  "mais absent de la sauvegarde")

    manifest_path.write_text('{"format": "pcaet-sauvegarde",\n "files": [}', encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert str(refused.value) == "manifest.json:2:12: manifeste illisible : JSON mal formé"

    # A manifest that would write outside the archive (path traversal) or comes from the future.
    evil = dict(manifest, schema_version=store.SCHEMA_VERSION + 1,
                files=manifest["files"] + [{"path": "uploads/../../../etc/cron.d/x", "sha256": "0" * 64, "size": 1}])
    manifest_path.write_text(json.dumps(evil), encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    messages = [p.message for p in refused.value.problems]
    assert messages[0].startswith(f"sauvegarde faite par une version plus récente du tableau de bord (schéma "
                                  f"{store.SCHEMA_VERSION + 1}")
    assert messages[1].startswith("chemin refusé « uploads/../../../etc/cron.d/x »")

    manifest_path.unlink()
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert str(refused.value).startswith("manifest.json::: manifeste absent de ")
    with pytest.raises(InvalidInput, match="dossier de sauvegarde introuvable"):
        restauration(db_path, tmp_path / "nulle-part")
    assert same()


def test_backup_refuses_a_folder_in_use_and_a_missing_database(seeded_db, tmp_path):
    used = tmp_path / "occupe"
    used.mkdir()
    (used / "autre.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match="le dossier de sauvegarde existe déjà et n'est pas vide"):
        sauvegarde(seeded_db, used)
    assert [p.name for p in used.iterdir()] == ["autre.txt"]
    with pytest.raises(store.DatabaseMissing):
        sauvegarde(tmp_path / "absente.duckdb", tmp_path / "s")
    empty = tmp_path / "vide"
    empty.mkdir()
    assert sauvegarde(seeded_db, empty).folder == empty  # an empty folder is fine
    assert verifier(empty).schema_version == store.SCHEMA_VERSION


def test_backup_includes_what_a_killed_writer_committed(seeded_db, tmp_path):
    """A writer killed after COMMIT but before its checkpoint leaves its data in the WAL: the
    backup must carry it (the copy folds the WAL in)."""
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, duckdb\n"
         "con = duckdb.connect(sys.argv[1])\n"
         "con.execute('UPDATE meta SET data_version = 999')\n"
         "print('ok', flush=True)\n"
         "time.sleep(60)",
         str(seeded_db)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "ok"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    assert seeded_db.with_name(seeded_db.name + ".wal").exists()
    result = sauvegarde(seeded_db, tmp_path / "s")
    assert result.manifest.data_version == 999
    assert not (tmp_path / "s" / "base.duckdb.wal").exists()
    fresh = tmp_path / "b" / "pcaet.duckdb"
    restauration(fresh, tmp_path / "s")
    assert data_version(fresh) == 1000  # a new machine: nothing to move forward from, + the journal entry


def test_backup_during_imports_is_whole(seeded_db, tmp_path):
    """Imports running in another thread while the backup copies: the copied evaluation is one
    whole file's, never a mix."""
    services.import_evaluation(seeded_db, evaluation_csv("fait"), "a.csv", "CAPSO", NEW_DATE)
    stop = threading.Event()

    def importer() -> None:
        n = 0
        while not stop.is_set() and n < 40:
            services.import_evaluation(seeded_db, evaluation_csv("programmé" if n % 2 == 0 else "fait"),
                                       f"{n}.csv", "CAPSO", NEW_DATE)
            n += 1

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        for k in range(3):
            sauvegarde(seeded_db, tmp_path / f"s{k}")
    finally:
        stop.set()
        thread.join(timeout=120)
    for k in range(3):
        with store.reading(tmp_path / f"s{k}" / "base.duckdb") as con:
            statuts = con.execute("SELECT statut, count(*) FROM evaluation_statuses WHERE date = ? GROUP BY statut",
                                  [NEW_DATE]).fetchall()
        assert statuts in ([("fait", 12)], [("programme", 12)])


def test_cli_commands_and_exit_codes(seeded_db, tmp_path):
    runner = CliRunner()
    folder = tmp_path / "s"
    files = len(archive_bytes(seeded_db))
    done = runner.invoke(sauvegarde_command, [str(folder), "--db", str(seeded_db)])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Sauvegarde écrite dans {folder} : base (schéma {store.SCHEMA_VERSION}) et "
                                  f"{files} fichier(s) importé(s)")
    again = runner.invoke(sauvegarde_command, [str(folder), "--db", str(seeded_db)])
    assert again.exit_code == 1
    assert again.output == (f"{folder}::: le dossier de sauvegarde existe déjà et n'est pas vide : "
                            "choisissez un nouveau dossier\n")

    restored = runner.invoke(restauration_command, [str(folder), "--db", str(seeded_db)])
    assert restored.exit_code == 0, restored.output
    assert f"restaurée : 0 fichier(s) importé(s) recopié(s), {files} déjà présent(s)." in restored.output
    assert "La base remplacée est conservée dans " in restored.output

    tamper(folder / "base.duckdb")
    refused = runner.invoke(restauration_command, [str(folder), "--db", str(seeded_db)])
    assert refused.exit_code == 1
    assert refused.output == "base.duckdb::: empreinte sha256 différente de celle du manifeste : fichier modifié ou abîmé\n"
    assert runner.invoke(restauration_command, ["--db", str(seeded_db)]).exit_code == 2
    assert runner.invoke(sauvegarde_command, []).exit_code == 2


def test_archive_paths_allowed_in_a_manifest():
    ok = "uploads/ab/" + "ab" * 32 + "__evaluation 2024.csv"
    assert backup_module._allowed_path("base.duckdb") and backup_module._allowed_path(ok)
    for bad in ("../base.duckdb", "/etc/passwd", "uploads/../x", "uploads/ab/.incoming-x",
                "uploads\\ab\\x", "uploads/ab/notahash__x.csv", "autre/ab/" + "ab" * 32 + "__x"):
        assert not backup_module._allowed_path(bad), bad


def test_backup_leaves_out_altered_or_foreign_archive_files_with_a_warning(seeded_db, tmp_path):
    """One damaged archive file must not make the whole backup unrestorable: it is left out
    and named, the rest is saved and restores."""
    archive = store.uploads_dir(seeded_db)
    victim = sorted(archive.rglob("*__*"))[0]
    tamper(victim)
    (archive / "LISEZMOI.txt").write_text("note", encoding="utf-8")
    result = sauvegarde(seeded_db, tmp_path / "s")
    name = f"uploads/{victim.relative_to(archive).as_posix()}"
    assert sorted(result.warnings[:2]) == [  # in the archive's order, then what the database cites
        f"Fichier archivé modifié depuis son import (empreinte différente de son nom), non sauvegardé : {name}",
        "Fichier étranger à l'archive, non sauvegardé : uploads/LISEZMOI.txt",
    ]
    assert result.warnings[2:] == [f"Fichier archivé absent ou écarté, la base le cite : {name}"]
    assert name not in {f.path for f in result.manifest.files}
    fresh = tmp_path / "b" / "pcaet.duckdb"
    restauration(fresh, tmp_path / "s")
    assert all_scores(fresh).equals(all_scores(seeded_db))


def test_restore_needs_the_admin_role_and_is_journalled(tmp_path):
    """A reader (or an editor) cannot replace the database; an admin can, and it is recorded."""
    from cae_data import auth
    from cae_data.sauvegarde import restauration, sauvegarde

    base = tmp_path / "p.duckdb"
    services.init_database(base, demo=False)
    sauvegarde(base, tmp_path / "s")
    auth.add_account(base, "ada", "admin", "motdepasse-admin")
    auth.add_account(base, "eli", "lecture", "motdepasse-lecture", by="ada")
    auth.add_account(base, "cam", "edition", "motdepasse-edition", by="ada")
    for user in (None, "eli", "cam"):
        with pytest.raises(auth.PermissionRefused):
            restauration(base, tmp_path / "s", user=user)
    assert auth.accounts_exist(base)  # nothing replaced: the accounts made after the backup are there
    restauration(base, tmp_path / "s", user="ada")
    entries = services.journal_entries(base)
    restored = entries[entries["action"] == "restauration"]
    assert len(restored) == 1 and restored.iloc[0]["utilisateur"] == "ada"
