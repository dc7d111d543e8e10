"""A streaming XLSX writer: each row goes straight into the zipped sheet XML, in constant memory.

openpyxl's write-only mode also keeps memory flat, but it builds an object per cell and serialises it through a
pure-Python XML tree: measured 300 to 500 rows a second on a million-row export (55 minutes). This writer formats a
row's cells as text and writes them in batches, several times faster (see README, "Exports"). It writes only what
an export needs: text (inline strings), numbers, dates, times and moments (naive, already in the campaign's
time zone), a bold frozen header row with an autofilter, and column widths. openpyxl stays the oracle: the tests
read every file back with it.

Text is text here: an inline string is never evaluated, so a cell that starts like a formula (`=`, `+`, `@`...)
is written as it reads, without the CSV's apostrophe, and carries Excel's quote prefix (what Excel itself
stores when one types `'=1+1`): it shows no apostrophe, and stays text even when someone edits the cell.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from types import TracebackType
from typing import IO, Any
from xml.sax.saxutils import escape

from reports.csv_files import FORMULA_STARTS

# What XML 1.0 cannot hold (a spreadsheet refuses the whole file over one such character).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_CELL_CHARS = 32_767  # Excel's limit for a cell's text
MAX_SHEET_NAME = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_EPOCH_DATE = _EXCEL_EPOCH.date()
ROWS_PER_WRITE = 500  # rows formatted before one compressed write: fewer, larger calls into zlib

_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # one character each
# Style indices into cellXfs below.
_NUMBER, _MONEY, _MOMENT, _DAY, _CLOCK, _HEADER, _QUOTED = 0, 1, 2, 3, 4, 5, 6

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets>{names}</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rIdStyles" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "{sheets}</Relationships>"
)
_SHEET_REL = (
    '<Relationship Id="rId{n}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet{n}.xml"/>'
)
# Number formats 164+ are the file's own; 0 is General.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="4">'
    '<numFmt numFmtId="164" formatCode="#,##0.00"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="166" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="167" formatCode="hh:mm"/>'
    "</numFmts>"
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews>"
    "{cols}<sheetData>"
)
_SHEET_END = "</sheetData>{filter}</worksheet>"


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text(value: str) -> str:
    """A string as the escaped content of a cell: nothing XML cannot hold, no more than Excel shows."""
    return escape(XML_ILLEGAL.sub("", value[:MAX_CELL_CHARS]))


def sheet_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = _SHEET_NAME_FORBIDDEN.sub(" ", XML_ILLEGAL.sub("", name)).strip("' ")[:MAX_SHEET_NAME] or "Sheet"
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def cell(ref: str, value: Any, *, style: int = _NUMBER) -> str:
    """One cell's XML (empty for None). Moments are naive: they are shown as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        if style or value[:1] in _FORMULA_FIRST:  # the usual plain text skips the style (a million rows)
            styled = style or _QUOTED
            return f'<c r="{ref}" s="{styled}" t="inlineStr"><is><t xml:space="preserve">{text(value)}</t></is></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):
        if not value.is_finite():
            return cell(ref, str(value), style=style)
        return f'<c r="{ref}" s="{_MONEY}"><v>{value}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("an XLSX holds no time zone: convert the moment to wall-clock time first")
        delta = value - _EXCEL_EPOCH
        serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
        return f'<c r="{ref}" s="{_MOMENT}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_DAY}"><v>{(value - _EXCEL_EPOCH_DATE).days}</v></c>'
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c r="{ref}" s="{_CLOCK}"><v>{seconds / 86400!r}</v></c>'
    return cell(ref, str(value), style=style)


