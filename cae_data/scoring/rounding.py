"""Rounding of output points to 3 decimals, exactly as Python's `round` / `'%.3f'` do.

The official outputs round the binary value of each double: 2.7 / 8 is stored as
0.33749999999999997… and reads 0.337. `np.round` and `DataFrame.round` multiply by 1000
first (0.3375 × 1000 = 337.5 after rounding) and give 0.338. This module decides each value
against the decimal midpoint exactly, with an error-free product (Dekker), vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_SPLIT = 134217729.0  # 2**27 + 1 (Dekker's splitter for doubles)


def round_exact(values, decimals: int = 3) -> np.ndarray:
    """Round half to even on the exact binary value (same result as Python's `round`)."""
    x = np.asarray(values, dtype=np.float64)
    scale = 10.0 ** decimals  # exact, and at most 27 bits wide for decimals ≤ 8
    if not 0 <= decimals <= 8:
        raise ValueError("decimals must be between 0 and 8")
    p = x * scale
    k = np.floor(p)
    # p + e == x * scale exactly (TwoProduct without fma: split x in two 26-bit halves).
    c = _SPLIT * x
    high = c - (c - x)
    low = x - high
    e = (high * scale - p) + low * scale
    # Sign of x·scale − (k + ½): p − (k + ½) is exact near the midpoint (Sterbenz).
    above = (p - (k + 0.5)) + e
    even_k = np.fmod(k, 2) == 0
    up = (above > 0) | ((above == 0) & ~even_k)
    with np.errstate(invalid="ignore"):
        result = np.where(up, k + 1, k) / scale
    # Values too large to have decimals, infinities and NaN stay as they are.
    keep = ~np.isfinite(p) | (np.abs(x) >= 2.0 ** 52 / scale)
    return np.where(keep, x, result) + 0.0  # + 0.0 turns -0.0 into 0.0


POINT_COLUMNS = (
    "point_referentiel", "point_potentiel", "point_fait", "point_programme",
    "point_pas_fait", "point_non_renseigne",
)


def round_scores(scores: pd.DataFrame, decimals: int = 3) -> pd.DataFrame:
    """A copy of an engine output with every point column rounded for display/output."""
    rounded = scores.copy()
    for column in POINT_COLUMNS:
        if column in rounded.columns:
            rounded[column] = round_exact(rounded[column].to_numpy(dtype=np.float64), decimals)
    return rounded
