"""Workbook rows: calamine where it reads the book as openpyxl would, openpyxl otherwise, and
merged ranges spread the same way by both. A file that is no workbook is refused naming what it is."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits import FeedLimits, check_workbook
from reconcile.feeds.readers.decoding import _binary_line, decode_text
from reconcile.feeds.readers.records import Record, _Source

log = logging.getLogger(__name__)


def _looks_like_text(data: bytes) -> str | None:
    """The first line of ``data`` when it is text, else None."""
    text = decode_text(data[:4096], "")
    if not text.lines or _binary_line(text, data[:4096]) is not None:
        return None
    first = next((line for line in text.lines if line.strip()), "")
    return first[:60]


def _xlsx_sources(path: Path, name: str, limits: FeedLimits) -> list[_Source]:
    data = path.read_bytes()
    if not data.strip(b"\x00"):
        raise FeedFileError(name, "the file is empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FeedFileError(
            name,
            "not an .xlsx workbook: it is an Excel 97-2003 (.xls) file or a password-protected"
            " workbook; open it in Excel and save it as .xlsx without a password",
        )
    if not data.startswith(b"PK"):
        first = _looks_like_text(data)
        if first is not None:
            raise FeedFileError(
                name,
                f"not an .xlsx workbook: the file is text (it starts {first!r}); send it as"
                " .csv, or open it in Excel and save it as .xlsx",
            )
        raise FeedFileError(name, "not an .xlsx workbook: the file is neither a workbook nor text")
    facts = check_workbook(data, name, limits)  # before any parser: refused, never built
    if facts is None or facts.error_cells:  # not a sound package, or error cells (#N/A...)
        return _xlsx_records(_openpyxl_sheets(data, name))
    try:
        sheets = _calamine_sheets(data)
    except Exception:  # a workbook calamine will not read: openpyxl decides, and names the fault
        log.info("%s: calamine could not read the workbook; reading it with openpyxl", name)
        sheets = None
    return _xlsx_records(sheets if sheets is not None else _openpyxl_sheets(data, name))


def _xlsx_records(sheets: list[tuple[str, list[list[object]]]]) -> list[_Source]:
    return [
        _Source(
            records=partial(_sheet_records, rows),
            kind="xlsx",
            sheet=title,
        )
        for title, rows in sheets
    ]


def _sheet_records(rows: list[list[object]]) -> Iterator[Record]:
    return (Record(n, cells) for n, cells in enumerate(rows, start=1))


def _calamine_cell(value: object) -> object:
    """A calamine value as openpyxl gives it: no value is None, a whole number an int, a date
    a datetime (openpyxl's for every date format; its raw text keeps the time)."""
    kind = type(value)
    if kind is str:
        return value if value else None
    if kind is float:  # openpyxl: int for "123", float for "1.5" or "1E+20"
        number = cast(float, value)
        return int(number) if number.is_integer() and -1e16 < number < 1e16 else number
    if kind is date:
        day = cast(date, value)
        return datetime(day.year, day.month, day.day)
    return value


def _calamine_sheets(data: bytes) -> list[tuple[str, list[list[object]]]] | None:
    """Every worksheet's rows from A1 with python-calamine (Rust): about ten times openpyxl's
    speed, and a fraction of its memory. Merged ranges are spread by ``_spread_merged``.

    None for a workbook of several worksheets (an inspectors' workbook, a sheet per ward): a
    later sheet's rows are numbered on from the end of the sheet before, and openpyxl's end
    counts formatted empty rows that calamine does not see; such workbooks are small.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        worksheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        if len(worksheets) != 1:  # openpyxl's ``worksheets``: no chart sheets
            return None
        sheets = []
        for meta in worksheets:
            sheet = book.get_sheet_by_name(meta.name)
            convert = _calamine_cell
            rows = [[convert(c) for c in row] for row in sheet.to_python(skip_empty_area=False)]
            _spread_merged(rows, sheet.merged_cell_ranges or [])
            sheets.append((meta.name, rows))
        return sheets
    finally:
        book.close()


def _spread_merged(rows: list[list[object]], ranges: list[Any]) -> None:
    """A merged range holds its value in the top-left cell only. Down a column (a legal form
    or an office shared by several rows) the value belongs to every row: spread it down.
    Across columns it belongs to the first column only: a long name over two columns is
    not the next column's value. (0-based ``((row, col), (row, col))`` ranges.)"""
    for (top, left), (bottom, right) in ranges:
        while len(rows) <= bottom:
            rows.append([])
        for r in range(top, bottom + 1):
            row = rows[r]
            if len(row) <= right:
                row.extend([None] * (right + 1 - len(row)))
        value = rows[top][left]
        for r in range(top, bottom + 1):
            row = rows[r]
            for c in range(left, right + 1):
                row[c] = None
            row[left] = value


def _openpyxl_sheets(data: bytes, name: str) -> list[tuple[str, list[list[object]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
        return [_sheet_rows(sheet) for sheet in book.worksheets]
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a broken file
        raise FeedFileError(
            name, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from exc


def _sheet_rows(sheet: Any) -> tuple[str, list[list[object]]]:
    """An openpyxl worksheet's rows, its merged ranges spread as calamine's are."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    ranges = [
        ((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
        for m in sheet.merged_cells.ranges
    ]
    _spread_merged(rows, ranges)
    return sheet.title, rows
