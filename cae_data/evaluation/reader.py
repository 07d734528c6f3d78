"""Reading and validating an evaluation file (evaluation-csv.md), or a score export of the
official platform (tet_export.py), into one table of statuses. Pure functions: nothing here
touches the database; every problem of a file is reported at once, in French.

Validation is vectorised (pandas): Python loops run only over the distinct values of a column
or over the rows that are wrong, to word their messages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import clock, validation
from ..errors import InvalidInput, Problem, shown
from ..formatting import french_date, french_number
from ..referentiel.model import REGLES_CLASSIQUES, Regles
from ..tabular import (
    Sheet,
    find_header_row,
    parse_date_text,
    read_sheet,
    strip_accents,
    table_from_sheet,
)
from . import tet_export
from .sheet import CANONICAL_NAMES, ParsedSheet
from .statuses import DETAILLE, EXPECTED_TEXT, STATUTS, normalize_statuts

__all__ = [
    "STATUTS", "ROW_COLUMNS", "EVALUATION_SHEET", "EvaluationFile", "read_evaluation",
    "referentiel_levels", "parse_date_text",
]

ROW_COLUMNS = [
    "line", "collectivite", "date", "referentiel", "action_id", "statut", "fait", "programme",
    "pas_fait", "commentaire",
]
EVALUATION_SHEET = "evaluation"
EVALUABLE_LEVELS = ("sous-action", "tache")
DEFAULT_REFERENTIEL = "cae"
HEADER_SEARCH_ROWS = 20
SHARE_TOLERANCE = 0.5  # percent points, evaluation-csv.md

# Accepted header names (already normalised by tabular.normalize_header), first found wins.
COLUMN_ALIASES = {
    "action": ("actionid", "action", "identifiant", "id"),
    "statut": ("statut", "statuts", "status"),
    "fait": ("fait", "partfait", "%fait"),
    "programme": ("programme", "partprogramme", "%programme"),
    "pas_fait": ("pasfait", "partpasfait", "%pasfait"),
    "date": ("date", "datedevaluation", "dateevaluation"),
    "collectivite": ("collectivite", "nomcollectivite", "nomdelacollectivite"),
    "referentiel": ("referentiel",),
    "commentaire": ("commentaire", "commentaires"),
}
SHARE_FIELDS = ("fait", "programme", "pas_fait")

_PREFIX_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)_(.+)$")
NIVEAU_WORDS = {
    "referentiel": "la racine du référentiel", "axe": "un axe", "sous-axe": "un sous-axe",
    "mesure": "une mesure",
}


@dataclass
class EvaluationFile:
    """A validated evaluation. `rows` has the ROW_COLUMNS (shares as fractions 0–1, NaN unless
    détaillé); `collectivites[i]` and `dates[i]` form the i-th (collectivité, date) pair present
    (see `pairs`). `expected_points` (export-tet only) holds the file's points of every node:
    action_id ("" for the Total row), point_potentiel, point_fait, point_programme, point_pas_fait."""

    filename: str
    kind: str  # "evaluation" | "export-tet"
    rows: pd.DataFrame
    collectivites: list[str]
    dates: list[dt.date]
    expected_points: pd.DataFrame | None = None
    sheet_name: str | None = None
    warnings: list[Problem] = field(default_factory=list)  # rows ignored, the file is still valid

    @property
    def pairs(self) -> list[tuple[str, dt.date]]:
        return list(zip(self.collectivites, self.dates))


@dataclass
class _Referentiel:
    name: str
    ids: pd.Index
    evaluable: pd.Index
    niveau: dict[str, str]
    regles: Regles = REGLES_CLASSIQUES


def referentiel_levels(nodes: pd.DataFrame) -> dict[str, str]:
    """{action_id: niveau} of a referential's nodes, the exact form of `referentiel_ids` values."""
    return dict(zip(nodes["action_id"].astype(str), nodes["niveau"].astype(str)))


