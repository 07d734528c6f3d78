"""The C-speed reading of plain CSV files (tabular._fast_csv_rows: no quote, every line a row)
gives exactly what the csv module gives: the same cells (stripped), field counts, line numbers,
and the same table below the header, on random files with every awkward shape a plain file can
have (empty lines, short and long rows, blank cells, spaces, CRLF, trailing separators, no final
line end)."""

from __future__ import annotations

import numpy as np
import pytest

from cae_data import tabular


def slow_sheet(text: str):
    """The csv module's reading, the fast path switched off."""
    original = tabular._fast_csv_rows
    tabular._fast_csv_rows = lambda *args: None
    try:
        return tabular.read_csv_rows(text, "f.csv")
    finally:
        tabular._fast_csv_rows = original


CELLS = ["", "a", " b ", "6.1.1.2", "fait", "30,5", "é ü", "\u00a0x\u00a0", "  ", "x y"]


@pytest.mark.parametrize("seed", range(8))
def test_random_plain_files_read_as_the_csv_module_reads_them(seed):
    rng = np.random.default_rng(seed)
    for _ in range(60):
        separator = str(rng.choice([";", ",", "\t"]))
        width = int(rng.integers(1, 6))
        lines = []
        for _ in range(int(rng.integers(1, 25))):
            shape = rng.random()
            if shape < 0.1:
                lines.append("")
            else:
                count = width if shape < 0.7 else int(rng.integers(1, width + 3))
                lines.append(separator.join(str(rng.choice(CELLS)) for _ in range(count)))
        end = str(rng.choice(["\n", "\r\n"]))
        text = end.join(lines) + (end if rng.random() < 0.8 else "")
        if not text.strip():
            continue
        fast = tabular.read_csv_rows(text, "f.csv")
        slow = slow_sheet(text)
        assert isinstance(fast.rows, tabular.GridRows), repr(text)
        assert list(fast.rows) == slow.rows, repr(text)
        assert fast.line_numbers == slow.line_numbers
        assert fast.last_line == slow.last_line
        assert fast.field_counts == [len(r) for r in slow.rows]
        for header in range(min(2, len(slow.rows))):
            problems_fast, problems_slow = [], []
            table_fast = tabular.table_from_sheet(fast, header, problems_fast)
            table_slow = tabular.table_from_sheet(slow, header, problems_slow)
            assert [str(p) for p in problems_fast] == [str(p) for p in problems_slow]
            assert table_fast.keys == table_slow.keys and table_fast.line_numbers == table_slow.line_numbers
            assert table_fast.frame.astype(object).values.tolist() == table_slow.frame.values.tolist()


def test_a_file_with_quotes_goes_the_csv_module_way():
    sheet = tabular.read_csv_rows('action_id;commentaire\n6.1.1.1;"a; b"\n', "f.csv")
    assert not isinstance(sheet.rows, tabular.GridRows)
    assert sheet.rows[1] == ["6.1.1.1", "a; b"]


def test_rows_asked_one_by_one():
    sheet = tabular.read_csv_rows("a;b;c\n1;2\n\n x ;y;z;w\n", "f.csv")
    assert isinstance(sheet.rows, tabular.GridRows)
    assert sheet.rows[1] == ["1", "2"] and sheet.rows[2] == [] and sheet.rows[-1] == ["x", "y", "z", "w"]
    assert sheet.rows[:2] == [["a", "b", "c"], ["1", "2"]]
    assert sheet.line_numbers == [1, 2, 3, 4] and sheet.field_counts == [3, 2, 0, 4]


def test_even_rows_with_empty_lines_read_by_arrow():
    text = "a;b\n\n1; 2 \n\n\n3;4\n"
    fast = tabular.read_csv_rows(text, "f.csv")
    assert list(fast.rows) == slow_sheet(text).rows == [["a", "b"], [], ["1", "2"], [], [], ["3", "4"]]
    table = tabular.table_from_sheet(fast, 0)
    assert table.frame.astype(object).values.tolist() == [["1", "2"], ["3", "4"]]
    assert table.line_numbers == [3, 6]


@pytest.mark.parametrize("seed", range(4))
def test_utf8_accent_detection_matches_the_regex(seed):
    rng = np.random.default_rng(seed)
    alphabet = np.array([0x41, 0x20, 0xC2, 0xC3, 0xC5, 0xE2, 0x80, 0x84, 0x85, 0xA9, 0xBF, 0xC0, 0xE9], dtype=np.uint8)
    for _ in range(300):
        data = bytes(rng.choice(alphabet, size=int(rng.integers(0, 12))))
        assert tabular._has_utf8_accent(data) == (tabular._UTF8_ACCENT.search(data) is not None), data
