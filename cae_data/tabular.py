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
from dataclasses import dataclass, field

import pandas as pd

from .errors import InvalidInput

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def decode_bytes(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM) first, then cp1252, the two encodings French tools export."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
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
    """Raw rows of one file or worksheet, every cell a str ('' when empty)."""

    filename: str
    rows: list[list[str]]
    line_numbers: list[int]
    sheet_name: str | None = None
    sheet_names: list[str] = field(default_factory=list)


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


def read_csv_rows(text: str, filename: str, max_rows: int | None = None) -> Sheet:
    """`max_rows`: stop reading, refused, once that many filled rows (plus ROW_LIMIT_MARGIN)
    are read: a huge file is refused before it is all in memory."""
    separator = sniff_separator(text)
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
    return Sheet(filename, rows, lines)


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


def read_excel_rows(data: bytes, filename: str, sheet_name: str | None = None,
                    max_rows: int | None = None) -> Sheet:
    from python_calamine import CalamineWorkbook

    if data.startswith(ZIP_MAGIC):
        _guard_zip_bomb(data, filename)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises several error types for damaged files
        raise InvalidInput.single(filename, None, None, "classeur Excel illisible ou endommagé") from None
    names = list(workbook.sheet_names)
    if not names:
        raise InvalidInput.single(filename, None, None, "le classeur ne contient aucune feuille")
    chosen = names[0]
    if sheet_name is not None:
        matches = [n for n in names if normalize_header(n) == normalize_header(sheet_name)]
        if matches:
            chosen = matches[0]
    try:
        worksheet = workbook.get_sheet_by_name(chosen)
        # Rows up to the last filled cell; refused before they become Python objects.
        height = worksheet.end[0] + 1 if worksheet.end else 0
        if max_rows is not None and height > max_rows + ROW_LIMIT_MARGIN:
            raise too_many_rows(filename, max_rows + ROW_LIMIT_MARGIN + 1, max_rows)
        raw = worksheet.to_python(skip_empty_area=False)
    except InvalidInput:
        raise
    except Exception:
        raise InvalidInput.single(filename, None, None, f"feuille « {chosen} » illisible") from None
    rows = [[_cell_text(v) for v in row] for row in raw]
    return Sheet(filename, rows, list(range(1, len(rows) + 1)), chosen, names)


MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


def _guard_zip_bomb(data: bytes, filename: str) -> None:
    """An XLSX is a zip: refuse one that inflates to an unreasonable size before opening it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput.single(filename, None, None, "classeur Excel illisible ou endommagé") from None
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InvalidInput.single(
            filename, None, None,
            f"classeur trop volumineux une fois décompressé ({total // (1024 * 1024)} Mo, maximum "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} Mo)",
        )


def read_sheet(data: bytes, filename: str, sheet_name: str | None = None, max_rows: int | None = None) -> Sheet:
    """`max_rows`: the reader's cap on data rows, applied while reading (see read_csv_rows)."""
    if not data or not data.strip():
        raise InvalidInput.single(filename, None, None, "fichier vide")
    if is_excel(data, filename):
        return read_excel_rows(data, filename, sheet_name, max_rows)
    return read_csv_rows(decode_bytes(data, filename), filename, max_rows)


def table_from_sheet(sheet: Sheet, header_index: int = 0) -> Table:
    """Rows below `header_index` become a DataFrame of str keyed by normalized headers;
    blank rows are dropped but every kept row remembers its line."""
    if header_index >= len(sheet.rows):
        raise InvalidInput.single(sheet.filename, None, None, "fichier vide : aucune ligne d'en-tête")
    header = list(sheet.rows[header_index])
    while header and header[-1] == "":
        header.pop()
    keys = [normalize_header(h) for h in header]
    width = len(header)
    body, lines = [], []
    for row, line in zip(sheet.rows[header_index + 1:], sheet.line_numbers[header_index + 1:]):
        if not any(cell != "" for cell in row):
            continue
        cells = (row + [""] * width)[:width]
        body.append(cells)
        lines.append(line)
    unique_keys = _deduplicate(keys)
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
