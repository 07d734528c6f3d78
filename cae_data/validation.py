"""One validation of the values users bring, for every reader and form: dates and years in a
sane range, finite and bounded numbers, text stripped of control characters and limited in
length, names that a spreadsheet cannot take for a formula. Messages in French, each naming
the limit. Scalar functions return the problem (a str) or None; `*_mask` functions work on
whole columns (pandas) for the file readers."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from .errors import shown
from .tabular import parse_date_text

# Dates: evaluations, indicator values and targets, committees, fiche periods.
YEAR_MIN = 1990
YEAR_MAX = 2100
DATE_MIN = dt.date(YEAR_MIN, 1, 1)
DATE_MAX = dt.date(YEAR_MAX, 12, 31)

# Numbers: measured values, targets, points, populations.
NUMBER_MAX = 1e12

# Text lengths (characters).
NAME_MAX_LENGTH = 200  # collectivités, accounts, indicators, referentials
TITLE_MAX_LENGTH = 300  # fiches-actions, committees
TEXT_MAX_LENGTH = 20_000  # descriptions, notes, enjeux
COMMENT_MAX_LENGTH = 1_048_576  # a comment of an evaluation or an indicator value (1 Mi characters)

FORMULA_PREFIXES = ("=", "+", "-", "@")

# C0 controls but tab and line feed, DEL, C1 controls, and the invisible characters that
# reorder or hide text (bidi embeddings, overrides and isolates, marks, BOM, zero-width space).
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
CONTROL_RE = re.compile(f"[{_CONTROL}]")
CONTROL_OR_NEWLINE_RE = re.compile(f"[{_CONTROL}\t\n]")


def french_date(value: dt.date) -> str:
    """jj/mm/aaaa, also for years below 1000 (strftime does not pad them everywhere)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def french_integer(value: float) -> str:
    """1e12 → « 1 000 000 000 000 », −5 → « −5 » (thin spaces, true minus)."""
    text = f"{abs(value):,.0f}".replace(",", "\u202f")
    return ("−" if value < 0 else "") + text


RANGE_TEXT = f"entre le {french_date(DATE_MIN)} et le {french_date(DATE_MAX)}"


# ---------------------------------------------------------------------------------------------
# dates and years


def date_problem(value: dt.date, what: str = "date", raw: object = None) -> str | None:
    """None when `value` is within DATE_MIN–DATE_MAX, else the French problem."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if DATE_MIN <= value <= DATE_MAX:
        return None
    return f"{what} hors limites « {shown(raw if raw is not None else french_date(value))} » : attendue {RANGE_TEXT}"


def year_problem(year: int, what: str = "année", raw: object = None) -> str | None:
    if YEAR_MIN <= year <= YEAR_MAX:
        return None
    return f"{what} « {shown(raw if raw is not None else year)} » hors limites : attendue entre {YEAR_MIN} et {YEAR_MAX}"


def dates_out_of_range(values: pd.Series) -> pd.Series:
    """True where a value (datetime.date, or None) lies outside DATE_MIN–DATE_MAX; vectorised
    over the distinct values."""
    distinct = {v for v in values.unique() if v is not None and v == v}
    bad = {v for v in distinct if date_problem(v) is not None}
    return values.isin(bad) if bad else pd.Series(False, index=values.index)


def parse_date(text: object, what: str = "date") -> tuple[dt.date | None, str | None]:
    """`AAAA-MM-JJ` (time allowed) or `JJ/MM/AAAA`, within range: (date, None) or (None, problem)."""

    if isinstance(text, dt.datetime):
        value = text.date()
    elif isinstance(text, dt.date):
        value = text
    else:
        value = parse_date_text(str(text))
        if value is None:
            return None, f"{what} non reconnue « {shown(text)} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"
    problem = date_problem(value, what, text if isinstance(text, str) else None)
    return (None, problem) if problem else (value, None)


# ---------------------------------------------------------------------------------------------
# numbers


def number_problem(value: float, what: str = "valeur", raw: object = None, limit: float = NUMBER_MAX) -> str | None:
    """None for a finite number with |value| ≤ `limit`, else the French problem."""
    quoted = shown(raw if raw is not None else value)
    if value is None or not math.isfinite(value):
        return f"{what} « {quoted} » invalide : un nombre fini est attendu"
    if abs(value) > limit:
        return (f"{what} « {quoted} » hors limites : attendu entre {french_integer(-limit)} et "
                f"{french_integer(limit)}")
    return None


def numbers_out_of_range(values: pd.Series | np.ndarray, limit: float = NUMBER_MAX) -> np.ndarray:
    """True where a non-missing value is infinite or beyond ±`limit` (NaN means missing)."""
    array = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        return ~np.isnan(array) & ~(np.abs(array) <= limit)


# ---------------------------------------------------------------------------------------------
# text


def strip_controls(text: str, multiline: bool = True) -> str:
    """Control and invisible reordering characters removed; line ends normalised to `\\n` (or,
    when not `multiline`, line breaks and tabs turned into spaces)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        return CONTROL_RE.sub("", text)
    return " ".join(CONTROL_OR_NEWLINE_RE.sub(" ", text).split())


def clean_text(text: object, what: str = "texte", max_length: int = TEXT_MAX_LENGTH,
               multiline: bool = True) -> tuple[str, str | None]:
    """(cleaned text, None) or (cleaned text, problem when longer than `max_length`)."""
    cleaned = strip_controls("" if text is None else str(text), multiline).strip()
    if len(cleaned) > max_length:
        return cleaned, (f"{what} trop long : {french_integer(len(cleaned))} caractères ; maximum "
                         f"{french_integer(max_length)}")
    return cleaned, None


def clean_name(text: object, what: str = "nom", max_length: int = NAME_MAX_LENGTH) -> tuple[str, str | None]:
    """A name on one line: controls removed, spaces folded, length bounded, and refused when it
    starts with `=`, `+`, `-` or `@` (a spreadsheet would run it as a formula)."""
    cleaned, problem = clean_text(text, what, max_length, multiline=False)
    if problem is None and cleaned.startswith(FORMULA_PREFIXES):
        problem = (f"{what} « {shown(cleaned)} » refusé : il ne peut pas commencer par =, +, - ou @ (un tableur le "
                   "prendrait pour une formule)")
    return cleaned, problem


def clean_text_series(values: pd.Series, multiline: bool = True) -> pd.Series:
    """`strip_controls` on a column of str (vectorised)."""
    text = values.astype(str).str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    if multiline:
        return text.str.replace(CONTROL_RE.pattern, "", regex=True).str.strip()
    text = text.str.replace(CONTROL_OR_NEWLINE_RE.pattern, " ", regex=True)
    return text.str.split().str.join(" ")


def too_long_mask(values: pd.Series, max_length: int) -> pd.Series:
    return values.str.len().gt(max_length)


def too_long_message(length: int, what: str, max_length: int) -> str:
    return f"{what} trop long : {french_integer(length)} caractères ; maximum {french_integer(max_length)}"


def formula_like_mask(values: pd.Series) -> pd.Series:
    return values.str.startswith(FORMULA_PREFIXES)
