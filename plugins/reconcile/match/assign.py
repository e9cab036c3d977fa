"""The assignment stage: weighed pairs into links and review rows, one to one."""

from __future__ import annotations

from collections.abc import Sequence

from reconcile.match.explain import explain
from reconcile.match.linked import Band, Linked, LinkRow, PartitionKey
from reconcile.match.model import Model
from reconcile.match.options import Bands
from reconcile.match.pairs import ScoredPair


def assign(
    scored: Sequence[ScoredPair], linked: Linked, model: Model, bands: Bands, where: PartitionKey
) -> Linked:
    """Greedy one-to-one: the heaviest pair first, each unit and each firm once, none already
    linked. A pair at ``bands.link`` or above is a link, below it a review row (which holds its
    unit and firm for this assignment only)."""
    taken_units, taken_firms = set(linked.units), set(linked.firms)
    rows = []
    for pair in sorted(scored, key=ScoredPair.order):
        if pair.unit.key in taken_units or pair.firm.key in taken_firms:
            continue
        taken_units.add(pair.unit.key)
        taken_firms.add(pair.firm.key)
        band: Band = "link" if pair.probability >= bands.link else "review"
        rows.append(
            LinkRow.of(
                where,
                pair.unit.key,
                pair.firm.key,
                "fuzzy",
                round(pair.weight, 3),
                band,
                explain(pair, model),
            )
        )
    return linked.plus(rows)
