"""Link a partition's employer units to its firms: decisions, exact codes, then fuzzy matching.

``link_partition`` is the list of stages, each a function with typed inputs and outputs in a
module of its own, as Splink splits its pipeline:

1. exact (``exact.py``): inspectors' decisions first ("confirmed" pairs are links, "not a
   match" pairs never are), then the unit's normalised tax code naming a firm (or, for a
   ``-NNN`` unit, its parent), unless the names show two different firms or a branch carries
   its parent's code;
2. features (``features.records_to_match``): the units and firms left, as records;
3. candidates (``candidates.find_candidates``): blocking;
4. comparisons (``candidates.compare_candidates``): each candidate pair's level of each
   comparison (``compare.py``, the levels declared in ``levels.py``);
5. model (``training.py``, ``model.weigh``): weights learned from the exact links, each pair
   weighed among its unit's candidates (a ``ScoredPair``);
6. assignment (``assign.py``): one to one by weight, links and a band of doubtful pairs;
7. fallback (``fallback.py``): a second look for the units left unlinked.

What is linked so far passes from stage to stage as a ``Linked`` value (``linked.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reconcile.match.assign import assign
from reconcile.match.blocking import BlockingLimits
from reconcile.match.candidates import compare_candidates, find_candidates
from reconcile.match.exact import Decisions, exact_links
from reconcile.match.fallback import second_look
from reconcile.match.features import records_to_match
from reconcile.match.linked import LINK_COLUMNS, PartitionKey
from reconcile.match.model import Model, weigh
from reconcile.match.options import Bands, matching_options
from reconcile.match.training import train_model, training_sample

__all__ = ["LINK_COLUMNS", "LinkResult", "link_partition", "matching_options"]

log = logging.getLogger(__name__)


@dataclass
class LinkResult:
    links: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)
    model: Model | None = None


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 3)


def link_partition(
    firms: pd.DataFrame,
    units: pd.DataFrame,
    decisions: pd.DataFrame | None = None,
    options: dict[str, Any] | None = None,
) -> LinkResult:
    """Links (band ``link``) and doubtful pairs (band ``review``) for one quarter and province."""
    opts = matching_options(options)
    timer = _Timer()
    if firms.empty or units.empty:
        return LinkResult(pd.DataFrame(columns=LINK_COLUMNS), {"pairs_scored": 0, "candidates": 0})
    # the training sample and ties follow row order, and a database returns rows in no fixed
    # order: sorted here, a rerun of the same partition links the same
    firms = firms.sort_values("tax_code", kind="stable", ignore_index=True)
    units = units.sort_values("unit_code", kind="stable", ignore_index=True)
    where = PartitionKey(str(units["quarter"].iloc[0]), str(units["province"].iloc[0]))
    said = Decisions.of(decisions)
    firm_rows = {row.tax_code: row for row in firms.itertuples(index=False)}
    bands = Bands.from_options(opts)

    with timer.stage("exact"):
        exact = exact_links(units, firm_rows, said, opts, where)
    with timer.stage("features"):
        to_match = records_to_match(units, firm_rows, exact.linked, where.province)
    with timer.stage("blocking"):
        sample = training_sample(exact.pairs, where.province)
        own_firms = [known.own for known in sample]
        candidates = find_candidates(to_match, own_firms, BlockingLimits.from_options(opts))
    with timer.stage("scoring"):
        pairs = compare_candidates(to_match, candidates, said.rejected, opts)
    with timer.stage("training"):
        model = train_model(sample, candidates, pairs, len(to_match.units), opts)
    with timer.stage("weighing"):
        scored = weigh(pairs, model, bands.review)
    with timer.stage("assignment"):
        linked = assign(scored, exact.linked, model, bands, where)
    with timer.stage("fallback"):
        second = second_look(to_match, pairs, linked, said.rejected, model, bands, opts, where)

    links = second.linked.frame()
    stats = {
        "units": len(units),
        "firms": len(firms),
        "exact": len(exact.pairs),
        "units_to_match": len(to_match.units),
        "firms_to_match": len(to_match.firms),
        "candidates": candidates.count,
        "pairs_scored": len(pairs) + len(second.extra_pairs),
        "training_matches": model.trained_on,
        "fuzzy_links": int(((links["method"] == "fuzzy") & (links["band"] == "link")).sum()),
        "review": int((links["band"] == "review").sum()),
        "seconds_by_stage": timer.seconds,
    }
    log.info(
        "linking %s/%s: %s",
        where.quarter,
        where.province,
        {k: v for k, v in stats.items() if k != "seconds_by_stage"},
    )
    return LinkResult(links, stats, model)
