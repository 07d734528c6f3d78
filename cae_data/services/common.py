"""What every service shares: the size limit of a file brought, the referential a read needs,
and the record of an archived upload."""

from __future__ import annotations

from pathlib import Path

from .. import store
from ..archive import ArchivedFile
from ..errors import InvalidInput, Refused
from ..referentiel.model import Referentiel

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def check_size(data: bytes, filename: str) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput.single(
            filename, None, None,
            f"fichier trop volumineux ({len(data) / 1024 / 1024:.0f} Mo ; maximum {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo)",
        )


def require_referentiel(con: store.Connection, nom: str) -> Referentiel:
    ref = store.load_referentiel(con, nom)
    if ref is None:
        raise Refused(f"Aucun référentiel « {nom} » dans la base : chargez-le avec pcaet referentiel import.")
    return ref


def record_archived(con: store.Connection, db_path: Path, archived: ArchivedFile, kind: str, rows: int,
                    uploaded_by: str | None, summary: str | None) -> int:
    """The uploads row of a file already archived (archive.archive_upload); returns its id."""
    return store.record_upload(
        con, kind, archived.filename, archived.sha256, str(archived.stored_path.relative_to(db_path.parent)),
        archived.size_bytes, rows, uploaded_by, summary,
    )
