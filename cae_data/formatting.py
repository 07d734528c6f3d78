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


# --- display texts shared by the pages, the slides and the reports ---------------------------

def _missing(value) -> bool:
    """None, NaN, NaT or pandas' NA (whose comparisons have no truth value)."""
    try:
        return value is None or bool(value != value)
    except TypeError:
        return True


def nombre_court(value) -> str:
    """12 → « 12 », 12.5 → « 12,5 », 1234 → « 1 234 » (at most two decimals); NaN → « – »."""
    value = float(value)
    if value != value:
        return "–"
    rounded = round(value, 2)
    decimals = 0 if rounded.is_integer() else (1 if round(rounded, 1) == rounded else 2)
    return nombre(rounded, decimals)


def signed_value(value) -> str:
    """A signed change of a measured value, at most two decimals: « +2,5 », « −1 234 », « 0 »;
    missing → « — »."""
    if _missing(value):
        return "—"
    rounded = round(float(value), 2)
    if rounded == 0:
        return "0"
    return ("+" if rounded > 0 else "−") + nombre_court(abs(rounded))


def ecart_pourcentage(delta: float | None) -> str:
    """A change of share in percentage points: « +0,8 pt », « −1,2 pt », « 0 pt »; missing → « – »."""
    if delta is None or delta != delta:
        return "–"
    rounded = round(delta * 100, 1)
    if rounded == 0:
        return "0" + NBSP + "pt"
    return ("+" if rounded > 0 else "−") + nombre(abs(rounded), 1) + NBSP + "pt"


def points_label(value: float | None) -> str:
    """12 → « 12 points », 2.5 → « 2,5 points », 1 → « 1 point » (French: plural from 2)."""
    if value is None or (isinstance(value, float) and value != value):
        return "points non définis"
    text = points(value)
    return f"{text} point" if abs(round(float(value), 1)) < 2 else f"{text} points"


def points_faits(value: float | None) -> str:
    """« 1 point fait », « 12,5 points faits » (the participle agrees)."""
    label = points_label(value)
    return label + (" faits" if label.endswith("points") else " fait")


def valeur_text(value: float | None, unite: str = "") -> str:
    """An indicator's value: 12 → « 12 », 12.5 → « 12,5 », with the unit unless it is
    « nombre »; missing → « — »."""
    if _missing(value):
        return "—"
    text = nombre(value, 0 if float(value).is_integer() else 1)
    return text if not unite or unite == "nombre" else f"{text} {unite}"


def periode(debut: int | None, fin: int | None) -> str:
    """« 2020 – 2026 », « 2024 », « à partir de 2024 », « jusqu'en 2026 » or « non renseignée »."""
    if debut and fin:
        return f"{debut} – {fin}" if debut != fin else str(debut)
    if debut:
        return f"à partir de {debut}"
    if fin:
        return f"jusqu'en {fin}"
    return "non renseignée"


def etoiles_text(count: int) -> str:
    """3 → « ★★★☆☆ »."""
    count = max(0, min(5, int(count)))
    return "★" * count + "☆" * (5 - count)


def shorten(text: str, width: int = 48) -> str:
    """The text on one line, cut to `width` characters with « … »."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
