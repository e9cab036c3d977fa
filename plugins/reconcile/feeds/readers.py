"""Read a partner file into rows of raw cells under canonical column names.

The reader's job is only to find the header row (below any title block), map the headers to
the feed's canonical columns, and hand every data row on with its position in the file. It
decides nothing about whether a row is good: that is cleaning's and validation's job. What it
notices about a single row (cut off by the end of the file, a JSON line that does not parse) it
passes on as that row's fault, and damage stays inside the row it hit: a stray byte, a stray
quote or a line in another encoding never costs the rows around it. What it cannot do at all
(no header found, not a text file, a broken workbook) raises ``FeedFileError`` naming the file,
the row and the fault. So does a file over the limits of ``feeds.limits``, checked before it is
parsed wherever that can be done; a cell over the length limit is its row's fault, cut short.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits import (
    FeedLimits,
    check_file_size,
    check_line_count,
    check_workbook,
    cut_text,
    long_cell_fault,
    too_many_rows,
)
from reconcile.feeds.spec import FeedSpec
from reconcile.text.unicode import header_key

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30  # non-blank rows searched for the header
MAX_CELL_LINES = 20  # a quoted CSV cell may run over this many lines, no more
DELIMITERS = (",", ";", "\t", "|")
CUT_OFF = "row cut off: the file ends in the middle of it"

_BYTE_BREAK = re.compile(rb"\r\n|\r|\n")
_TEXT_BREAK = re.compile(r"\r\n|\r|\n")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")


@dataclass
class RawTable:
    """Rows as read: canonical column -> cell text, plus unknown columns kept aside."""

    file_name: str
    feed: str
    header_line: int  # 1-based line (CSV record) or sheet row of the header
    columns: dict[int, str]  # position -> canonical column
    extra_columns: dict[int, str]  # position -> header as written, for columns not in the spec
    rows: list[tuple[int, list[object]]] = field(default_factory=list)  # (line, cells)
    encoding: str | None = None
    cut_off_line: int | None = None  # the last line, when the file ends in the middle of it
    faults: dict[int, str] = field(default_factory=dict)  # line -> what is wrong with that row
    headers: dict[int, str] = field(default_factory=dict)  # position -> header text as written


@dataclass
class Record:
    line: int  # CSV record (a quoted cell may span lines), sheet row, or JSON line
    cells: list[object]
    fault: str | None = None  # the reader's own finding about this row
    cut: bool = False  # certainly cut off by the end of the file
    is_last: bool = False  # the file's last record
    long_cells: tuple[tuple[int, int], ...] = ()  # (position, length) of cells cut to the limit


_HEADER_INDEXES: dict[int, tuple[FeedSpec, dict[str, str]]] = {}


def canonical_of(spec: FeedSpec) -> Callable[[object], str | None]:
    """``spec.canonical`` with the header index built once per spec, not once per cell."""
    held = _HEADER_INDEXES.get(id(spec))
    if held is None or held[0] is not spec:
        held = _HEADER_INDEXES[id(spec)] = (spec, spec.header_index)
    index = held[1]

    def canonical(header: object) -> str | None:
        return index.get(header_key(str(header))) if header is not None else None

    return canonical


# --------------------------------------------------------------------------- text
@dataclass
class DecodedText:
    lines: list[str]
    encoding: str
    terminated: bool  # the last line ends with a line break
    truncated: bool  # the bytes end in the middle of a character (or in NUL padding)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 with its BOM lost: NUL bytes in every other position (ASCII letters, digits)."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : pairs * 2 : 2].count(0), sample[1 : pairs * 2 : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _decode_wide(body: bytes, codec: str, label: str) -> DecodedText:
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    text = decoder.decode(body, final=False)
    truncated = bool(decoder.getstate()[0])
    terminated = text.endswith(("\n", "\r"))
    lines = _TEXT_BREAK.split(text)
    if terminated or lines[-1] == "":
        lines.pop()
    return DecodedText([line.replace("\x00", "") for line in lines], label, terminated, truncated)


def _line_as_utf8(raw: bytes) -> bool:
    """A line that is not valid UTF-8: damaged UTF-8 (mostly good sequences) or 8-bit text."""
    good = len(_UTF8_SEQUENCE.findall(raw))
    if not good:
        return False
    bad = raw.decode("utf-8", "replace").count("\ufffd") - raw.count(b"\xef\xbf\xbd")
    return good >= bad


def _decode_narrow(body: bytes, label: str) -> DecodedText:
    """UTF-8 or Windows-1258, decided line by line: a file may be two exports glued together.

    A line that is valid UTF-8 is UTF-8; one that has UTF-8 sequences and a few bad bytes is
    damaged UTF-8 (its bad bytes become U+FFFD, which cleaning reports); any other line is
    Windows-1258. UTF-8 cut inside its last character keeps the characters before it.
    """
    kept = body.rstrip(b"\x00")
    padded = len(kept) < len(body)
    terminated = kept.endswith((b"\n", b"\r"))
    try:
        text = kept.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        lines = _TEXT_BREAK.split(text)
        if terminated or lines[-1] == "":
            lines.pop()
        lines = [line.replace("\x00", "") for line in lines]
        return DecodedText(lines, label, terminated, padded and not terminated)
    raw_lines = _BYTE_BREAK.split(kept)
    if terminated:
        raw_lines.pop()
    used: set[str] = set()
    lines = []
    truncated = padded and not terminated
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8")
            if not raw.isascii():
                used.add("utf-8")
        except UnicodeDecodeError:
            line = None
        if line is None and number == len(raw_lines) and not terminated:
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                head = decoder.decode(raw, final=False)
            except UnicodeDecodeError:
                head = None
            if head is not None and ("utf-8" in used or not head.isascii()):
                line, truncated = head, True
        if line is None:
            if _line_as_utf8(raw):
                line = raw.decode("utf-8", "replace")
                used.add("utf-8")
            else:
                line = raw.decode("cp1258", "replace")
                used.add("cp1258")
        lines.append(line.replace("\x00", ""))
    base = label if "utf-8" in used or "cp1258" not in used else ""
    encoding = "+".join(filter(None, [base, "cp1258" if "cp1258" in used else ""]))
    return DecodedText(lines, encoding, terminated, truncated)


def decode_text(data: bytes, file_name: str) -> DecodedText:
    """Decode CSV or JSON-lines bytes: BOMs first, then UTF-16 by its NULs, UTF-8, Windows-1258.

    Never fails on damage: undecodable bytes become U+FFFD in the lines they are on.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decode_narrow(data[3:], "utf-8-sig")
    if data.startswith(codecs.BOM_UTF16_LE):
        return _decode_wide(data[2:], "utf-16-le", "utf-16")
    if data.startswith(codecs.BOM_UTF16_BE):
        return _decode_wide(data[2:], "utf-16-be", "utf-16")
    wide = _utf16_without_bom(data)
    if wide:
        return _decode_wide(data, wide, wide)
    return _decode_narrow(data, "utf-8")


