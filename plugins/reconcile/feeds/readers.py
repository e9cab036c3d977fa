"""Read a partner file into rows of raw cells under canonical column names.

The reader's job is only to find the header row (below any title block), map the headers to
the feed's canonical columns, and hand every data row on with its position in the file. It
decides nothing about whether a row is good: that is cleaning's and validation's job. What it
cannot do at all (no header found, an encoding it cannot decode, a broken workbook) raises
``FeedFileError`` naming the file, the row and the fault.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.spec import FeedSpec

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30


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


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """Decode CSV bytes, detecting the encoding: BOMs first, then UTF-8, then Windows-1258."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise FeedFileError(
                    file_name,
                    f"declared {encoding} by its BOM but {exc.reason} at byte {exc.start}",
                ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258"), "cp1258"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FeedFileError(file_name, "neither UTF-8 nor Windows-1258 text", row=line) from exc


def _sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get) if max(counts.values()) > 0 else ","


def _csv_rows(path: Path) -> tuple[Iterator[tuple[int, list[object]]], str]:
    text, encoding = decode_text(path.read_bytes(), path.name)
    text = text.replace("\x00", "")
    if text and not text.endswith(("\n", "\r")):
        text += "\n\x00cut"  # a marker record: the line before it was not finished
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text[:4096]))

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for number, row in enumerate(reader, start=1):
                yield number, list(row)
        except csv.Error as exc:
            raise FeedFileError(path.name, f"broken CSV: {exc}", row=reader.line_num) from exc

    return rows(), encoding


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FeedFileError(
            path.name, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from exc
    sheet = book.worksheets[0]
    # A merged range holds its value in the top-left cell only: spread it over the range so that
    # a merged header or a merged name cell reads the same in every row it covers.
    for merged in list(sheet.merged_cells.ranges):
        value = sheet.cell(merged.min_row, merged.min_col).value
        sheet.unmerge_cells(str(merged))
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                sheet.cell(row, col).value = value
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, list(row)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    """JSON lines become a header line (the union of keys, in first-seen order) and rows."""
    text, _ = decode_text(path.read_bytes(), path.name)
    records: list[tuple[int, dict[str, object]]] = []
    keys: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            record = {"__unparsed__": line, "__error__": f"not JSON: {exc.msg}"}
        if not isinstance(record, dict):
            record = {"__unparsed__": line, "__error__": "not a JSON object"}
        records.append((number, record))
        keys.update(dict.fromkeys(record))
    header = list(keys)
    yield 0, header
    for number, record in records:
        yield number, [record.get(key) for key in header]


def iter_cells(path: Path) -> tuple[Iterator[tuple[int, list[object]]], str | None]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_rows(path), None
    if suffix == ".jsonl":
        return _jsonl_rows(path), "utf-8"
    if suffix in (".csv", ".txt"):
        return _csv_rows(path)
    raise FeedFileError(
        path.name, f"unsupported file type {suffix!r} (expected .csv, .xlsx or .jsonl)"
    )


def _header_score(cells: list[object], spec: FeedSpec) -> tuple[int, dict[int, str]]:
    mapping: dict[int, str] = {}
    for position, cell in enumerate(cells):
        canonical = spec.canonical(cell) if cell not in (None, "") else None
        if canonical and canonical not in mapping.values():
            mapping[position] = canonical
    return len(mapping), mapping


def read_table(path: Path, spec: FeedSpec, display_name: str | None = None) -> RawTable:
    """Read ``path`` as a file of ``spec``'s feed; the header may sit below a title block."""
    name = display_name or path.name
    rows, encoding = iter_cells(path)
    buffered: list[tuple[int, list[object]]] = []
    header: tuple[int, dict[int, str], list[object]] | None = None
    for line, cells in rows:
        buffered.append((line, cells))
        score, mapping = _header_score(cells, spec)
        if score and all(r in mapping.values() for r in spec.required):
            header = (line, mapping, cells)
            break
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        if not buffered or all(
            not any(c not in (None, "") for c in cells) for _, cells in buffered
        ):
            raise FeedFileError(name, "the file is empty")
        best_line, best = max(
            ((line, _header_score(cells, spec)[1]) for line, cells in buffered),
            key=lambda item: len(item[1]),
        )
        missing = [r for r in spec.required if r not in best.values()]
        raise FeedFileError(
            name,
            f"no header row of the {spec.name!r} feed in its first {len(buffered)} rows: required "
            f"column(s) {', '.join(missing)} not found (is this file in the right slot?)",
            row=best_line,
        )
    header_line, mapping, header_cells = header
    extra = {
        position: str(cell).strip()
        for position, cell in enumerate(header_cells)
        if position not in mapping and cell not in (None, "") and not str(cell).startswith("__")
    }
    table = RawTable(name, spec.name, header_line, mapping, extra, encoding=encoding)
    width = len(header_cells)
    for line, cells in rows:
        if cells == ["\x00cut"]:
            if table.rows and table.rows[-1][0] == line - 1 and len(table.rows[-1][1]) < width:
                table.cut_off_line = line - 1
            continue
        if any(cell not in (None, "") and str(cell).strip() != "" for cell in cells):
            table.rows.append((line, cells))
    log.info(
        "read %s: %d data rows below the header on line %d", name, len(table.rows), header_line
    )
    return table
