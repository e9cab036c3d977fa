"""How big a partner file may be, checked before it is parsed, so a hostile file is refused fast.

A probe found files that cost far more than their size: a 1.5 KB workbook whose used range
spans A1:XFD1048576 (openpyxl makes a cell for every position: 4.8 GB, then MemoryError), a
6.7 MB workbook holding 2 GB of sheet XML (a zip bomb), a 200 MB one-column CSV (2.1 GB before
it was refused) and a 50,000,000-character cell stored as a firm name. Each limit here bounds
one of those costs, and is checked on what can be read cheaply before the parser sees the file:
the file's size on disk, its line breaks counted in the bytes, a workbook's zip directory and
its XML scanned in a stream (never held whole), so a breach is refused within seconds and the
memory one file can take is bounded by the limits, not by what the file claims.

A breach of a file-wide limit raises ``FeedFileError`` naming the limit, the value found, the
configured limit and what to do. A cell that is too long is not a file-wide breach: its row is
quarantined with the reason and its text cut, so the good rows around it are never lost.

The limits are configuration (``limits:`` in the YAML named by ``RECONCILE_CONFIG``), and the
defaults leave headroom over the national size: the largest city's tax CSV is about 42 MB and
150,000 rows, its registry workbook 15.5 MB, 124 MB of sheet XML and about 2,000,000 cells.
"""

from __future__ import annotations

from pathlib import Path

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits_model import (
    LINES_PER_ROW,
    MB,
    SPARE_LINES,
    FeedLimits,
    advice,
    size_text,
)
from reconcile.feeds.workbook_scan import (
    ELEMENTS_PER_CELL,
    MAX_XLSX_ENTRIES,
    RATIO_FLOOR_BYTES,
    WorkbookFacts,
    check_workbook,
)

__all__ = [
    "ELEMENTS_PER_CELL",
    "LINES_PER_ROW",
    "MAX_XLSX_ENTRIES",
    "MB",
    "RATIO_FLOOR_BYTES",
    "SPARE_LINES",
    "FeedLimits",
    "WorkbookFacts",
    "check_file_size",
    "check_line_count",
    "check_workbook",
    "cut_text",
    "long_cell_fault",
    "too_many_rows",
]


# --------------------------------------------------------------------------- any file
def check_file_size(path: Path, name: str, limits: FeedLimits) -> None:
    """Refuse a file larger than ``max_file_bytes`` before a byte of it is read."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise FeedFileError(
            name,
            f"file of {size_text(size)}, over the limit of {size_text(limits.max_file_bytes)}"
            f" (limits.max_file_bytes): {advice('max_file_bytes')}",
        )


def check_line_count(data: bytes, name: str, limits: FeedLimits) -> None:
    """Refuse a text file with far more lines than data rows allowed, before decoding it.

    Decoding keeps every line as a string (about 60 bytes each however short), so a file of
    many tiny lines costs many times its size; counting line breaks in the bytes is cheap.
    """
    allowed = LINES_PER_ROW * limits.max_rows + SPARE_LINES
    if len(data) <= allowed:  # fewer bytes than lines allowed: cannot be over
        return
    lines = max(data.count(b"\n"), data.count(b"\r"))
    if lines > allowed:
        raise FeedFileError(
            name,
            f"{lines:,} lines, more than the {allowed:,} a file of at most {limits.max_rows:,}"
            f" data rows (limits.max_rows) may have: {advice('max_rows')}",
        )


def too_many_rows(name: str, limits: FeedLimits, line: int) -> FeedFileError:
    """The refusal for a file found, while it is read, to hold more than ``max_rows`` rows."""
    return FeedFileError(
        name,
        f"more than {limits.max_rows:,} data rows (limits.max_rows): the file is refused at the"
        f" first row over the limit; {advice('max_rows')}",
        row=line,
    )


def cut_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked so no one takes the rest for lost."""
    return f"{text[:limit]}… [cut: {len(text):,} characters]"


def long_cell_fault(column: str, length: int, limits: FeedLimits) -> str:
    return (
        f"{column}: cell of {length:,} characters, longer than the limit of"
        f" {limits.max_cell_chars:,} (limits.max_cell_chars); the text kept in raw is cut"
    )
