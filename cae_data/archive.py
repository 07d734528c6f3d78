"""The upload archive: every raw file a user brings is kept, byte for byte, under
`<database folder>/uploads/`, named by its sha256 so the same file is stored once."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .store.connexion import uploads_dir


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_filename(filename: str) -> str:
    """Keep a readable name without path separators or control characters."""
    name = Path(filename.replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ()àâäéèêëîïôöùûüçœÀÂÄÉÈÊËÎÏÔÖÙÛÜÇŒ]", "_", name).strip() or "fichier"
    return name[:120]


@dataclass(frozen=True)
class ArchivedFile:
    sha256: str
    stored_path: Path
    size_bytes: int
    filename: str


def archive_upload(db_path: Path, data: bytes, filename: str) -> ArchivedFile:
    """Write the raw bytes atomically (temporary file then rename), once per content."""
    digest = sha256_of(data)
    folder = uploads_dir(db_path) / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}__{safe_filename(filename)}"
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return ArchivedFile(digest, target, len(data), filename)


def read_archived(stored_path: str | Path) -> bytes:
    return Path(stored_path).read_bytes()
