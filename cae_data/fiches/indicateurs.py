"""Indicators of fiches-actions: reading a file of measured values (docs/import-indicateurs.md),
checking one value typed in a form, and what the steering committee reads every week about
each indicator (last value, change since the previous committee, staleness, trajectory towards
the next target, straight-line projection). Pure functions: nothing here touches the database.

Analysis rules (hand-checkable, written in docs/import-indicateurs.md as well):
- staleness: no value for more than STALE_DAYS (90) days before `today`;
- next target: the target of the first year whose 31 December is not before `today`; when
  every target is past, the latest one (it can only be « atteinte » or « en retard » then);
- trajectory: the straight line from the first value to the next target on 31 December of its
  year; the last value is behind when it is worse than that line at its own date;
- projection: least squares line on the last PROJECTION_POINTS (12) values, extended to
  31 December of the target year; time is counted in days.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import clock, validation
from ..errors import InvalidInput, Problem, shown
from ..formatting import french_date, french_number
from ..tabular import (
    Sheet,
    find_header_row,
    normalize_header,
    parse_date_text,
    parse_number,
    read_sheet,
    strip_accents,
    table_from_sheet,
)

MAX_ROWS = 50_000
STALE_DAYS = 90
PROJECTION_POINTS = 12
HEADER_SEARCH_ROWS = 20
COUNT_UNIT = "nombre"
EPSILON = 1e-9  # a value on the trajectory line is not behind it

# Status of an indicator against its target.
ATTEINTE = "atteinte"
EN_BONNE_VOIE = "en bonne voie"
EN_RETARD = "en retard"
PAS_DE_CIBLE = "pas de cible"
DONNEES_INSUFFISANTES = "données insuffisantes"
STATUTS = (ATTEINTE, EN_BONNE_VOIE, EN_RETARD, PAS_DE_CIBLE, DONNEES_INSUFFISANTES)

# Columns of a read file: `valeur` is NaN on a row that only sets a target, `cible` NaN when the
# row sets none, `commentaire` None when the file has no commentaire column (existing comments
# are then kept).
VALUE_COLUMNS = ["line", "indicateur_id", "date", "valeur", "cible", "commentaire"]
# Columns expected of `known` (the indicators of the database).
KNOWN_COLUMNS = ["indicateur_id", "nom", "unite", "sens"]

# Accepted header names (normalised by tabular.normalize_header), first found wins.
COLUMN_ALIASES = {
    "indicateur": ("indicateur", "indicateurid", "idindicateur", "identifiant", "nomindicateur",
                   "nomdelindicateur", "id"),
    "date": ("date", "datemesure", "datedemesure", "datedelamesure"),
    "valeur": ("valeur", "valeurmesuree"),
    "cible": ("cible", "valeurcible", "objectif"),
    "commentaire": ("commentaire", "commentaires"),
}
FIELD_ORDER = {name: position for position, name in enumerate(COLUMN_ALIASES)}

_DAY = pd.Timedelta(days=1)
_EPOCH = pd.Timestamp("1970-01-01")


# ---------------------------------------------------------------------------------------------
# small model helpers


def is_count(unite: object) -> bool:
    """« nombre » (any case or accent) means the indicator counts things: whole numbers ≥ 0."""
    return isinstance(unite, str) and normalize_header(unite) == COUNT_UNIT


def name_key(text: object) -> str:
    """Comparison key of an indicator name: no accents, no case, typographic apostrophes and
    repeated spaces folded."""
    text = strip_accents(str(text)).lower().replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def better_or_equal(a, b, sens: str):
    """`a` at least as good as `b` (element-wise): higher for « hausse », lower for « baisse »."""
    return a <= b if sens == "baisse" else a >= b


def year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(year), month=12, day=31)


def parse_value_text(text: object) -> float | None:
    """A measured value as typed: `12`, `12,5`, `1 234`, `45 %`; '' → None; ValueError
    otherwise (infinite and NaN included). Bounds: `value_problem`."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        number = float(text)
    else:
        cleaned = str(text).strip()
        if cleaned.endswith("%"):
            cleaned = cleaned[:-1]
        number = parse_number(cleaned)
        if number is None:
            return None
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def clean_comment(text: object) -> str:
    """A comment as stored: line breaks normalised, control and bidi characters removed, trimmed."""
    return validation.strip_controls("" if text is None else str(text)).strip()


