"""Files brought: the list of archived uploads and their raw bytes, checked against their sha256."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import store
from ..archive import sha256_of
from ..errors import Refused


@dataclass
class ArchivedUpload:
    filename: str
    sha256: str
    data: bytes


def list_uploads(db_path: Path) -> pd.DataFrame:
    """Every archived upload, newest first: upload_id, kind, filename, sha256, uploaded_at,
    rows, uploaded_by, summary, size_bytes, stored_path."""
    with store.reading(db_path) as con:
        return store.list_uploads(con)


def read_upload(db_path: Path, upload_id: int) -> ArchivedUpload:
    """The raw bytes of an archived upload, exactly as they were brought, checked against the
    recorded sha256 (a missing or altered archive file is refused in French)."""
    with store.reading(db_path) as con:
        row = store.upload_file(con, upload_id)
    if row is None:
        raise Refused(f"Aucun fichier importé n° {upload_id}.")
    filename, digest, stored = row
    folder = store.uploads_dir(db_path).resolve()
    path = (db_path.parent / stored).resolve()
    if folder not in path.parents:
        raise Refused(f"Le fichier archivé de « {filename} » n'est pas dans le dossier des imports.")
    try:
        data = path.read_bytes()
    except OSError:
        raise Refused(f"Le fichier archivé de « {filename} » est introuvable dans le dossier des imports.") from None
    if sha256_of(data) != digest:
        raise Refused(f"Le fichier archivé de « {filename} » a été modifié depuis son import (empreinte différente).")
    return ArchivedUpload(filename, digest, data)
