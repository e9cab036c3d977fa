"""A workbook's limits, checked before any reader opens it: the count of its parts, its zip
directory (inflated size, compression ratio) and its XML scanned in a stream for what openpyxl
would build from it (cells spanned, merged ranges, row records, elements). Why each limit
exists: ``feeds/limits.py``."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits_model import LINES_PER_ROW, MB, SPARE_LINES, FeedLimits, advice
from reconcile.feeds.limits_model import size_text as _size

# A compression ratio is only judged on an entry this large: a small part (a theme, a style
# sheet of repeated defaults) may compress very well and costs nothing when inflated.
RATIO_FLOOR_BYTES = 1 * MB
# XML elements per cell allowed across a workbook's parts: a cell is two to four elements
# (<c>, <v> or <is><t>), rich text a few more. ElementTree keeps every element the reader does
# not clear, so a sheet of junk elements would cost memory a cell count alone does not see.
ELEMENTS_PER_CELL = 8
# Parts a workbook may have. A workbook has tens (a hundred sheets, with their drawings and
# comments, stay under a thousand); zipfile builds an object for each before anything can be
# checked, so a package of millions of empty entries is refused by counting their headers.
MAX_XLSX_ENTRIES = 10_000
_CHUNK = 1 * MB  # bytes of inflated XML scanned at a time
_LONGEST_TAG = 64 * 1024  # a tag not closed within this is no cell or row tag: skipped


# --------------------------------------------------------------------------- workbooks
def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "?"


_COLUMNS: dict[bytes, int] = {}


def _column_number(letters: bytes) -> int:
    number = _COLUMNS.get(letters)
    if number is None:
        number = 0
        for letter in letters.upper():
            number = number * 26 + letter - 64
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = number
    return number


_REF = re.compile(rb"\$?([A-Za-z]{1,10})\$?([0-9]{1,12})")
_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
_TAG = re.compile(rb"<" + _PREFIX + rb"(c|row)(?=[\s/>])([^<>]*)>")
_RANGED = re.compile(rb"<" + _PREFIX + rb"(dimension|mergeCell|hyperlink)(?=[\s/>])([^<>]*)>")
_RANGE_WORDS = (b"dimension", b"mergeCell", b"hyperlink")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")  # a cell or row tag with a namespace prefix
_ANY_CELL = re.compile(rb"<c[\s/>]")
_CANONICAL_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_CELL_MARKS = (b't="e"', b"t='e'")  # a cell of type error, as spreadsheet programs write it
_ROW = re.compile(rb"<row(?=[\s/>])([^<>]*)>")
_R = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_RANGE = re.compile(rb"""\sref\s*=\s*["']([^"']*)["']""")


def _row_number(attributes: bytes, row: int) -> int:
    """A row's number: its ``r``, or the one after the row before."""
    ref = _R.search(attributes)
    number = ref.group(1).strip() if ref else b""
    return int(number) if number.isdigit() and len(number) <= 12 else row + 1


def _cell(ref: bytes) -> tuple[int, int] | None:
    found = _REF.fullmatch(ref.strip())
    if found is None:
        return None
    return int(found.group(2)), _column_number(found.group(1))


def _range(ref: bytes) -> tuple[int, int, int, int] | None:
    """(min_row, min_col, max_row, max_col) of "A1:C3" or "A1"; None when not a cell range."""
    corners = [corner for part in ref.split(b":", 1) if (corner := _cell(part)) is not None]
    if len(corners) != len(ref.split(b":", 1)):
        return None
    (top, left), (bottom, right) = corners[0], corners[-1]
    return min(top, bottom), min(left, right), max(top, bottom), max(left, right)


def _span(rows: int, columns: int) -> str:
    return f"A1:{_column_letters(columns)}{rows}" if rows and columns else "empty"


