"""The audit journal: one row per write (who, when, what), written by the write itself in its
own transaction, so a write and its journal row are committed together or not at all. Reads
are never recorded. docs/securite.md lists what each action records."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from . import clock, db

# Action codes stored in the journal, with the label the page shows.
ACTIONS = {
    "initialisation": "Initialisation de la base",
    "referentiel": "Chargement du référentiel",
    "profil": "Profil de collectivité",
    "evaluation": "Import d'évaluation",
    "indicateurs": "Import de valeurs d'indicateurs",
    "valeur_indicateur": "Saisie d'une valeur d'indicateur",
    "fiche": "Fiche-action",
    "comite": "Comité de pilotage",
    "presentation": "Ordre de présentation",
    "compte": "Compte utilisateur",
    "restauration": "Restauration d'une sauvegarde",
}
NON_IDENTIFIE = "non identifié"
COLUMNS = ["journal_id", "recorded_at", "utilisateur", "action", "libelle", "objet", "detail", "upload_id", "filename"]


def record(con: duckdb.DuckDBPyConnection, utilisateur: str | None, action: str, objet: str | None,
           detail: str | None = None, upload_id: int | None = None) -> int:
    """Append one row inside the caller's write transaction; returns its journal_id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown journal action {action!r}: add it to journal.ACTIONS")
    return int(db.first_row(con.execute(
        "INSERT INTO journal (recorded_at, utilisateur, action, objet, detail, upload_id) VALUES (?, ?, ?, ?, ?, ?) "
        "RETURNING journal_id",
        [clock.now(), utilisateur, action, objet, detail, upload_id],
    ))[0])


def label(action: str) -> str:
    return ACTIONS.get(action, action)


def entries(db_path: Path, depuis: date | None = None, jusqu_au: date | None = None,
            utilisateurs: list[str | None] | None = None, actions: list[str] | None = None) -> pd.DataFrame:
    """Journal rows, newest first, filtered by day range (both days included), users (None in
    the list means « non identifié ») and action codes; COLUMNS, with `libelle` the action's
    French label and `filename` the archived file's name when the row brought one."""
    if not Path(db_path).exists():
        return pd.DataFrame(columns=COLUMNS)
    clauses, params = [], []
    if depuis is not None:
        clauses.append("j.recorded_at >= ?")
        params.append(datetime.combine(depuis, datetime.min.time()))
    if jusqu_au is not None:
        clauses.append("j.recorded_at < ?")
        params.append(datetime.combine(jusqu_au + timedelta(days=1), datetime.min.time()))
    if utilisateurs is not None:
        names = [u for u in utilisateurs if u is not None]
        clauses.append("(list_contains(?, j.utilisateur) OR (? AND j.utilisateur IS NULL))")
        params.extend([names, None in utilisateurs])
    if actions is not None:
        clauses.append("list_contains(?, j.action)")
        params.append(list(actions))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    with db.reading(Path(db_path)) as con:
        if not db.first_row(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'journal'"))[0]:
            return pd.DataFrame(columns=COLUMNS)
        frame = con.execute(
            "SELECT j.journal_id, j.recorded_at, j.utilisateur, j.action, j.objet, j.detail, j.upload_id, u.filename "
            f"FROM journal j LEFT JOIN uploads u USING (upload_id) {where} "
            "ORDER BY j.recorded_at DESC, j.journal_id DESC", params,
        ).df()
    for column in ("utilisateur", "objet", "detail", "filename"):  # None, not NaN, for a missing text
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame.insert(4, "libelle", frame["action"].map(label))
    frame["upload_id"] = frame["upload_id"].astype("Int64")
    return frame[COLUMNS]