class XlsxWriter:
    """Writes a workbook into a binary file object: `add_sheet(name, header)`, then `append(row)` for each row.

    The zip is written as it goes (a sheet's XML is compressed in batches of rows, never held whole), so memory
    stays flat whatever the number of rows. Use it as a context manager, or call `close()`; the file is complete
    only once closed."""

    def __init__(
        self, out: IO[bytes], *, widths: Sequence[float] | None = None, compresslevel: int = 6
    ) -> None:
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._widths = list(widths or ())
        self._names: list[str] = []
        self._filters: dict[int, tuple[str, int]] = {}  # sheet index -> its autofilter's last column and row
        self._filtered = 0  # the current sheet's autofilter: its columns (0: none)
        self._taken: set[str] = set()
        self._sheet: IO[bytes] | None = None
        self._pending: list[str] = []
        self._row = 0
        self._letters: list[str] = []

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
            return
        if self._sheet is not None:  # an unfinished file: closed, for the caller to delete
            self._sheet.close()
            self._sheet = None
        self._zip.close()

    def add_sheet(self, name: str, header: Sequence[str] = (), *, autofilter: bool = False) -> None:
        """Starts a new sheet (closing the one before); its first row is the bold, frozen `header`, with a filter
        button on each column if `autofilter`."""
        self._end_sheet()
        self._names.append(sheet_name(name, self._taken))
        self._sheet = self._zip.open(f"xl/worksheets/sheet{len(self._names)}.xml", "w", force_zip64=True)
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>'
            for i, width in enumerate(self._widths, start=1)
        )
        self._pending.append(_SHEET_START.format(cols=f"<cols>{cols}</cols>" if cols else ""))
        self._row = 0
        self._filtered = len(header) if autofilter else 0
        if header:
            self._append(header, style=_HEADER)

    def append(self, row: Sequence[Any]) -> None:
        if self._sheet is None:
            raise RuntimeError("add_sheet() first")
        self._append(row, style=_NUMBER)

    def _append(self, row: Sequence[Any], *, style: int) -> None:
        self._row += 1
        number = str(self._row)
        while len(self._letters) < len(row):
            self._letters.append(column_letters(len(self._letters)))
        letters = self._letters
        cells = "".join(cell(letters[i] + number, value, style=style) for i, value in enumerate(row))
        self._pending.append(f'<row r="{number}">{cells}</row>')
        if len(self._pending) >= ROWS_PER_WRITE:
            self._flush()

    def _flush(self) -> None:
        if self._pending and self._sheet is not None:
            self._sheet.write("".join(self._pending).encode())
        self._pending.clear()

    def _end_sheet(self) -> None:
        if self._sheet is None:
            return
        autofilter = ""
        if self._filtered:
            last_column, last_row = column_letters(self._filtered - 1), max(self._row, 1)
            self._filters[len(self._names) - 1] = (last_column, last_row)
            autofilter = f'<autoFilter ref="A1:{last_column}{last_row}"/>'
        self._pending.append(_SHEET_END.format(filter=autofilter))
        self._flush()
        self._sheet.close()
        self._sheet = None

    def close(self) -> None:
        """Ends the last sheet and writes the workbook's parts (a workbook has at least one sheet)."""
        if not self._names:
            self.add_sheet("Sheet")
        self._end_sheet()
        n = range(1, len(self._names) + 1)
        self._zip.writestr(
            "[Content_Types].xml", _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=i) for i in n))
        )
        self._zip.writestr("_rels/.rels", _ROOT_RELS)
        sheets = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(self._names, start=1)
        )
        self._zip.writestr("xl/workbook.xml", _WORKBOOK.format(sheets=sheets, names=self._filter_names()))
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(sheets="".join(_SHEET_REL.format(n=i) for i in n)),
        )
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()

    def _filter_names(self) -> str:
        """The hidden names Excel keeps each autofilter's range in (it writes them; some readers want them)."""
        if not self._filters:
            return ""
        names = []
        for index, (last_column, last_row) in self._filters.items():
            sheet = self._names[index].replace("'", "''")
            area = escape(f"'{sheet}'!$A$1:${last_column}${last_row}")
            names.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">{area}</definedName>'
            )
        return f"<definedNames>{''.join(names)}</definedNames>"
