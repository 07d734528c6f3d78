"""Backup and restore of a whole installation: the DuckDB file and the upload archive.

A backup folder holds `base.duckdb` (a copy of the database, checkpointed into one file),
`uploads/` (the archived raw files, byte for byte) and `manifest.json` (date, schema version,
row count of every table, sha256 and size of every file, and, when the key
PCAET_CLE_SAUVEGARDE is set, an HMAC-SHA256 signature), written last: a folder without a
manifest is not a backup.

Consistency: DuckDB lets nobody write while a read-only connection is open (toolchain.md), so
the file is copied while one is held, WAL included; the copy is then checkpointed on its own.
Archive files are never modified once written (named by their sha256) and exist before the row
that names them is committed, so copying them after the database cannot miss one.

A restore trusts nothing it has not checked, and touches nothing before every check passed:
1. the manifest, every file's size and sha256, and the signature (refused when a key is set and
   the signature is missing or wrong);
2. the database, copied to a scratch file beside the live one and opened read-only there: its
   catalog compared object by object, column by column (name, type, order, NOT NULL, default)
   and constraint by constraint with the one the migrations build for its schema version in an
   in-memory database (one source of truth: `store.MIGRATIONS`); then every table read whole
   (DuckDB checks each block's checksum as it reads), `meta` holding one row, the row counts
   equal to the manifest's, each sequence ahead of the ids it serves, and the accounts valid
   (known role, bcrypt hash, one admin at least);
3. the accounts found are handed to the caller (`on_checked`) before the swap: the command line
   shows them;
then the copy is migrated to the current schema, the archive files are copied in (additive:
files of later imports stay, harmless) and the copy is swapped in with `os.replace` (atomic)
while holding the live file, so no write can slip into the old file. The replaced database is
kept in `avant-restauration/` beside it.

This module does the file work and decides (every message is here); the DuckDB work it asks for
(copies opened on their own, CHECKPOINT, catalogs, integrity reads, counts, sequences, the data
version of the swap) is in store/sauvegarde.py, a backup's accounts are read by store/comptes.py."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from . import auth, clock, store
from .errors import InvalidInput, Problem, Refused, shown
from .formatting import nombre

MANIFEST = "manifest.json"
DATABASE = "base.duckdb"
ARCHIVE = "uploads"
FORMAT = "pcaet-sauvegarde"
FORMAT_VERSION = 1
SAFETY_FOLDER = "avant-restauration"
_ARCHIVE_NAME = re.compile(r"^[0-9a-f]{2}/([0-9a-f]{64})__[^/]+$")
_CHUNK = 1024 * 1024

# Optional signature (docs/securite.md « Signing backups »): HMAC-SHA256 with a key from the
# environment over a fixed prefix, the manifest as canonical JSON (without its signature) and
# the database's sha256. The key's fingerprint (an HMAC of a fixed text) is written beside it so
# that a backup signed with an older key is recognised; it reveals nothing of the key.
KEY_ENV = "PCAET_CLE_SAUVEGARDE"
MIN_KEY_CHARS = 16
SIGNATURE_ALGORITHM = "HMAC-SHA256"
_SIGNED_PREFIX = b"pcaet-sauvegarde/1\n"
_KEY_ID_TEXT = b"pcaet-sauvegarde/identifiant-de-cle"
SIGNATURE_VERIFIED = "verifiee"  # a key is set and the signature matches
SIGNATURE_ABSENT = "absente"  # no key set and the backup is not signed
SIGNATURE_UNCHECKED = "non_verifiee"  # the backup is signed but no key is set to check it
SIGNATURE_REFUSED = "refusee"  # a key is set and the signature is missing or wrong (never restored)
SIGNATURE_LABELS = {SIGNATURE_VERIFIED: "signature vérifiée", SIGNATURE_ABSENT: "non signée",
                    SIGNATURE_UNCHECKED: "signature non vérifiée, clé absente"}


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
    signature: dict | None = None  # {"algorithme", "cle" (key fingerprint), "valeur" (hex)}
    raw: dict | None = field(default=None, repr=False, compare=False)  # as read, for the signature

    def to_dict(self) -> dict:
        data = {
            "format": self.format, "format_version": self.format_version, "created_at": self.created_at,
            "schema_version": self.schema_version, "data_version": self.data_version,
            "duckdb_version": self.duckdb_version, "source": self.source, "tables": self.tables,
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
        }
        if self.signature is not None:
            data["signature"] = self.signature
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"


@dataclass
class BackupResult:
    folder: Path
    manifest: Manifest
    warnings: list[str] = field(default_factory=list)

    @property
    def archive_files(self) -> int:
        return sum(1 for f in self.manifest.files if f.path != DATABASE)


@dataclass(frozen=True)
class BackupAccount:
    """An account found in a backup, shown before it replaces the live accounts."""
    nom: str
    role: str
    in_journal: bool  # the backup's journal has a line about it (an account made by pcaet has one)


@dataclass
class CheckedBackup:
    """A backup that passed every check: what a restore would bring back."""
    manifest: Manifest
    signature: str  # SIGNATURE_VERIFIED, SIGNATURE_ABSENT or SIGNATURE_UNCHECKED
    accounts: list[BackupAccount]
    rows: int  # rows of every table together, equal to the manifest's counts


@dataclass
class RestoreResult:
    manifest: Manifest
    archive_copied: int  # archive files written (missing or different)
    archive_present: int  # archive files already there, identical
    replaced_copy: Path | None  # the database that was replaced, kept
    checked: CheckedBackup


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


# --- signature -----------------------------------------------------------------------------

def signing_key(key: str | bytes | None = None) -> bytes | None:
    """The signing key: `key` when given, else the variable PCAET_CLE_SAUVEGARDE (None when
    unset or empty). A key shorter than MIN_KEY_CHARS is refused in French."""
    if key is None:
        key = os.environ.get(KEY_ENV) or None
        if key is None:
            return None
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(key) < MIN_KEY_CHARS:
        raise Refused(f"Clé {KEY_ENV} trop courte : {MIN_KEY_CHARS} caractères au moins (une phrase de passe "
                      "ou 32 caractères aléatoires, par exemple : openssl rand -hex 32).")
    return raw


def key_fingerprint(key: bytes) -> str:
    """16 hex digits naming a key without revealing it (written in a signed manifest)."""
    return hmac.new(key, _KEY_ID_TEXT, hashlib.sha256).hexdigest()[:16]


def signature_of(manifest: dict, key: bytes) -> str:
    """HMAC-SHA256 (hex) of a manifest as read from or written to manifest.json: a fixed prefix,
    the manifest without its `signature` as canonical JSON (sorted keys, no spaces, UTF-8), a
    newline and the sha256 of base.duckdb as listed."""
    body = {name: value for name, value in manifest.items() if name != "signature"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    files = body.get("files") if isinstance(body.get("files"), list) else []
    database = next((str(f.get("sha256", "")) for f in files if isinstance(f, dict) and f.get("path") == DATABASE), "")
    return hmac.new(key, _SIGNED_PREFIX + canonical + b"\n" + database.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_signature(manifest: Manifest, key: bytes | None) -> tuple[str, list[Problem]]:
    """The signature's state, and the problem when a key is set and it is missing or wrong."""
    if key is None:
        return (SIGNATURE_ABSENT if manifest.signature is None else SIGNATURE_UNCHECKED), []
    if manifest.signature is None:
        return SIGNATURE_REFUSED, [Problem(MANIFEST, None, None, f"sauvegarde non signée : la clé {KEY_ENV} est "
                                                                "définie, seule une sauvegarde signée avec elle est "
                                                                "restaurée")]
    expected = signature_of(manifest.raw if manifest.raw is not None else manifest.to_dict(), key)
    if hmac.compare_digest(expected, manifest.signature["valeur"].lower()):
        return SIGNATURE_VERIFIED, []
    message = ("signature invalide : le manifeste ou la base ont été modifiés après la sauvegarde, ou la sauvegarde "
               "a été signée avec une autre clé")
    written, current = str(manifest.signature.get("cle", "")), key_fingerprint(key)
    if written != current:
        message += f" (clé de la sauvegarde {shown(written, 20) or 'inconnue'}, clé actuelle {current})"
    return SIGNATURE_REFUSED, [Problem(MANIFEST, None, None, message)]


