"""The streaming XLSX writer, read back with openpyxl (the oracle)."""

import io
import zipfile
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.xlsx import MAX_CELL_CHARS, XlsxWriter, column_letters, sheet_name


def written(sheets: dict[str, list[list]], *, header=("a", "b"), widths=None) -> bytes:
    out = io.BytesIO()
    with XlsxWriter(out, widths=widths) as book:
        for name, rows in sheets.items():
            book.add_sheet(name, header)
            for row in rows:
                book.append(row)
    return out.getvalue()


def read(data: bytes):
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    return load_workbook(io.BytesIO(data))


@pytest.mark.parametrize(
    ("index", "letters"),
    [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letters(index, letters):
    assert column_letters(index) == letters


def test_every_kind_of_cell_reads_back_as_written():
    row = [
        "Tom & Jerry <b>\"quoted\"</b> 'x'",
        Decimal("2586.60"),
        12,
        1.5,
        datetime(2026, 11, 3, 12, 4, 5),
        date(2026, 2, 28),
        time(9, 7),
        None,
        "  spaces kept  ",
        "Пятёрочка №1",
        True,
    ]
    sheet = read(written({"S": [row]}, header=[f"h{i}" for i in range(len(row))]))["S"]
    values = [c.value for c in sheet[2]]
    assert values[:7] == [
        "Tom & Jerry <b>\"quoted\"</b> 'x'",
        2586.6,
        12,
        1.5,
        datetime(2026, 11, 3, 12, 4, 5),
        datetime(2026, 2, 28),  # openpyxl reads a date-formatted serial as a datetime
        time(9, 7),
    ]
    assert values[7] is None
    assert values[8:] == ["  spaces kept  ", "Пятёрочка №1", True]
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["E2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet["G2"].number_format == "hh:mm"


def test_header_is_bold_and_frozen_and_columns_have_their_widths():
    sheet = read(written({"S": [["x", "y"]]}, widths=(30, 8)))["S"]
    assert [c.value for c in sheet[1]] == ["a", "b"]
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 30
    assert sheet.column_dimensions["B"].width == 8


def test_what_xml_cannot_hold_is_dropped_and_long_text_cut_to_excels_limit():
    sheet = read(written({"S": [["a\x00b\x1fc\x0bd", "x" * (MAX_CELL_CHARS + 10)]]}))["S"]
    assert sheet["A2"].value == "abcd"
    assert len(sheet["B2"].value) == MAX_CELL_CHARS


def test_sheets_keep_their_order_and_get_names_excel_accepts():
    book = read(written({"Заявки": [["1"]], "Заявки 2": [["2"]], "a/b:c*d?e[f]": [], "x" * 40: []}))
    assert book.sheetnames == ["Заявки", "Заявки 2", "a b c d e f", "x" * 31]
    assert book["Заявки 2"]["A2"].value == "2"
    assert book["a b c d e f"].max_row == 1


def test_sheet_names_are_unique_whatever_the_case():
    taken: set[str] = set()
    assert [sheet_name(n, taken) for n in ("Data", "data", "DATA")] == ["Data", "data (2)", "DATA (3)"]


def test_a_workbook_without_rows_still_opens():
    out = io.BytesIO()
    XlsxWriter(out).close()
    assert read(out.getvalue()).sheetnames == ["Sheet"]


def test_a_moment_with_a_time_zone_is_refused_rather_than_shifted():
    with pytest.raises(ValueError, match="time zone"), XlsxWriter(io.BytesIO()) as book:
        book.add_sheet("S")
        book.append([datetime(2026, 1, 1, tzinfo=UTC)])


def test_many_rows_are_written_in_batches_and_all_read_back():
    rows = [[f"id-{i}", Decimal(i) / 100, datetime(2026, 1, 1, 0, 0, i % 60)] for i in range(2_345)]
    sheet = read(written({"S": rows}, header=("id", "amount", "at")))["S"]
    assert sheet.max_row == len(rows) + 1
    assert [c.value for c in sheet[2_346]] == ["id-2344", 23.44, datetime(2026, 1, 1, 0, 0, 4)]


def test_an_autofilter_covers_the_header_and_rows_of_each_sheet_that_asks_for_one():
    out = io.BytesIO()
    with XlsxWriter(out) as book:
        book.add_sheet("Заявки o'k", ("a", "b", "c"), autofilter=True)
        for i in range(4):
            book.append([i, i, i])
        book.add_sheet("plain", ("a",))
        book.append([1])
        book.add_sheet("empty", ("a", "b"), autofilter=True)
    workbook = read(out.getvalue())
    assert [sheet.auto_filter.ref for sheet in workbook.worksheets] == ["A1:C5", None, "A1:B1"]
    # Excel keeps each filter's range in a hidden name too (openpyxl reads the filters without it).
    parts = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    names = parts.read("xl/workbook.xml").decode()
    assert (
        '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        "'Заявки o''k'!$A$1:$C$5</definedName>"
    ) in names
    assert 'localSheetId="2" hidden="1">\'empty\'!$A$1:$B$1<' in names
    assert "<autoFilter" not in parts.read("xl/worksheets/sheet2.xml").decode()


@pytest.mark.parametrize("text", ["=1+1", "+7******4567", "-2", "@SUM(A1)", "\tx"])
def test_text_that_starts_like_a_formula_is_text_shown_as_it_reads(text):
    """No apostrophe in the cell (that is the CSV's guard): a string cell with Excel's quote prefix, which
    stays text when someone edits it."""
    sheet = read(written({"S": [[text, "plain"]]}))["S"]
    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix) == (text, "s", True)
    assert not sheet["B2"].quotePrefix
    assert not sheet["A1"].quotePrefix and sheet["A1"].font.bold
