"""What a reader hands on: the records of one way of reading a file, and the table they make.

A record carries its own faults (cut off, not JSON, a cell over the length limit); a source is
one way of reading the file (CSV offers one per plausible delimiter), tried until one has the
header. The header index of a spec is built once, not once per cell.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from reconcile.feeds.limits import cut_text
from reconcile.feeds.spec import FeedSpec
from reconcile.text.unicode import header_key

CUT_OFF = "row cut off: the file ends in the middle of it"


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