def known_frame(known: pd.DataFrame) -> pd.DataFrame:
    frame = known[KNOWN_COLUMNS].copy()
    frame["indicateur_id"] = frame["indicateur_id"].astype(str)
    frame["nom"] = frame["nom"].astype(str)
    frame["unite"] = frame["unite"].astype(object).where(frame["unite"].notna(), "")
    return frame.reset_index(drop=True)


@dataclass
class _Lookup:
    """Resolves what a user wrote in the `indicateur` column: an id (case-insensitive) or the
    exact name (accents, case and apostrophes aside)."""

    by_id: dict[str, str]
    by_name: dict[str, list[str]]
    names: dict[str, str]

    @classmethod
    def of(cls, known: pd.DataFrame) -> "_Lookup":
        by_id = {i.lower(): i for i in known["indicateur_id"]}
        by_name: dict[str, list[str]] = {}
        for indicateur_id, nom in zip(known["indicateur_id"], known["nom"]):
            by_name.setdefault(name_key(nom), []).append(indicateur_id)
        return cls(by_id, by_name, dict(zip(known["indicateur_id"], known["nom"])))

    def resolve(self, raw: str) -> tuple[str | None, str | None]:
        """(id, None) or (None, French problem)."""
        text = raw.strip()
        if text.lower() in self.by_id:
            return self.by_id[text.lower()], None
        ids = self.by_name.get(name_key(text), [])
        if len(ids) == 1:
            return ids[0], None
        if len(ids) > 1:
            return None, (f"nom d'indicateur ambigu « {shown(text)} » : il désigne plusieurs indicateurs "
                          f"({', '.join(sorted(ids))}) ; écrivez son identifiant")
        message = f"indicateur inconnu « {shown(text)} » : ni l'identifiant ni le nom exact d'un indicateur des fiches-actions"
        candidates = {name_key(n): n for n in self.names.values()}
        close = difflib.get_close_matches(name_key(text), list(candidates), n=1, cutoff=0.8)
        if close:
            message += f" (vouliez-vous dire « {candidates[close[0]]} » ?)"
        elif not self.names:
            message += " (aucun indicateur dans la base : chargez d'abord les fiches-actions)"
        return None, message


def count_message(raw: object, nom: str, what: str = "valeur") -> str:
    return (f"{what} « {shown(raw)} » invalide : « {shown(nom, 80)} » se compte en nombre entier ; "
            "un entier positif ou nul est attendu")


def future_message(raw: object, today: dt.date) -> str:
    return (f"date dans le futur « {shown(raw)} » : une valeur mesurée ne peut pas être postérieure "
            f"à aujourd'hui ({french_date(today)})")


def number_message(raw: object, what: str = "valeur") -> str:
    return f"{what} « {shown(raw)} » non numérique (attendu un nombre, ex. 12 ou 12,5)"


def bad_date_message(raw: object) -> str:
    return f"date non reconnue « {shown(raw)} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"


# ---------------------------------------------------------------------------------------------
# reading a file of values


def _find_header(sheet: Sheet) -> int | None:
    return find_header_row(sheet, COLUMN_ALIASES["indicateur"], COLUMN_ALIASES["date"], search_rows=HEADER_SEARCH_ROWS)


def _parse_numbers(raw: pd.Series, what: str) -> tuple[pd.Series, pd.Series, dict[str, str]]:
    """(numbers with NaN where empty or wrong, wrong mask, {text: problem}) — parsed once per
    distinct text; numbers beyond ±validation.NUMBER_MAX are wrong too."""
    parsed: dict[str, float] = {}
    problems: dict[str, str] = {}
    for text in raw.unique():
        if text == "":
            continue
        try:
            number = parse_value_text(text)
        except ValueError:
            problems[text] = number_message(text, what)
            continue
        problem = validation.number_problem(number, what, text)
        if problem:
            problems[text] = problem
        else:
            parsed[text] = number
    numbers = raw.map(parsed).astype("float64")
    return numbers, raw.isin(list(problems)), problems


