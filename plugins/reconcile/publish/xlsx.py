"""Save an openpyxl workbook so that the same content gives the same bytes, atomically; and
the presentation the published workbooks share (money and date formats, print setup, enforced
drop-downs and dates, links between sheets).

openpyxl stamps the zip entries and ``docProps/core.xml`` (dcterms:modified) with the time of
saving; a rerun that publishes the same cases should publish the same file. The book is saved
to memory, its entries rewritten with a fixed stamp into a temporary file beside the target,
and that file replaces the target in one rename: a run killed mid-save, or two runs at once,
never leave a half-written workbook where the last good one was.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from reconcile.publish.atomic import atomic_path

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save_deterministic(book: Workbook, path: Path, stamp: datetime = datetime(2000, 1, 1)) -> Path:
    book.properties.created = stamp
    saved = io.BytesIO()
    book.save(saved)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(saved) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    # the zip is closed (inner context) before the temporary file replaces the target
    with (
        atomic_path(path) as temp,
        zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    return path


# ---------------------------------------------------------------- how a sheet reads and prints
MONEY_FORMAT = '#,##0 "₫"'
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
# the range a decided-on date must fall in (Excel validates dates as serial numbers)
FIRST_DATE, LAST_DATE = date(2020, 1, 1), date(2100, 12, 31)
_EXCEL_EPOCH = date(1899, 12, 30)


def excel_serial(day: date) -> int:
    """The day as Excel's serial number (1900 date system), as date validations store it."""
    return (day - _EXCEL_EPOCH).days


def as_date(value: object) -> object:
    """A ``dd/mm/yyyy`` or ISO text as a date, a datetime as its day; anything else unchanged."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    return value


def print_setup(sheet: Worksheet, title_rows: str | None, footer: str) -> None:
    """Landscape A4, fit to one page wide (as many pages down as it takes), ``title_rows``
    (e.g. ``"1:1"``) repeated at the top of every page, ``footer`` (page numbers) centred."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = footer
    sheet.evenFooter.center.text = footer
    sheet.print_options.gridLines = True


def internal_link(cell: Cell, sheet_title: str) -> Cell:
    """Make ``cell`` a link to cell A1 of the sheet ``sheet_title`` of the same workbook."""
    quoted = sheet_title.replace("'", "''")
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!A1")
    cell.font = Font(color="0563C1", underline="single")
    return cell


def list_validation(
    choices: list[str], title: str, error: str, prompt_title: str, prompt: str
) -> DataValidation:
    """A drop-down that refuses any other text (Excel and LibreOffice show ``error``)."""
    return _refusing_validation(
        title, error, prompt_title, prompt, type="list", formula1='"' + ",".join(choices) + '"'
    )


def date_validation(title: str, error: str, prompt_title: str, prompt: str) -> DataValidation:
    """A date between :data:`FIRST_DATE` and :data:`LAST_DATE`, or the cell left blank."""
    return _refusing_validation(
        title,
        error,
        prompt_title,
        prompt,
        type="date",
        operator="between",
        formula1=str(excel_serial(FIRST_DATE)),
        formula2=str(excel_serial(LAST_DATE)),
    )


def _refusing_validation(
    title: str, error: str, prompt_title: str, prompt: str, **rule: str
) -> DataValidation:
    """A check by ``rule`` that a blank cell passes and anything else it refuses stops: the
    cell shows ``prompt`` (under ``prompt_title``), a refusal ``error`` (under ``title``)."""
    return DataValidation(
        **rule,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=title,
        error=error,
        showInputMessage=True,
        promptTitle=prompt_title,
        prompt=prompt,
    )


def wrapped_height(
    texts: list[tuple[object, float]], line: float = 15.0, most: int = 12
) -> float | None:
    """The height (points) a row needs to show its wrapped ``(text, column width)`` cells whole,
    or None for one line: neither Excel nor LibreOffice sizes a row written by openpyxl."""
    lines = 1
    for text, width in texts:
        if not isinstance(text, str) or not text:
            continue
        per_line = max(width * 1.1, 1.0)  # a column's width is about its count of digits
        needed = sum(max(1, -(-len(part) // int(per_line))) for part in text.split("\n"))
        lines = max(lines, needed)
    return min(lines, most) * line if lines > 1 else None