def _binary_line(text: DecodedText, data: bytes) -> int | None:
    """The line where binary data starts, when the file's start is not text at all."""
    head = "\n".join(text.lines)[:4096]
    nuls = data[:4096].count(0) if not text.encoding.startswith("utf-16") else 0
    bad = len(_NOT_TEXT.findall(head)) + nuls
    if not head or bad <= 0.05 * max(len(head), 1) and nuls <= 0.05 * len(data[:4096]):
        return None
    for number, line in enumerate(text.lines, start=1):
        if _NOT_TEXT.search(line):
            return number
    return 1


# --------------------------------------------------------------------------- CSV
def _split(
    text: str, delimiter: str, literal: set[int] | None = None
) -> tuple[list[str], int | None, bool]:
    """One record's cells, the opening quote of a badly quoted cell (or None), and whether the
    record ends inside a quoted cell. Quotes count only at the start of a cell; a closing quote
    must be followed by the delimiter or the end. Positions in ``literal`` are plain text."""
    cells: list[str] = []
    i, n = 0, len(text)
    bad: int | None = None
    while True:
        if i < n and text[i] == '"' and (literal is None or i not in literal):
            opening, parts, i = i, [], i + 1
            while True:
                j = text.find('"', i)
                if j < 0:  # never closed: the record goes on past this text
                    parts.append(text[i:])
                    cells.append("".join(parts))
                    return cells, opening, True
                parts.append(text[i:j])
                if j + 1 < n and text[j + 1] == '"':
                    parts.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            if i < n and text[i] != delimiter:  # "abc"def: not a quoted cell after all
                if bad is None:
                    bad = opening
                end = text.find(delimiter, i)
                end = n if end < 0 else end
                parts.append(text[i:end])
                i = end
            cells.append("".join(parts))
        else:
            end = text.find(delimiter, i)
            end = n if end < 0 else end
            cells.append(text[i:end])
            i = end
        if i >= n:
            return cells, bad, False
        i += len(delimiter)  # past the delimiter; a delimiter at the very end makes an empty cell
        if i >= n:
            cells.append("")
            return cells, bad, False


