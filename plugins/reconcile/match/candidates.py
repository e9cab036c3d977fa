"""The candidates stage (blocking) and the comparisons stage: which firms each unit is
compared with, and the comparison of each such pair.

One index serves the firms to match and the firms of the training sample: the model's
non-matches are the candidates the sampled units would have had (``training.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconcile.match import blocking
from reconcile.match.blocking import BlockingLimits
from reconcile.match.compare import compare
from reconcile.match.features import Record, ToMatch
from reconcile.match.pairs import ComparedPair


@dataclass(frozen=True)
class Candidates:
    """``blocks``: unit key -> indexes into ``population`` of its candidate firms, all of them
    firms to match (the first ``firms_to_match`` of the population); the rest of the
    population is the training sample's own firms."""

    index: blocking.Index
    population: list[Record]
    firms_to_match: int
    blocks: dict[str, set[int]]
    limits: BlockingLimits

    @property
    def count(self) -> int:
        return sum(len(found) for found in self.blocks.values())

    def of(self, units: Sequence[Record]) -> dict[str, set[int]]:
        """Candidates of other units (the training sample's) among the whole population."""
        return self.index.candidates(units, self.limits)


def find_candidates(
    to_match: ToMatch, own_firms: Sequence[Record], limits: BlockingLimits
) -> Candidates:
    """Block the units to match against the firms to match, in one index with ``own_firms``
    (the firms of the training sample, kept out of the units' candidates)."""
    population = to_match.firms + list(own_firms)
    index = blocking.Index(population, bool(limits.typo_keys_per_record))
    firms_to_match = len(to_match.firms)
    blocks = {
        unit: {i for i in found if i < firms_to_match}
        for unit, found in index.candidates(to_match.units, limits).items()
    }
    return Candidates(index, population, firms_to_match, blocks, limits)


def compare_candidates(
    to_match: ToMatch,
    candidates: Candidates,
    rejected: frozenset[tuple[str, str]],
    options: dict[str, Any],
) -> list[ComparedPair]:
    """The comparisons stage: each unit with each of its candidates, less the pairs an
    inspector said are not a match."""
    pairs = []
    for unit in to_match.units:
        for index in candidates.blocks.get(unit.key, ()):
            firm = to_match.firms[index]
            if (unit.key, firm.key) in rejected:
                continue
            pairs.append(ComparedPair(unit, firm, compare(unit, firm, options)))
    return pairs