def _index_referentiel(name: str, ids: Mapping[str, str] | Collection[str],
                       regles: Regles = REGLES_CLASSIQUES) -> _Referentiel:
    """A mapping id -> niveau says which nodes are evaluable; a plain set of ids is read by
    shape: the two deepest levels (sous-actions and tâches) are the evaluable ones. Where the
    referential has no « détaillé à la tâche » (TE), only its sous-actions (sous-mesures) are."""
    if isinstance(ids, Mapping):
        niveau = {str(k): str(v) for k, v in ids.items() if str(k) != ""}
    else:
        all_ids = [str(i) for i in ids if str(i) != ""]
        depth_max = max((i.count(".") + 1 for i in all_ids), default=1)
        threshold = max(1, depth_max - 1)
        niveau = {}
        for node_id in all_ids:
            depth = node_id.count(".") + 1
            if depth >= threshold:
                niveau[node_id] = "sous-action" if depth == threshold else "tache"
            elif depth == threshold - 1:
                niveau[node_id] = "mesure"
            else:
                niveau[node_id] = "axe" if depth == 1 else "sous-axe"
    levels = EVALUABLE_LEVELS if regles.detaille_a_la_tache else ("sous-action",)
    evaluable = [i for i, n in niveau.items() if n in levels]
    return _Referentiel(name, pd.Index(list(niveau)), pd.Index(evaluable), niveau, regles)


def _split_prefix(action_id: str) -> tuple[str, str]:
    """`cae_6.1.1.2` → ("cae", "6.1.1.2"); `6.1.1.2` → ("", "6.1.1.2")."""
    match = _PREFIX_RE.match(action_id)
    if match:
        return match.group(1), match.group(2).strip()
    return "", action_id.strip()


def _norm_name(text: str) -> str:
    return " ".join(strip_accents(str(text)).lower().split())


# ---------------------------------------------------------------------------------------------
# entry point


def read_evaluation(
    data: bytes,
    filename: str,
    referentiel_ids: Mapping[str, Mapping[str, str] | Collection[str]],
    *,
    collectivite: str | None = None,
    date: dt.date | None = None,
    known_collectivites: Iterable[str] = (),
    today: dt.date | None = None,
    max_rows: int = 200_000,
    fallback_date: dt.date | None = None,
    explicit_sheet: str | None = None,
    referentiel: str | None = None,
    regles: Mapping[str, Regles] | None = None,
) -> EvaluationFile:
    """Read, normalise and validate an evaluation file (CSV or XLSX) or a score export of
    Territoires en Transitions (detected by its header). Raises InvalidInput with every problem.

    `referentiel_ids` maps a referential name to its node ids: a mapping id -> niveau (see
    `referentiel_levels`) or a plain set of ids. `collectivite` and `date` fill the rows whose
    file gives none; without `collectivite`, the only one of `known_collectivites` is used.
    `fallback_date` (the command line passes today) dates the rows when neither the file, nor
    `date`, nor an export's « Date d'export » does. A workbook is read in its visible sheet named
    « evaluation », else its first visible sheet, unless the user names one (`explicit_sheet`,
    read even when hidden). `referentiel` is the referential of the rows whose file names none
    (default: cae, or the only one loaded); `regles` (name → Regles) says, per referential, which
    levels take a status (TE: sous-mesures only)."""
    today = today or clock.today()
    if isinstance(date, dt.datetime):
        date = date.date()
    regles = {str(k).lower(): v for k, v in (regles or {}).items()}
    refs = {str(name).lower(): _index_referentiel(str(name).lower(), ids, regles.get(str(name).lower(), REGLES_CLASSIQUES))
            for name, ids in referentiel_ids.items()}
    sheet = read_sheet(data, filename, sheet_name=EVALUATION_SHEET, max_rows=max_rows, explicit_sheet=explicit_sheet)
    tet_header = tet_export.find_header_row(sheet)
    if tet_header is not None:
        parsed = tet_export.parse_tet_sheet(sheet, tet_header, data, max_rows)
        _choose_tet_referentiel(parsed, refs)
    else:
        parsed = _parse_evaluation_sheet(sheet, max_rows)
    if date is None and not parsed.default_date_raw:
        date = fallback_date
    return _finish(parsed, filename, refs, collectivite, date, list(known_collectivites), today,
                   referentiel.lower() if referentiel else None)


