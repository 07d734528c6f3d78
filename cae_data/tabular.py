"""One reader for every spreadsheet-like file users bring (evaluation files, CSV structure
referentials, indicator values): CSV in UTF-8, UTF-8 with BOM or cp1252, `,` or `;`, decimal
commas, and XLSX/XLS. Every row keeps the line it came from so errors can name it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InvalidInput, Problem, shown

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def decode_bytes(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM) first, then cp1252, the two encodings French tools export.
    A file mixing both (UTF-8 accents on some lines, cp1252 bytes on others) is refused, every
    cp1252 line named: read wholly as cp1252 it would store « rÃ©union »."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _has_utf8_accent(data):
        raise InvalidInput(_mixed_encoding_problems(data, filename))
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput.single(
            filename, line, None,
            "encodage non reconnu : le fichier doit être en UTF-8 ou en Windows-1252 (cp1252)",
        ) from None
    if "\x00" in text:
        raise InvalidInput.single(filename, None, None, "fichier binaire : un fichier CSV (texte) ou XLSX est attendu")
    return text


# UTF-8 sequences of Latin-1 letters (é is C3 A9), œ/Œ (C5 93/92) and typographic punctuation
# (’ is E2 80 99, € E2 82 AC). In a real cp1252 file they would read « Ã© », « Å“ », « â€™ »,
# which no French text holds: their presence next to bytes invalid in UTF-8 means a mixed file.
_UTF8_ACCENT = re.compile(rb"[\xc2\xc3\xc5][\x80-\xbf]|\xe2[\x80-\x84][\x80-\xbf]")
MAX_LISTED_LINES = 20


def _has_utf8_accent(data: bytes) -> bool:
    """`_UTF8_ACCENT.search(data) is not None`, with numpy over the bytes (the regex reads a
    6 MB cp1252 file at about 50 MB/s)."""
    b = np.frombuffer(data, dtype=np.uint8)
    if len(b) < 2:
        return False
    continuation = (b >= 0x80) & (b <= 0xBF)
    lead = (b[:-1] == 0xC2) | (b[:-1] == 0xC3) | (b[:-1] == 0xC5)
    if (lead & continuation[1:]).any():
        return True
    if len(b) < 3:
        return False
    return bool(((b[:-2] == 0xE2) & (b[1:-1] >= 0x80) & (b[1:-1] <= 0x84) & continuation[2:]).any())


def _mixed_encoding_problems(data: bytes, filename: str) -> list[Problem]:
    sample = _UTF8_ACCENT.search(data)
    utf8_line = data[: sample.start()].count(b"\n") + 1
    problems = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            if len(problems) == MAX_LISTED_LINES:
                problems.append(Problem(filename, None, None, "encodage mélangé : d'autres lignes encore ne sont pas "
                                                              "en UTF-8 (seules les 20 premières sont citées)"))
                break
            byte = line[exc.start]
            problems.append(Problem(
                filename, number, None,
                f"encodage mélangé : cette ligne n'est pas en UTF-8 (octet 0x{byte:02X}, un caractère Windows-1252) "
                f"alors que le fichier l'est ailleurs (ligne {utf8_line}) ; enregistrez tout le fichier en UTF-8"))
    return problems


# Text that went through UTF-8 then cp1252 (« rÃ©union », « câ€™est »): refused, never stored.
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013"
                       "\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
                       "|â€[\u2122\u0153\u009d\u02dc\u00a6\u201c\u201d\u00a2\u201a\u0161\u0152\u2019\u2018\u00ba\u00b9]"
                       "|Å[\u201c\u2019]")


def check_mojibake(text: str, filename: str) -> None:
    """Refuse text whose accents were already broken by a wrong decoding (« rÃ©union »)."""
    if "Ã" not in text and "â€" not in text and "Å" not in text:  # the common case, at C speed
        return
    problems = []
    for match in _MOJIBAKE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        word = text[start:end if end >= 0 else len(text)]
        around = re.search(r"[^\s;,\t\"]*" + re.escape(match.group()) + r"[^\s;,\t\"]*", word)
        problems.append(Problem(filename, line, None,
                                f"accents abîmés « {shown(around.group() if around else match.group(), 40)} » : le texte a "
                                "été enregistré avec un mauvais encodage ; corrigez-le avant l'import"))
        if len(problems) >= MAX_LISTED_LINES:
            break
    if problems:
        raise InvalidInput(problems)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe").replace("Œ", "OE")


def normalize_header(text: str) -> str:
    """`Action ID`, `action-id`, `ACTION_ID` and `Action_Id` all read as `actionid`."""
    text = strip_accents(str(text)).lower()
    return "".join(c for c in text if c not in " _-\t\u00a0.'’")


def parse_number(text: str | float | int | None) -> float | None:
    """French or English decimal notation; '' → None; anything else raises ValueError."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return None if pd.isna(text) else float(text)
    cleaned = str(text).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if cleaned == "":
        return None
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    return float(cleaned)


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_FR_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")