class _Scan:
    """What a workbook's XML makes openpyxl build, tallied tag by tag while it streams past.

    openpyxl places a cell by its ``r`` reference, or next to the one before when it has none
    (and a row after the row before), makes a cell for every position of a merged range and
    of a hyperlink's range, and ``iter_rows`` then makes one for every position from A1 to
    the furthest of them: the cells a sheet costs are its reached rows times its columns.
    """

    def __init__(self, name: str, limits: FeedLimits) -> None:
        self.name = name
        self.limits = limits
        self.cells_before = 0  # cells the sheets already scanned span
        self.areas = 0  # merged and hyperlinked positions, all sheets
        self.rows = 0  # row records, all sheets
        self.elements = 0  # XML elements, all parts
        # a cell holding an error (#N/A, #REF!...): calamine reads it as empty, openpyxl as its
        # text, which cleaning reports; such a workbook is read with openpyxl (feeds/readers/workbooks.py)
        self.error_cells = False

    def entry(self, entry: str, stream: IO[bytes]) -> None:
        state = [0, 0, 0, 0]  # row and column of the last cell placed, furthest row and column
        carry = b""
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            buffer = carry + chunk
            cut = buffer.rfind(b"<")  # the tag that may go on in the next chunk waits for it
            if cut < 0:
                cut = len(buffer)
            if buffer.find(b"<!DOCTYPE", 0, cut) >= 0 or buffer.find(b"<!ENTITY", 0, cut) >= 0:
                raise FeedFileError(
                    self.name,
                    f"the workbook's {entry} declares a DTD or entities, which no spreadsheet"
                    " program writes (an XML entity bomb?): open the file in Excel and save it"
                    " as .xlsx again",
                )
            ends = buffer.count(b"</", 0, cut) + buffer.count(b"<?", 0, cut)
            self.elements += buffer.count(b"<", 0, cut) - ends
            if not self.error_cells and any(mark in buffer for mark in _ERROR_CELL_MARKS):
                self.error_cells = True
            if not self._in_bulk(buffer, cut, state):
                self._tag_by_tag(buffer, cut, state)
            if any(word in buffer for word in _RANGE_WORDS):
                self._ranges(entry, buffer, cut, state)
            carry = buffer[cut:]
            if len(carry) > _LONGEST_TAG:
                carry = b""
            self._reached(entry, state[2], state[3])
        self.cells_before += state[2] * state[3]

    def _in_bulk(self, buffer: bytes, cut: int, state: list[int]) -> bool:
        """The chunk's cells and rows found in bulk, when every cell is written as Excel and
        openpyxl write it, ``<c r="A1"`` (three times faster than tag by tag: 2.1 s for the
        national registry workbook's 124 MB of XML instead of 3.7 s). False, having changed
        nothing, for a chunk with any other cell tag: it is read tag by tag instead."""
        if _PREFIXED.search(buffer, 0, cut):
            return False
        cells = _CANONICAL_CELL.findall(buffer, 0, cut)
        if len(_ANY_CELL.findall(buffer, 0, cut)) != len(cells):
            return False
        row, col, max_row, max_col = state
        last_row_at = -1
        for found in _ROW.finditer(buffer, 0, cut):
            row = _row_number(found.group(1), row)
            last_row_at = found.start()
            self.rows += 1
        if last_row_at >= 0:
            col = 0
        if cells:
            letters, digits = zip(*cells, strict=True)
            max_row = max(max_row, *map(int, digits))
            max_col = max(max_col, *map(_column_number, set(letters)))
            if buffer.rfind(b'<c r="', 0, cut) > last_row_at:
                col = _column_number(letters[-1])
        state[:] = row, col, max_row, max_col
        return True

    def _tag_by_tag(self, buffer: bytes, cut: int, state: list[int]) -> None:
        """Cells and rows as openpyxl places them: by ``r``, or after the one before."""
        row, col, max_row, max_col = state
        for tag, attributes in _TAG.findall(buffer, 0, cut):
            if tag == b"c":
                ref = _R.search(attributes) if attributes else None
                position = _cell(ref.group(1)) if ref else None
                if position is None:
                    col += 1
                    position = (row, col)
                else:
                    col = position[1]
                if position[0] > max_row:
                    max_row = position[0]
                if position[1] > max_col:
                    max_col = position[1]
            else:
                row, col = _row_number(attributes, row), 0
                self.rows += 1
        state[:] = row, col, max_row, max_col

    def _ranges(self, entry: str, buffer: bytes, cut: int, state: list[int]) -> None:
        """The declared used range, and merged ranges and hyperlinks, which make cells too."""
        for found in _RANGED.finditer(buffer, 0, cut):
            ref = _RANGE.search(found.group(2))
            span = _range(ref.group(1)) if ref else None
            if ref is None or span is None:
                continue
            top, left, bottom, right = span
            if found.group(1) == b"dimension":
                self._declared(entry, ref.group(1).decode("ascii", "replace"), bottom, right)
                continue
            self.areas += (bottom - top + 1) * (right - left + 1)
            state[2], state[3] = max(state[2], bottom), max(state[3], right)

    def _declared(self, entry: str, ref: str, rows: int, columns: int) -> None:
        limit = self.limits.max_xlsx_cells
        if rows * columns > limit:
            raise FeedFileError(
                self.name,
                f"the sheet {entry} declares its used range as {ref} ({rows:,} rows ×"
                f" {columns:,} columns = {rows * columns:,} cells), over the limit of"
                f" {limit:,} cells (limits.max_xlsx_cells): {_TRIM} {advice('max_xlsx_cells')}",
            )

    def _reached(self, entry: str, max_row: int, max_col: int) -> None:
        limits = self.limits
        limit = limits.max_xlsx_cells
        cells = self.cells_before + max_row * max_col
        if cells > limit:
            before = f"; with the sheets before it, {cells:,} cells" if self.cells_before else ""
            raise FeedFileError(
                self.name,
                f"the sheet {entry} has cells reaching {_span(max_row, max_col)} ({max_row:,}"
                f" rows × {max_col:,} columns = {max_row * max_col:,} cells){before}, over the"
                f" limit of {limit:,} cells (limits.max_xlsx_cells): {_TRIM}"
                f" {advice('max_xlsx_cells')}",
            )
        if self.areas > limit:
            raise FeedFileError(
                self.name,
                f"merged cells and hyperlinks in {entry} cover {self.areas:,} cells, over the"
                f" limit of {limit:,} cells (limits.max_xlsx_cells): unmerge them, or"
                " raise limits.max_xlsx_cells in the config",
            )
        allowed_rows = LINES_PER_ROW * limits.max_rows + SPARE_LINES
        if self.rows > allowed_rows:
            raise FeedFileError(
                self.name,
                f"{self.rows:,} row records in the sheets (up to {entry}), more than the"
                f" {allowed_rows:,} a workbook of at most {limits.max_rows:,} data rows"
                f" (limits.max_rows) may have: {advice('max_rows')}",
            )
        allowed_elements = ELEMENTS_PER_CELL * limit
        if self.elements > allowed_elements:
            raise FeedFileError(
                self.name,
                f"{self.elements:,} XML elements in the workbook (up to {entry}), more than the"
                f" {allowed_elements:,} that {limit:,} cells (limits.max_xlsx_cells) may need:"
                f" {advice('max_xlsx_cells')}",
            )