def read_indicateur_values(data: bytes, filename: str, known: pd.DataFrame, today: dt.date | None = None,
                          max_rows: int = MAX_ROWS, explicit_sheet: str | None = None) -> pd.DataFrame:
    """Read and validate a whole file of indicator values (CSV or XLSX): one row per VALUE_COLUMNS.
    Raises InvalidInput with every problem of the file, in file order. `known` holds the
    indicators of the database (KNOWN_COLUMNS)."""
    today = today or clock.today()
    known = known_frame(known)
    sheet = read_sheet(data, filename, sheet_name="indicateurs", max_rows=max_rows, explicit_sheet=explicit_sheet)
    header_index = _find_header(sheet)
    if header_index is None:
        raise InvalidInput.single(filename, None, None, "fichier vide")
    found: list[Problem] = []
    table = table_from_sheet(sheet, header_index, problems=found)
    columns: dict[str, str] = {}
    for fld, aliases in COLUMN_ALIASES.items():
        key = next((a for a in aliases if a in table.keys), None)
        if key is not None:
            columns[fld] = key
    read = ", ".join(h for h in table.header if h) or "aucune"
    missing = [f for f in ("indicateur", "date") if f not in columns]
    if "valeur" not in columns and "cible" not in columns:
        missing.append("valeur")
    if missing:
        raise InvalidInput([
            Problem(filename, table.header_line, name, f"colonne obligatoire « {name} » absente (colonnes lues : {read})")
            for name in missing
        ])
    frame = table.frame
    lines_all = np.asarray(table.line_numbers, dtype="int64")

    def column(fld: str) -> pd.Series:
        key = columns.get(fld)
        if key is None:
            return pd.Series("", index=frame.index, dtype="object")
        return frame[key].astype("object").fillna("")

    raw = {fld: column(fld) for fld in COLUMN_ALIASES}
    # A row naming an indicator and nothing else is a template line (an export of an indicator
    # without data reads so): skipped, like a blank row.
    keep = (raw["date"].ne("") | raw["valeur"].ne("") | raw["cible"].ne("") | raw["commentaire"].ne("")).to_numpy()
    raw = {fld: series[keep].reset_index(drop=True) for fld, series in raw.items()}
    lines = lines_all[keep]
    if len(lines) == 0:
        raise InvalidInput.single(filename, None, None, "aucune valeur à importer : le fichier ne contient que "
                                                        "la ligne d'en-tête")
    if len(lines) > max_rows:
        raise InvalidInput.single(filename, None, None,
                                  f"fichier trop long : {len(lines)} lignes de valeurs (maximum {max_rows})")

    problems: list[tuple[int, int, Problem]] = [(p.line or 0, -1, p) for p in found]

    def add(i: int, fld: str, message: str) -> None:
        label = table.column_label(columns[fld]) if fld in columns else fld
        problems.append((int(lines[i]), FIELD_ORDER[fld], Problem(filename, int(lines[i]), label, message)))

    # -- indicator
    lookup = _Lookup.of(known)
    resolved = {text: lookup.resolve(text) for text in raw["indicateur"].unique() if text != ""}
    ids = raw["indicateur"].map(lambda t: resolved[t][0] if t in resolved else None)
    for i in np.flatnonzero(raw["indicateur"].eq("")):
        add(i, "indicateur", "indicateur manquant (identifiant ou nom de l'indicateur)")
    for i in np.flatnonzero(raw["indicateur"].ne("") & ids.isna()):
        add(i, "indicateur", resolved[raw["indicateur"].iloc[i]][1])

    # -- value and target
    valeur, bad_valeur, valeur_problems = _parse_numbers(raw["valeur"], "valeur")
    cible, bad_cible, cible_problems = _parse_numbers(raw["cible"], "cible")
    has_value = valeur.notna()
    has_target = cible.notna()
    for i in np.flatnonzero(bad_valeur):
        add(i, "valeur", valeur_problems[raw["valeur"].iloc[i]])
    for i in np.flatnonzero(bad_cible):
        add(i, "cible", cible_problems[raw["cible"].iloc[i]])
    for i in np.flatnonzero(~has_value & ~bad_valeur & ~has_target & ~bad_cible):
        add(i, "valeur", "valeur manquante")
    units = dict(zip(known["indicateur_id"], known["unite"]))
    names = dict(zip(known["indicateur_id"], known["nom"]))
    counted = ids.map(lambda i: is_count(units.get(i))).astype(bool)
    for fld, numbers in (("valeur", valeur), ("cible", cible)):
        not_whole = counted & numbers.notna() & ((numbers < 0) | (numbers != numbers.round()))
        for i in np.flatnonzero(not_whole):
            add(i, fld, count_message(raw[fld].iloc[i], names[ids.iloc[i]], fld))

    # -- date: refused in the future for a measured value; a row that only sets a target may be
    # dated in the future (its year is what matters).
    checked_dates = {t: validation.parse_date(t) for t in raw["date"].unique() if t != ""}
    dates = raw["date"].map(lambda t: checked_dates[t][0] if t in checked_dates else None).astype("object")
    for i in np.flatnonzero(raw["date"].eq("")):
        add(i, "date", "date manquante (AAAA-MM-JJ ou JJ/MM/AAAA)")
    for i in np.flatnonzero(raw["date"].ne("") & dates.isna()):
        add(i, "date", checked_dates[raw["date"].iloc[i]][1])

    # -- comment: control characters removed, length bounded
    commentaire = raw["commentaire"].map(clean_comment)
    for i in np.flatnonzero(validation.too_long_mask(commentaire, validation.COMMENT_MAX_LENGTH)):
        add(i, "commentaire", validation.too_long_message(len(commentaire.iloc[i]), "commentaire",
                                                          validation.COMMENT_MAX_LENGTH))
    future = dates.map(lambda d: d is not None and d > today).astype(bool)
    for i in np.flatnonzero(future & (has_value | bad_valeur)):
        add(i, "date", future_message(raw["date"].iloc[i], today))

    # -- the same (indicateur, date) twice, and two different targets for one year
    frame = pd.DataFrame({"line": lines, "indicateur_id": ids, "date": dates, "valeur": valeur, "cible": cible})
    keyed = frame[ids.notna() & dates.notna()]
    measured = keyed[has_value[keyed.index]]
    duplicated = measured.duplicated(["indicateur_id", "date"], keep="first")
    if duplicated.any():
        first = measured.groupby(["indicateur_id", "date"], sort=False)["line"].transform("first")
        for index in measured.index[duplicated.to_numpy()]:
            add(index, "date", f"valeur en double : « {measured.at[index, 'indicateur_id']} » a déjà une valeur au "
                               f"{french_date(measured.at[index, 'date'])} (ligne {int(first[index])})")
    targeted = keyed[has_target[keyed.index]].assign(annee=lambda f: f["date"].map(lambda d: d.year))
    if not targeted.empty:
        first_value = targeted.groupby(["indicateur_id", "annee"], sort=False)["cible"].transform("first")
        first_line = targeted.groupby(["indicateur_id", "annee"], sort=False)["line"].transform("first")
        for index in targeted.index[(targeted["cible"] != first_value).to_numpy()]:
            add(index, "cible", f"cible {targeted.at[index, 'annee']} contradictoire : "
                                f"{french_number(targeted.at[index, 'cible'])} ici, "
                                f"{french_number(first_value[index])} ligne {int(first_line[index])}")

    if problems:
        # An error cell says it all about its cell: no « valeur manquante » on top.
        shadowed = {(p.line, p.column) for p in found}
        problems = [t for t in problems if t[1] == -1 or (t[2].line, t[2].column) not in shadowed]
        ordered = sorted(enumerate(problems), key=lambda item: (item[1][0], item[1][1], item[0]))
        raise InvalidInput([problem for _, (_, _, problem) in ordered])

    if "commentaire" not in columns:
        commentaire = pd.Series([None] * len(lines), dtype="object")
    return pd.DataFrame({
        "line": frame["line"].astype("int64"),
        "indicateur_id": frame["indicateur_id"].astype(str),
        "date": frame["date"].astype("object"),
        "valeur": frame["valeur"].astype("float64"),
        "cible": frame["cible"].astype("float64"),
        "commentaire": commentaire.astype("object"),
    }, columns=VALUE_COLUMNS).reset_index(drop=True)