def parse_date_text(text: str) -> dt.date | None:
    """`AAAA-MM-JJ` (an XLSX date cell reads so, time allowed) or `JJ/MM/AAAA`; None otherwise."""
    text = str(text).strip()
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _FR_DATE.fullmatch(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass
class Sheet:
    """Raw rows of one file or worksheet, every cell a str ('' when empty).

    CSV: `separator` is the file's and `last_line` its last line; a row ends on the line before
    the next one starts (a quoted cell may span lines), and keeps as many cells as it had fields
    (`field_counts` overrides that). Spreadsheets:
    `error_cells` maps (row index, column index) to the error a formula cell shows (« #DIV/0! »),
    whose text reads '' in `rows`; readers report them (see `error_cell_problems`)."""

    filename: str
    rows: list[list[str]]
    line_numbers: list[int]
    sheet_name: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    field_counts: list[int] | None = None
    separator: str | None = None
    last_line: int = 0
    text: str | None = field(default=None, repr=False)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Table:
    filename: str
    header: list[str]
    keys: list[str]
    frame: pd.DataFrame
    line_numbers: list[int]
    header_line: int
    sheet_name: str | None = None

    def column_label(self, key: str) -> str:
        """The header as the user wrote it, for error messages."""
        try:
            return self.header[self.keys.index(key)]
        except ValueError:
            return key


def is_excel(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(EXCEL_SUFFIXES) or data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC)


def sniff_separator(text: str) -> str:
    """The separator that splits the first lines most consistently (the same non-zero count on
    the most lines): `;` for French Excel exports, `,` otherwise, tabs for tab-separated text.
    Title rows with a single cell and commas inside a comment do not fool it."""
    from collections import Counter

    lines = [line for line in _first_lines(text, 30) if line.strip()]
    best, best_score = ",", (0, 0)
    for sep in (";", ",", "\t"):
        counts = Counter(line.count(sep) for line in lines if sep in line)
        if not counts:
            continue
        width, frequency = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (frequency, width) > best_score:
            best, best_score = sep, (frequency, width)
    return best


def _first_lines(text: str, count: int) -> list[str]:
    """The first lines without splitting a whole 50 Mo file."""
    end = -1
    for _ in range(count):
        end = text.find("\n", end + 1)
        if end < 0:
            return text.splitlines()
    return text[:end].splitlines()


# Rows allowed above the data (title rows, header) when a reader caps its data rows.
ROW_LIMIT_MARGIN = 50


def too_many_rows(filename: str, line: int, max_rows: int) -> InvalidInput:
    return InvalidInput.single(filename, line, None,
                               f"fichier trop long : plus de {max_rows} lignes de données, lecture arrêtée à "
                               f"cette ligne (maximum {max_rows})")


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return f"cellule trop longue (plus de {csv.field_size_limit()} caractères)"
    return "CSV illisible : guillemets mal placés ou fichier abîmé près de cette ligne"


SEPARATOR_NAMES = {";": "« ; »", ",": "« , »", "\t": "la tabulation"}


class GridRows(Sequence):
    """The rows of a CSV read by pandas' C parser (`_fast_csv_rows`), as `Sheet.rows` expects
    them (a list of stripped cells per row, as many as the row had fields), built only for the
    rows asked for; `grid` keeps the whole table for `table_from_sheet`."""

    def __init__(self, grid: pd.DataFrame, counts: np.ndarray):
        self.grid = grid
        self.counts = counts
        self._all: list[list[str]] | None = None

    def __len__(self) -> int:
        return len(self.counts)

    def _row(self, index: int) -> list[str]:
        return [str(v) for v in self.grid.iloc[index, : int(self.counts[index])].tolist()]

    def _materialized(self) -> list[list[str]]:
        if self._all is None:
            values = self.grid.to_numpy(dtype=object).tolist()
            self._all = [row[:count] for row, count in zip(values, self.counts.tolist())]
        return self._all

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if self._all is None and step == 1 and stop - start <= 64:
                return [self._row(i) for i in range(start, stop)]
            return self._materialized()[index]
        if self._all is not None:
            return self._all[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._row(index)

    def __iter__(self):
        return iter(self._materialized())


def _fast_csv_rows(text: str, filename: str, separator: str, max_rows: int | None) -> Sheet | None:
    """The common file at C speed: no quote character, no NUL, no lone carriage return, so that
    every physical line is one row and its fields are what lies between separators. pandas'
    C parser reads the cells, numpy counts each line's fields from the separators' positions;
    the result is the Sheet the csv module would give (same cells, stripped; same field counts
    and line numbers). None for any other file: the csv module reads it."""
    if not text or '"' in text or "\x00" in text or text.count("\r") != text.count("\r\n"):
        return None
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    newlines = np.flatnonzero(data == 10)
    ends_with_newline = len(data) > 0 and data[-1] == 10
    n_lines = len(newlines) + (0 if ends_with_newline else 1)
    if n_lines == 0 or (max_rows is not None and n_lines > max_rows + ROW_LIMIT_MARGIN):
        return None  # the csv module reads it, and refuses a file too long with its message
    starts = np.r_[0, newlines + 1][:n_lines]
    ends = np.r_[newlines, len(data)][:n_lines]
    content = ends - starts - (data[np.maximum(ends - 1, 0)] == 13) * (ends > starts)
    separators = np.flatnonzero(data == ord(separator))
    counts = np.bincount(np.searchsorted(newlines, separators), minlength=n_lines)[:n_lines] + 1
    counts[content == 0] = 0  # an empty line is a row without fields
    width = max(int(counts.max()), 1)
    filled_lines = counts > 0
    if (counts[filled_lines] == width).all() and not text.startswith("\ufeff"):
        grid = _arrow_grid(data, separator, width, filled_lines)  # every row as wide: Arrow's reader
    else:
        grid = None
    if grid is None:
        try:
            grid = pd.read_csv(io.StringIO(text), sep=separator, header=None, names=list(range(width)),
                               index_col=False, dtype=str, keep_default_na=False, na_filter=False,
                               skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c")
        except (ValueError, pd.errors.ParserError):
            return None
        if len(grid) != n_lines:
            return None
        grid = pd.DataFrame({c: grid[c].fillna("").astype("str").str.strip() for c in grid.columns})
    lines = np.arange(1, n_lines + 1).tolist()
    return Sheet(filename, GridRows(grid, counts), lines, field_counts=counts.tolist(), separator=separator,
                 last_line=n_lines, text=text)


def _arrow_grid(data: np.ndarray, separator: str, width: int, filled_lines: np.ndarray) -> pd.DataFrame | None:
    """The cells of a plain CSV whose lines all hold `width` fields (or none), read by Arrow's
    CSV reader (multithreaded C++), stripped; one row per physical line (an empty line gives a
    row of empty cells). None if Arrow reads it otherwise than expected."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = [str(i) for i in range(width)]
    try:
        table = pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(delimiter=separator, quote_char=False, double_quote=False,
                                            escape_char=False, newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows != int(filled_lines.sum()):
        return None
    columns = {}
    spread = None if filled_lines.all() else pa.array(np.where(filled_lines, np.cumsum(filled_lines) - 1, -1),
                                                       mask=~filled_lines)
    for i, name in enumerate(names):
        column = pc.utf8_trim_whitespace(table.column(name))
        if spread is not None:
            column = pc.fill_null(pc.take(column, spread), "")
        columns[i] = pd.Series(pd.arrays.ArrowStringArray(column.combine_chunks() if hasattr(column, "combine_chunks")
                                                          else column)).astype("str")
    return pd.DataFrame(columns)


def read_csv_rows(text: str, filename: str, max_rows: int | None = None) -> Sheet:
    """`max_rows`: stop reading, refused, once that many filled rows (plus ROW_LIMIT_MARGIN)
    are read: a huge file is refused before it is all in memory. A quote left open at the end
    of the file is refused here; rows of the wrong width and quotes that swallow rows are
    refused below the header (`csv_problems`). A file without quotes is read at C speed
    (`_fast_csv_rows`), with the same result."""
    separator = sniff_separator(text)
    fast = _fast_csv_rows(text, filename, separator, max_rows)
    if fast is not None:
        return fast
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')
    rows: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    limit = None if max_rows is None else max_rows + ROW_LIMIT_MARGIN
    filled = 0
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            lines.append(previous_end + 1)
            previous_end = reader.line_num
            if limit is not None and any(rows[-1]):
                filled += 1
                if filled > limit:
                    raise too_many_rows(filename, lines[-1], max_rows)
    except csv.Error as exc:
        raise InvalidInput.single(filename, reader.line_num, None, _csv_problem(exc)) from None
    if rows and _ends_inside_quotes(text, previous_end - lines[-1] + 1, separator):
        raise InvalidInput.single(filename, lines[-1], None,
                                  f"guillemet « \" » ouvert et jamais refermé : tout ce qui suit jusqu'à la fin du "
                                  f"fichier (ligne {previous_end}) serait lu comme une seule cellule ; fermez-le, ou "
                                  "doublez-le (« \"\" ») s'il fait partie du texte")
    return Sheet(filename, rows, lines, separator=separator, last_line=previous_end, text=text)


def _ends_inside_quotes(text: str, last_lines: int, separator: str) -> bool:
    """The last record (its `last_lines` physical lines), read strictly, ends inside a quote."""
    end = len(text)
    while end and text[end - 1] in "\r\n":
        end -= 1
    start = end
    for _ in range(last_lines):
        start = text.rfind("\n", 0, start)
        if start < 0:
            break
    tail = text[start + 1:]
    if '"' not in tail:
        return False
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=separator, strict=True):
            pass
    except csv.Error as exc:
        return str(exc).startswith("unexpected end of data")
    return False


def csv_problems(sheet: Sheet, header_index: int) -> list[Problem]:
    """Rows below the header of a CSV that would lose data silently: a row with fewer fields
    than the header (or one split by another separator), a row whose extra fields are filled
    (cut off otherwise), a quote opened in a cell and closed lines later, which swallows the
    rows in between. Extra fields left empty (a trailing separator) lose nothing: accepted."""
    if sheet.separator is None or header_index >= len(sheet.rows):
        return []
    field_counts = sheet.field_counts or list(map(len, sheet.rows))
    starts = np.asarray(sheet.line_numbers, dtype="int64")
    end_lines = np.append(starts[1:] - 1, max(sheet.last_line, int(starts[-1]))).tolist()
    sep = sheet.separator or ";"
    sep_name = SEPARATOR_NAMES.get(sep, f"« {sep} »")
    width = field_counts[header_index]
    while width > 1 and sheet.rows[header_index][width - 1:width] == [""]:
        width -= 1  # a header ending with separators: its empty fields are not columns
    # Only the rows of another width or spanning lines are looked at (numpy picks them).
    counts = np.asarray(field_counts[header_index + 1:], dtype="int64")
    spans = np.asarray(end_lines[header_index + 1:]) > starts[header_index + 1:]
    candidates = np.flatnonzero((counts < width) | (counts > width) | spans) + header_index + 1
    problems = []
    offsets: list[int] = []  # line start offsets in the text, computed when first needed
    for index in candidates.tolist():
        row, count, line = sheet.rows[index], field_counts[index], sheet.line_numbers[index]
        if not any(row):
            continue
        end = end_lines[index]
        if end > line and _badly_closed(sheet, offsets, line, end, sep):
            problems.append(Problem(
                sheet.filename, line, None,
                f"guillemet « \" » ouvert sur cette ligne et refermé seulement ligne {end}, au milieu d'un texte : "
                f"les lignes {line + 1} à {end} seraient lues comme une seule cellule ; fermez le guillemet, ou "
                "doublez-le (« \"\" ») s'il fait partie du texte"))
            continue
        if count < width:
            other = [s for s in SEPARATOR_NAMES if s != sep and any(s in cell for cell in row)]
            if other and count == 1:
                problems.append(Problem(
                    sheet.filename, line, None,
                    f"ligne séparée par {SEPARATOR_NAMES[other[0]]} alors que le fichier utilise {sep_name} : "
                    f"{count} champ au lieu de {width} ; utilisez le même séparateur sur toutes les lignes"))
            else:
                problems.append(Problem(
                    sheet.filename, line, None,
                    f"{count} champ{'s' if count > 1 else ''} au lieu de {width} (autant que l'en-tête) : ajoutez les "
                    f"{sep_name} manquants, même pour les cellules vides"))
        elif count > width and any(row[width:]):
            problems.append(Problem(
                sheet.filename, line, None,
                f"{count} champs au lieu de {width} (autant que l'en-tête) : les cellules au-delà de la dernière "
                f"colonne seraient perdues ; un {sep_name} dans un texte doit être entre guillemets"))
    return problems


def _badly_closed(sheet: Sheet, offsets: list[int], line: int, end: int, sep: str) -> bool:
    """A record spanning lines `line`–`end` whose quoted cell does not close cleanly (the closing
    quote is followed by text, not by a separator or the end of the line): the quote that closed
    it was meant to open another cell, and the lines in between were swallowed. A multi-line
    comment closes cleanly and is accepted, whatever separators its lines hold."""
    if sheet.text is None:
        return False
    if not offsets:
        offsets.extend([0] + [m.end() for m in re.finditer("\n", sheet.text)])
    start = offsets[line - 1]
    stop = offsets[end] if end < len(offsets) else len(sheet.text)
    try:
        for _ in csv.reader(io.StringIO(sheet.text[start:stop], newline=""), delimiter=sep, strict=True):
            pass
    except csv.Error:
        return True
    return False


def error_cell_problems(sheet: Sheet, first_row: int, columns: dict[int, str],
                        rows: set[int] | None = None) -> list[Problem]:
    """A problem for each error cell (« #DIV/0! », « #N/A »…) below `first_row` in `columns`
    (column index -> header label), or only on `rows` (row indexes) when given."""
    problems = []
    for (r, c), error in sorted(sheet.error_cells.items()):
        if r > first_row and c in columns and (rows is None or r in rows):
            problems.append(Problem(sheet.filename, sheet.line_numbers[r], columns[c] or column_letters(c),
                                    f"cellule en erreur « {shown(error, 20)} » : corrigez la formule ou saisissez "
                                    "la valeur"))
    return problems


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + (char - 64)
    return index - 1


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return repr(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 19 and text.endswith("00:00:00") else text
    return str(value).strip()


# ---------------------------------------------------------------------------------------------
# spreadsheets, read within bounds
#
# python-calamine builds a dense grid of every sheet it reads (32 bytes a cell: a far cell at
# XFD1048576 asks for 512 Go and aborts the process). So an XLSX sheet is first streamed from
# the zip without building anything: its declared dimension, its actual extent (the cells that
# hold something, and merged ranges), its error cells; only a sheet within the limits below
# reaches calamine. XLS and ODS (whose readers build every sheet when the file is opened) are
# read in a child process with a memory limit.

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELLS = 5_000_000  # rows × columns of the grid built
BYTES_PER_CELL = 96  # calamine's cell (32), its Python value and our text (estimate)
MAX_SHEET_MEMORY = 600 * 1024 * 1024
MAX_MERGED_CELLS = MAX_CELLS
CHILD_MEMORY = 1536 * 1024 * 1024
CHILD_TIMEOUT = 60.0
SCAN_CHUNK = 1 << 20


@dataclass
class SheetLimits:
    rows: int
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS
    memory: int = MAX_SHEET_MEMORY
    max_rows: int = DEFAULT_MAX_ROWS  # data rows, for the message


def sheet_limits(max_rows: int | None) -> SheetLimits:
    data_rows = DEFAULT_MAX_ROWS if max_rows is None else max_rows
    return SheetLimits(rows=data_rows + ROW_LIMIT_MARGIN, max_rows=data_rows)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def check_extent(filename: str, rows: int, columns: int, limits: SheetLimits, what: str,
                 extra_bytes: int = 0) -> None:
    """Refuse a grid of `rows` × `columns` (`what`: « déclarées » or « utilisées ») beyond the
    limits, naming them. Too many rows alone keeps the reader's usual message."""
    cells = rows * columns
    memory = cells * BYTES_PER_CELL + extra_bytes
    if columns <= limits.columns and cells <= limits.cells and memory <= limits.memory:
        if rows > limits.rows:
            raise too_many_rows(filename, limits.rows + 1, limits.max_rows)
        return
    reason = f"{_n(rows)} lignes × {_n(columns)} colonnes {what}"
    if columns <= limits.columns and rows <= limits.rows:
        reason += (f", soit {_n(cells)} cellules (environ {_n(max(1, memory >> 20))} Mo en mémoire) ; maximum "
                   f"{_n(limits.cells)} cellules et {_n(limits.memory >> 20)} Mo")
    else:
        reason += f" ; maximum {_n(limits.rows)} lignes et {_n(limits.columns)} colonnes"
    raise InvalidInput.single(filename, None, None, f"feuille trop grande : {reason}")


def _guard_zip_bomb(data: bytes, filename: str) -> zipfile.ZipFile:
    """An XLSX is a zip: refuse one that inflates to an unreasonable size before opening it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidInput.single(filename, None, None, "classeur Excel illisible ou endommagé") from None
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InvalidInput.single(
            filename, None, None,
            f"classeur trop volumineux une fois décompressé ({total // (1024 * 1024)} Mo, maximum "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} Mo)",
        )
    return archive


def _unreadable(filename: str, what: str = "classeur Excel illisible ou endommagé") -> InvalidInput:
    return InvalidInput.single(filename, None, None, what)


_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s([^>]*)>")
_REL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s([^>]*)>")
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTRIBUTE.finditer(text)}


def _xml_text(value: bytes) -> str:
    from xml.sax.saxutils import unescape

    return unescape(value.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})


def _xlsx_sheet_parts(archive: zipfile.ZipFile, filename: str) -> dict[str, str]:
    """{sheet name: path of its XML in the zip}, from xl/workbook.xml and its relationships."""
    names = set(archive.namelist())
    workbook = next((n for n in ("xl/workbook.xml", "xl/workbook.bin") if n in names), None)
    if workbook is None or workbook.endswith(".bin"):
        raise _unreadable(filename)
    rels_name = "xl/_rels/workbook.xml.rels"
    if archive.getinfo(workbook).file_size > 16 << 20 or rels_name not in names \
            or archive.getinfo(rels_name).file_size > 16 << 20:
        raise _unreadable(filename)
    targets = {}
    for match in _REL_TAG.finditer(archive.read(rels_name)):
        attrs = _attributes(match.group(1))
        if b"Id" in attrs and b"Target" in attrs:
            target = _xml_text(attrs[b"Target"])
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            parts: list[str] = []
            for piece in path.split("/"):
                if piece == "..":
                    parts = parts[:-1]
                elif piece not in ("", "."):
                    parts.append(piece)
            targets[attrs[b"Id"]] = "/".join(parts)
    sheets = {}
    for match in _SHEET_TAG.finditer(archive.read(workbook)):
        attrs = _attributes(match.group(1))
        rid = next((v for k, v in attrs.items() if k == b"id" or k.endswith(b":id")), None)
        if b"name" in attrs and rid in targets:
            name = _xml_text(attrs[b"name"])
            if any(other.casefold() == name.casefold() for other in sheets):
                # Excel forbids it; calamine and this scan could then read two different sheets.
                raise _unreadable(filename, f"classeur endommagé : deux feuilles portent le nom « {shown(name)} »")
            sheets[name] = targets[rid]
    return sheets


@dataclass
class SheetScan:
    """What streaming a sheet's XML found, without building any grid."""

    declared_rows: int = 0
    declared_columns: int = 0
    rows: int = 0  # last row holding a value (1-based), merged ranges included
    columns: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1, c1, r2, c2 inclusive


_SCAN_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension|mergeCell)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{0,3})(\d*)[\"']")
_REF_ATTR = re.compile(rb"\sref\s*=\s*[\"']([^\"']*)[\"']")
_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_ERROR_VALUE = re.compile(rb"\s*(?:<(?:[\w.-]+:)?f\b[^>]*?/>|<(?:[\w.-]+:)?f\b[^>]*>[^<]*</(?:[\w.-]+:)?f>)?\s*"
                          rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>([^<]*)<")
MAX_PENDING_BYTES = 64 << 20
MAX_ERROR_CELLS = 1000
MAX_MERGED_RANGES = 100_000


def _range(ref: bytes) -> tuple[int, int, int, int] | None:
    """`B2:D5` → (1, 1, 4, 3), 0-based; `B2` → (1, 1, 1, 1); None when unreadable."""
    parts = ref.split(b":")
    coords = []
    for part in parts[:2]:
        match = _CELL_REF.fullmatch(part.strip())
        if not match:
            return None
        coords.append((int(match.group(2)) - 1, _column_index(match.group(1))))
    (r1, c1), (r2, c2) = coords[0], coords[-1]
    if min(r1, r2, c1, c2) < 0:
        return None
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def scan_xlsx_sheet(archive: zipfile.ZipFile, path: str, filename: str, limits: SheetLimits) -> SheetScan:
    """Stream one sheet's XML: declared dimension (refused at once when out of bounds), actual
    extent of the cells that hold something, error cells and merged ranges. Memory: one chunk."""
    scan = SheetScan()
    row = 0  # current row, 1-based
    column = 0  # last cell's column in the row, 1-based
    pending = b""
    try:
        member = archive.open(path)
    except KeyError:
        raise _unreadable(filename) from None
    with member:
        while True:
            chunk = member.read(SCAN_CHUNK)
            buffer = pending + chunk
            # Whole rows only (an error cell's value is then in the same piece); the rest waits.
            cut = buffer.rfind(b"row>") + 4 if chunk else len(buffer)
            if cut < 4:
                if len(buffer) > MAX_PENDING_BYTES:
                    raise _unreadable(filename, "classeur Excel illisible : XML de la feuille malformé")
                pending = buffer
                continue
            body, pending = buffer[:cut], buffer[cut:]
            if _scan_fast(body, scan, filename, limits):
                if scan.rows > limits.rows or scan.columns > limits.columns:
                    check_extent(filename, scan.rows, scan.columns, limits, "utilisées")
                if not chunk:
                    break
                continue
            for match in _SCAN_TAG.finditer(body):
                tag, attrs = match.group(1), match.group(2)
                if tag == b"c":
                    ref = _R_ATTR.search(attrs)
                    if ref and ref.group(1):
                        column = _column_index(ref.group(1)) + 1
                        if ref.group(2):
                            row = int(ref.group(2))
                    else:
                        column += 1
                    if attrs.endswith(b"/"):
                        continue  # a styled empty cell
                    if row > scan.rows:
                        scan.rows = row
                    if column > scan.columns:
                        scan.columns = column
                    if _ERROR_TYPE.search(attrs) and len(scan.errors) < MAX_ERROR_CELLS:
                        value = _ERROR_VALUE.match(body, match.end())
                        text = _xml_text(value.group(1)).strip() if value else ""
                        scan.errors[(row - 1, column - 1)] = text or "#ERREUR"
                elif tag == b"row":
                    ref = _R_ATTR.search(attrs)
                    row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                    column = 0
                elif tag == b"dimension" and not scan.declared_rows:
                    ref = _REF_ATTR.search(attrs)
                    bounds = _range(ref.group(1)) if ref else None
                    if bounds is not None:
                        scan.declared_rows, scan.declared_columns = bounds[2] + 1, bounds[3] + 1
                        check_extent(filename, scan.declared_rows, scan.declared_columns, limits, "déclarées")
                elif tag == b"mergeCell":
                    ref = _REF_ATTR.search(attrs)
                    bounds = _range(ref.group(1)) if ref else None
                    if bounds is not None:
                        if len(scan.merged) >= MAX_MERGED_RANGES:
                            raise InvalidInput.single(filename, None, None,
                                                      f"trop de cellules fusionnées (plus de {_n(MAX_MERGED_RANGES)} "
                                                      "plages)")
                        scan.merged.append(bounds)
                if scan.rows > limits.rows or scan.columns > limits.columns:
                    check_extent(filename, scan.rows, scan.columns, limits, "utilisées")
            if not chunk:
                break
    return scan


_FAST_CELL = re.compile(rb"<c\b[^>]*?\sr=\"([A-Z]{1,3})(\d{1,7})\"[^>]*(?<!/)>")  # cells holding something
_FAST_EMPTY = re.compile(rb"<c\b[^>]*?\sr=\"[A-Z]{1,3}\d{1,7}\"[^>]*/>")
_FAST_ERROR = re.compile(rb"<c\b[^>]*?\sr=\"([A-Z]{1,3})(\d{1,7})\"[^>]*?\st=\"e\"[^>]*>|"
                         rb"<c\b[^>]*?\st=\"e\"[^>]*?\sr=\"([A-Z]{1,3})(\d{1,7})\"[^>]*>")
_FAST_DIMENSION = re.compile(rb"<dimension\s[^>]*?ref=\"([^\"]*)\"")
_FAST_MERGE = re.compile(rb"<mergeCell\s[^>]*?ref=\"([^\"]*)\"")


def _scan_fast(body: bytes, scan: SheetScan, filename: str, limits: SheetLimits) -> bool:
    """The common case at C speed: no namespace prefix and every cell with its `r` reference.
    False (nothing done) otherwise: the caller walks the tags one by one."""
    if b":c " in body or b":c>" in body or b":row" in body:
        return False
    cells = _FAST_CELL.findall(body)
    tags = body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/>")
    if len(cells) != tags and len(cells) + len(_FAST_EMPTY.findall(body)) != tags:
        return False
    if cells:
        letters = {c for c, _ in cells}
        width = max(len(c) for c in letters)
        column = _column_index(max(c for c in letters if len(c) == width)) + 1
        row = max(map(int, {r for _, r in cells}))
        scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, column)
    if not scan.declared_rows and b"<dimension" in body:
        match = _FAST_DIMENSION.search(body)
        bounds = _range(match.group(1)) if match else None
        if bounds is not None:
            scan.declared_rows, scan.declared_columns = bounds[2] + 1, bounds[3] + 1
            check_extent(filename, scan.declared_rows, scan.declared_columns, limits, "déclarées")
    if b't="e"' in body:
        for match in _FAST_ERROR.finditer(body):
            if len(scan.errors) >= MAX_ERROR_CELLS:
                break
            letters, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            value = _ERROR_VALUE.match(body, match.end())
            text = _xml_text(value.group(1)).strip() if value else ""
            scan.errors[(int(number) - 1, _column_index(letters))] = text or "#ERREUR"
    if b"<mergeCell " in body:
        for match in _FAST_MERGE.finditer(body):
            bounds = _range(match.group(1))
            if bounds is not None:
                if len(scan.merged) >= MAX_MERGED_RANGES:
                    raise InvalidInput.single(filename, None, None,
                                              f"trop de cellules fusionnées (plus de {_n(MAX_MERGED_RANGES)} plages)")
                scan.merged.append(bounds)
    return True


def _merged_extent(scan: SheetScan) -> tuple[int, int, int]:
    """Rows and columns the merged ranges reach, and the cells they fill."""
    rows, columns, area = scan.rows, scan.columns, 0
    for r1, c1, r2, c2 in scan.merged:
        rows, columns = max(rows, r2 + 1), max(columns, c2 + 1)
        area += (r2 - r1 + 1) * (c2 - c1 + 1)
    return rows, columns, area


def _choose_sheet(metadata: list, sheet_name: str | None, explicit_sheet: str | None, filename: str):
    """The worksheet to read: the one the caller names (`explicit_sheet`, hidden or not), else
    the visible one named `sheet_name` (case and accents aside), else the first visible one."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    sheets = [m for m in metadata if m.typ == SheetTypeEnum.WorkSheet] or list(metadata)
    if not sheets:
        raise InvalidInput.single(filename, None, None, "le classeur ne contient aucune feuille")
    if explicit_sheet is not None:
        matches = [m for m in sheets if normalize_header(m.name) == normalize_header(explicit_sheet)]
        if not matches:
            raise InvalidInput.single(filename, None, None,
                                      f"feuille « {shown(explicit_sheet)} » absente du classeur (feuilles : "
                                      f"{', '.join(m.name for m in sheets)})")
        return matches[0], [m.name for m in sheets]
    visible = [m for m in sheets if m.visible == SheetVisibleEnum.Visible]
    if not visible:
        raise InvalidInput.single(filename, None, None, "le classeur ne contient aucune feuille visible")
    chosen = visible[0]
    if sheet_name is not None:
        matches = [m for m in visible if normalize_header(m.name) == normalize_header(sheet_name)]
        if matches:
            chosen = matches[0]
    return chosen, [m.name for m in visible]


def read_excel_rows(data: bytes, filename: str, sheet_name: str | None = None,
                    max_rows: int | None = None, explicit_sheet: str | None = None) -> Sheet:
    """One worksheet of an XLSX (XLS, ODS) as rows of text, read within `sheet_limits(max_rows)`.
    Only visible sheets are candidates, unless the caller names one (`explicit_sheet`). Merged
    cells: the value of a range is spread to every cell of it (what the reader sees). Error cells
    read '' and are listed in `Sheet.error_cells` (XLSX; calamine cannot tell them in XLS/ODS)."""
    limits = sheet_limits(max_rows)
    if data.startswith(ZIP_MAGIC):
        archive = _guard_zip_bomb(data, filename)
        if "xl/workbook.xml" in archive.namelist():
            return _read_xlsx(data, archive, filename, sheet_name, explicit_sheet, limits)
    return _read_in_child(data, filename, sheet_name, explicit_sheet, limits)


def _read_xlsx(data: bytes, archive: zipfile.ZipFile, filename: str, sheet_name: str | None,
               explicit_sheet: str | None, limits: SheetLimits) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))  # lazy for XLSX: reads no sheet yet
        metadata = list(workbook.sheets_metadata)
    except Exception:  # calamine raises several error types for damaged files
        raise _unreadable(filename) from None
    chosen, names = _choose_sheet(metadata, sheet_name, explicit_sheet, filename)
    path = _xlsx_sheet_parts(archive, filename).get(chosen.name)
    if path is None:
        raise _unreadable(filename)
    scan = scan_xlsx_sheet(archive, path, filename, limits)
    rows_needed, columns_needed, merged_area = _merged_extent(scan)
    strings = next((i.file_size for i in archive.infolist() if i.filename == "xl/sharedStrings.xml"), 0)
    check_extent(filename, rows_needed, columns_needed, limits, "utilisées", extra_bytes=strings * 2)
    if merged_area > MAX_MERGED_CELLS:
        raise InvalidInput.single(filename, None, None,
                                  f"cellules fusionnées trop étendues : {_n(merged_area)} cellules ; maximum "
                                  f"{_n(MAX_MERGED_CELLS)}")
    try:
        raw = workbook.get_sheet_by_name(chosen.name).to_python(skip_empty_area=False)
    except Exception:
        raise InvalidInput.single(filename, None, None, f"feuille « {chosen.name} » illisible") from None
    rows = [[_cell_text(v) for v in row] for row in raw]
    _spread_merged(rows, scan.merged)
    for r, c in scan.errors:
        if r < len(rows) and c < len(rows[r]):
            rows[r][c] = ""
    return Sheet(filename, rows, list(range(1, len(rows) + 1)), chosen.name, names, error_cells=scan.errors)


def _spread_merged(rows: list[list[str]], merged: list[tuple[int, int, int, int]]) -> None:
    """Copy each merged range's top-left value to every cell of the range (rows grown as needed)."""
    for r1, c1, r2, c2 in merged:
        value = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else ""
        if value == "":
            continue
        while len(rows) <= r2:
            rows.append([])
        for r in range(r1, r2 + 1):
            row = rows[r]
            if len(row) <= c2:
                row.extend([""] * (c2 + 1 - len(row)))
            row[c1:c2 + 1] = [value] * (c2 - c1 + 1)


# The child process that reads XLS and ODS: its memory is capped before calamine is imported,
# so a file that makes calamine build a huge grid kills the child, not the dashboard.
_CHILD_SOURCE = r"""
import json, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
args = json.loads(sys.argv[2])
data = sys.stdin.buffer.read()
out = sys.stdout
try:
    workbook = CalamineWorkbook.from_filelike(__import__("io").BytesIO(data))
    metadata = [(m.name, m.typ == SheetTypeEnum.WorkSheet, m.visible == SheetVisibleEnum.Visible)
                for m in workbook.sheets_metadata]
except Exception:
    json.dump({"error": "unreadable"}, out); sys.exit(0)
if args["sheet"] is None:
    json.dump({"metadata": metadata}, out); sys.exit(0)
try:
    sheet = workbook.get_sheet_by_name(args["sheet"])
except Exception:
    json.dump({"error": "sheet"}, out); sys.exit(0)
height, width = sheet.height, sheet.width
if height > args["rows"] or width > args["columns"] or height * width > args["cells"]:
    json.dump({"extent": [height, width]}, out); sys.exit(0)
try:
    merged = [[a[0], a[1], b[0], b[1]] for a, b in (sheet.merged_cell_ranges or [])]
except Exception:
    merged = []
def text(value):
    if hasattr(value, "isoformat"):
        t = value.isoformat()
        return {"t": t[:10] if t.endswith("T00:00:00") else t}
    if isinstance(value, float) and value != value:
        return None
    return value
try:
    rows = [[text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
except Exception:
    json.dump({"error": "sheet"}, out); sys.exit(0)
json.dump({"rows": rows, "merged": merged}, out)
"""


def _run_child(data: bytes, filename: str, args: dict) -> dict:
    import json
    import subprocess
    import sys

    try:
        done = subprocess.run([sys.executable, "-I", "-c", _CHILD_SOURCE, str(CHILD_MEMORY), json.dumps(args)],
                              input=data, capture_output=True, timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise InvalidInput.single(filename, None, None,
                                  f"classeur trop long à lire (plus de {CHILD_TIMEOUT:.0f} s) : enregistrez-le en "
                                  "XLSX ou en CSV") from None
    if done.returncode != 0:
        raise InvalidInput.single(filename, None, None,
                                  f"classeur trop grand ou endommagé : sa lecture dépasse {CHILD_MEMORY >> 20} Mo de "
                                  "mémoire ; enregistrez-le en XLSX ou en CSV")
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise _unreadable(filename) from None


def _read_in_child(data: bytes, filename: str, sheet_name: str | None, explicit_sheet: str | None,
                   limits: SheetLimits) -> Sheet:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    answer = _run_child(data, filename, {"sheet": None})
    if "error" in answer:
        raise _unreadable(filename)

    @dataclass
    class _Meta:
        name: str
        typ: object
        visible: object

    metadata = [_Meta(n, SheetTypeEnum.WorkSheet if w else SheetTypeEnum.ChartSheet,
                      SheetVisibleEnum.Visible if v else SheetVisibleEnum.Hidden) for n, w, v in answer["metadata"]]
    chosen, names = _choose_sheet(metadata, sheet_name, explicit_sheet, filename)
    answer = _run_child(data, filename, {"sheet": chosen.name, "rows": limits.rows, "columns": limits.columns,
                                         "cells": limits.cells})
    if "error" in answer:
        raise InvalidInput.single(filename, None, None, f"feuille « {chosen.name} » illisible")
    if "extent" in answer:
        check_extent(filename, answer["extent"][0], answer["extent"][1], limits, "utilisées")
    merged = [tuple(m) for m in answer["merged"]]
    scan = SheetScan(merged=merged)
    rows_needed, columns_needed, merged_area = _merged_extent(scan)
    check_extent(filename, max(rows_needed, len(answer["rows"])), columns_needed, limits, "utilisées")
    if merged_area > MAX_MERGED_CELLS:
        raise InvalidInput.single(filename, None, None,
                                  f"cellules fusionnées trop étendues : {_n(merged_area)} cellules ; maximum "
                                  f"{_n(MAX_MERGED_CELLS)}")
    rows = [[v["t"] if isinstance(v, dict) else _cell_text(v) for v in row] for row in answer["rows"]]
    _spread_merged(rows, merged)
    return Sheet(filename, rows, list(range(1, len(rows) + 1)), chosen.name, names)


def read_sheet(data: bytes, filename: str, sheet_name: str | None = None, max_rows: int | None = None,
               explicit_sheet: str | None = None) -> Sheet:
    """`max_rows`: the reader's cap on data rows, applied while reading (see read_csv_rows).
    `sheet_name`: the visible sheet preferred in a workbook; `explicit_sheet`: the sheet the user
    named (read even when hidden)."""
    if not data or not data.strip():
        raise InvalidInput.single(filename, None, None, "fichier vide")
    if is_excel(data, filename):
        return read_excel_rows(data, filename, sheet_name, max_rows, explicit_sheet)
    text = decode_bytes(data, filename)
    check_mojibake(text, filename)
    return read_csv_rows(text, filename, max_rows)


def table_from_sheet(sheet: Sheet, header_index: int = 0, problems: list[Problem] | None = None) -> Table:
    """Rows below `header_index` become a DataFrame of str keyed by normalized headers;
    blank rows are dropped but every kept row remembers its line.

    The rows that would lose data (CSV rows of the wrong width, swallowed rows, error cells of
    a spreadsheet inside the table) are problems: appended to `problems` when given (so that the
    caller reports them with its own), raised at once otherwise."""
    if header_index >= len(sheet.rows):
        raise InvalidInput.single(sheet.filename, None, None, "fichier vide : aucune ligne d'en-tête")
    header = list(sheet.rows[header_index])
    while header and header[-1] == "":
        header.pop()
    keys = [normalize_header(h) for h in header]
    width = len(header)
    found = csv_problems(sheet, header_index)
    found += error_cell_problems(sheet, header_index, dict(enumerate(header)))
    if found:
        if problems is None:
            raise InvalidInput(found)
        problems.extend(found)
    unique_keys = _deduplicate(keys)
    if isinstance(sheet.rows, GridRows):  # read by pandas: the table is cut out of the grid
        grid = sheet.rows.grid.iloc[header_index + 1:]
        columns = {k: (grid[j] if j < grid.shape[1] else pd.Series("", index=grid.index, dtype="str"))
                   for j, k in enumerate(unique_keys)}
        filled = np.zeros(len(grid), dtype=bool)
        for column in grid.columns:  # a row is kept when any of its cells (even beyond the header) is filled
            filled |= grid[column].ne("").to_numpy()
        frame = pd.DataFrame({k: v[filled].reset_index(drop=True) for k, v in columns.items()}) if unique_keys \
            else pd.DataFrame(index=range(int(filled.sum())))
        lines = np.asarray(sheet.line_numbers[header_index + 1:], dtype=np.int64)[filled].tolist()
        return Table(sheet.filename, header, unique_keys, frame, lines, sheet.line_numbers[header_index],
                     sheet.sheet_name)
    body, lines = [], []
    for row, line in zip(sheet.rows[header_index + 1:], sheet.line_numbers[header_index + 1:]):
        if not any(cell != "" for cell in row):
            continue
        cells = (row + [""] * width)[:width]
        body.append(cells)
        lines.append(line)
    frame = pd.DataFrame(body, columns=unique_keys, dtype="object") if body else pd.DataFrame(
        {k: pd.Series(dtype="object") for k in unique_keys})
    return Table(sheet.filename, header, unique_keys, frame, lines, sheet.line_numbers[header_index], sheet.sheet_name)


def _deduplicate(keys: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for key in keys:
        key = key or "colonne"
        if key in seen:
            seen[key] += 1
            result.append(f"{key}{seen[key]}")
        else:
            seen[key] = 1
            result.append(key)
    return result


def find_header_row(sheet: Sheet, *required: set[str] | list[str] | tuple[str, ...], search_rows: int = 20) -> int | None:
    """The first row naming one header of each `required` group (normalized names; title rows
    above it are allowed), else the first non-empty row; None for an empty sheet."""
    first_filled = None
    for index, row in enumerate(sheet.rows[:search_rows]):
        if not any(cell != "" for cell in row):
            continue
        if first_filled is None:
            first_filled = index
        keys = {normalize_header(c) for c in row}
        if all(keys & set(group) for group in required):
            return index
    if first_filled is None:
        first_filled = next((i for i, row in enumerate(sheet.rows) if any(c != "" for c in row)), None)
    return first_filled


def read_table(data: bytes, filename: str, sheet_name: str | None = None) -> Table:
    return table_from_sheet(read_sheet(data, filename, sheet_name))