# ---------------------------------------------------------------------------------------------
# evaluation files (evaluation-csv.md)


def _find_header(sheet: Sheet) -> int | None:
    return find_header_row(sheet, COLUMN_ALIASES["action"], COLUMN_ALIASES["statut"], search_rows=HEADER_SEARCH_ROWS)


def _parse_evaluation_sheet(sheet: Sheet, max_rows: int) -> ParsedSheet:
    filename = sheet.filename
    header_index = _find_header(sheet)
    if header_index is None:
        where = f"la feuille « {sheet.sheet_name} » est vide" if sheet.sheet_name else "fichier vide"
        raise InvalidInput.single(filename, None, None, where)
    found: list[Problem] = []
    table = table_from_sheet(sheet, header_index, problems=found)
    columns: dict[str, str] = {}
    for fld, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in table.keys:
                columns[fld] = alias
                break
    labels = {fld: table.column_label(key) for fld, key in columns.items()}
    positions = {fld: table.keys.index(key) for fld, key in columns.items()}
    missing = [fld for fld in ("action", "statut") if fld not in columns]
    if missing:
        names = [CANONICAL_NAMES[f] for f in missing]
        read = ", ".join(h for h in table.header if h) or "aucune"
        if sheet.sheet_name is not None:
            what = (f"les colonnes obligatoires {names[0]} et {names[1]}" if len(names) == 2
                    else f"la colonne obligatoire « {names[0]} »")
            raise InvalidInput.single(
                filename, None, None,
                f"la feuille « {sheet.sheet_name} » ne contient pas {what} (colonnes lues : {read}) ; "
                f"le classeur est lu dans la feuille nommée « {EVALUATION_SHEET} », sinon dans la première "
                f"(feuilles du classeur : {', '.join(sheet.sheet_names)})",
            )
        raise InvalidInput([
            Problem(filename, table.header_line, name, f"colonne obligatoire « {name} » absente (colonnes lues : {read})")
            for name in names
        ])
    frame = table.frame
    if frame.empty:
        raise InvalidInput.single(filename, None, None,
                                  "le fichier ne contient que la ligne d'en-tête : aucune évaluation à importer")
    if len(frame) > max_rows:
        raise InvalidInput.single(
            filename, None, None,
            f"fichier trop long : {len(frame)} lignes d'évaluation (maximum {max_rows})",
        )

    def column(fld: str) -> pd.Series:
        """The column as text (pandas' Arrow-backed str: comparisons and string functions run in
        C); tabular already stripped the cells."""
        key = columns.get(fld)
        if key is None:
            return pd.Series("", index=frame.index, dtype="str")
        values = frame[key]
        return values if values.dtype == "str" and not values.hasnans else values.astype("object").fillna("").astype("str")

    parsed = ParsedSheet("evaluation", pd.DataFrame(), labels, positions, sheet_name=sheet.sheet_name)
    parsed.problems.extend((p.line or -1, -1, p) for p in found)
    lines = np.asarray(table.line_numbers, dtype="int64")
    statut_raw = column("statut")
    shares_raw = {f: column(f) for f in SHARE_FIELDS}
    commentaire = column("commentaire")

    # Rows left without a status (a template not filled in) are not evaluations: skipped, unless
    # something else was written on them.
    empty_statut = statut_raw.eq("")
    other_filled = commentaire.ne("")
    for raw in shares_raw.values():
        other_filled |= raw.ne("")
    for i in np.flatnonzero(empty_statut & other_filled):
        parsed.add(filename, int(lines[i]), "statut", f"statut manquant (attendu : {EXPECTED_TEXT})")
    keep = ~empty_statut
    if not keep.any() and not parsed.problems:
        raise InvalidInput.single(filename, None, labels["statut"],
                                  "aucun statut renseigné : la colonne statut est vide sur toutes les lignes")

    codes = normalize_statuts(statut_raw)
    unknown = keep & codes.isna()
    for i in np.flatnonzero(unknown):
        parsed.add(filename, int(lines[i]), "statut",
                   f"statut inconnu « {shown(statut_raw.iloc[i])} » (attendu : {EXPECTED_TEXT})")

    fractions = _shares(parsed, filename, lines, codes.eq(DETAILLE) & keep, shares_raw, columns)
    out = pd.DataFrame({  # the columns' arrays as they are (no round trip through Python objects)
        "line": lines,
        "action_raw": column("action").array,
        "statut": codes.array,
        "fait": fractions["fait"],
        "programme": fractions["programme"],
        "pas_fait": fractions["pas_fait"],
        "commentaire": commentaire.array,
        "date_raw": column("date").array,
        "collectivite_raw": column("collectivite").array,
        "referentiel_raw": column("referentiel").array,
    })
    parsed.frame = out[keep.to_numpy()].reset_index(drop=True)
    return parsed


