"""What a format-specific parser of evaluation files (reader.py for evaluation files,
tet_export.py for the official platform's exports) hands to the shared checks of reader.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import Problem

# Field -> column name shown in messages when the file's own header is not known.
CANONICAL_NAMES = {
    "action": "action_id", "statut": "statut", "fait": "fait", "programme": "programme",
    "pas_fait": "pas_fait", "date": "date", "collectivite": "collectivite",
    "referentiel": "referentiel", "commentaire": "commentaire",
}


@dataclass
class ParsedSheet:
    """What a format-specific parser hands to the shared checks: one row per status given,
    raw texts where the shared checks decide (ids, dates, collectivités), codes and fractions
    where the format decided (statuses, shares)."""

    kind: str
    frame: pd.DataFrame  # line, action_raw, statut, fait, programme, pas_fait, commentaire,
    #                      date_raw, collectivite_raw, referentiel_raw
    labels: dict[str, str]  # field -> column header as the user wrote it
    positions: dict[str, int]  # field -> column position, to sort problems
    problems: list[tuple[int, int, Problem]] = field(default_factory=list)
    default_collectivite: str | None = None
    default_date_raw: str | None = None
    default_date_line: int | None = None
    default_date_label: str | None = None
    expected_points: pd.DataFrame | None = None
    sheet_name: str | None = None

    def add(self, filename: str, line: int | None, fld: str | None, message: str) -> None:
        column = self.labels.get(fld, CANONICAL_NAMES.get(fld, fld)) if fld else None
        order = self.positions.get(fld, 999) if fld else -1
        self.problems.append((-1 if line is None else line, order, Problem(filename, line, column, message)))
