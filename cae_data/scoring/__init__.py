"""Scores of evaluations (scoring.md §1–§4), their rounding, and the label's stars (§5).

See docs/scoring.md for how the engine maps each rule and the decisions taken where the rules
are silent.
"""

from .engine import OUTPUT_COLUMNS, STATUTS, score_evaluations, score_one
from .etoiles import CRITERES, criteres, etoiles, referentiel_complet
from .indicatif import INDICATIF_COLUMNS, scores_indicatifs
from .rounding import round_exact, round_scores

__all__ = [
    "CRITERES", "INDICATIF_COLUMNS", "OUTPUT_COLUMNS", "STATUTS", "criteres", "referentiel_complet", "round_exact",
    "round_scores", "score_evaluations", "score_one", "scores_indicatifs", "etoiles",
]
