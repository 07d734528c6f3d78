"""Score exports of the official platform (Territoires en Transitions), XLSX or CSV, read as
evaluations.

An export has a few title rows (the collectivity's name in the first cell, a row `Date d'export`
with its date, a group header row), then the header row (found by its content: it holds `N°`
and `Statut`), then one row per node from the Total down to the tâches. `Statut` is filled on
sous-actions and tâches only:
- Fait, Programmé, Pas fait, Non concerné, Non renseigné → that status;
- Détaillé au % → détaillé, shares from the `% fait` / `% programmé` / `% pas fait` columns
  (fractions of the node's potential: 0.3, or 30 %, or a formula `=G12/F12` of that sheet),
  or, when a % cell holds a formula that cannot be evaluated, points / potentiel;
- Détaillé à la tâche → no row: the tâches carry the statuses;
- Détaillé (recent exports use one word for both) → à la tâche when a tâche below has a status,
  au % otherwise;
- empty or Non disponible → no row.
The points of every node are kept in `expected_points`, to compare with the recomputed scores.
When an export holds two groups of score columns (comparison, audit), the last one is read."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from ..errors import InvalidInput, shown
from ..formatting import french_number
from ..tabular import Sheet, csv_problems, error_cell_problems, normalize_header
from .sheet import ParsedSheet
from .statuses import (
    DETAILLE,
    FAIT,
    NON_CONCERNE,
    PAS_FAIT,
    PROGRAMME,
    TET_DETAILLE_TACHE,
    TET_INDISPONIBLE,
    normalize_statuts,
    status_key,
)

HEADER_SEARCH_ROWS = 40
ID_KEYS = ("n°", "no", "numero", "n")
TOTAL_KEYS = ("total",)
EXPECTED_TEXT = "Fait, Programmé, Pas fait, Non concerné, Non renseigné, Détaillé au %, Détaillé à la tâche"
EXPECTED_POINT_COLUMNS = ["action_id", "point_potentiel", "point_fait", "point_programme", "point_pas_fait"]
SHARE_TOLERANCE = 0.005  # fractions

# Normalised header names of each column (tabular.normalize_header), several platform versions.
COLUMNS = {
    "id": ID_KEYS,
    "statut": ("statut",),
    "potentiel": ("potentielpersonnalise", "potentielcollectivite", "potentiel"),
    "points_fait": ("pointsfaits", "pointsfait", "pointsrealises"),
    "pct_fait": ("%fait", "%faits", "%realise"),
    "points_programme": ("pointsprogrammes", "pointsprogramme"),
    "pct_programme": ("%programme", "%programmes"),
    "points_pas_fait": ("pointspasfaits", "pointspasfait"),
    "pct_pas_fait": ("%pasfait", "%pasfaits"),
    "commentaire": ("champsdeprecisiondeletatdavancement", "commentaire", "commentaires", "explication"),
}
SHARES = ("fait", "programme", "pas_fait")
# Statuses that make a plain « Détaillé » sous-action one detailed by its tâches.
TACHE_STATUSES = (FAIT, PROGRAMME, PAS_FAIT, DETAILLE, NON_CONCERNE, TET_DETAILLE_TACHE)


def find_header_row(sheet: Sheet) -> int | None:
    """Index of the export's header row (it holds `N°` and `Statut`), or None: not an export."""
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys = {normalize_header(cell) for cell in row if cell}
        if keys & set(ID_KEYS) and "statut" in keys and "actionid" not in keys:
            return index
    return None


