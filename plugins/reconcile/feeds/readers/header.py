"""Finding the header row below a title block, and saying why none was found: an empty file,
a binary one, the required columns missing, or the header of another feed (a file in the wrong slot)."""

from __future__ import annotations

from collections.abc import Iterator

from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.readers.records import Record, _Source, canonical_of
from reconcile.feeds.spec import FeedSpec

HEADER_SEARCH_ROWS = 30  # non-blank rows searched for the header


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