def _lenient_cells(text: str, delimiter: str) -> list[str]:
    """Cells of one record however its quotes are broken: a quote that opens a cell it never
    closes properly is read as a plain character, so one stray quote costs nothing else."""
    literal: set[int] = set()
    for _ in range(64):
        cells, bad, _open = _split(text, delimiter, literal)
        if bad is None:
            return cells
        literal.add(bad)
    return text.split(delimiter)


@dataclass
class _Shape:
    """What a data row of this file looks like: cells, and named (non-empty) header cells."""

    width: int
    named: int

    def looks_like_row(self, line: str, delimiter: str) -> bool:
        return line.count(delimiter) >= max(1, self.named - 1)


def _closing_line(lines: list[str], start: int, delimiter: str, shape: _Shape) -> int | None:
    """The line where a quoted cell opened on ``lines[start]`` closes, when that reading is
    sound: the record parses strictly, has no more cells than a row, and swallows no line
    that looks like a row of its own. None when the quote is better read as a stray one."""
    for end in range(start + 1, min(len(lines), start + MAX_CELL_LINES)):
        if end > start + 1 and shape.looks_like_row(lines[end - 1], delimiter):
            return None
        cells, bad, still_open = _split("\n".join(lines[start : end + 1]), delimiter)
        if still_open:
            continue
        if bad is not None or len(cells) > max(shape.width, 1):
            return None
        return end
    return None


def _csv_records(text: DecodedText, delimiter: str, shape: _Shape) -> Iterator[Record]:
    lines = text.lines
    count = len(lines)
    index, number = 0, 0
    while index < count:
        number += 1
        line = lines[index]
        last = index == count - 1
        cells, bad, still_open = _split(line, delimiter)
        if bad is None and not still_open:
            yield Record(number, list(cells), cut=last and text.truncated)
            index += 1
            continue
        if still_open:
            end = _closing_line(lines, index, delimiter, shape)
            if end is not None:
                joined = "\n".join(lines[index : end + 1])
                yield Record(
                    number,
                    _lenient_cells(joined, delimiter),
                    cut=end == count - 1 and text.truncated,
                )
                index = end + 1
                continue
            rest = lines[index:]
            if (
                not text.terminated
                and len(rest) <= MAX_CELL_LINES
                and not any(shape.looks_like_row(x, delimiter) for x in rest[1:-1])
                and _split("\n".join(rest), delimiter)[2]
            ):  # the file ends inside a quoted cell: one record, cut off
                yield Record(number, _lenient_cells("\n".join(rest), delimiter), cut=True)
                return
        yield Record(number, _lenient_cells(line, delimiter), cut=last and text.truncated)
        index += 1


def _delimiters_by_use(lines: list[str]) -> list[str]:
    sample = [line for line in lines[:200] if line.strip()][:HEADER_SEARCH_ROWS]
    counts = {d: sum(line.count(d) for line in sample) for d in DELIMITERS}
    return sorted(DELIMITERS, key=lambda d: -counts[d])


def _guess_shape(lines: list[str], delimiter: str) -> _Shape:
    sample = [line for line in lines[:200] if line.strip()][:HEADER_SEARCH_ROWS]
    widths = Counter(len(_lenient_cells(line, delimiter)) for line in sample)
    width = widths.most_common(1)[0][0] if widths else 1
    return _Shape(width, width)


# --------------------------------------------------------------------------- sources
@dataclass
class _Source:
    """One way of reading the file's records; CSV offers one per plausible delimiter."""

    records: Callable[[], Iterator[Record]]
    on_header: Callable[[list[object]], None] = lambda cells: None
    unterminated: bool = False  # the file does not end with a line break: its last row may be cut
    encoding: str | None = None
    binary_line: Callable[[], int | None] = lambda: None
    kind: str = "csv"
    sheet: str | None = None