def check_single_value(known: pd.DataFrame, indicateur_id: str, on_date: object, valeur: object,
                       today: dt.date | None = None, source: str = "saisie") -> tuple[str, dt.date, float]:
    """The checks of a file row for one value typed in a form: (id, date, value) or InvalidInput
    whose problems name the field (indicateur, date, valeur) in place of a column."""
    today = today or clock.today()
    known = known_frame(known)
    problems: list[Problem] = []
    match = known[known["indicateur_id"] == str(indicateur_id)]
    if match.empty:
        problems.append(Problem(source, None, "indicateur", f"indicateur inconnu « {shown(indicateur_id)} »"))
    when: dt.date | None
    if isinstance(on_date, dt.datetime):
        when = on_date.date()
    elif isinstance(on_date, dt.date):
        when = on_date
    elif on_date is None or str(on_date).strip() == "":
        when = None
        problems.append(Problem(source, None, "date", "date manquante (AAAA-MM-JJ ou JJ/MM/AAAA)"))
    else:
        when = parse_date_text(str(on_date))
        if when is None:
            problems.append(Problem(source, None, "date", bad_date_message(on_date)))
    if when is not None and validation.date_problem(when) is not None:
        problems.append(Problem(source, None, "date", validation.date_problem(when, raw=on_date if isinstance(
            on_date, str) else None)))
        when = None
    if when is not None and when > today:
        problems.append(Problem(source, None, "date", future_message(french_date(when), today)))
    number: float | None = None
    try:
        number = parse_value_text("" if valeur is None else valeur)
        if number is None:
            problems.append(Problem(source, None, "valeur", "valeur manquante"))
    except ValueError:
        problems.append(Problem(source, None, "valeur", number_message(valeur)))
    if number is not None and validation.number_problem(number, "valeur", valeur) is not None:
        problems.append(Problem(source, None, "valeur", validation.number_problem(number, "valeur", valeur)))
        number = None
    if number is not None and not match.empty and is_count(match["unite"].iloc[0]):
        if number < 0 or number != round(number):
            problems.append(Problem(source, None, "valeur", count_message(valeur, match["nom"].iloc[0])))
    if problems:
        raise InvalidInput(problems)
    return str(indicateur_id), when, float(number)


