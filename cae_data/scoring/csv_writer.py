"""CSV text of many rows of scores, built column by column with numpy and concatenated by Arrow.

`pcaet scores --toutes` writes one line per node per evaluation (1 471 lines per evaluation of
the CAE referential): a general CSV writer (pandas, DuckDB, Arrow's) spends about a microsecond
a line there. Here every field of every line becomes a 16-byte Arrow *binary view* built with
numpy on whole columns:
- a text field (a node's id, a collectivity's name, a date) points into a small pool holding
  each distinct value once, already CSV-quoted and followed by its separator;
- a number is written inline in its view (up to 12 bytes: digits, `.`, decimals, separator),
  its digits computed with integer arithmetic on the whole column;
- a boolean, or a pair of them, is an inline view from a table of 2 or 4 entries.
Arrow then casts the array of views to a plain binary array: its data buffer is the CSV text,
every field one after the other, copied at memory speed. Rows go by blocks (BLOCK_ROWS) so that
memory stays bounded whatever the number of evaluations.

The text is the one `store.export.csv_bytes` writes: `,` separator, `\\n` line ends, a field
quoted only when it holds `,`, `"`, `\\n` or `\\r` (quotes doubled), missing values and empty
strings as empty fields, booleans as true/false, numbers with a fixed number of decimals rounded
as Python's `round` (scoring/rounding.py) then printed as `%.{decimals}f`. What these functions
do not handle (a number too long to sit inline, a column of another kind) makes them return
None: the caller then takes the general writer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .rounding import round_exact

BLOCK_ROWS = 1 << 16
INLINE = 12  # bytes of data an Arrow view holds inline
_VIEW = np.dtype((np.void, 16))  # one Arrow view as a single numpy item
ZERO, DOT, MINUS = ord("0"), ord("."), ord("-")


def quoted(text: str) -> str:
    """A CSV field as `store.export.csv_bytes` writes it."""
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def field_text(value) -> str:
    """'' for a missing value, else the quoted text."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return quoted(str(value))


@dataclass
class PieceTable:
    """Distinct texts (each already followed by its separator) as Arrow views: short ones
    inline, longer ones pointing into `pool`. Build once (`piece_table`), use for many rows."""

    words: np.ndarray  # (k, 2) uint64: the views
    pointer: np.ndarray  # bool (k,): views into the pool (their buffer index is set per use)
    pool: bytes


def piece_table(texts: list[bytes]) -> PieceTable:
    views, pool = _pool_views(texts, 0)
    return PieceTable(views.view(np.uint64).copy(), np.array([len(t) > INLINE for t in texts], dtype=bool), pool)


@dataclass
class Pieces:
    """A field taken from a table of texts (each already followed by its separator)."""

    codes: np.ndarray  # int, one per row (≥ 0)
    texts: list[bytes] | PieceTable


@dataclass
class Numbers:
    values: np.ndarray  # float64, one per row
    decimals: int
    separator: bytes


def _pool_views(texts: list[bytes], buffer_index: int) -> tuple[np.ndarray, bytes]:
    """(k × 16) uint8 views of `texts`: inline when short, else pointing into the returned pool."""
    views = np.zeros((len(texts), 16), dtype=np.uint8)
    pool = bytearray()
    for i, text in enumerate(texts):  # distinct values only: a few thousand at most
        header = np.frombuffer(np.int32(len(text)).tobytes(), dtype=np.uint8)
        views[i, 0:4] = header
        if len(text) <= INLINE:
            views[i, 4:4 + len(text)] = np.frombuffer(text, dtype=np.uint8) if text else []
        else:
            views[i, 4:8] = np.frombuffer(text[:4], dtype=np.uint8)
            views[i, 8:12] = np.frombuffer(np.int32(buffer_index).tobytes(), dtype=np.uint8)
            views[i, 12:16] = np.frombuffer(np.int32(len(pool)).tobytes(), dtype=np.uint8)
            pool += text
    return views, bytes(pool)


def _exact_thousandths(x: np.ndarray, decimals: int) -> np.ndarray:
    """round(x, decimals) × 10**decimals as int64 (Python's rounding of the exact binary value)."""
    scale = 10.0 ** decimals
    p = x * scale
    k = np.rint(p)
    # np.rint rounds the scaled product; only a product within a hair of a midpoint (or too
    # large for that test) can differ from Python's round: those few go through round_exact.
    near = (np.abs(np.abs(p - k) - 0.5) < 1e-6) | (np.abs(p) >= 2.0 ** 30)
    if near.any():
        k[near] = np.rint(round_exact(x[near], decimals) * scale)
    return k.astype(np.int64)


