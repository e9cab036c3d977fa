"""The roll search's blocking and scoring, vectorised: which firm-unit pairs are worth judging
(a rare shared name token, a tax code one digit away, the same commune or the same street
address) and their name scores (``rapidfuzz`` ``cdist``/``cpdist`` in one pass)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from reconcile.match.features import Record, place

_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class Side:
    records: list[Record]
    cores: list[str]
    words: list[str]  # the name without trade words (distinctive tokens), else the core


def side_of(records: list[Record]) -> Side:
    return Side(
        records, [r.core for r in records], [" ".join(r.distinct) or r.core for r in records]
    )


def _masked(digits: str) -> list[str]:
    root = digits[:10]
    if len(root) != 10:
        return []
    return [f"{root[:i]}_{root[i + 1 :]}" for i in range(10)]


def _scoring_at_least(
    left: list[str], right: list[str], scorer: Any, cutoff: float
) -> list[tuple[int, int]]:
    """(i, j) of each ``left[i]``, ``right[j]`` that ``scorer`` rates ``cutoff`` or more (one
    vectorised ``cdist`` pass)."""
    scores = process.cdist(
        left, right, scorer=scorer, score_cutoff=cutoff, dtype=np.uint8, workers=1
    )
    rows, cols = scores.nonzero()
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def candidate_pairs(
    firms: Side, units: Side, opts: dict[str, Any]
) -> tuple[dict[int, set[int]], dict[int, set[int]], dict[int, set[int]]]:
    """firm index -> unit indexes worth scoring (rare shared token, same commune, near code),
    the same for the pairs whose codes are equal or one digit apart, and for the pairs at the
    same street address."""
    found: dict[int, set[int]] = defaultdict(set)
    near_code: dict[int, set[int]] = defaultdict(set)
    same_address: dict[int, set[int]] = defaultdict(set)
    # 1. a name token rare among the unlinked units
    by_token: dict[str, list[int]] = defaultdict(list)
    for j, unit in enumerate(units.records):
        for token in set(unit.distinct):
            by_token[token].append(j)
    limit = int(opts["max_block_size"])
    for i, firm in enumerate(firms.records):
        for token in set(firm.distinct):
            members = by_token.get(token)
            if members and len(members) <= limit:
                found[i].update(members)
    # 2. a near tax code (one digit masked)
    by_code: dict[str, list[int]] = defaultdict(list)
    for j, unit in enumerate(units.records):
        for key in _masked(unit.tax_digits):
            by_code[key].append(j)
    for i, firm in enumerate(firms.records):
        for key in _masked((firm.tax_code or "").replace("-", "")):
            found[i].update(by_code.get(key, ()))
            near_code[i].update(by_code.get(key, ()))
    # 3. the same commune, names scored in one vectorised pass per commune
    firms_in: dict[str, list[int]] = defaultdict(list)
    units_in: dict[str, list[int]] = defaultdict(list)
    for i, firm in enumerate(firms.records):
        for commune in place(firm).either_shape:
            firms_in[commune].append(i)
    for j, unit in enumerate(units.records):
        for commune in place(unit).either_shape:
            units_in[commune].append(j)
    cutoff, street_cutoff = float(opts["commune_cutoff"]), float(opts["same_street"])
    for commune, members in firms_in.items():
        others = units_in.get(commune)
        if not others:
            continue
        names = _scoring_at_least(
            [firms.words[i] for i in members],
            [units.words[j] for j in others],
            fuzz.token_set_ratio,
            cutoff,
        )
        for r, c in names:
            found[members[r]].add(others[c])
        # 4. the same street address in that commune, whatever the names
        streets = _scoring_at_least(
            [place(firms.records[i]).street for i in members],
            [place(units.records[j]).street for j in others],
            fuzz.ratio,
            street_cutoff,
        )
        for r, c in streets:
            street = place(firms.records[members[r]]).street
            # the numbers (house, lot, hamlet) equal: Số 14 is not Số 142
            if street and _NUMBERS.findall(street) == _NUMBERS.findall(
                place(units.records[others[c]]).street
            ):
                found[members[r]].add(others[c])
                same_address[members[r]].add(others[c])
    return found, near_code, same_address


def pair_keys(blocks: dict[int, set[int]], width: int) -> np.ndarray:
    """Pairs as sorted unique integers firm * width + unit."""
    keys = [i * width + j for i, members in blocks.items() for j in members]
    return np.unique(np.asarray(keys, dtype=np.int64))


def name_scores(firms: Side, units: Side, fi: np.ndarray, uj: np.ndarray) -> dict[str, np.ndarray]:
    """The name scores of the candidate pairs (firm ``fi[k]``, unit ``uj[k]``), vectorised."""

    def pairwise(left: list[str], right: list[str], scorer: Any) -> np.ndarray:
        a, b = [left[i] for i in fi.tolist()], [right[j] for j in uj.tolist()]
        return process.cpdist(a, b, scorer=scorer, dtype=np.float32, workers=1)

    name = pairwise(firms.words, units.words, fuzz.token_set_ratio)
    ratio = pairwise(firms.cores, units.cores, fuzz.ratio)
    partial = pairwise(firms.words, units.words, fuzz.partial_ratio)
    # a short name is a substring of many: partial similarity counts from 8 letters on
    shortest = np.minimum(
        np.fromiter((len(firms.words[i]) for i in fi.tolist()), dtype=np.int32, count=len(fi)),
        np.fromiter((len(units.words[j]) for j in uj.tolist()), dtype=np.int32, count=len(uj)),
    )
    best = np.maximum(np.maximum(name, ratio), np.where(shortest >= 8, partial * 0.95, 0))
    return {"name": name, "ratio": ratio, "partial": partial, "best": best}