_TRIM = (
    "if most of it is empty, delete the empty rows and columns after the data in Excel (Ctrl+End"
    " shows where the used range ends) and save again; otherwise"
)


def _entries(book: zipfile.ZipFile) -> Iterator[zipfile.ZipInfo]:
    return (info for info in book.infolist() if not info.is_dir())


@dataclass(frozen=True)
class WorkbookFacts:
    """What the scan learnt on the way that the reader needs: whether any cell is an error."""

    error_cells: bool


def check_workbook(data: bytes, name: str, limits: FeedLimits) -> WorkbookFacts | None:
    """Refuse a workbook that would cost more than the limits, before any reader opens it.

    First the count of parts, then the zip directory: the inflated size of all entries and
    each large entry's compression ratio (a zip bomb is refused here without inflating a
    byte). Then every entry is inflated in 1 MB chunks and scanned for what openpyxl would
    build from it (see ``_Scan``), stopping at the first limit passed. A package zipfile cannot
    open, or an entry it cannot inflate, is left for openpyxl to report as a broken workbook
    (None: nothing learnt).
    """
    parts = data.count(b"PK\x01\x02")  # central directory headers, one a part
    if parts > MAX_XLSX_ENTRIES:
        raise FeedFileError(
            name,
            f"the workbook has {parts:,} parts, more than the {MAX_XLSX_ENTRIES:,} any"
            " spreadsheet program writes: open it in Excel and save it as .xlsx again",
        )
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None
    with book:
        entries = list(_entries(book))
        total = 0
        for info in entries:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= RATIO_FLOOR_BYTES and ratio > limits.max_xlsx_compression_ratio:
                raise FeedFileError(
                    name,
                    f"the workbook's {info.filename} inflates from {_size(info.compress_size)}"
                    f" to {_size(info.file_size)}, {ratio:,.0f} times, over the limit of"
                    f" {limits.max_xlsx_compression_ratio:,.0f} times"
                    " (limits.max_xlsx_compression_ratio): a zip bomb, or a sheet of nothing but"
                    " repeated empty cells; open it in Excel, delete what is after the data and"
                    " save again, or raise limits.max_xlsx_compression_ratio in the config",
                )
        if total > limits.max_xlsx_uncompressed_bytes:
            raise FeedFileError(
                name,
                f"the workbook inflates to {_size(total)} (its zip directory), over the limit of"
                f" {_size(limits.max_xlsx_uncompressed_bytes)}"
                f" (limits.max_xlsx_uncompressed_bytes): {advice('max_xlsx_uncompressed_bytes')}",
            )
        scan = _Scan(name, limits)
        for info in entries:
            try:
                with book.open(info) as stream:
                    scan.entry(info.filename, stream)
            except FeedFileError:
                raise
            except (
                zipfile.BadZipFile,
                zlib.error,
                NotImplementedError,
                RuntimeError,
                OSError,
                EOFError,
                ValueError,
            ):
                continue  # damaged or encrypted: openpyxl reports it if it needs this entry
    return WorkbookFacts(error_cells=scan.error_cells)
