"""Traceability: the journal of writes and the archive of imported files, as display tables, and
an archived file downloaded exactly as it was brought (Journal, Importer une évaluation)."""

from __future__ import annotations

import pandas as pd

from cae_data import journal, services
from ui import lecture


def journal_table(entries: pd.DataFrame) -> pd.DataFrame:
    """Display form of journal rows: Date, Qui, Action, Objet, Détail, Fichier."""
    return pd.DataFrame({
        "Date": [pd.Timestamp(t).strftime("%d/%m/%Y %H:%M:%S") for t in entries["recorded_at"]],
        "Qui": entries["utilisateur"].fillna(journal.NON_IDENTIFIE).astype(str).to_numpy(),
        "Action": entries["libelle"].astype(str).to_numpy(),
        "Objet": entries["objet"].fillna("").astype(str).to_numpy(),
        "Détail": entries["detail"].fillna("").astype(str).to_numpy(),
        "Fichier": entries["filename"].fillna("").astype(str).to_numpy(),
    })


def uploads_table(uploads: pd.DataFrame) -> pd.DataFrame:
    """Display form of the uploads: Fichier, Empreinte (12 first characters), SHA-256 (whole),
    Importé le (jj/mm/aaaa hh:mm), Lignes, Par."""
    return pd.DataFrame({
        "Fichier": uploads["filename"].astype(str).to_numpy(),
        "Empreinte": (uploads["sha256"].astype(str).str[:12] + "…").to_numpy(),
        "SHA-256": uploads["sha256"].astype(str).to_numpy(),
        "Importé le": [pd.Timestamp(t).strftime("%d/%m/%Y %H:%M") for t in uploads["uploaded_at"]],
        "Lignes": uploads["rows"].astype("int64").to_numpy(),
        "Par": uploads["uploaded_by"].fillna("non identifié").astype(str).to_numpy(),
    })


def upload_bytes(upload_id: int) -> bytes:
    """The archived file exactly as uploaded (for a deferred st.download_button)."""
    return services.read_upload(lecture.database_path(), int(upload_id)).data
