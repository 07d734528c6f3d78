"""Workbooks written by hand, XML and all: what a hostile or odd generator can put in an XLSX
(far cells, lying dimensions, merged ranges, error cells, hidden sheets) in a few hundred
bytes, without asking a spreadsheet library to allocate the grid."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '{sheets}</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letters(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def ref(row: int, column: int) -> str:
    return f"{column_letters(column)}{row}"


@dataclass
class XSheet:
    """One sheet: `cells` maps (row, column), 1-based, to a str (inline text), a number, or
    ("e", "#DIV/0!") for an error cell; `dimension` is written as given (None: no element)."""

    name: str
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    dimension: str | None = None
    merged: list[str] = field(default_factory=list)
    state: str = "visible"  # visible | hidden | veryHidden

    def row(self, number: int, *values: object) -> "XSheet":
        for column, value in enumerate(values, start=1):
            if value is not None:
                self.cells[(number, column)] = value
        return self

    def xml(self) -> str:
        parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}">']
        if self.dimension is not None:
            parts.append(f"<dimension ref={quoteattr(self.dimension)}/>")
        parts.append("<sheetData>")
        by_row: dict[int, list[tuple[int, object]]] = {}
        for (r, c), value in self.cells.items():
            by_row.setdefault(r, []).append((c, value))
        for r in sorted(by_row):
            parts.append(f'<row r="{r}">')
            for c, value in sorted(by_row[r], key=lambda item: item[0]):
                if isinstance(value, tuple):
                    parts.append(f'<c r="{ref(r, c)}" t="e"><v>{escape(value[1])}</v></c>')
                elif isinstance(value, (int, float)):
                    parts.append(f'<c r="{ref(r, c)}"><v>{value}</v></c>')
                else:
                    parts.append(f'<c r="{ref(r, c)}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
            parts.append("</row>")
        parts.append("</sheetData>")
        if self.merged:
            parts.append(f'<mergeCells count="{len(self.merged)}">')
            parts.extend(f"<mergeCell ref={quoteattr(m)}/>" for m in self.merged)
            parts.append("</mergeCells>")
        parts.append("</worksheet>")
        return "".join(parts)


def workbook(*sheets: XSheet) -> bytes:
    """An XLSX holding `sheets` in order (shared strings and styles are not needed)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    book = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><sheets>'
            + "".join(f'<sheet name={quoteattr(s.name)} sheetId="{i}" state="{s.state}" r:id="rId{i}"/>'
                      for i, s in enumerate(sheets, start=1))
            + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(sheets) + 1))
            + "</Relationships>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=overrides))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, sheet in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", sheet.xml())
    return buffer.getvalue()


def far_cell_workbook(row: int, column: int, dimension: str | None = "auto") -> bytes:
    """The issue's file: header `action_id, statut`, one row `1.1.1.1, fait`, one text cell at
    (`row`, `column`); the dimension declared truthfully ("auto"), as given, or absent (None)."""
    sheet = XSheet("evaluation").row(1, "action_id", "statut").row(2, "1.1.1.1", "fait")
    sheet.cells[(row, column)] = "x"
    sheet.dimension = f"A1:{ref(row, column)}" if dimension == "auto" else dimension
    return workbook(sheet)
