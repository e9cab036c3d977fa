"""CSV records: quotes read strictly where that is sound, leniently where a stray quote would
cost the rows around it, and one source per plausible delimiter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits import FeedLimits, check_line_count
from reconcile.feeds.readers.decoding import DecodedText, _binary_line, _decode_narrow, decode_text
from reconcile.feeds.readers.header import HEADER_SEARCH_ROWS
from reconcile.feeds.readers.records import Record, _Source

MAX_CELL_LINES = 20  # a quoted CSV cell may run over this many lines, no more


DELIMITERS = (",", ";", "\t", "|")


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
                    [*_lenient_cells(joined, delimiter)],
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
                yield Record(number, [*_lenient_cells("\n".join(rest), delimiter)], cut=True)
                return
        yield Record(number, [*_lenient_cells(line, delimiter)], cut=last and text.truncated)
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
                    records=partial(_csv_records, text, delimiter, shape),
                    on_header=on_header,
                    unterminated=not text.terminated,
                    encoding=text.encoding,
                    binary_line=partial(_binary_line, text, data),
                )
            )
    return sources
