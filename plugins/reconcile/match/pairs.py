"""A candidate pair as the stages pass it on: compared (``ComparedPair``), then weighed
(``ScoredPair``). Typed values rather than tuples read by position."""

from __future__ import annotations

from dataclasses import dataclass

from reconcile.match.compare import Comparison
from reconcile.match.features import Record


@dataclass(frozen=True)
class ComparedPair:
    """A unit and a candidate firm, with the level of each comparison."""

    unit: Record
    firm: Record
    comparison: Comparison

    @property
    def keys(self) -> tuple[str, str]:
        return self.unit.key, self.firm.key


@dataclass(frozen=True)
class ScoredPair:
    """A compared pair weighed by the model: ``weight`` is its log2 odds taken alone,
    ``probability`` its share among the unit's candidates (``Model.posteriors``)."""

    unit: Record
    firm: Record
    comparison: Comparison
    weight: float
    probability: float

    def order(self) -> tuple[float, str, str]:
        """The heaviest first; ties by unit, then firm, so that a rerun assigns the same."""
        return -self.weight, self.unit.key, self.firm.key
