"""French display of numbers and dates (`12,5 %`, `1 234`, `jj/mm/aaaa`), shared by pages and
exports so the screen, the PDF and the XLSX show the same figures."""

from __future__ import annotations

from datetime import date, datetime

NARROW_NBSP = "\u202f"  # thousands separator and before % in French typography
NBSP = "\u00a0"


def nombre(value: float | int | None, decimales: int = 0) -> str:
    """1234.5 → '1 234,5' (decimales=1); None/NaN → '–'."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    text = f"{value:,.{decimales}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def points(value: float | None) -> str:
    """Points shown with at most one decimal, dropped when whole: 12 → '12', 12.35 → '12,4'."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    rounded = round(float(value), 1)
    return nombre(rounded, 0 if rounded.is_integer() else 1)


def pourcentage(ratio: float | None, decimales: int = 1) -> str:
    """0.125 → '12,5 %' (ratio in 0–1)."""
    if ratio is None or (isinstance(ratio, float) and ratio != ratio):
        return "–"
    return f"{nombre(ratio * 100, decimales)}{NBSP}%"


def ecart_points(value: float | None) -> str:
    """Signed change: +2,5 / −1 / 0."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    rounded = round(float(value), 1)
    if rounded == 0:
        return "0"
    sign = "+" if rounded > 0 else "−"
    return sign + points(abs(rounded))


def date_fr(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def french_date(value: date) -> str:
    """A date in a message: jj/mm/aaaa."""
    return value.strftime("%d/%m/%Y")


def french_number(value: float) -> str:
    """A number in a message: up to 3 decimals, trailing zeros dropped, comma, true minus."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−") if text not in ("-0", "") else "0"
