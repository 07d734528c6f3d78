"""Reports of a steering committee: a PDF deck (pdf.py, one A4 landscape slide a page) and an
XLSX workbook (xlsx.py), built from a `comites.ComiteHistory` and its `ComiteChanges`.
The tables both formats and the dashboard show are prepared once, in tables.py, so the page,
the slides, the PDF and the XLSX give the same figures; the charts come from cae_data.charts.

Imports go one way: tables ← pdf, xlsx ← this package (no module imports the package back)."""

from __future__ import annotations

from ..comites import ComiteChanges, ComiteHistory
from .erreurs import ReportError
from .pdf import build_pdf
from .tables import (
    SCORE_HEADERS,
    TET_DETAILLE_TACHE,
    TET_STATUS_LABELS,
    UPLOAD_KINDS,
    category_change_rows,
    category_frame,
    comite_rows,
    compact_status,
    indicateur_change_rows,
    level_change_rows,
    new_value_rows,
    ranked_moves,
    report_title,
    scores_table,
    series_label,
    status_change_rows,
    statuses_table,
    upload_rows,
    values_until,
)
from .xlsx import build_xlsx

REPORT_BUILDERS = {"pdf": build_pdf, "xlsx": build_xlsx}


def build_report(fmt: str, history: ComiteHistory, changes: ComiteChanges) -> bytes:
    """The report's bytes in format « pdf » or « xlsx »."""
    if fmt not in REPORT_BUILDERS:
        raise ValueError(f"format de rapport inconnu « {fmt} »")
    return REPORT_BUILDERS[fmt](history, changes)


__all__ = [
    "ReportError", "build_report", "build_pdf", "build_xlsx", "REPORT_BUILDERS",
    "SCORE_HEADERS", "TET_DETAILLE_TACHE", "TET_STATUS_LABELS", "UPLOAD_KINDS", "category_change_rows",
    "category_frame", "comite_rows", "compact_status", "indicateur_change_rows", "level_change_rows",
    "new_value_rows", "ranked_moves", "report_title", "scores_table", "series_label", "status_change_rows",
    "statuses_table", "upload_rows", "values_until",
]
