"""Backup and restore of a whole installation: the DuckDB file and the upload archive.

A backup folder holds `base.duckdb` (a copy of the database, checkpointed into one file),
`uploads/` (the archived raw files, byte for byte) and `manifest.json` (date, schema version,
sha256 and size of every file), written last: a folder without a manifest is not a backup.

Consistency: DuckDB lets nobody write while a read-only connection is open (toolchain.md), so
the file is copied while one is held, WAL included; the copy is then checkpointed on its own.
Archive files are never modified once written (named by their sha256) and exist before the row
that names them is committed, so copying them after the database cannot miss one.

A restore checks the manifest and every sha256 first (nothing is touched if anything is wrong),
copies the archive files in (additive: files of later imports stay, harmless), prepares the
database in a temporary file beside the live one, and swaps it in with `os.replace` (atomic)
while holding the live file, so no write can slip into the old file. The replaced database is
kept in `avant-restauration/` beside it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb

from . import clock, store
from .errors import InvalidInput, Problem

MANIFEST = "manifest.json"
DATABASE = "base.duckdb"
ARCHIVE = "uploads"
FORMAT = "pcaet-sauvegarde"
FORMAT_VERSION = 1
SAFETY_FOLDER = "avant-restauration"
_ARCHIVE_NAME = re.compile(r"^[0-9a-f]{2}/([0-9a-f]{64})__[^/]+$")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BackupFile:
    path: str  # relative to the backup folder, with /
    sha256: str
    size: int


@dataclass
class Manifest:
    created_at: str
    schema_version: int
    data_version: int
    duckdb_version: str
    source: str
    tables: dict[str, int]
    files: list[BackupFile]
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        data = {
            "format": self.format, "format_version": self.format_version, "created_at": self.created_at,
            "schema_version": self.schema_version, "data_version": self.data_version,
            "duckdb_version": self.duckdb_version, "source": self.source, "tables": self.tables,
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


@dataclass
class BackupResult:
    folder: Path
    manifest: Manifest
    warnings: list[str] = field(default_factory=list)

    @property
    def archive_files(self) -> int:
        return sum(1 for f in self.manifest.files if f.path != DATABASE)


@dataclass
class RestoreResult:
    manifest: Manifest
    archive_copied: int  # archive files written (missing or different)
    archive_present: int  # archive files already there, identical
    replaced_copy: Path | None  # the database that was replaced, kept


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _copy_synced(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name").fetchall()]
    return {name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


# --- backup --------------------------------------------------------------------------------

def sauvegarde(db_path: Path, dest_dir: Path) -> BackupResult:
    """Write a full, consistent copy of the database and its upload archive into `dest_dir`
    (absent or empty). The folder appears complete or not at all: it is built under a temporary
    name beside it and renamed at the end."""
    db_path, dest_dir = Path(db_path), Path(dest_dir)
    if not db_path.exists():
        raise store.DatabaseMissing(db_path)
    if dest_dir.exists() and (not dest_dir.is_dir() or any(dest_dir.iterdir())):
        raise InvalidInput.single(str(dest_dir), None, None,
                                  "le dossier de sauvegarde existe déjà et n'est pas vide : choisissez un nouveau dossier")
    dest_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest_dir.name}.partielle-", dir=dest_dir.parent))
    try:
        copy = work / DATABASE
        wal = db_path.with_name(db_path.name + ".wal")
        with store.reading(db_path) as con:  # no writer can change the file while this is open
            shutil.copyfile(db_path, copy)
            if wal.exists():
                shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        # The copy, on its own: fold its WAL in and read what it holds.
        private = duckdb.connect(str(copy))
        try:
            private.execute("CHECKPOINT")
            schema_version = store.current_version(private)
            data_version = int(private.execute("SELECT max(data_version) FROM meta").fetchone()[0] or 0) \
                if schema_version else 0
            tables = _tables(private)
            stored = [r[0] for r in private.execute("SELECT stored_path FROM uploads").fetchall()] \
                if "uploads" in tables else []
        finally:
            private.close()
        copy.with_name(copy.name + ".wal").unlink(missing_ok=True)
        with open(copy, "rb+") as handle:
            os.fsync(handle.fileno())

        files = [BackupFile(DATABASE, sha256_file(copy), copy.stat().st_size)]
        warnings: list[str] = []
        source_archive = store.uploads_dir(db_path)
        if source_archive.is_dir():
            for path in sorted(source_archive.rglob("*")):
                relative = path.relative_to(source_archive)
                if not path.is_file() or any(part.startswith(".") for part in relative.parts):
                    continue  # .incoming-* files are imports being written, not archive files
                named = _ARCHIVE_NAME.match(relative.as_posix())
                if named is None:
                    warnings.append(f"Fichier étranger à l'archive, non sauvegardé : {ARCHIVE}/{relative.as_posix()}")
                    continue
                target = work / ARCHIVE / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy_synced(path, target)
                digest = sha256_file(target)
                if digest != named.group(1):  # altered since its import: a restore would refuse it
                    target.unlink()
                    warnings.append(f"Fichier archivé modifié depuis son import (empreinte différente de son nom), "
                                    f"non sauvegardé : {ARCHIVE}/{relative.as_posix()}")
                    continue
                files.append(BackupFile(f"{ARCHIVE}/{relative.as_posix()}", digest, target.stat().st_size))
        listed = {f.path for f in files}
        warnings += [f"Fichier archivé absent ou écarté, la base le cite : {s}"
                     for s in stored if Path(s).as_posix() not in listed]

        manifest = Manifest(
            created_at=clock.now().isoformat(timespec="seconds"), schema_version=schema_version,
            data_version=data_version, duckdb_version=duckdb.__version__, source=str(db_path.resolve()),
            tables=tables, files=files,
        )
        with open(work / MANIFEST, "w", encoding="utf-8") as handle:
            handle.write(manifest.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        for folder in [work, *(p for p in work.rglob("*") if p.is_dir())]:
            _fsync_dir(folder)
        if dest_dir.exists():
            dest_dir.rmdir()  # empty (checked above): rename needs the name free on every system
        os.replace(work, dest_dir)
        _fsync_dir(dest_dir.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(dest_dir, manifest, warnings)


# --- checking a backup ---------------------------------------------------------------------

def read_manifest(src_dir: Path) -> Manifest:
    """The manifest of a backup folder, checked for shape (not yet against the files)."""
    src_dir = Path(src_dir)
    path = src_dir / MANIFEST
    if not src_dir.is_dir():
        raise InvalidInput.single(str(src_dir), None, None, "dossier de sauvegarde introuvable")
    if not path.is_file():
        raise InvalidInput.single(MANIFEST, None, None,
                                  f"manifeste absent de {src_dir} : ce dossier n'est pas une sauvegarde complète "
                                  "(pcaet sauvegarde écrit manifest.json en dernier)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput.single(MANIFEST, None, None, "manifeste illisible (il doit être en UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput.single(MANIFEST, exc.lineno, exc.colno, "manifeste illisible : JSON mal formé") from None
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem(MANIFEST, None, None, message))

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput.single(MANIFEST, None, None, f"ce n'est pas un manifeste de sauvegarde du tableau de bord "
                                                        f"(champ « format » attendu : {FORMAT})")
    if data.get("format_version") != FORMAT_VERSION:
        bad(f"version de sauvegarde « {data.get('format_version')} » inconnue (attendu : {FORMAT_VERSION})")
    schema = data.get("schema_version")
    data_version = data.get("data_version", 0)
    if not isinstance(data_version, int) or isinstance(data_version, bool) or data_version < 0:
        bad("champ « data_version » invalide (un entier positif est attendu)")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        bad("champ « schema_version » manquant ou invalide")
    elif schema > store.SCHEMA_VERSION:
        bad(f"sauvegarde faite par une version plus récente du tableau de bord (schéma {schema}, cette version "
            f"connaît le schéma {store.SCHEMA_VERSION}) : mettez le tableau de bord à jour avant de restaurer")
    files: list[BackupFile] = []
    entries = data.get("files")
    if not isinstance(entries, list):
        bad("champ « files » manquant ou invalide")
        entries = []
    seen: set[str] = set()
    for entry in entries:
        if not (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                and isinstance(entry.get("sha256"), str) and re.fullmatch(r"[0-9a-fA-F]{64}", entry["sha256"])
                and isinstance(entry.get("size"), int) and not isinstance(entry["size"], bool) and entry["size"] >= 0):
            bad(f"entrée de fichier invalide : {str(entry)[:80]}")
            continue
        name = entry["path"]
        if not _allowed_path(name):
            bad(f"chemin refusé « {name[:80]} » (seuls {DATABASE} et les fichiers de {ARCHIVE}/ sont restaurés)")
            continue
        if name in seen:
            bad(f"fichier « {name} » listé deux fois")
            continue
        seen.add(name)
        files.append(BackupFile(name, entry["sha256"].lower(), entry["size"]))
    if DATABASE not in seen and not problems:
        bad(f"le manifeste ne liste pas la base « {DATABASE} »")
    if problems:
        raise InvalidInput(problems)
    tables = data.get("tables")
    return Manifest(
        created_at=str(data.get("created_at", "")), schema_version=schema, data_version=data_version,
        duckdb_version=str(data.get("duckdb_version", "")), source=str(data.get("source", "")),
        tables=tables if isinstance(tables, dict) else {}, files=files,
    )


def _allowed_path(name: str) -> bool:
    """Only `base.duckdb` and `uploads/xx/<sha256>__name`: nothing can be written elsewhere."""
    if name == DATABASE:
        return True
    if "\\" in name or not name.startswith(ARCHIVE + "/"):
        return False
    parts = PurePosixPath(name).parts
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return False
    return bool(_ARCHIVE_NAME.match(name[len(ARCHIVE) + 1:]))


def verifier(src_dir: Path) -> Manifest:
    """Check a backup folder completely: manifest, presence, size and sha256 of every file, and
    each archive file named by its own sha256. Raises InvalidInput naming every faulty file."""
    src_dir = Path(src_dir)
    manifest = read_manifest(src_dir)
    problems: list[Problem] = []
    for entry in manifest.files:
        path = src_dir / entry.path
        if not path.is_file():
            problems.append(Problem(entry.path, None, None, "fichier listé dans le manifeste mais absent de la sauvegarde"))
            continue
        if path.stat().st_size != entry.size:
            problems.append(Problem(entry.path, None, None,
                                    f"taille différente de celle du manifeste ({path.stat().st_size} octets au lieu "
                                    f"de {entry.size}) : fichier modifié ou abîmé"))
            continue
        if sha256_file(path) != entry.sha256:
            problems.append(Problem(entry.path, None, None,
                                    "empreinte sha256 différente de celle du manifeste : fichier modifié ou abîmé"))
            continue
        if entry.path != DATABASE:
            named = _ARCHIVE_NAME.match(entry.path[len(ARCHIVE) + 1:]).group(1)
            if named != entry.sha256:
                problems.append(Problem(entry.path, None, None,
                                        "le nom du fichier archivé ne correspond pas à son empreinte sha256"))
    if problems:
        raise InvalidInput(problems)
    return manifest


# --- restore -------------------------------------------------------------------------------

def restauration(db_path: Path, src_dir: Path, user: str | None = None) -> RestoreResult:
    """Replace the database (and complete the archive) with the backup in `src_dir`, after
    checking it whole. Nothing is changed when the backup is refused. Needs the admin role on
    the current database (open mode aside); the restore is recorded in the restored journal."""
    from . import auth, journal

    db_path, src_dir = Path(db_path), Path(src_dir)
    if db_path.exists():
        auth.require_role(db_path, user, auth.ADMIN)
    manifest = verifier(src_dir)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{db_path.name}.restauration-", dir=db_path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        _prepare_database(src_dir / DATABASE, temp, manifest)
        copied, present = _restore_archive(src_dir, manifest, store.uploads_dir(db_path))
        replaced = _swap_in(temp, db_path)
    finally:
        temp.unlink(missing_ok=True)
        temp.with_name(temp.name + ".wal").unlink(missing_ok=True)
    with store.writing(db_path) as con:
        store.record_journal(con, user, "restauration", str(src_dir), f"sauvegarde du {manifest.created_at}")
    return RestoreResult(manifest, copied, present, replaced)


def _prepare_database(source: Path, temp: Path, manifest: Manifest) -> None:
    """Copy the backup's database to `temp`, check it is that file and a database of ours,
    bring it to the current schema."""
    expected = next(f for f in manifest.files if f.path == DATABASE)
    _copy_synced(source, temp)
    if sha256_file(temp) != expected.sha256:  # changed between the check and the copy
        raise InvalidInput.single(DATABASE, None, None, "empreinte sha256 différente de celle du manifeste : "
                                                        "fichier modifié pendant la restauration")
    try:
        con = duckdb.connect(str(temp))
    except duckdb.Error:
        raise InvalidInput.single(DATABASE, None, None, "base de données illisible (fichier DuckDB abîmé ou d'une "
                                                        f"version de DuckDB incompatible : sauvegarde faite avec "
                                                        f"{manifest.duckdb_version or 'une version inconnue'})") from None
    try:
        try:
            version = store.current_version(con)
        except duckdb.Error:
            version = 0
        if version != manifest.schema_version:
            raise InvalidInput.single(DATABASE, None, None,
                                      f"la base sauvegardée est au schéma {version}, le manifeste annonce "
                                      f"{manifest.schema_version}")
        store.migrate(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _restore_archive(src_dir: Path, manifest: Manifest, archive: Path) -> tuple[int, int]:
    copied = present = 0
    for entry in manifest.files:
        if entry.path == DATABASE:
            continue
        target = archive / entry.path[len(ARCHIVE) + 1:]
        if target.is_file() and target.stat().st_size == entry.size and sha256_file(target) == entry.sha256:
            present += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
        os.close(fd)
        try:
            _copy_synced(src_dir / entry.path, Path(temp_name))
            _owned_like(archive.parent, Path(temp_name), target.parent, archive)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        copied += 1
    return copied, present


def _swap_in(temp: Path, db_path: Path) -> Path | None:
    """Put `temp` in place of the live database while holding it read-write (nobody else can
    open it, so no write is lost in the replaced file); the replaced file is kept."""
    if not db_path.exists():
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp made it private to its owner
        _owned_like(db_path.parent, temp)
        _fsync_dir(temp.parent)
        os.replace(temp, db_path)
        _fsync_dir(db_path.parent)
        return None
    with store.exclusive(db_path) as con:
        con.execute("CHECKPOINT")  # the live WAL folded in and removed: it must not outlive its file
        try:
            live_version = int(con.execute("SELECT max(data_version) FROM meta").fetchone()[0] or 0)
        except duckdb.Error:
            live_version = 0
        # Page caches key on the data version: it must move forward, never back.
        prepared = duckdb.connect(str(temp))
        try:
            prepared.execute("UPDATE meta SET data_version = greatest(data_version, ?) + 1", [live_version])
            prepared.execute("CHECKPOINT")
        finally:
            prepared.close()
        keep_dir = db_path.parent / SAFETY_FOLDER
        keep_dir.mkdir(exist_ok=True)
        kept = keep_dir / f"{db_path.stem}-{clock.now().strftime('%Y%m%d-%H%M%S-%f')}{db_path.suffix}"
        _copy_synced(db_path, kept)
        _same_owner_and_mode(db_path, temp)
        db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
        os.replace(temp, db_path)
        _fsync_dir(db_path.parent)
    return kept


def _same_owner_and_mode(live: Path, temp: Path) -> None:
    """The dashboard's service account must still be able to open the restored file."""
    info = live.stat()
    os.chmod(temp, stat.S_IMODE(info.st_mode))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(temp, info.st_uid, info.st_gid)


def _owned_like(reference: Path, *paths: Path) -> None:
    """Run as root (an administrator's restore), give what is written to the owner of the
    database folder, the dashboard's service account, or it could not read it."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return
    info = reference.stat()
    for path in paths:
        os.chown(path, info.st_uid, info.st_gid)
