"""The fallback stage: a second look for the units left without a link.

Typos in every rare token, a name shared by many firms, the best candidate taken by a better
unit: blocking served these units badly. The firms still free whose whole name, or name
without trade words, is closest (a vectorised scan) are compared with them, and their
first-pass pairs compete again with what the scan finds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from reconcile.match.assign import assign
from reconcile.match.compare import compare
from reconcile.match.features import Record, ToMatch
from reconcile.match.linked import Linked, PartitionKey
from reconcile.match.model import Model, weigh
from reconcile.match.options import Bands
from reconcile.match.pairs import ComparedPair


@dataclass(frozen=True)
class SecondLook:
    linked: Linked
    extra_pairs: list[ComparedPair]  # the pairs the scan found, beside the first pass's


def second_look(
    to_match: ToMatch,
    pairs: Sequence[ComparedPair],
    linked: Linked,
    rejected: frozenset[tuple[str, str]],
    model: Model,
    bands: Bands,
    options: dict[str, Any],
    where: PartitionKey,
) -> SecondLook:
    """The units with a name and no link, against the firms still free: their review rows
    of the first pass are dropped, and their pairs of both passes assigned again."""
    lost = [u for u in to_match.units if u.core and u.key not in linked.units]
    lost_keys = {u.key for u in lost}
    free = [f for f in to_match.firms if f.key not in linked.firms]
    seen = {pair.keys for pair in pairs}
    extra = closest_names(lost, free, seen, rejected, options)
    # the first pass's pairs and the scan's compete as one unit's alternatives
    again = [pair for pair in (*pairs, *extra) if pair.unit.key in lost_keys]
    scored = weigh(again, model, bands.review)
    return SecondLook(
        assign(scored, linked.without_review_of(lost_keys), model, bands, where), extra
    )


def closest_names(
    units: list[Record],
    firms: list[Record],
    seen: set[tuple[str, str]],
    rejected: frozenset[tuple[str, str]],
    options: dict[str, Any],
) -> list[ComparedPair]:
    """Pairs for units that blocking served badly: each unit's closest firm names by edit
    ratio (``fallback.candidates`` of them, ties with the last kept up to
    ``fallback.max_candidates``). ``seen`` (pairs already compared) grows with those found."""
    if not units or not firms:
        return []
    settings = options["fallback"]
    top = int(settings["candidates"])

    def distinctive(record: Record) -> str:
        return " ".join(record.distinct) or record.core

    def whole(record: Record) -> str:
        return record.core

    out = []
    # the whole name finds typos; the name without trade words finds those dropped or reordered
    key: Callable[[Record], str]
    for key in (whole, distinctive):
        queries, choices = [key(u) for u in units], [key(f) for f in firms]
        scores = process.cdist(
            queries,
            choices,
            scorer=fuzz.ratio,
            dtype="uint8",
            workers=1,
            score_cutoff=float(settings["min_score"]),
        )
        for row, unit in enumerate(units):
            hits = scores[row].nonzero()[0]
            if not len(hits):
                continue
            ranked = hits[scores[row][hits].argsort(kind="stable")[::-1]]
            cut = scores[row][ranked[min(top, len(ranked)) - 1]]  # keep every tie with the last one
            for index in ranked[: int(settings["max_candidates"])]:
                if scores[row][index] < cut:
                    break
                firm = firms[int(index)]
                if (unit.key, firm.key) in seen or (unit.key, firm.key) in rejected:
                    continue
                seen.add((unit.key, firm.key))
                out.append(ComparedPair(unit, firm, compare(unit, firm, options)))
    return out