def _parse_shares(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Percent values of a share column (`30`, `30,5`, `30 %`, `0.3`): (numbers, had a % sign)."""
    text = raw.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    percent_sign = text.str.endswith("%")
    text = text.str.rstrip("%")
    comma_only = text.str.contains(",", regex=False) & ~text.str.contains(".", regex=False)
    text = text.where(~comma_only, text.str.replace(",", ".", regex=False))
    numbers = pd.to_numeric(text.where(text.ne(""), None), errors="coerce")
    return numbers.astype("float64"), percent_sign


def _shares(parsed: ParsedSheet, filename: str, lines: np.ndarray, detaille: pd.Series,
            shares_raw: dict[str, pd.Series], columns: dict[str, str]) -> dict[str, np.ndarray]:
    """Fractions of the détaillé rows (NaN elsewhere: shares on other rows are ignored)."""
    n = len(detaille)
    nan = np.full(n, np.nan)
    if not detaille.any():
        return {f: nan.copy() for f in SHARE_FIELDS}
    present = [f for f in SHARE_FIELDS if f in columns]
    if not present:
        for i in np.flatnonzero(detaille):
            parsed.add(filename, int(lines[i]), "statut",
                       "statut « détaillé » sans parts : ajoutez les colonnes fait, programme et pas_fait "
                       "(en %, total 100)")
        return {f: nan.copy() for f in SHARE_FIELDS}
    values, signs, bad = {}, pd.Series(False, index=detaille.index), pd.Series(False, index=detaille.index)
    for fld in SHARE_FIELDS:
        raw = shares_raw[fld]
        # Parsed on the détaillé rows only: shares elsewhere are ignored.
        numbers, sign = _parse_shares(raw[detaille].astype(str))
        numbers = numbers.reindex(raw.index)
        sign = sign.reindex(raw.index, fill_value=False).astype(bool)
        unreadable = detaille & raw.ne("") & numbers.isna()
        for i in np.flatnonzero(unreadable):
            parsed.add(filename, int(lines[i]), fld,
                       f"part non reconnue « {shown(raw.iloc[i])} » (attendu un pourcentage entre 0 et 100)")
        out_of_range = detaille & numbers.notna() & ((numbers < 0) | (numbers > 100))
        for i in np.flatnonzero(out_of_range):
            parsed.add(filename, int(lines[i]), fld,
                       f"part hors limites « {shown(raw.iloc[i])} » (attendu entre 0 et 100)")
        bad |= unreadable | out_of_range
        signs |= sign
        values[fld] = numbers
    all_empty = detaille & values["fait"].isna() & values["programme"].isna() & values["pas_fait"].isna() & ~bad
    for i in np.flatnonzero(all_empty):
        parsed.add(filename, int(lines[i]), present[0],
                   "statut « détaillé » sans parts : renseignez fait, programme et pas_fait (en %, total 100)")
    filled = {f: values[f].fillna(0.0) for f in SHARE_FIELDS}
    total = filled["fait"] + filled["programme"] + filled["pas_fait"]
    # Percent-formatted spreadsheet cells hold fractions (30 % is 0.3): a row whose shares are
    # all within 0–1 and add up to 1 is read as fractions.
    as_fractions = ~signs & (total - 1.0).abs().le(SHARE_TOLERANCE / 100) & (
        filled["fait"].le(1) & filled["programme"].le(1) & filled["pas_fait"].le(1))
    scale = np.where(as_fractions, 1.0, 0.01)
    total_pct = total * np.where(as_fractions, 100.0, 1.0)
    wrong_total = detaille & ~bad & ~all_empty & (total_pct - 100.0).abs().gt(SHARE_TOLERANCE)
    for i in np.flatnonzero(wrong_total):
        parsed.add(filename, int(lines[i]), present[0],
                   f"les parts fait + programmé + pas fait doivent faire 100 (trouvé {french_number(total_pct.iloc[i])})")
    valid = detaille & ~bad & ~all_empty & ~wrong_total
    return {f: np.where(valid, filled[f] * scale, np.nan) for f in SHARE_FIELDS}


# ---------------------------------------------------------------------------------------------
# shared checks: referential and ids, collectivité, date, duplicates


def _choose_tet_referentiel(parsed: ParsedSheet, refs: dict[str, _Referentiel]) -> None:
    """An export names no referential: the loaded one that knows most of its ids."""
    ids = parsed.expected_points["action_id"] if parsed.expected_points is not None else parsed.frame["action_raw"]
    ids = ids[ids.ne("")]
    best = max(refs.values(), key=lambda r: int(ids.isin(r.ids).sum()), default=None)
    # Without any referential loaded, the default one is reported missing once.
    parsed.frame["referentiel_raw"] = best.name if best is not None else ""


def _default_referentiel(refs: dict[str, _Referentiel]) -> str:
    if DEFAULT_REFERENTIEL in refs or len(refs) != 1:
        return DEFAULT_REFERENTIEL
    return next(iter(refs))


def _finish(parsed: ParsedSheet, filename: str, refs: dict[str, _Referentiel], collectivite: str | None,
            date: dt.date | None, known: list[str], today: dt.date, chosen_ref: str | None = None) -> EvaluationFile:
    frame = parsed.frame
    loaded = ", ".join(sorted(refs)) or "aucun"

    # -- referential and action ids: ids repeat (a file has at most a few thousand distinct
    # ones), so each distinct id is parsed and checked once and the answers spread by its code.
    action_raw = frame["action_raw"].astype(str)
    action_codes, action_uniques = pd.factorize(action_raw)
    split = [_split_prefix(v) for v in action_uniques]
    unique_prefix = np.array([p for p, _ in split], dtype=object)
    unique_action = np.array([i for _, i in split], dtype=object)
    raw_prefix = pd.Series(unique_prefix[action_codes], index=frame.index)
    prefix = pd.Series(np.array([p.lower() for p in unique_prefix], dtype=object)[action_codes], index=frame.index)
    action_id = pd.Series(unique_action[action_codes], index=frame.index)
    unique_index = pd.Index(unique_action, dtype=object)
    ref_column = frame["referentiel_raw"].str.strip().str.lower()
    default_ref = chosen_ref or _default_referentiel(refs)
    referentiel = prefix.where(prefix.ne(""), ref_column.where(ref_column.ne(""), default_ref))
    lines = frame["line"].to_numpy()
    valid = pd.Series(True, index=frame.index)

    missing_id = action_raw.eq("")
    for i in np.flatnonzero(missing_id):
        parsed.add(filename, int(lines[i]), "action", "action_id manquant")
    valid &= ~missing_id

    conflict = prefix.ne("") & ref_column.ne("") & prefix.ne(ref_column)
    for i in np.flatnonzero(conflict):
        parsed.add(filename, int(lines[i]), "action",
                   f"le préfixe de « {shown(action_raw.iloc[i])} » ne correspond pas au référentiel "
                   f"« {shown(frame['referentiel_raw'].iloc[i])} » de la colonne referentiel")
    valid &= ~conflict

    unknown_ref = valid & ~referentiel.isin(list(refs))
    if unknown_ref.any():
        from_prefix = unknown_ref & prefix.ne("")
        from_column = unknown_ref & prefix.eq("") & ref_column.ne("")
        by_default = unknown_ref & prefix.eq("") & ref_column.eq("")
        for i in np.flatnonzero(from_prefix):
            parsed.add(filename, int(lines[i]), "action",
                       f"référentiel inconnu « {shown(raw_prefix.iloc[i])} » dans « {shown(action_raw.iloc[i])} » "
                       f"(référentiels chargés : {loaded})")
        for i in np.flatnonzero(from_column):
            parsed.add(filename, int(lines[i]), "referentiel",
                       f"référentiel inconnu « {shown(frame['referentiel_raw'].iloc[i])} » (référentiels chargés : {loaded})")
        if by_default.any():
            parsed.add(filename, None, None,
                       f"référentiel « {default_ref} » non chargé : importez-le d'abord (pcaet referentiel import) "
                       f"ou précisez le référentiel (référentiels chargés : {loaded})")
    valid &= ~unknown_ref

    warnings: list[Problem] = []
    ignored = pd.Series(False, index=frame.index)
    for name, ref in refs.items():
        in_ref = valid & referentiel.eq(name)
        if not in_ref.any():
            continue
        unknown = in_ref & ~unique_index.isin(ref.ids)[action_codes]
        # A tâche of a known sous-action that this edition of the referential does not have
        # (editions differ by a task here and there, and the official scoring examples carry
        # such rows): ignored with a warning, as the official platform does. Anything else
        # unknown refuses the file.
        parent_is_sous_action = np.array([ref.niveau.get(a.rsplit(".", 1)[0]) == "sous-action" for a in unique_action],
                                         dtype=bool)
        other_edition = unknown & parent_is_sous_action[action_codes]
        for i in np.flatnonzero(other_edition):
            warnings.append(Problem(filename, int(lines[i]), parsed.labels.get("action", "action_id"),
                                    f"tâche « {shown(action_raw.iloc[i])} » absente de cette édition du référentiel "
                                    f"{name} : ligne ignorée"))
        ignored |= other_edition
        unknown &= ~other_edition
        for i in np.flatnonzero(unknown):
            parsed.add(filename, int(lines[i]), "action",
                       f"action inconnue « {shown(action_raw.iloc[i])} » dans le référentiel {name}")
        not_evaluable = in_ref & ~unknown & ~other_edition & ~unique_index.isin(ref.evaluable)[action_codes]
        labels = ref.regles.niveau_labels
        evaluable_words = (f"les {labels['sous-action'][1]} et les {labels['tache'][1]}"
                           if ref.regles.detaille_a_la_tache else f"les {labels['sous-action'][1]}")
        for i in np.flatnonzero(not_evaluable):
            niveau = ref.niveau.get(action_id.iloc[i], "")
            word = ("une " + labels["tache"][0] if niveau == "tache"
                    else NIVEAU_WORDS.get(niveau, f"un niveau au-dessus des {labels['sous-action'][1]}"))
            parsed.add(filename, int(lines[i]), "action",
                       f"« {shown(action_raw.iloc[i])} » est {word} : seules {evaluable_words} "
                       f"reçoivent un statut" + (f" dans le référentiel {name}" if not ref.regles.detaille_a_la_tache
                                                 else ""))
        valid &= ~(unknown | not_evaluable | other_edition)

    # -- collectivité: the file's column, else the one given, else the export's title, else the
    # only one known. Names matching a known one (case and accents aside) take its spelling.
    known_by_norm = {_norm_name(k): k for k in known}
    raw_coll = frame["collectivite_raw"].str.strip()
    names = {v: validation.clean_name(v, "nom de collectivité") for v in raw_coll.unique() if v != ""}
    uniques = {v: known_by_norm.get(_norm_name(name), name) for v, (name, problem) in names.items()
               if problem is None and name != ""}
    coll = raw_coll.map(uniques).astype("object")
    bad_names = raw_coll.isin([v for v, (name, problem) in names.items() if problem is not None or name == ""])
    for i in np.flatnonzero(bad_names):
        name, problem = names[raw_coll.iloc[i]]
        parsed.add(filename, int(lines[i]), "collectivite", problem or "nom de collectivité vide")
    valid &= ~bad_names
    default_coll = collectivite or parsed.default_collectivite
    if not default_coll and len(known) == 1:
        default_coll = known[0]
    if default_coll:
        default_coll, problem = validation.clean_name(default_coll, "nom de collectivité")
        if problem:
            parsed.add(filename, None, None, problem)
        default_coll = known_by_norm.get(_norm_name(default_coll), default_coll)
        coll = coll.where(bad_names | raw_coll.ne(""), default_coll)
    elif (coll.isna() & ~bad_names).any():
        if known:
            parsed.add(filename, None, None,
                       f"collectivité non précisée : plusieurs collectivités sont enregistrées ({', '.join(known)}) ; "
                       f"indiquez laquelle à l'import (--collectivite NOM) ou dans une colonne collectivite")
        else:
            parsed.add(filename, None, None,
                       "collectivité non précisée : aucune collectivité n'est enregistrée ; indiquez-la à l'import "
                       "(--collectivite NOM) ou dans une colonne collectivite")
        valid &= coll.notna()

    # -- date: the file's column, else the one given, else the export date of the title rows.
    raw_date = frame["date_raw"].str.strip()
    checked_dates = {v: validation.parse_date(v, "date") for v in raw_date.unique() if v != ""}
    parsed_dates = {v: value for v, (value, _) in checked_dates.items()}
    dates = raw_date.map(parsed_dates).astype("object")
    for i in np.flatnonzero(raw_date.ne("") & dates.isna()):
        parsed.add(filename, int(lines[i]), "date", checked_dates[raw_date.iloc[i]][1])
    default_date = _default_date(parsed, filename, date, today)
    empty_date = raw_date.eq("")
    if default_date is not None:
        dates = dates.where(~empty_date, default_date)
    elif empty_date.any() and date is None and not parsed.default_date_raw:
        parsed.add(filename, None, None,
                   "date d'évaluation non précisée : ajoutez une colonne date ou indiquez la date à l'import "
                   "(--date AAAA-MM-JJ)")
    future_values = {d for d in parsed_dates.values() if d is not None and d > today}
    if future_values:
        future = raw_date.ne("") & dates.isin(list(future_values))
        for i in np.flatnonzero(future):
            parsed.add(filename, int(lines[i]), "date",
                       f"date dans le futur « {shown(raw_date.iloc[i])} » : une évaluation ne peut pas être "
                       f"postérieure à aujourd'hui ({french_date(today)})")
        valid &= ~future
    valid &= dates.notna()

    # -- duplicates among the rows whose key is known
    frame = frame.assign(
        collectivite=coll, date=dates, referentiel=referentiel, action_id=action_id,
    )
    keys = ["collectivite", "date", "referentiel", "action_id"]
    candidates = frame[valid & frame["statut"].notna()]
    if not candidates.empty:
        duplicated = candidates.duplicated(keys, keep="first")
        if duplicated.any():
            first_line = candidates.groupby(keys, sort=False)["line"].transform("first")
            for index in candidates.index[duplicated.to_numpy()]:
                row = candidates.loc[index]
                parsed.add(filename, int(row["line"]), "action",
                           f"action « {shown(row['action_raw'])} » déjà présente ligne {int(first_line.loc[index])} "
                           f"pour {row['collectivite']} au {french_date(row['date'])}")

    commentaire = validation.clean_text_series(frame["commentaire"])
    too_long = validation.too_long_mask(commentaire, validation.COMMENT_MAX_LENGTH)
    for i in np.flatnonzero(too_long):
        parsed.add(filename, int(lines[i]), "commentaire",
                   validation.too_long_message(len(commentaire.iloc[i]), "commentaire", validation.COMMENT_MAX_LENGTH))

    if parsed.problems:
        # An error cell (order -1) says it all about its cell: no other problem on top.
        shadowed = {(p.line, p.column) for _, order, p in parsed.problems if order == -1}
        parsed.problems = [t for t in parsed.problems if t[1] == -1 or (t[2].line, t[2].column) not in shadowed]
        ordered = sorted(enumerate(parsed.problems), key=lambda item: (item[1][0], item[1][1], item[0]))
        raise InvalidInput([problem for _, (_, _, problem) in ordered])

    frame = frame[~ignored]
    commentaire = commentaire[~ignored]
    rows = pd.DataFrame({
        "line": frame["line"].astype("int64"),
        "collectivite": frame["collectivite"].astype(str),
        "date": frame["date"].astype("object"),
        "referentiel": frame["referentiel"].astype(str),
        "action_id": frame["action_id"].astype(str),
        "statut": frame["statut"].astype(str),
        "fait": frame["fait"].astype("float64"),
        "programme": frame["programme"].astype("float64"),
        "pas_fait": frame["pas_fait"].astype("float64"),
        "commentaire": commentaire,
    }, columns=ROW_COLUMNS).reset_index(drop=True)
    pairs = rows[["collectivite", "date"]].drop_duplicates()
    return EvaluationFile(
        filename=filename,
        kind=parsed.kind,
        rows=rows,
        collectivites=pairs["collectivite"].tolist(),
        dates=pairs["date"].tolist(),
        expected_points=parsed.expected_points,
        sheet_name=parsed.sheet_name,
        warnings=warnings,
    )


def _default_date(parsed: ParsedSheet, filename: str, date: dt.date | None, today: dt.date) -> dt.date | None:
    """The date given on import, else the export date of the title rows (checked here)."""
    if date is not None:
        problem = validation.date_problem(date, "date d'évaluation")
        if problem:
            parsed.add(filename, None, None, problem)
            return None
        if date > today:
            parsed.add(filename, None, None,
                       f"date d'évaluation dans le futur « {french_date(date)} » : une évaluation ne peut pas être "
                       f"postérieure à aujourd'hui ({french_date(today)})")
            return None
        return date
    if not parsed.default_date_raw:
        return None
    value, problem = validation.parse_date(parsed.default_date_raw, "date d'export")
    line, label = parsed.default_date_line, parsed.default_date_label
    if value is None:
        parsed.problems.append((line or -1, 0, Problem(filename, line, label, problem)))
        return None
    if value > today:
        parsed.problems.append((line or -1, 0, Problem(
            filename, line, label,
            f"date d'export dans le futur « {shown(parsed.default_date_raw)} » : une évaluation ne peut pas être "
            f"postérieure à aujourd'hui ({french_date(today)})")))
        return None
    return value