def parse_tet_sheet(sheet: Sheet, header_index: int, data: bytes, max_rows: int) -> ParsedSheet:
    filename = sheet.filename
    header = sheet.rows[header_index]
    keys = [normalize_header(cell) for cell in header]
    col: dict[str, int] = {}
    for fld, aliases in COLUMNS.items():
        for alias in aliases:
            found = [i for i, key in enumerate(keys) if key == alias]
            if found:
                # The id column is the first; score columns repeat per snapshot: take the last.
                col[fld] = found[0] if fld == "id" else found[-1]
                break
    labels = {fld: header[i] for fld, i in col.items()}
    labels["action"] = labels["id"]
    for share in SHARES:
        labels[share] = labels.get(f"pct_{share}", labels.get(f"points_{share}", labels["statut"]))
    positions = {fld: i for fld, i in col.items()}
    positions["action"] = col["id"]
    for share in SHARES:
        positions[share] = positions.get(f"pct_{share}", positions.get(f"points_{share}", col["statut"]))
    parsed = ParsedSheet("export-tet", pd.DataFrame(), labels, positions, sheet_name=sheet.sheet_name)
    _read_title_rows(sheet, header_index, parsed)

    body = sheet.rows[header_index + 1:]
    grid_index = np.arange(header_index + 1, len(sheet.rows))
    lines = np.asarray(sheet.line_numbers[header_index + 1:], dtype="int64")
    width = max(col.values()) + 1
    raw = pd.DataFrame([(row + [""] * width)[:width] for row in body], dtype="object") if body else \
        pd.DataFrame(columns=range(width), dtype="object")
    raw = raw.fillna("")

    def cells(fld: str) -> pd.Series:
        if fld not in col:
            return pd.Series("", index=raw.index, dtype="object")
        return raw[col[fld]].astype(str).str.strip()

    ids = cells("id")
    # astype: an export without body rows maps to an empty str Series, not a boolean one.
    is_total = ids.map(lambda v: normalize_header(v) in TOTAL_KEYS).astype(bool)
    # The Total row may have no id: the first data row without one, when a node row follows.
    filled = raw.ne("").any(axis=1)
    nodes = ids.ne("") | is_total
    if len(raw) and not nodes.iloc[0] and filled.iloc[0] and nodes.any():
        is_total.iloc[0] = True
        nodes.iloc[0] = True
    node_count = int(nodes.sum())
    if node_count == 0:
        raise InvalidInput.single(filename, None, None, "export sans aucune ligne d'action sous l'en-tête")
    if node_count > max_rows:
        raise InvalidInput.single(filename, None, None,
                                  f"fichier trop long : {node_count} lignes d'évaluation (maximum {max_rows})")
    action_id = ids.where(~is_total, "")

    cellmap = _Cells(sheet, data)
    expected = pd.DataFrame({"action_id": action_id[nodes].to_numpy()})
    for name, fld in (("point_potentiel", "potentiel"), ("point_fait", "points_fait"),
                      ("point_programme", "points_programme"), ("point_pas_fait", "points_pas_fait")):
        if fld in col:
            expected[name] = cellmap.numbers(grid_index[nodes.to_numpy()], col[fld])
        else:
            expected[name] = np.nan
    parsed.expected_points = expected[EXPECTED_POINT_COLUMNS]

    statut_raw = cells("statut")
    codes = normalize_statuts(statut_raw, tet=True)
    has_status = nodes & ~is_total & statut_raw.ne("")
    unknown = has_status & codes.isna()
    for i in np.flatnonzero(unknown):
        parsed.add(filename, int(lines[i]), "statut",
                   f"statut inconnu « {shown(statut_raw.iloc[i])} » (attendu : {EXPECTED_TEXT})")

    # A plain « Détaillé » is detailed by its tâches when one of them carries a status.
    with_tache_status = set(action_id[has_status & codes.isin(TACHE_STATUSES)])
    parents = {node.rsplit(".", 1)[0] for node in with_tache_status if "." in node}
    plain = has_status & codes.eq(DETAILLE) & statut_raw.map(lambda v: status_key(v) == "detaille")
    codes = codes.where(~(plain & action_id.isin(parents)), TET_DETAILLE_TACHE)
    keep = has_status & codes.notna() & ~codes.isin([TET_DETAILLE_TACHE, TET_INDISPONIBLE])

    shares = {s: np.full(len(raw), np.nan) for s in SHARES}
    for i in np.flatnonzero(keep & codes.eq(DETAILLE)):
        values = _detailed_shares(cellmap, int(grid_index[i]), col)
        if values is None:
            parsed.add(filename, int(lines[i]), "statut",
                       "parts du statut « détaillé » illisibles : ni les colonnes % ni les points ne donnent de valeur")
            continue
        total = sum(values)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            parsed.add(filename, int(lines[i]), "fait",
                       f"les parts fait + programmé + pas fait doivent faire 100 (trouvé {french_number(total * 100)})")
            continue
        for share, value in zip(SHARES, values):
            shares[share][i] = value

    frame = pd.DataFrame({
        "line": lines,
        "action_raw": action_id.to_numpy(),
        "statut": codes.to_numpy(),
        "fait": shares["fait"],
        "programme": shares["programme"],
        "pas_fait": shares["pas_fait"],
        "commentaire": cells("commentaire").to_numpy(),
        "date_raw": "",
        "collectivite_raw": "",
        "referentiel_raw": "",
    })
    parsed.frame = frame[keep.to_numpy()].reset_index(drop=True)
    # Rows that would lose data (CSV) and error cells where the reader reads them: ids, statuses
    # and comments of every row, shares and points of the détaillé rows.
    found = csv_problems(sheet, header_index)
    read_everywhere = {col[f]: header[col[f]] for f in ("id", "statut", "commentaire") if f in col}
    found += error_cell_problems(sheet, header_index, read_everywhere)
    share_columns = {c: header[c] for f, c in col.items() if f.startswith(("pct_", "points_")) or f == "potentiel"}
    detailed_rows = {int(grid_index[i]) for i in np.flatnonzero(keep & codes.eq(DETAILLE))}
    found += error_cell_problems(sheet, header_index, share_columns, rows=detailed_rows)
    parsed.problems.extend((p.line or -1, -1, p) for p in found)
    if parsed.frame.empty and not parsed.problems:
        raise InvalidInput.single(filename, None, labels["statut"], "export sans aucun statut de sous-action ou de tâche")
    return parsed


