"""Scores of evaluations (scoring.md §1–§4) and stars (§5)."""

from .engine import OUTPUT_COLUMNS, STATUTS, score_evaluations, score_one

__all__ = ["OUTPUT_COLUMNS", "STATUTS", "score_evaluations", "score_one"]