def _csv_sources(path: Path, name: str, limits: FeedLimits) -> list[_Source]:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise FeedFileError(
            name, "the file is an Excel workbook (.xlsx), not CSV text: name it .xlsx", row=None
        )
    check_line_count(data, name, limits)
    texts = [decode_text(data, name)]
    if texts[0].encoding.startswith("utf-16"):  # two bytes that only look like a UTF-16 BOM
        texts.append(_decode_narrow(data, "utf-8"))
    sources = []
    for text in texts:
        for delimiter in _delimiters_by_use(text.lines):
            shape = _guess_shape(text.lines, delimiter)

            def on_header(cells: list[object], shape: _Shape = shape) -> None:
                shape.width = len(cells)
                shape.named = sum(1 for c in cells if c not in (None, "") and str(c).strip())

            sources.append(
                _Source(
                    records=lambda text=text, delimiter=delimiter, shape=shape: _csv_records(
                        text, delimiter, shape
                    ),
                    on_header=on_header,
                    unterminated=not text.terminated,
                    encoding=text.encoding,
                    binary_line=lambda text=text: _binary_line(text, data),
                )
            )
    return sources


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
            records=lambda rows=rows: (Record(n, cells) for n, cells in enumerate(rows, start=1)),
            kind="xlsx",
            sheet=title,
        )
        for title, rows in sheets
    ]


