"""The audit journal as the Journal page and its CSV download read it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from .. import store
from ..journal import COLUMNS, label


def entries(db_path: Path, depuis: date | None = None, jusqu_au: date | None = None,
            utilisateurs: list[str | None] | None = None, actions: list[str] | None = None) -> pd.DataFrame:
    """Journal rows, newest first, filtered by day range (both days included), users (None in
    the list means « non identifié ») and action codes; COLUMNS, with `libelle` the action's
    French label and `filename` the archived file's name when the row brought one."""
    if not Path(db_path).exists():
        return pd.DataFrame(columns=COLUMNS)
    with store.reading(Path(db_path)) as con:
        frame = store.journal_rows(con, depuis, jusqu_au, utilisateurs, actions)
    if frame is None:
        return pd.DataFrame(columns=COLUMNS)
    for column in ("utilisateur", "objet", "detail", "filename"):  # None, not NaN, for a missing text
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame.insert(4, "libelle", frame["action"].map(label))
    frame["upload_id"] = frame["upload_id"].astype("Int64")
    return frame[COLUMNS]