# ---------------------------------------------------------------------------------------------
# analysis


def _timestamps(dates: pd.Series) -> pd.Series:
    """Dates as datetime64[ns]; a date outside what it can hold (before 1677, after 2262: data
    written before validation.py bounded dates) becomes NaT instead of raising."""
    if not len(dates):
        return pd.Series(dtype="datetime64[ns]")
    dates = pd.Series(dates)
    years = dates.map(lambda d: getattr(d, "year", None)).astype("float64")
    inside = years.between(1678, 2261) | years.isna()
    return pd.to_datetime(dates.where(inside, None), errors="coerce").astype("datetime64[ns]")


def _iso(value) -> str:
    """AAAA-MM-JJ of a date, a Timestamp or a str (any year); '' when missing."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        return value[:10]
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def as_values(values: pd.DataFrame) -> pd.DataFrame:
    """`date` (Timestamp) and `valeur` (float), sorted by date, rows without a value (or with
    a date out of Timestamp's range) dropped."""
    frame = pd.DataFrame({
        "date": _timestamps(values["date"]) if len(values) else pd.Series(dtype="datetime64[ns]"),
        "valeur": pd.to_numeric(values["valeur"]).astype("float64") if len(values) else pd.Series(dtype="float64"),
    })
    return frame.dropna().sort_values("date", kind="stable").reset_index(drop=True)


def as_targets(cibles: pd.DataFrame | Mapping[int, float] | None) -> pd.Series:
    """Targets as a float Series indexed by year (sorted): from a mapping year → value or a
    DataFrame with `annee` and `valeur` (or `cible`)."""
    if cibles is None:
        return pd.Series(dtype="float64")
    if isinstance(cibles, pd.DataFrame):
        column = "valeur" if "valeur" in cibles.columns else "cible"
        cibles = dict(zip(cibles["annee"], cibles[column]))
    # Years outside validation's range (written before it bounded them) are not targets.
    series = pd.Series({int(k): float(v) for k, v in cibles.items() if v is not None and v == v
                        and validation.YEAR_MIN <= int(k) <= validation.YEAR_MAX}, dtype="float64")
    return series.sort_index()


def _days(dates) -> np.ndarray:
    return ((pd.to_datetime(pd.Series(dates)) - _EPOCH) / _DAY).to_numpy(dtype="float64")


def fit_line(values: pd.DataFrame, points: int = PROJECTION_POINTS) -> tuple[float, float] | None:
    """Least squares line through the last `points` values: (slope per day, value at day 0 =
    1970-01-01); None with fewer than two distinct dates."""
    frame = as_values(values).tail(points)
    if frame["date"].nunique() < 2:
        return None
    x = _days(frame["date"])
    y = frame["valeur"].to_numpy()
    x_mean, y_mean = x.mean(), y.mean()
    slope = float(((x - x_mean) * (y - y_mean)).sum() / ((x - x_mean) ** 2).sum())
    return slope, float(y_mean - slope * x_mean)


def projected_value(values: pd.DataFrame, on: dt.date | pd.Timestamp, points: int = PROJECTION_POINTS) -> float | None:
    line = fit_line(values, points)
    if line is None:
        return None
    slope, intercept = line
    return intercept + slope * float(_days([on])[0])


def projection_line(values: pd.DataFrame, until_year: int, points: int = PROJECTION_POINTS) -> pd.DataFrame:
    """The projection for a chart: two points (`date`, `valeur`), from the first value the fit
    uses to 31 December of `until_year`; empty with fewer than two distinct dates."""
    line = fit_line(values, points)
    if line is None:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "valeur": pd.Series(dtype="float64")})
    slope, intercept = line
    start = as_values(values).tail(points)["date"].iloc[0]
    dates = pd.Series([start, max(year_end(until_year), start)], dtype="datetime64[ns]")
    return pd.DataFrame({"date": dates, "valeur": intercept + slope * _days(dates)})