# --- backup --------------------------------------------------------------------------------

def sauvegarde(db_path: Path, dest_dir: Path, key: str | bytes | None = None) -> BackupResult:
    """Write a full, consistent copy of the database and its upload archive into `dest_dir`
    (absent or empty). The folder appears complete or not at all: it is built under a temporary
    name beside it and renamed at the end. Signed when a key is given or PCAET_CLE_SAUVEGARDE
    is set."""
    db_path, dest_dir = Path(db_path), Path(dest_dir)
    key = signing_key(key)
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
        with store.reading(db_path):  # no writer can change the file while this is open
            shutil.copyfile(db_path, copy)
            if wal.exists():
                shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        # The copy, on its own: fold its WAL in and read what it holds.
        contents = store.read_copy(copy)
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
                     for s in contents.stored_paths if Path(s).as_posix() not in listed]

        manifest = Manifest(
            created_at=clock.now().isoformat(timespec="seconds"), schema_version=contents.schema_version,
            data_version=contents.data_version, duckdb_version=store.DUCKDB_VERSION, source=str(db_path.resolve()),
            tables=contents.tables, files=files,
        )
        if key is not None:
            manifest.signature = {"algorithme": SIGNATURE_ALGORITHM, "cle": key_fingerprint(key),
                                  "valeur": signature_of(manifest.to_dict(), key)}
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
    tables = data.get("tables")
    if not (isinstance(tables, dict) and all(isinstance(count, int) and not isinstance(count, bool) and count >= 0
                                             for count in tables.values())):
        bad("champ « tables » manquant ou invalide (le nombre de lignes de chaque table est attendu)")
    signature = data.get("signature")
    if signature is not None and not (isinstance(signature, dict) and isinstance(signature.get("valeur"), str)
                                      and re.fullmatch(r"[0-9a-fA-F]{64}", signature["valeur"])
                                      and signature.get("algorithme") == SIGNATURE_ALGORITHM):
        bad(f"champ « signature » invalide ({SIGNATURE_ALGORITHM} en hexadécimal attendu)")
    if problems:
        raise InvalidInput(problems)
    return Manifest(
        created_at=str(data.get("created_at", "")), schema_version=schema, data_version=data_version,
        duckdb_version=str(data.get("duckdb_version", "")), source=str(data.get("source", "")),
        tables=dict(tables), files=files, signature=signature, raw=data,
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


def verifier(src_dir: Path, key: str | bytes | None = None) -> Manifest:
    """Check a backup folder's files: manifest, presence, size and sha256 of every file, each
    archive file named by its own sha256, and the signature when a key is given or set in
    PCAET_CLE_SAUVEGARDE. Raises InvalidInput naming every fault. The database's content is
    checked by `inspecter` and `restauration`."""
    return _verify_folder(Path(src_dir), signing_key(key))[0]


def _verify_folder(src_dir: Path, key: bytes | None) -> tuple[Manifest, str]:
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
    signature, signature_problems = _check_signature(manifest, key)
    problems = signature_problems + problems
    if problems:
        raise InvalidInput(problems)
    return manifest, signature


def inspecter(src_dir: Path, key: str | bytes | None = None) -> CheckedBackup:
    """Every check of a restore on a backup folder, nothing restored: files, signature, and the
    database in a scratch copy (schema, integrity, row counts, accounts). Raises InvalidInput
    naming every fault; returns what a restore would bring back (its accounts)."""
    src_dir = Path(src_dir)
    manifest, signature = _verify_folder(src_dir, signing_key(key))
    with tempfile.TemporaryDirectory(prefix="pcaet-verification-") as scratch:
        return _checked_copy(src_dir, manifest, signature, Path(scratch) / DATABASE)


# --- restore -------------------------------------------------------------------------------

def restauration(db_path: Path, src_dir: Path, user: str | None = None, key: str | bytes | None = None,
                 on_checked: Callable[[CheckedBackup], None] | None = None) -> RestoreResult:
    """Replace the database (and complete the archive) with the backup in `src_dir`, after
    checking it whole (see the module's docstring). `on_checked` is called with the checked
    backup (its accounts) before anything is changed; if it raises, nothing is. Nothing is
    changed when the backup is refused. Needs the admin role on the current database (open mode
    aside); the restore is recorded in the restored journal."""

    db_path, src_dir = Path(db_path), Path(src_dir)
    if db_path.exists():
        auth.require_role(db_path, user, auth.ADMIN)
    manifest, signature = _verify_folder(src_dir, signing_key(key))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{db_path.name}.restauration-", dir=db_path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        checked = _checked_copy(src_dir, manifest, signature, temp)
        if on_checked is not None:
            on_checked(checked)
        _migrate_copy(temp)
        copied, present = _restore_archive(src_dir, manifest, store.uploads_dir(db_path))
        replaced = _swap_in(temp, db_path)
    finally:
        temp.unlink(missing_ok=True)
        temp.with_name(temp.name + ".wal").unlink(missing_ok=True)
    with store.writing(db_path) as con:
        store.record_journal(con, user, "restauration", str(src_dir),
                       f"sauvegarde du {created_at_label(manifest.created_at)} ({SIGNATURE_LABELS[signature]})")
    return RestoreResult(manifest, copied, present, replaced, checked)


def created_at_label(created_at: str) -> str:
    """`2026-11-25T10:00:00` → `25/11/2026 à 10:00` (the text as written when it is no date)."""
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return shown(created_at, 40)
    return moment.strftime("%d/%m/%Y à %H:%M")


def _checked_copy(src_dir: Path, manifest: Manifest, signature: str, copy: Path) -> CheckedBackup:
    """Copy the backup's database to `copy` (a scratch file), check it is the file the manifest
    names, and check its content (schema, integrity, counts, accounts)."""
    expected = next(f for f in manifest.files if f.path == DATABASE)
    _copy_synced(src_dir / DATABASE, copy)
    if sha256_file(copy) != expected.sha256:  # changed between the check and the copy
        raise InvalidInput.single(DATABASE, None, None, "empreinte sha256 différente de celle du manifeste : "
                                                        "fichier modifié pendant la restauration")
    try:
        con = store.open_copy(copy, read_only=True)
    except store.DatabaseError:
        raise InvalidInput.single(DATABASE, None, None, "base de données illisible (fichier DuckDB abîmé ou d'une "
                                                        f"version de DuckDB incompatible : sauvegarde faite avec "
                                                        f"{manifest.duckdb_version or 'une version inconnue'})") from None
    try:
        accounts, rows = _check_database(con, manifest)
    finally:
        con.close()
    return CheckedBackup(manifest, signature, accounts, rows)


def _migrate_copy(copy: Path) -> None:
    """Bring the checked copy to the current schema, and check the result is that schema."""
    problems = _compare_catalogs(store.expected_catalog(store.SCHEMA_VERSION), store.migrate_copy(copy),
                                 store.SCHEMA_VERSION)
    if problems:  # a checked database of an older schema always migrates to the current one
        raise InvalidInput([Problem(DATABASE, None, None, f"après migration : {p.message}") for p in problems])


# --- checking the database of a backup -----------------------------------------------------

_FEMININE = {"table", "séquence", "vue", "macro"}  # the other kinds: index, type, schéma


def _agreed(kind: str, word: str) -> str:
    """A French adjective agreeing with the kind of object: « vue inattendue », « index inattendu »."""
    return word + "e" if kind in _FEMININE else word


def _compare_catalogs(expected: store.Catalog, found: store.Catalog, version: int) -> list[Problem]:
    messages: list[str] = []
    messages += [f"table « {name} » absente de la base sauvegardée (schéma {version})"
                 for name in sorted(expected.tables.keys() - found.tables.keys())]
    messages += [f"table « {shown(name)} » inattendue (inconnue du schéma {version})"
                 for name in sorted(found.tables.keys() - expected.tables.keys())]
    for name in sorted(expected.tables.keys() & found.tables.keys()):
        messages += [f"table « {name} » : {m}" for m in _compare_table(expected.tables[name], found.tables[name],
                                                                        version)]
    messages += [f"séquence « {name} » absente de la base sauvegardée (schéma {version})"
                 for name in sorted(expected.sequences.keys() - found.sequences.keys())]
    messages += [f"séquence « {shown(name)} » inattendue (inconnue du schéma {version})"
                 for name in sorted(found.sequences.keys() - expected.sequences.keys())]
    messages += [f"séquence « {name} » : définition différente de celle du schéma {version}"
                 for name in sorted(expected.sequences.keys() & found.sequences.keys())
                 if expected.sequences[name] != found.sequences[name]]
    for kind, name in sorted(found.others.keys() - expected.others.keys()):
        messages.append(f"{kind} « {shown(name)} » {_agreed(kind, 'inattendu')} ({_agreed(kind, 'inconnu')} du "
                        f"schéma {version})")
    for kind, name in sorted(expected.others.keys() - found.others.keys()):
        messages.append(f"{kind} « {name} » {_agreed(kind, 'absent')} de la base sauvegardée (schéma {version})")
    for key in sorted(expected.others.keys() & found.others.keys()):
        if expected.others[key] != found.others[key]:
            messages.append(f"{key[0]} « {key[1]} » : définition différente de celle du schéma {version}")
    return [Problem(DATABASE, None, None, m) for m in messages]


def _compare_table(expected: store.TableShape, found: store.TableShape, version: int) -> list[str]:
    """What differs in one table, column by column, then constraint by constraint."""
    if expected.sql == found.sql:
        return []
    messages: list[str] = []
    expected_types, found_types = dict(expected.columns), dict(found.columns)
    messages += [f"colonne « {c} » absente (schéma {version})" for c, _ in expected.columns if c not in found_types]
    messages += [f"colonne « {shown(c)} » inattendue (schéma {version})" for c, _ in found.columns
                 if c not in expected_types]
    messages += [f"colonne « {c} » de type {shown(found_types[c])} au lieu de {t}" for c, t in expected.columns
                 if c in found_types and found_types[c] != t]
    common = [c for c, _ in expected.columns if c in found_types]
    if not messages and [c for c, _ in found.columns] != [c for c, _ in expected.columns]:
        messages.append(f"colonnes dans un autre ordre que celui du schéma {version}")
    for column in common:
        if found.nullable[column] and not expected.nullable[column]:
            messages.append(f"colonne « {column} » : valeurs vides permises, le schéma {version} les interdit")
        elif expected.nullable[column] and not found.nullable[column]:
            messages.append(f"colonne « {column} » : valeurs vides interdites, le schéma {version} les permet")
        if found.defaults[column] != expected.defaults[column]:
            messages.append(f"colonne « {column} » : valeur par défaut « {shown(found.defaults[column] or 'aucune')} » "
                            f"au lieu de « {expected.defaults[column] or 'aucune'} »")
    messages += [f"contrainte {c} absente" for c in sorted(expected.constraints - found.constraints)]
    messages += [f"contrainte {shown(c)} inattendue" for c in sorted(found.constraints - expected.constraints)]
    return messages or [f"définition différente de celle du schéma {version}"]


def _check_database(con: store.Connection, manifest: Manifest) -> tuple[list[BackupAccount], int]:
    """Check the backup's database (open read-only on a scratch copy) against the schema of its
    version, then its content; raises InvalidInput naming every fault found at the first stage
    that fails (a table of unknown shape is never read)."""

    version = manifest.schema_version
    problems: list[Problem] = []

    def bad(message: str, file: str = DATABASE) -> None:
        problems.append(Problem(file, None, None, message))

    try:
        found_version = store.current_version(con)
    except (store.DatabaseError, ValueError, TypeError):  # no meta table, or one of another shape
        found_version = 0
    if found_version != version:
        bad(f"la base sauvegardée est au schéma {found_version}, le manifeste annonce {version}")
    expected = store.expected_catalog(version)
    problems += _compare_catalogs(expected, store.catalog(con), version)
    if problems:
        raise InvalidInput(problems)

    # Integrity: every table read whole (each row hashed, so every column's blocks are read and
    # their checksums checked); the first damaged table stops the check, the rest is moot.
    counts: dict[str, int] = {}
    for table in sorted(expected.tables):
        try:
            counts[table] = store.read_whole(con, table)
        except store.DatabaseError as exc:
            raise InvalidInput.single(DATABASE, None, None, f"table « {table} » illisible, fichier abîmé : "
                                                            f"{shown(exc, 160)}") from None
    if counts["meta"] != 1:
        bad(f"table « meta » : {nombre(counts['meta'])} ligne(s) au lieu d'une")
    for name in sorted(counts.keys() | manifest.tables.keys()):
        if name not in counts:
            bad(f"table « {shown(name)} » listée dans le manifeste mais absente de la base", MANIFEST)
        elif name not in manifest.tables:
            bad(f"table « {name} » absente du manifeste", MANIFEST)
        elif counts[name] != manifest.tables[name]:
            bad(f"table « {name} » : {nombre(counts[name])} ligne(s) dans la base, {nombre(manifest.tables[name])} "
                "selon le manifeste", MANIFEST)

    # Sequences ahead of the ids they gave: otherwise the next insert fails on its key.
    for table, column, sequence, highest, following in store.serial_positions(con, expected.serials()):
        if highest is not None and highest >= following:
            bad(f"séquence « {sequence} » en retard sur la table « {table} » : prochaine valeur {following}, "
                f"mais « {column} » va déjà jusqu'à {highest}")

    accounts: list[BackupAccount] = []
    if "utilisateurs" in expected.tables:
        rows = store.comptes_with_journal(con, journal="journal" in expected.tables)
        for nom, role, password_hash, journaled in rows:
            try:
                valid_name = auth.check_name(nom) == nom
            except Refused:
                valid_name = False
            if not valid_name:
                bad(f"compte « {shown(nom)} » : nom invalide")
            if role not in auth.ROLES:
                bad(f"compte « {shown(nom)} » : rôle « {shown(role)} » inconnu (attendu : {', '.join(auth.ROLES)})")
            if not auth.is_bcrypt_hash(password_hash):
                bad(f"compte « {shown(nom)} » : empreinte de mot de passe invalide (bcrypt attendu)")
            accounts.append(BackupAccount(nom, role, bool(journaled)))
        if rows and not any(role == auth.ADMIN for _, role, _, _ in rows):
            bad(f"aucun compte admin parmi les {nombre(len(rows))} comptes : personne ne pourrait gérer les comptes")
    if problems:
        raise InvalidInput(problems)
    return accounts, sum(counts.values())


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
        store.checkpoint(con)  # the live WAL folded in and removed: it must not outlive its file
        try:
            live_version = store.meta_data_version(con)
        except store.DatabaseError:
            live_version = 0
        # Page caches key on the data version: it must move forward, never back.
        store.advance_data_version(temp, live_version)
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
