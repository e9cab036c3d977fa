"""JSON lines as records: a header record of the keys found, one record per line, and a line
that does not parse kept as its row's fault with the line as written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from reconcile.feeds.limits import FeedLimits, check_line_count
from reconcile.feeds.readers.decoding import _binary_line, decode_text
from reconcile.feeds.readers.records import CUT_OFF, Record, _Source, canonical_of
from reconcile.feeds.spec import FeedSpec


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