def next_target(cibles, today: dt.date) -> tuple[int, float] | None:
    """The target of the first year whose 31 December is not before `today`, else the latest."""
    targets = as_targets(cibles)
    if targets.empty:
        return None
    upcoming = targets[targets.index >= pd.Timestamp(today).year]
    year = int(upcoming.index[0]) if len(upcoming) else int(targets.index[-1])
    return year, float(targets[year])


def trajectory_line(values: pd.DataFrame, cibles, today: dt.date) -> pd.DataFrame:
    """The trajectory for a chart: from the first value to the next target on 31 December of
    its year (two points); empty without a value or a target."""
    frame = as_values(values)
    target = next_target(cibles, today)
    if frame.empty or target is None:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "valeur": pd.Series(dtype="float64")})
    year, value = target
    return pd.DataFrame({
        "date": pd.Series([frame["date"].iloc[0], year_end(year)], dtype="datetime64[ns]"),
        "valeur": [float(frame["valeur"].iloc[0]), value],
    })


def trajectory_value(values: pd.DataFrame, cibles, today: dt.date, on: dt.date | pd.Timestamp) -> float | None:
    """Where the trajectory line stands on date `on`."""
    line = trajectory_line(values, cibles, today)
    if line.empty:
        return None
    (t0, t1), (v0, v1) = _days(line["date"]), line["valeur"].to_numpy()
    t = float(_days([on])[0])
    if t1 <= t0:
        return float(v1)
    return float(v0 + (v1 - v0) * (t - t0) / (t1 - t0))


