"""``read_table``: the file's sources tried until one has the header, its rows kept within the
limits, the workbook's other sheets of the same header read on, and a last row cut off noticed."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits import FeedLimits, check_file_size, long_cell_fault, too_many_rows
from reconcile.feeds.readers.delimited import _csv_sources
from reconcile.feeds.readers.header import _blank, _extra_columns, _no_header, _search_header
from reconcile.feeds.readers.json_lines import _jsonl_source
from reconcile.feeds.readers.records import RawTable, Record, _cut_long_cells, _Source
from reconcile.feeds.readers.workbooks import _xlsx_sources
from reconcile.feeds.spec import FeedSpec

log = logging.getLogger(__name__)


def _more_sheets(
    sources: list[_Source],
    chosen: _Source,
    mapping: dict[int, str],
    spec: FeedSpec,
    first_line: int,
    limits: FeedLimits,
) -> Iterator[Record]:
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
