"""Evaluation files: reading, normalising and validating (CSV, XLSX, exports of the official
platform) and the blank templates offered to users. No database access here."""

from .reader import EVALUATION_SHEET, ROW_COLUMNS, STATUTS, EvaluationFile, read_evaluation, referentiel_levels
from .statuses import LABELS, normalize_statut

__all__ = [
    "EVALUATION_SHEET", "ROW_COLUMNS", "STATUTS", "EvaluationFile", "LABELS", "normalize_statut",
    "read_evaluation", "referentiel_levels",
]
