"""Workbooks read through calamine give the rows openpyxl gave (issue 17).

The reader reads partner workbooks with python-calamine and keeps openpyxl for a workbook
calamine will not open. Both must hand the header search and cleaning the same rows: the same
values of the same types (no value None, whole numbers int, dates datetime), merged cells
spread the same way, on the same sheet rows.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.readers import read_table
from reconcile.feeds.readers import workbooks as readers
from reconcile.feeds.spec import specs

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "files"


def _trimmed(sheets: list[tuple[str, list[list[object]]]]) -> list[tuple[str, list[list[object]]]]:
    """Sheets without trailing empty cells and rows (openpyxl's used range may run past the
    last value where a cell is only formatted; nothing reads those cells)."""
    out = []
    for title, rows in sheets:
        rows = [list(row) for row in rows]
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        out.append((title, rows))
    return out


def _typed(sheets: list[tuple[str, list[list[object]]]]) -> list[object]:
    return [(t, [[(type(c).__name__, c) for c in row] for row in rows]) for t, rows in sheets]


def _same_rows(data: bytes) -> None:
    read = readers._calamine_sheets(data)
    if read is None:  # several worksheets: openpyxl reads them (see the test below)
        return
    by_calamine = _trimmed(read)
    by_openpyxl = _trimmed(readers._openpyxl_sheets(data, "book.xlsx"))
    assert _typed(by_calamine) == _typed(by_openpyxl)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.xlsx")), ids=lambda p: p.name)
def test_corpus_workbooks_read_the_same_through_calamine_and_openpyxl(path: Path) -> None:
    data = path.read_bytes()
    try:
        readers._openpyxl_sheets(data, path.name)
    except FeedFileError:
        # not a workbook at all (the corpus's broken ones): calamine cannot read it either, so
        # the reader falls back to openpyxl and its refusal, worded as before
        from python_calamine import CalamineError

        with pytest.raises(CalamineError):
            readers._calamine_sheets(data)
        return
    _same_rows(data)


def _book(fill) -> bytes:
    book = Workbook()
    fill(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_values_of_every_kind_read_the_same() -> None:
    def fill(book: Workbook) -> None:
        sheet = book.active
        sheet.title = "Danh sách"
        sheet["A1"] = "DANH SÁCH ĐƠN VỊ"
        sheet.merge_cells("A1:F1")
        sheet.append([])
        sheet.append(["Mã số thuế", "Tên NNT", "Ngày cấp MST", "Số LĐ QTT", "Tỷ lệ", "Ghi chú"])
        sheet.append(["0100233488", "Công ty A", datetime(2020, 1, 31), 12, 0.5, True])
        sheet.append([100233488, "Công ty B", date(2019, 5, 1), 12.0, 1e20, None])
        sheet.append(["", " x ", datetime(2021, 3, 4, 10, 30), -3, 2.25, "=1+1"])
        sheet.append([None, "Công ty C", time(8, 15), 0, 45000, 1e15])
        sheet["C8"] = 45000
        sheet["C8"].number_format = "dd/mm/yyyy"
        sheet.merge_cells("F4:F6")  # down a column: spread to every row
        sheet.merge_cells("B7:C7")  # across: the first column only
        sheet.merge_cells("A9:A11")  # below the last value: the rows are made
        sheet["A9"] = "Tổng cộng"

    _same_rows(_book(fill))


def test_a_workbook_of_several_sheets_is_numbered_as_openpyxl_numbers_it(tmp_path: Path) -> None:
    """Sheet 2's rows go on from sheet 1's last row, formatted empty rows included (openpyxl
    counts them, calamine does not): such a workbook is read with openpyxl."""

    def fill(book: Workbook) -> None:
        sheet = book.active
        sheet.append(["Mã số thuế", "Tên NNT"])
        sheet.append(["0100233488", "Công ty A"])
        sheet["A10"].font = Font(bold=True)  # formatted, no value
        other = book.create_sheet("Phường 2")
        other.append(["Mã số thuế", "Tên NNT"])
        other.append(["0100233488-001", "Chi nhánh"])

    data = _book(fill)
    assert readers._calamine_sheets(data) is None
    path = tmp_path / "tax.xlsx"
    path.write_bytes(data)
    table = read_table(path, specs()["tax"])
    assert table.rows == [(2, ["0100233488", "Công ty A"]), (11, ["0100233488-001", "Chi nhánh"])]


def test_a_workbook_with_error_cells_is_read_by_openpyxl_which_keeps_their_text(
    tmp_path: Path,
) -> None:
    """calamine reads #N/A as an empty cell; the tax code "#N/A" must stay a fault of its row."""

    def fill(book: Workbook) -> None:
        sheet = book.active
        sheet.append(["Mã số thuế", "Tên NNT"])
        sheet.append(["0100233488", "Công ty A"])
        sheet.append(["#N/A", "Công ty B"])

    data = _book(fill)
    assert readers._calamine_sheets(data)[0][1][2][0] is None  # why openpyxl is kept
    path = tmp_path / "tax.xlsx"
    path.write_bytes(data)
    table = read_table(path, specs()["tax"])
    assert table.rows == [(2, ["0100233488", "Công ty A"]), (3, ["#N/A", "Công ty B"])]


def test_an_unreadable_workbook_is_refused_with_openpyxl_s_message(tmp_path: Path) -> None:
    path = tmp_path / "tax_broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    with pytest.raises(FeedFileError, match="not a readable .xlsx workbook"):
        read_table(path, specs()["tax"])


def test_calamine_reads_the_workbook_and_openpyxl_is_not_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill(book: Workbook) -> None:
        sheet = book.active
        sheet.append(["Kỳ: Quý 3/2025"])
        sheet.append(["Mã số thuế", "Tên NNT", "Ngày cấp MST"])
        sheet.append(["0100233488", "Công ty A", 43831])

    path = tmp_path / "tax.xlsx"
    path.write_bytes(_book(fill))

    def refuse(data: bytes, name: str) -> None:
        raise AssertionError("openpyxl was used for a workbook calamine reads")

    monkeypatch.setattr(readers, "_openpyxl_sheets", refuse)
    table = read_table(path, specs()["tax"])
    assert table.header_line == 2
    assert table.rows == [(3, ["0100233488", "Công ty A", 43831])]