def _calamine_cell(value: object) -> object:
    """A calamine value as openpyxl gives it: no value is None, a whole number an int, a date
    a datetime (openpyxl's for every date format; its raw text keeps the time)."""
    kind = type(value)
    if kind is str:
        return value if value else None
    if kind is float:  # openpyxl: int for "123", float for "1.5" or "1E+20"
        return int(value) if value.is_integer() and -1e16 < value < 1e16 else value
    if kind is date:
        return datetime(value.year, value.month, value.day)
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
    ranges = [((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
              for m in sheet.merged_cells.ranges]  # fmt: skip
    _spread_merged(rows, ranges)
    return sheet.title, rows


def _more_sheets(sources: list[_Source], chosen: _Source, mapping: dict[int, str], spec: FeedSpec,
                 first_line: int, limits: FeedLimits) -> Iterator[Record]:  # fmt: skip
    """The data rows of the workbook's other sheets that carry the same header (an inspectors'
    workbook has a sheet per ward), laid out as the first sheet's columns, numbered on from it."""
    position = {canonical: index for index, canonical in mapping.items()}
    width = max(mapping) + 1
    line = first_line
    for source in sources[sources.index(chosen) + 1 :]:
        records = _cut_long_cells(source.records(), limits.max_cell_chars)
        header, other, _ = _search_header(records, spec)
        if header is None or set(other.values()) != set(mapping.values()):
            continue
        for record in records:
            line += 1
            cells: list[object] = [None] * width
            for index, canonical in other.items():
                if index < len(record.cells):
                    cells[position[canonical]] = record.cells[index]
            long = tuple((position[other[i]], n) for i, n in record.long_cells if i in other)
            yield Record(line, cells, long_cells=long)


def _cut_long_cells(records: Iterator[Record], limit: int) -> Iterator[Record]:
    """Records with every cell longer than ``limit`` characters cut to it, and noted.

    Cut here, as the records leave their source, so nothing downstream (the header search,
    cleaning, the raw record, the warehouse) ever holds the whole of such a cell. A JSON value
    that is a list or an object is measured by its JSON text, which is what raw would keep.
    """
    for record in records:
        long = []
        for position, cell in enumerate(record.cells):
            if type(cell) is str:
                if len(cell) <= limit:
                    continue
                text = cell
            elif isinstance(cell, list | dict):
                text = json.dumps(cell, ensure_ascii=False, default=str)
                if len(text) <= limit:
                    continue
            else:
                continue
            record.cells[position] = cut_text(text, limit)
            long.append((position, len(text)))
        if long:
            record.long_cells = tuple(long)
        yield record


def _jsonl_source(path: Path, name: str, spec: FeedSpec, limits: FeedLimits) -> _Source:
    """JSON lines become a header record (line 0: the feed's columns found, then other keys)
    and one record per line; a line that does not parse is a row with its fault."""
    data = path.read_bytes()
    check_line_count(data, name, limits)  # every line is parsed before the first row is read
    text = decode_text(data, name)
    slots: dict[str, int] = {}
    header: list[object] = []
    canonical_name = canonical_of(spec)
    parsed: list[tuple[int, dict[int, object], str | None]] = []
    for number, line in enumerate(text.lines, start=1):
        if not line.strip():
            continue
        fault, record = None, {}
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            last = number == len(text.lines) and (not text.terminated or text.truncated)
            detail = (
                f"{exc.msg} at column {exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else "nested too deeply"
            )
            fault = CUT_OFF if last else f"not JSON: {detail}"
        else:
            if isinstance(value, dict):
                record = value
            else:
                fault = f"not a JSON object but {type(value).__name__}"
        cells: dict[int, object] = {}
        for key, value in record.items():
            canonical = canonical_name(key)
            slot = canonical or f"key:{key}"
            if slot not in slots:
                slots[slot] = len(header)
                header.append(canonical or str(key))
            position = slots[slot]
            if cells.get(position) in (None, ""):
                cells[position] = value
        parsed.append((number, cells, fault))

    def records() -> Iterator[Record]:
        yield Record(0, list(header))
        for number, cells, fault in parsed:
            row: list[object] = [cells.get(i) for i in range(len(header))]
            if fault:
                row.append(text.lines[number - 1])  # the line as written, kept in raw
            yield Record(number, row, fault, cut=fault == CUT_OFF)

    return _Source(
        records=records,
        encoding=text.encoding,
        kind="jsonl",
        binary_line=lambda: _binary_line(text, data),
    )


def _sources(path: Path, name: str, spec: FeedSpec, limits: FeedLimits) -> list[_Source]:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".jsonl", ".csv", ".txt"):
        raise FeedFileError(
            name, f"unsupported file type {suffix!r} (expected .csv, .xlsx or .jsonl)"
        )
    check_file_size(path, name, limits)
    if suffix == ".xlsx":
        return _xlsx_sources(path, name, limits)
    if suffix == ".jsonl":
        return [_jsonl_source(path, name, spec, limits)]
    return _csv_sources(path, name, limits)


# --------------------------------------------------------------------------- the header
def _blank(cells: list[object]) -> bool:
    return not any(c not in (None, "") and str(c).strip() != "" for c in cells)


def _header_score(cells: list[object], spec: FeedSpec) -> tuple[int, dict[int, str]]:
    mapping: dict[int, str] = {}
    canonical_name = canonical_of(spec)
    for position, cell in enumerate(cells):
        canonical = canonical_name(cell) if cell not in (None, "") else None
        if canonical and canonical not in mapping.values():
            mapping[position] = canonical
    return len(mapping), mapping


def _is_header(cells: list[object], spec: FeedSpec) -> dict[int, str] | None:
    score, mapping = _header_score(cells, spec)
    if score and all(r in mapping.values() for r in spec.required):
        return mapping
    return None


def _search_header(
    records: Iterator[Record], spec: FeedSpec
) -> tuple[Record | None, dict[int, str], list[Record]]:
    """The header record and its mapping, and the records read before it (title, blanks)."""
    seen: list[Record] = []
    non_blank = 0
    for record in records:
        mapping = _is_header(record.cells, spec)
        if mapping:
            return record, mapping, seen
        seen.append(record)
        if not _blank(record.cells):
            non_blank += 1
            if non_blank >= HEADER_SEARCH_ROWS:
                break
    return None, {}, seen


def _no_header(name: str, spec: FeedSpec, source: _Source, seen: list[Record]) -> FeedFileError:
    filled = [r for r in seen if not _blank(r.cells)]
    if not filled:
        return FeedFileError(name, "the file is empty")
    binary = source.binary_line()
    if binary is not None:
        return FeedFileError(
            name,
            "not a text file: binary data where CSV text should be (a damaged or wrong file?)",
            row=binary,
        )
    best = max(filled, key=lambda r: _header_score(r.cells, spec)[0])
    found = _header_score(best.cells, spec)[1]
    missing = ", ".join(r for r in spec.required if r not in found.values())
    from reconcile.feeds.spec import specs

    other = next(
        (
            (feed, record.line)
            for record in filled
            for feed, other_spec in specs().items()
            if feed != spec.name and _is_header(record.cells, other_spec)
        ),
        None,
    )
    hint = (
        f"; row {other[1]} is the header of a {other[0]!r} file: is this file in the right slot?"
        if other
        else " (is this file in the right slot?)"
    )
    if source.kind == "jsonl":
        return FeedFileError(
            name, f"no record has the {spec.name!r} feed's required field(s) {missing}{hint}"
        )
    return FeedFileError(
        name,
        f"no header row of the {spec.name!r} feed in its first {len(filled)} non-blank rows:"
        f" required column(s) {missing} not found{hint}",
        row=best.line if not other else other[1],
    )


def _extra_columns(cells: list[object], mapping: dict[int, str]) -> dict[int, str]:
    """Headers outside the spec, as written; a header written twice gets ' (2)', ' (3)'..."""
    extra: dict[int, str] = {}
    taken = set(mapping.values())
    for position, cell in enumerate(cells):
        if position in mapping or cell in (None, "") or not str(cell).strip():
            continue
        header = " ".join(str(cell).split())
        unique, n = header, 1
        while unique in taken:
            n += 1
            unique = f"{header} ({n})"
        taken.add(unique)
        extra[position] = unique
    return extra


def _cut_off_line(source: _Source, rows: list[Record], header_width: int) -> int | None:
    """The last row, when the file ends in the middle of it: the reader saw it (inside a
    character, inside a quoted cell), or the file has no final line break and the last row
    has fewer cells than the rows before it."""
    if not rows:
        return None
    last = rows[-1]
    if last.cut:
        return last.line
    if not source.unterminated or source.kind != "csv" or not last.is_last:
        return None
    widths = Counter(len(r.cells) for r in rows[:-1])
    usual = widths.most_common(1)[0][0] if widths else header_width
    return last.line if len(last.cells) < usual else None


def read_table(
    path: Path, spec: FeedSpec, display_name: str | None = None, *, limits: FeedLimits | None = None
) -> RawTable:
    """Read ``path`` as a file of ``spec``'s feed; the header may sit below a title block.

    ``limits`` bound what the file may cost (None: the defaults of ``FeedLimits``).
    """
    name = display_name or path.name
    limits = limits or FeedLimits()
    sources = _sources(path, name, spec, limits)
    chosen: tuple[_Source, Iterator[Record], Record, dict[int, str]] | None = None
    first_seen: list[Record] | None = None
    for source in sources:
        records = _cut_long_cells(source.records(), limits.max_cell_chars)
        header, mapping, seen = _search_header(records, spec)
        if header is not None:
            chosen = (source, records, header, mapping)
            break
        if first_seen is None:
            first_seen = seen
    if chosen is None:
        raise _no_header(name, spec, sources[0], first_seen or [])
    source, records, header, mapping = chosen
    source.on_header(header.cells)
    named = [i for i, c in enumerate(header.cells) if c not in (None, "") and str(c).strip()]
    table = RawTable(
        name,
        spec.name,
        header.line,
        mapping,
        _extra_columns(header.cells, mapping),
        encoding=source.encoding,
        headers={i: " ".join(str(header.cells[i]).split()) for i in named},
    )
    rows: list[Record] = []
    last_line = None

    def keep(record: Record) -> None:
        if len(rows) >= limits.max_rows:
            raise too_many_rows(name, limits, record.line)
        if record.long_cells:
            where = {**table.extra_columns, **table.columns}
            cut = "; ".join(
                long_cell_fault(where.get(i, f"column {i + 1}"), n, limits)
                for i, n in record.long_cells
            )
            record.fault = f"{record.fault}; {cut}" if record.fault else cut
        rows.append(record)

    for record in records:
        last_line = record.line
        if record.fault or record.long_cells or not _blank(record.cells):
            keep(record)
    if source.kind == "xlsx":
        more = _more_sheets(sources, source, mapping, spec, last_line or header.line, limits)
        for record in more:
            if record.long_cells or not _blank(record.cells):
                keep(record)
    if rows and rows[-1].line == last_line:
        rows[-1].is_last = True
    table.rows = [(r.line, r.cells) for r in rows]
    table.faults = {r.line: r.fault for r in rows if r.fault}
    table.cut_off_line = _cut_off_line(source, rows, (named[-1] + 1) if named else 0)
    log.info(
        "read %s: %d data rows below the header on line %d", name, len(table.rows), header.line
    )
    return table