_SMALL = 1000  # whole parts below this go through the tables of _small_tables


def _small_tables(decimals: int, separator: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For whole parts 0–999: their digits as a little-endian integer and their length; for
    fractions 0–10**decimals−1: `.`, the digits and the separator as a little-endian integer."""
    whole = [str(w).encode() for w in range(_SMALL)]
    whole_int = np.array([int.from_bytes(w, "little") for w in whole], dtype=np.uint64)
    whole_len = np.array([len(w) for w in whole], dtype=np.uint64)
    fractions = [(("." + str(f).zfill(decimals)) if decimals else "").encode() + separator
                 for f in range(10 ** decimals)]
    fraction_int = np.array([int.from_bytes(f, "little") for f in fractions], dtype=np.uint64)
    return whole_int, whole_len, fraction_int


_TABLES: dict[tuple[int, bytes], tuple] = {}


def _number_words(numbers: Numbers) -> tuple[np.ndarray, np.ndarray] | None:
    """The two little-endian words of each number's inline view (text followed by the
    separator); None when one does not fit in INLINE bytes."""
    x, d, sep = numbers.values, numbers.decimals, numbers.separator
    if d <= 3 and len(sep) == 1 and len(x):
        finite = np.isfinite(x)
        safe = np.where(finite, x, 0.0)
        if safe.min() >= 0 and safe.max() * 10.0 ** d < _SMALL * 10.0 ** d - 1:
            k = _exact_thousandths(safe, d)
            whole, fraction = np.divmod(k, np.int64(10 ** d))
            if whole.max() < _SMALL:
                key = (d, sep)
                if key not in _TABLES:
                    _TABLES[key] = _small_tables(d, sep)
                whole_int, whole_len, fraction_int = _TABLES[key]
                shift = whole_len[whole] * np.uint64(8)
                text = whole_int[whole] | (fraction_int[fraction] << shift)  # ≤ 3 + 1 + 3 + 1 bytes
                length = whole_len[whole] + np.uint64(1 + d + len(sep) - (0 if d else 1))
                if not finite.all():
                    text = np.where(finite, text, np.uint64(sep[0]))
                    length = np.where(finite, length, np.uint64(1))
                return length | (text << np.uint64(32)), text >> np.uint64(32)
    views = _number_views(numbers)
    if views is None:
        return None
    words = views.view(np.uint64)
    return words[:, 0], words[:, 1]


@dataclass
class JsonNumbers:
    """Numbers written as pandas' `to_json` writes values already rounded to 3 decimals (up to
    10 decimals, trailing zeros dropped but one kept: 500.0, 58.63, 0.001; NaN as null),
    each followed by `separator`."""

    values: np.ndarray
    separator: bytes


def _json_fraction_table(separator: bytes) -> np.ndarray:
    texts = [("." + (str(f).zfill(3).rstrip("0") or "0")).encode() + separator for f in range(1000)]
    return np.array([int.from_bytes(t, "little") for t in texts], dtype=np.uint64)


def _json_number_words(numbers: JsonNumbers) -> tuple[np.ndarray, np.ndarray] | None:
    """The two words of each number's inline view; None unless every value is NaN or within
    [0, 1000) (its text then fits: at most `999.999` and a separator of up to 3 bytes)."""
    x, sep = numbers.values, numbers.separator
    if len(sep) > 3:
        return None
    finite = np.isfinite(x)
    safe = np.where(finite, x, 0.0)
    if len(x) and (safe.min() < 0 or safe.max() >= 999.9995):
        return None
    key = ("json", sep)
    if key not in _TABLES:
        _TABLES[key] = (*_small_tables(3, b"")[:2], _json_fraction_table(sep))
    whole_int, whole_len, fraction_int = _TABLES[key]
    whole, fraction = np.divmod(_exact_thousandths(safe, 3), np.int64(1000))
    fraction_text = fraction_int[fraction]
    # length of the fraction's text: its highest non-zero byte (texts never end with a NUL byte)
    fraction_len = np.zeros(len(x), dtype=np.uint64)
    for byte in range(8):
        fraction_len = np.where((fraction_text >> np.uint64(8 * byte)) > 0, np.uint64(byte + 1), fraction_len)
    shift = whole_len[whole] * np.uint64(8)
    with np.errstate(over="ignore"):
        low = (whole_int[whole] | (fraction_text << shift)) & np.uint64(0xFFFFFFFF)
    high = fraction_text >> (np.uint64(32) - shift)
    length = whole_len[whole] + fraction_len
    if not finite.all():
        null = int.from_bytes(b"null" + sep, "little")
        low = np.where(finite, low, np.uint64(null & 0xFFFFFFFF))
        high = np.where(finite, high, np.uint64(null >> 32))
        length = np.where(finite, length, np.uint64(4 + len(sep)))
    return length | (low << np.uint64(32)), high


def _number_views(numbers: Numbers) -> np.ndarray | None:
    """(n × 16) uint8 inline views of the numbers followed by their separator; None when one
    does not fit in INLINE bytes (the general way, any sign and size)."""
    x = numbers.values
    n, d, sep = len(x), numbers.decimals, numbers.separator
    finite = np.isfinite(x)
    safe = np.where(finite, x, 0.0)
    if n and np.abs(safe).max() * 10.0 ** d >= 2.0 ** 52:
        return None
    k = _exact_thousandths(safe, d)
    negative = k < 0
    k = np.abs(k)
    whole, fraction = np.divmod(k, np.int64(10 ** d))
    # Right-aligned text in a 16-byte row: separator last, then decimals, dot, whole digits.
    text = np.zeros((n, 16), dtype=np.uint8)
    column = 16 - len(sep)
    text[:, column:] = np.frombuffer(sep, dtype=np.uint8)
    for _ in range(d):
        column -= 1
        fraction, digit = np.divmod(fraction, 10)
        text[:, column] = digit + ZERO
    if d:
        column -= 1
        text[:, column] = DOT
    length = np.full(n, 16 - column, dtype=np.int64)
    remaining = whole
    first = True
    while first or remaining.any():  # one pass per digit of the largest whole part
        column -= 1
        if column < 16 - INLINE - 1:
            return None
        remaining, digit = np.divmod(remaining, 10)
        present = first | (remaining + digit > 0)
        text[:, column] = np.where(present, digit + ZERO, 0)
        length += present
        first = False
    if negative.any():
        rows = np.flatnonzero(negative)
        text[rows, 16 - length[rows] - 1] = MINUS
        length = length + negative
    if (length > INLINE).any():
        return None
    empty = ~finite
    if empty.any():
        text[empty] = 0
        text[empty, 16 - len(sep):] = np.frombuffer(sep, dtype=np.uint8)
        length[empty] = len(sep)
    # Left-align: shift the 16-byte row right by (16 - length) bytes, as two little-endian words.
    words = text.view(np.uint64)  # (n, 2): bytes 0-7, 8-15
    low, high = words[:, 0].copy(), words[:, 1].copy()
    shift = (16 - length).astype(np.uint64) * np.uint64(8)  # bits; 32 ≤ shift ≤ 120 (length ≤ 12)
    big = shift >= 64
    s_small = np.where(big, np.uint64(0), shift)
    s_big = np.where(big, shift - np.uint64(64), np.uint64(0))
    with np.errstate(over="ignore"):
        carry = np.where(s_small == 0, np.uint64(0), high << (np.uint64(64) - s_small))
    new_low = np.where(big, high >> s_big, (low >> s_small) | carry)
    new_high = np.where(big, np.uint64(0), high >> s_small)
    # The view: int32 length, then the 12 inline bytes (the text now starts at byte 0 of new_low).
    out = np.zeros((n, 2), dtype=np.uint64)
    out[:, 0] = length.astype(np.uint64) | (new_low << np.uint64(32))
    out[:, 1] = (new_low >> np.uint64(32)) | (new_high << np.uint64(32))
    return out.view(np.uint8).reshape(n, 16)


def iter_lines(fields: list, n_rows: int):
    """The rows' text, block by block (memoryviews): for each row, each field's text in order
    (texts carry their separators). Raises NotInline when a number does not fit inline."""
    pools: list[bytes] = []
    tables: list[np.ndarray | None] = []
    for field in fields:
        if isinstance(field, Pieces):
            table = field.texts if isinstance(field.texts, PieceTable) else piece_table(field.texts)
            words = table.words.copy()
            words[table.pointer, 1] = (words[table.pointer, 1] & np.uint64(0xFFFFFFFF00000000)) | np.uint64(len(pools))
            tables.append(words.view(_VIEW).reshape(-1))  # one 16-byte item per view: one gather a field
            pools.append(table.pool)
        else:
            tables.append(None)
    buffers = [pa.py_buffer(pool) for pool in pools]
    for start in range(0, n_rows, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n_rows)
        words = np.empty((stop - start, len(fields), 2), dtype=np.uint64)
        views = words.view(_VIEW).reshape(stop - start, len(fields))
        for j, (field, table) in enumerate(zip(fields, tables)):
            if table is not None:
                views[:, j] = table[field.codes[start:stop]]
            else:
                if isinstance(field, JsonNumbers):
                    found = _json_number_words(JsonNumbers(field.values[start:stop], field.separator))
                else:
                    found = _number_words(Numbers(field.values[start:stop], field.decimals, field.separator))
                if found is None:
                    raise NotInline
                words[:, j, 0], words[:, j, 1] = found
        count = words.shape[0] * words.shape[1]
        array = pa.Array.from_buffers(pa.binary_view(), count, [None, pa.py_buffer(words), *buffers])
        text = array.cast(pa.binary())  # int32 offsets: a block is far below 2 GB (and this cast is the fast one)
        offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=count + 1, offset=4 * text.offset)
        yield memoryview(text.buffers()[2])[int(offsets[0]):int(offsets[-1])]


class NotInline(ValueError):
    """A number too long for an inline view: the caller takes the general writer."""


def csv_lines(fields: list[Pieces | Numbers], n_rows: int) -> bytes | None:
    """iter_lines joined; None when a number does not fit inline."""
    try:
        return b"".join(iter_lines(fields, n_rows))
    except NotInline:
        return None


_BOOL_TEXT = ("false", "true")


def _column_field(column: pd.Series, separator: str, decimals: int | None, date_format: str | None):
    """One column of a frame as a field, or None when its kind is not handled here."""
    sep = separator.encode()
    if decimals is not None:
        if not pd.api.types.is_float_dtype(column.dtype):
            return None
        return Numbers(column.to_numpy(dtype=np.float64, na_value=np.nan), decimals, sep)
    if pd.api.types.is_bool_dtype(column.dtype) and not column.isna().any():
        return Pieces(column.to_numpy(dtype=bool).astype(np.int64), [(t + separator).encode() for t in _BOOL_TEXT])
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, values = column.cat.codes.to_numpy().astype(np.int64), list(column.cat.categories)
        if date_format is not None and pd.api.types.is_datetime64_any_dtype(column.cat.categories):
            values = list(column.cat.categories.strftime(date_format))
    elif pd.api.types.is_datetime64_any_dtype(column.dtype):
        if date_format is None:
            return None
        codes, uniques = pd.factorize(column)
        values = list(pd.DatetimeIndex(uniques).strftime(date_format))
    elif pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
        codes, uniques = pd.factorize(column)
        values = list(uniques)
        if not all(isinstance(v, str) for v in values):
            return None
    else:
        return None
    texts = [(field_text(v) + separator).encode("utf-8") for v in values] + [separator.encode()]
    return Pieces(np.where(codes < 0, len(texts) - 1, codes), texts)


def csv_text(frame: pd.DataFrame, decimals: dict[str, int], date_format: str | None = None) -> bytes | None:
    """The frame as CSV bytes with its header (module docstring), or None when a column is of a
    kind not handled here. `decimals`: the float columns and their number of decimals (a float
    column not listed is not handled); `date_format`: how datetime columns are written."""
    if frame.shape[1] < 2:
        return None  # a lone empty field would need quotes: the general writer knows
    fields = []
    last = len(frame.columns) - 1
    for j, name in enumerate(frame.columns):
        field = _column_field(frame[name], "\n" if j == last else ",", decimals.get(name), date_format)
        if field is None:
            return None
        fields.append(field)
    header = (",".join(quoted(str(c)) for c in frame.columns) + "\n").encode("utf-8")
    body = csv_lines(fields, len(frame)) if len(frame) else b""
    return None if body is None else header + body