def _read_title_rows(sheet: Sheet, header_index: int, parsed: ParsedSheet) -> None:
    """Collectivity name (first cell of the first title row) and `Date d'export`."""
    name = None
    for index in range(header_index):
        row = [cell.strip() for cell in sheet.rows[index]]
        filled = [(j, cell) for j, cell in enumerate(row) if cell]
        if not filled:
            continue
        first_col, first = filled[0]
        key = normalize_header(first)
        if key.startswith("datedexport"):
            value = first.split(":", 1)[1].strip() if ":" in first and not key == "datedexport" else ""
            if not value and len(filled) > 1:
                value = filled[1][1]
            parsed.default_date_raw = value or None
            parsed.default_date_line = sheet.line_numbers[index]
            parsed.default_date_label = first.split(":", 1)[0].strip()
            continue
        if name is None and first_col == 0 and not key.startswith("export"):
            name = first
    parsed.default_collectivite = name


class _Unevaluable(Exception):
    pass


_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def _number(text: str) -> float | None:
    """A cell's number: `12,5`, `0.3`, `30 %` (→ 0.3); None when the cell is not a number."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    if not _NUMBER_RE.match(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value / 100 if percent else value


class _Cells:
    """Numbers of the sheet's cells, with the simple formulas of the sheet evaluated: numbers,
    cell references, + - * /, parentheses, SUM and IFERROR. A CSV keeps formulas as text
    (`=G12/F12`); an XLSX written without cached results gives them through openpyxl."""

    def __init__(self, sheet: Sheet, data: bytes):
        self.sheet = sheet
        self.data = data
        self._formulas: dict[tuple[int, int], str] | None = None

    def text(self, r: int, c: int) -> str:
        rows = self.sheet.rows
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
            return rows[r][c].strip()
        return ""

    def formula(self, r: int, c: int) -> str | None:
        text = self.text(r, c)
        if text.startswith("="):
            return text
        if text == "" and self.sheet.sheet_name is not None:
            return self._xlsx_formulas().get((r, c))
        return None

    def _xlsx_formulas(self) -> dict[tuple[int, int], str]:
        if self._formulas is None:
            self._formulas = {}
            try:
                import openpyxl

                workbook = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=False)
                sheet = workbook[self.sheet.sheet_name]
                for r, row in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True)):
                    for c, value in enumerate(row):
                        if isinstance(value, str) and value.startswith("="):
                            self._formulas[(r, c)] = value
                workbook.close()
            except Exception:  # not readable by openpyxl (.xls, .ods): no formulas to evaluate
                self._formulas = {}
        return self._formulas

    def value(self, r: int, c: int, seen: frozenset = frozenset()) -> float | None:
        """The number of a cell (None for an empty formula result); raises _Unevaluable."""
        if (r, c) in seen or len(seen) > 200:
            raise _Unevaluable
        formula = self.formula(r, c)
        if formula is not None:
            return _Formula(formula[1:], self, seen | {(r, c)}).evaluate()
        text = self.text(r, c)
        if text == "":
            return 0.0
        number = _number(text)
        if number is None:
            raise _Unevaluable
        return number

    def numbers(self, grid_rows: np.ndarray, c: int) -> np.ndarray:
        """Vectorised numbers of one column; formula and empty cells resolved one by one."""
        texts = pd.Series([self.text(int(r), c) for r in grid_rows], dtype="object")
        cleaned = texts.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
        comma_only = cleaned.str.contains(",", regex=False) & ~cleaned.str.contains(".", regex=False)
        cleaned = cleaned.where(~comma_only, cleaned.str.replace(",", ".", regex=False))
        values = pd.to_numeric(cleaned.where(cleaned.ne(""), None), errors="coerce").to_numpy(dtype="float64", copy=True)
        for i in np.flatnonzero(np.isnan(values)):
            try:
                result = self.value(int(grid_rows[i]), c)
                values[i] = 0.0 if result is None else result
            except (_Unevaluable, ZeroDivisionError):
                values[i] = np.nan
        return values


_TOKEN_RE = re.compile(r"\s*(?:(\$?[A-Za-z]{1,3}\$?\d+)|(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z0-9_.]*)(?=\s*\()|"
                       r"(\"[^\"]*\")|(.))")


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + (ord(char) - 64)
    return index - 1


class _Formula:
    """Recursive-descent evaluation of a small spreadsheet formula (no `=`)."""

    def __init__(self, text: str, cells: _Cells, seen: frozenset):
        self.tokens = []
        for match in _TOKEN_RE.finditer(text):
            ref, number, func, string, other = match.groups()
            if ref:
                self.tokens.append(("ref", ref.replace("$", "")))
            elif number:
                self.tokens.append(("num", float(number)))
            elif func:
                self.tokens.append(("func", func.upper()))
            elif string is not None:
                self.tokens.append(("str", string[1:-1]))
            elif other and not other.isspace():
                self.tokens.append(("op", other))
        self.pos = 0
        self.cells = cells
        self.seen = seen

    def evaluate(self) -> float | None:
        try:
            value = self.expression()
        except RecursionError:  # thousands of nested parentheses: not a formula of the platform
            raise _Unevaluable from None
        if self.pos != len(self.tokens):
            raise _Unevaluable
        return value

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind) or (value and token[1] != value):
            raise _Unevaluable
        self.pos += 1
        return token

    def expression(self):
        value = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            right = self.term()
            value = (value or 0.0) + (right or 0.0) if op == "+" else (value or 0.0) - (right or 0.0)
        return value

    def term(self):
        value = self.factor()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            right = self.factor()
            if op == "*":
                value = (value or 0.0) * (right or 0.0)
            else:
                value = (value or 0.0) / (right or 0.0)  # ZeroDivisionError is caught by IFERROR
        return value

    def factor(self):
        kind, value = self.peek()
        if (kind, value) in (("op", "-"), ("op", "+")):
            self.take()
            inner = self.factor()
            return -(inner or 0.0) if value == "-" else inner
        if kind == "num":
            self.take()
            return value
        if kind == "str":
            self.take()
            if value != "":
                raise _Unevaluable
            return None
        if kind == "ref":
            self.take()
            if self.peek() == ("op", ":"):
                raise _Unevaluable  # ranges only inside SUM
            return self.reference(value)
        if kind == "func":
            return self.function()
        if (kind, value) == ("op", "("):
            self.take()
            inner = self.expression()
            self.take("op", ")")
            return inner
        raise _Unevaluable

    def reference(self, ref: str) -> float | None:
        match = re.fullmatch(r"([A-Za-z]{1,3})(\d+)", ref)
        return self.cells.value(int(match.group(2)) - 1, _column_index(match.group(1)), self.seen)

    def arguments(self) -> list[int]:
        """Token positions of each argument (separated by `,` or `;` at depth 0)."""
        self.take("op", "(")
        starts, depth, index = [self.pos], 0, self.pos
        while index < len(self.tokens):
            token = self.tokens[index]
            if token == ("op", "("):
                depth += 1
            elif token == ("op", ")"):
                if depth == 0:
                    return starts + [index]
                depth -= 1
            elif token in (("op", ","), ("op", ";")) and depth == 0:
                starts.append(index + 1)
            index += 1
        raise _Unevaluable

    def function(self):
        name = self.take("func")[1]
        bounds = self.arguments()
        end = bounds[-1]
        spans = [(bounds[k], bounds[k + 1] - (1 if k + 2 < len(bounds) else 0)) for k in range(len(bounds) - 1)]
        if name == "IFERROR" and len(spans) == 2:
            try:
                result = self.sub(spans[0])
            except (ZeroDivisionError, _Unevaluable):
                result = self.sub(spans[1])
        elif name == "SUM":
            result = 0.0
            for span in spans:
                result += self.sum_argument(span)
        else:
            raise _Unevaluable
        self.pos = end + 1
        return result

    def sub(self, span: tuple[int, int]):
        inner = _Formula("", self.cells, self.seen)
        inner.tokens = self.tokens[span[0]:span[1]]
        return inner.evaluate()

    def sum_argument(self, span: tuple[int, int]) -> float:
        tokens = self.tokens[span[0]:span[1]]
        if len(tokens) == 3 and tokens[0][0] == "ref" and tokens[1] == ("op", ":") and tokens[2][0] == "ref":
            (c1, r1), (c2, r2) = (re.fullmatch(r"([A-Za-z]{1,3})(\d+)", t[1]).groups() for t in (tokens[0], tokens[2]))
            total = 0.0
            for r in range(min(int(r1), int(r2)), max(int(r1), int(r2)) + 1):
                for c in range(min(_column_index(c1), _column_index(c2)), max(_column_index(c1), _column_index(c2)) + 1):
                    total += self.cells.value(r - 1, c, self.seen) or 0.0
            return total
        return self.sub(span) or 0.0


def _detailed_shares(cells: _Cells, r: int, col: dict[str, int]) -> tuple[float, float, float] | None:
    """Shares (fractions) of a détaillé node: its % cells, a formula of them, or points / potentiel."""
    values: dict[str, float | None] = {}
    for share in SHARES:
        values[share] = _share(cells, r, col, share)
    if values["pas_fait"] is None and "pct_pas_fait" not in col and "points_pas_fait" not in col:
        if values["fait"] is not None and values["programme"] is not None:
            values["pas_fait"] = max(0.0, 1.0 - values["fait"] - values["programme"])  # older exports
    if any(v is None for v in values.values()):
        return None
    if all(v == 0.0 for v in values.values()):
        derived = [_from_points(cells, r, col, share) for share in SHARES]
        if all(v is not None for v in derived):
            return tuple(derived)
    return values["fait"], values["programme"], values["pas_fait"]


def _share(cells: _Cells, r: int, col: dict[str, int], share: str) -> float | None:
    pct_col = col.get(f"pct_{share}")
    if pct_col is None:
        return _from_points(cells, r, col, share)
    formula = cells.formula(r, pct_col)
    if formula is not None:
        try:
            value = _Formula(formula[1:], cells, frozenset({(r, pct_col)})).evaluate()
            return 0.0 if value is None else value
        except (_Unevaluable, ZeroDivisionError):
            return _from_points(cells, r, col, share)
    text = cells.text(r, pct_col)
    if text == "":
        return 0.0  # the platform leaves the cell empty when the share is 0
    value = _number(text)
    if value is None:
        return _from_points(cells, r, col, share)
    # A percent written without its sign (30) rather than as a fraction (0.3).
    return value / 100 if value > 1 and "%" not in text else value


def _from_points(cells: _Cells, r: int, col: dict[str, int], share: str) -> float | None:
    points_col, potentiel_col = col.get(f"points_{share}"), col.get("potentiel")
    if points_col is None or potentiel_col is None:
        return None
    try:
        points = cells.value(r, points_col) or 0.0
        potentiel = cells.value(r, potentiel_col) or 0.0
    except (_Unevaluable, ZeroDivisionError):
        return None
    if potentiel == 0:
        return None
    return points / potentiel