def value_at(values: pd.DataFrame, on: dt.date | pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    """The last value dated on or before `on`, with its date."""
    frame = as_values(values)
    frame = frame[frame["date"] <= pd.Timestamp(on)]
    if frame.empty:
        return None
    return frame["date"].iloc[-1], float(frame["valeur"].iloc[-1])


@dataclass
class IndicateurStatus:
    """What the steering committee reads about one indicator. Dates are datetime.date."""

    nb_values: int
    last_date: dt.date | None
    last_value: float | None
    comite_date: dt.date | None  # the previous committee, as given
    comite_value: float | None  # the value at or before that date
    change: float | None  # last value minus committee value
    days_since_last: int | None
    stale: bool  # no value for more than STALE_DAYS days (or none at all)
    target_year: int | None
    target: float | None
    trajectory_value: float | None  # the trajectory on the last value's date
    behind_trajectory: bool | None
    projected_value: float | None  # the projection on 31 December of target_year (None if past)
    status: str  # one of STATUTS

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def indicateur_status(values: pd.DataFrame, cibles, sens: str, today: dt.date,
                     comite_date: dt.date | None = None, points: int = PROJECTION_POINTS) -> IndicateurStatus:
    """Last value, change since the previous committee, staleness, trajectory and projection of
    one indicator as of `today` (values dated after it are ignored, so the status a past
    committee saw can be computed again). `values` has `date` and `valeur`; `cibles` maps years
    to targets (or is a DataFrame with `annee`, `valeur`); `sens` is « hausse » or « baisse »;
    `comite_date` is the date of the previous committee.

    Status: « pas de cible » without any target; « atteinte » when the last value already meets
    the target; otherwise, a past target is « en retard »; fewer than two dated values give
    « données insuffisantes »; else the projection on 31 December of the target year meeting
    the target gives « en bonne voie », and « en retard » if it does not."""
    today_ts = pd.Timestamp(today)
    frame = as_values(values)
    frame = frame[frame["date"] <= today_ts]  # as of `today`: a past committee sees what it saw
    last_date = last_value = days = None
    if len(frame):
        last_ts = frame["date"].iloc[-1]
        last_date, last_value = last_ts.date(), float(frame["valeur"].iloc[-1])
        days = int((today_ts - last_ts) / _DAY)
    stale = days is None or days > STALE_DAYS

    comite_value = change = None
    if comite_date is not None:
        found = value_at(frame, comite_date)
        if found is not None:
            comite_value = found[1]
            change = last_value - comite_value

    target = next_target(cibles, today)
    target_year = target_value = trajectory = behind = projection = None
    if target is None:
        status = PAS_DE_CIBLE
    else:
        target_year, target_value = target
        if year_end(target_year) >= today_ts:
            projection = projected_value(frame, year_end(target_year), points)
            if last_value is not None:
                trajectory = trajectory_value(frame, cibles, today, last_ts)
                behind = bool(last_value > trajectory + EPSILON if sens == "baisse" else last_value < trajectory - EPSILON)
        if last_value is not None and better_or_equal(last_value, target_value, sens):
            status = ATTEINTE
        elif year_end(target_year) < today_ts:
            status = EN_RETARD
        elif projection is None:
            status = DONNEES_INSUFFISANTES
        else:
            status = EN_BONNE_VOIE if better_or_equal(projection, target_value, sens) else EN_RETARD
    return IndicateurStatus(
        nb_values=len(frame), last_date=last_date, last_value=last_value,
        comite_date=comite_date, comite_value=comite_value, change=change,
        days_since_last=days, stale=stale, target_year=target_year, target=target_value,
        trajectory_value=trajectory, behind_trajectory=behind, projected_value=projection, status=status,
    )


STATUS_COLUMNS = list(IndicateurStatus.__dataclass_fields__)
STATUS_DTYPES = {
    "nb_values": "int64", "last_value": "float64", "comite_value": "float64", "change": "float64",
    "days_since_last": "Int64", "stale": "bool", "target_year": "Int64", "target": "float64",
    "trajectory_value": "float64", "behind_trajectory": "boolean", "projected_value": "float64",
    "status": "object",
}


def indicateur_statuses(indicators: pd.DataFrame, values: pd.DataFrame, targets: pd.DataFrame, today: dt.date,
                       comite_date: dt.date | None = None) -> pd.DataFrame:
    """`indicateur_status` of every indicator (`indicateur_id`, `sens`), one row each, the
    indicator's columns first. `values` and `targets` hold every indicator's rows."""
    by_values = {k: g for k, g in values.groupby("indicateur_id", sort=False)} if len(values) else {}
    by_targets = {k: g for k, g in targets.groupby("indicateur_id", sort=False)} if len(targets) else {}
    empty_values = pd.DataFrame({"date": [], "valeur": []})
    rows = []
    for indicateur_id, sens in zip(indicators["indicateur_id"], indicators["sens"]):
        status = indicateur_status(by_values.get(indicateur_id, empty_values), by_targets.get(indicateur_id),
                                  sens, today, comite_date)
        rows.append(status.as_dict())
    statuses = pd.DataFrame(rows, columns=STATUS_COLUMNS).astype(STATUS_DTYPES)
    return pd.concat([indicators.reset_index(drop=True), statuses], axis=1)



# ---------------------------------------------------------------------------------------------
# export

EXPORT_FIELDS = ["fiche", "indicateur", "date", "valeur", "cible"]


def export_frame(indicators: pd.DataFrame, values: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Every indicator with its values and targets, in the fields of cli.md: `fiche` (fiche id),
    `indicateur` (indicator id), `date` (AAAA-MM-JJ), `valeur`, `cible`.

    One row per measured value, with the target of that value's year (NaN if none); one row per
    target whose year has no value, dated 31 December of the year with no `valeur`; one row with
    only `fiche` and `indicateur` for an indicator with neither. The file imports back as is."""
    order = {i: n for n, i in enumerate(indicators["indicateur_id"])}
    fiches = dict(zip(indicators["indicateur_id"], indicators["fiche_id"]))
    # Dates as AAAA-MM-JJ text, not Timestamps: a year outside 1677–2262 written before dates
    # were bounded is exported as is rather than crashing the export.
    iso = values["date"].map(_iso).astype(str) if len(values) else pd.Series(dtype=str)
    measured = pd.DataFrame({
        "indicateur_id": values["indicateur_id"].astype(str),
        "date": iso,
        "valeur": values["valeur"].astype("float64"),
    })
    measured = measured[measured["date"].ne("")]
    measured["annee"] = measured["date"].str[:4].astype("int64")
    goals = pd.DataFrame({
        "indicateur_id": targets["indicateur_id"].astype(str),
        "annee": targets["annee"].astype("int64"),
        "cible": targets["valeur"].astype("float64"),
    })
    with_targets = measured.merge(goals, on=["indicateur_id", "annee"], how="left")
    alone = goals.merge(measured[["indicateur_id", "annee"]].drop_duplicates(), on=["indicateur_id", "annee"],
                        how="left", indicator=True)
    alone = alone[alone["_merge"] == "left_only"].drop(columns="_merge")
    alone = alone.assign(date=alone["annee"].map(lambda year: f"{year:04d}-12-31").astype(str), valeur=np.nan)
    bare_ids = [i for i in indicators["indicateur_id"]
                if i not in set(measured["indicateur_id"]) and i not in set(goals["indicateur_id"])]
    bare = pd.DataFrame({"indicateur_id": bare_ids, "date": "", "valeur": np.nan, "cible": np.nan})
    parts = [p for p in (with_targets, alone, bare) if len(p)]
    columns = ["indicateur_id", "date", "valeur", "cible"]
    rows = pd.concat([p[columns] for p in parts], ignore_index=True) if parts else pd.DataFrame(columns=columns)
    rows = rows[rows["indicateur_id"].isin(order)]
    # '' (no date) sorts first, as NaT did.
    rows = rows.assign(position=rows["indicateur_id"].map(order)).sort_values(["position", "date"], kind="stable")
    return pd.DataFrame({
        "fiche": rows["indicateur_id"].map(fiches).fillna("").astype(str),
        "indicateur": rows["indicateur_id"].astype(str),
        "date": rows["date"].astype(str),
        "valeur": rows["valeur"].astype("float64"),
        "cible": rows["cible"].astype("float64"),
    }, columns=EXPORT_FIELDS).reset_index(drop=True)


# --- display of an indicator's status (Fiches-actions page, committee tables and slides) --------
# (appended below the reading and validation part, which another change edits: its own import)

from ..formatting import valeur_text  # noqa: E402

STATUT_INDICATEUR_LABELS = {ATTEINTE: "Cible atteinte", EN_BONNE_VOIE: "En bonne voie", EN_RETARD: "En retard",
                            PAS_DE_CIBLE: "Pas de cible", DONNEES_INSUFFISANTES: "Données insuffisantes"}
FLAG_STALE = f"Pas de valeur depuis plus de {STALE_DAYS} jours"
FLAG_BEHIND = "En retard sur la trajectoire"
PLAN_DEBUT, PLAN_FIN = 2020, 2026  # the PCAET's years when a sous-action has no calendar


def indicateur_flags(row) -> list[str]:
    """The alerts of one indicateur_overview row (`stale`, `behind_trajectory`): no value for too
    long, behind its trajectory."""
    flags = []
    if bool(row["stale"]):
        flags.append(FLAG_STALE)
    behind = row["behind_trajectory"]
    if behind is not None and behind is not pd.NA and bool(behind):
        flags.append(FLAG_BEHIND)
    return flags


def projection_sentence(row) -> str:
    """Whether the target will be met, in one French sentence, from an indicateur_overview row
    (`status`, `unite`, `target`, `target_year`, `last_value`, `projected_value`)."""
    unite = row["unite"]
    if row["status"] == PAS_DE_CIBLE:
        return "Aucune cible chiffrée : pas de projection possible."
    target = valeur_text(row["target"], unite)
    year = int(row["target_year"])
    if row["status"] == ATTEINTE:
        return f"La cible {year} ({target}) est déjà atteinte : dernière valeur {valeur_text(row['last_value'], unite)}."
    if row["status"] == DONNEES_INSUFFISANTES:
        return f"Pas assez de valeurs pour projeter la tendance vers la cible {year} ({target})."
    if pd.isna(row["projected_value"]):
        return f"L'échéance {year} est passée sans que la cible ({target}) soit atteinte."
    projected = valeur_text(row["projected_value"], unite)
    if row["status"] == EN_BONNE_VOIE:
        return (f"Au rythme actuel, la cible {year} sera atteinte : valeur projetée {projected} "
                f"au 31/12/{year} pour une cible de {target}.")
    return (f"Au rythme actuel, la cible {year} ne sera pas atteinte : valeur projetée {projected} "
            f"au 31/12/{year} pour une cible de {target}.")


def elapsed_share(debut: int | None, fin: int | None, today: dt.date) -> float:
    """Share of the years debut–fin (1 January to 31 December) elapsed on `today`, 0 to 1;
    without a calendar, the PCAET's years."""
    start = dt.date(debut or PLAN_DEBUT, 1, 1)
    end = dt.date(fin or debut or PLAN_FIN, 12, 31)
    if today <= start:
        return 0.0
    if today >= end:
        return 1.0
    return (today - start).days / (end - start).days


def indicateur_trajectory(values: pd.DataFrame, targets: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The trajectory line to draw (`trajectory_line`)."""
    return trajectory_line(values, targets, today)


def indicateur_projection(values: pd.DataFrame, targets: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The straight-line projection up to the next target's year (or the PCAET's last year)."""
    target = next_target(targets, today)
    return projection_line(values, target[0] if target else max(PLAN_FIN, today.year))
