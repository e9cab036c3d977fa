"""Link a partition's employer units to its firms: decisions, exact codes, then fuzzy matching.

1. Inspectors' decisions first: "confirmed" pairs are links, "not a match" pairs never are.
2. Exact: the unit's normalised tax code names a firm (or, for a ``-NNN`` unit, its parent),
   unless the names show two different firms or a branch carries its parent's code.
3. Fuzzy, for the units left: blocking, comparisons with levels, a model learned from the
   exact links, one-to-one assignment by weight, and a band of doubtful pairs for review.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from rapidfuzz import fuzz, process

from reconcile.match import blocking
from reconcile.match.compare import Comparison, compare
from reconcile.match.features import Record, place, quick_name, reads_as_branch, record
from reconcile.match.model import Model, train
from reconcile.settings import load_yaml, package_data

log = logging.getLogger(__name__)

LINK_COLUMNS = [
    "quarter",
    "province",
    "unit_code",
    "tax_code",
    "method",
    "weight",
    "band",
    "evidence",
]
TRAINING_SAMPLE = 1500


@dataclass
class LinkResult:
    links: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)
    model: Model | None = None


def matching_options(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    options = dict(load_yaml(package_data("match/data/matching.yaml")))
    for key, value in (overrides or {}).items():
        options[key] = {**options.get(key, {}), **value} if isinstance(value, dict) else value
    return options


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 3)


def _decisions(decisions: pd.DataFrame | None) -> tuple[set[tuple[str, str]], dict[str, str]]:
    if decisions is None or decisions.empty:
        return set(), {}
    rejected = {(u, t) for u, t, d in decisions[["unit_code", "tax_code", "decision"]].itertuples(index=False)
                if d == "not_a_match"}  # fmt: skip
    confirmed = {u: t for u, t, d in decisions[["unit_code", "tax_code", "decision"]].itertuples(index=False)
                 if d == "confirmed"}  # fmt: skip
    return rejected, confirmed


def link_partition(firms: pd.DataFrame, units: pd.DataFrame, decisions: pd.DataFrame | None = None,
                   options: dict[str, Any] | None = None) -> LinkResult:  # fmt: skip
    """Links (band ``link``) and doubtful pairs (band ``review``) for one quarter and province."""
    opts = matching_options(options)
    timer = _Timer()
    if firms.empty or units.empty:
        return LinkResult(pd.DataFrame(columns=LINK_COLUMNS), {"pairs_scored": 0, "candidates": 0})
    # the training sample and ties follow row order, and a database returns rows in no fixed
    # order: sorted here, a rerun of the same partition links the same
    firms = firms.sort_values("tax_code", kind="stable", ignore_index=True)
    units = units.sort_values("unit_code", kind="stable", ignore_index=True)
    quarter, province = str(units["quarter"].iloc[0]), str(units["province"].iloc[0])
    rejected, confirmed = _decisions(decisions)
    firm_rows = {row.tax_code: row for row in firms.itertuples(index=False)}
    branches_of: dict[str, int] = {}
    for code in firm_rows:
        if "-" in code:
            branches_of[code[:10]] = branches_of.get(code[:10], 0) + 1
    rows: list[dict[str, Any]] = []
    linked_units: set[str] = set()
    linked_firms: set[str] = set()
    exact_pairs: list[tuple[Any, Any]] = []

    def emit(
        unit: Any, tax_code: str, method: str, weight: float, band: str, evidence: dict[str, Any]
    ) -> None:
        rows.append({"quarter": quarter, "province": province, "unit_code": unit.unit_code, "tax_code": tax_code,
                     "method": method, "weight": weight, "band": band, "evidence": evidence})  # fmt: skip
        if band == "link":
            linked_units.add(unit.unit_code)
            linked_firms.add(tax_code)

    with timer.stage("exact"):
        for unit in units.itertuples(index=False):
            if unit.unit_code in confirmed and confirmed[unit.unit_code] in firm_rows:
                emit(unit, confirmed[unit.unit_code], "confirmed", 1.0, "link",
                     {"decision": "confirmed", "roll_tax_code": _text(unit.tax_code_raw)})  # fmt: skip
                continue
            code = _text(unit.tax_code)
            if code is None:
                continue
            target, method = (code, "exact") if code in firm_rows else (code[:10], "exact_parent")
            if target not in firm_rows or (unit.unit_code, target) in rejected:
                continue
            firm = firm_rows[target]
            unit_name, firm_name = quick_name(_text(unit.name)), quick_name(_text(firm.name))
            score = fuzz.token_set_ratio(unit_name, firm_name)
            if score < opts["exact"]["min_name_score"]:
                continue  # the same code on two plainly different names: let the matcher weigh it
            if (
                method == "exact"
                and branches_of.get(target)
                and reads_as_branch(_text(unit.name))
                and not reads_as_branch(_text(firm.name))
            ):
                continue  # a branch written with its parent's code: one of the branches, not the parent
            emit(unit, target, method, 1.0, "link", {"roll_tax_code": _text(unit.tax_code_raw), "normalised": code,
                                                     "firm_tax_code": target, "name_score": round(score, 1)})  # fmt: skip
            exact_pairs.append((unit, firm))

    with timer.stage("features"):
        left_units = [u for u in units.itertuples(index=False) if u.unit_code not in linked_units]
        unit_records = [
            record(
                u.unit_code,
                _text(u.name),
                _text(u.address),
                province,
                _text(u.tax_code),
                _text(u.tax_code_raw),
            )
            for u in left_units
        ]
        left_firms = [f for code, f in firm_rows.items() if code not in linked_firms]
        firm_records = [record(f.tax_code, _text(f.name), _text(f.address), province, f.tax_code, f.tax_code)
                        for f in left_firms]  # fmt: skip

    with timer.stage("blocking"):
        # one index for the firms to match and the linked firms the model trains on
        sample = _training_sample(exact_pairs, province)
        population = firm_records + [own for _, own in sample]
        settings = opts["blocking"]
        limits = (int(settings["max_block_size"]), int(settings["keys_per_record"]),
                  int(settings.get("typo_keys_per_record", 0)), int(settings.get("address_block_size", 0)),
                  int(settings.get("hamlet_block_size", 0)))  # fmt: skip
        firm_index = blocking.Index(population, bool(limits[2]))
        blocks = {unit: {i for i in found if i < len(firm_records)}
                  for unit, found in firm_index.candidates(unit_records, *limits).items()}  # fmt: skip

    with timer.stage("scoring"):
        pairs: list[tuple[Record, Record, Comparison]] = []
        for unit in unit_records:
            for index in blocks.get(unit.key, ()):
                firm = firm_records[index]
                if (unit.key, firm.key) in rejected:
                    continue
                pairs.append((unit, firm, compare(unit, firm, opts)))

    with timer.stage("training"):
        model = _train(sample, population, firm_index.candidates([u for u, _ in sample], *limits),
                       [c for _, _, c in pairs], len(unit_records), opts)  # fmt: skip

    with timer.stage("weighing"):
        link_at, review_at = float(opts["bands"]["link"]), float(opts["bands"]["review"])
        scored = _weigh(pairs, model, review_at)

    unit_by_code = {u.unit_code: u for u in left_units}
    taken_units: set[str] = set()
    taken_firms: set[str] = set()

    def assign(candidates: list[tuple]) -> None:
        """Greedy one-to-one: the heaviest pair first, each unit and each firm once."""
        for weight, probability, unit, firm, comparison in sorted(
            candidates, key=lambda item: (-item[0], item[2].key, item[3].key)
        ):
            if unit.key in taken_units or firm.key in taken_firms:
                continue
            taken_units.add(unit.key)
            taken_firms.add(firm.key)
            band = "link" if probability >= link_at else "review"
            emit(unit_by_code[unit.key], firm.key, "fuzzy", round(weight, 3), band,
                 explain(unit, firm, comparison, model, weight, probability))  # fmt: skip

    with timer.stage("assignment"):
        assign(scored)

    with timer.stage("fallback"):
        # Units left without a link (typos in every rare token, a name shared by many firms,
        # the best candidate taken by a better unit) get a second look: the firms still free
        # whose whole name, or name without trade words, is closest (a vectorised scan). Their
        # first-pass review pairs compete again with what the scan finds.
        lost = [u for u in unit_records if u.core and u.key not in linked_units]
        lost_keys = {u.key for u in lost}
        free = [f for f in firm_records if f.key not in linked_firms]
        extra = _closest_names(lost, free, {(u.key, f.key) for u, f, _ in pairs}, rejected, opts)
        pairs += extra
        rows[:] = [r for r in rows if not (r["band"] == "review" and r["unit_code"] in lost_keys)]
        taken_units.clear()
        taken_units.update(linked_units)
        taken_firms.clear()
        taken_firms.update(linked_firms)
        # the first pass's pairs and the scan's compete as one unit's alternatives
        assign(_weigh([pair for pair in pairs if pair[0].key in lost_keys], model, review_at))

    links = pd.DataFrame(rows, columns=LINK_COLUMNS)
    stats = {
        "units": len(units), "firms": len(firms), "exact": len(exact_pairs),
        "units_to_match": len(unit_records), "firms_to_match": len(firm_records),
        "candidates": sum(len(v) for v in blocks.values()), "pairs_scored": len(pairs),
        "training_matches": model.trained_on,
        "fuzzy_links": int(((links["method"] == "fuzzy") & (links["band"] == "link")).sum()),
        "review": int((links["band"] == "review").sum()), "seconds_by_stage": timer.seconds,
    }  # fmt: skip
    log.info(
        "linking %s/%s: %s",
        quarter,
        province,
        {k: v for k, v in stats.items() if k != "seconds_by_stage"},
    )
    return LinkResult(links, stats, model)


def _weigh(
    pairs: list[tuple[Record, Record, Comparison]], model: Model, review_at: float
) -> list[tuple]:
    """Each pair's probability among its unit's candidates (``Model.posteriors``)."""
    by_unit: dict[str, list[tuple[Record, Record, Comparison]]] = {}
    for pair in pairs:
        by_unit.setdefault(pair[0].key, []).append(pair)
    out = []
    for group in by_unit.values():
        comparisons = [comparison for _, _, comparison in group]
        for (unit, firm, comparison), (weight, probability) in zip(
            group, model.posteriors(comparisons), strict=True
        ):
            if probability >= review_at:
                out.append((weight, probability, unit, firm, comparison))
    return out


def _closest_names(units: list[Record], firms: list[Record], seen: set[tuple[str, str]],
                   rejected: set[tuple[str, str]], opts: dict[str, Any]) -> list[tuple[Record, Record, Comparison]]:  # fmt: skip
    """Pairs for units that blocking served badly: each unit's closest firm names by edit ratio."""
    if not units or not firms:
        return []
    fallback = opts["fallback"]
    top = int(fallback["candidates"])

    def distinctive(record: Record) -> str:
        return " ".join(record.distinct) or record.core

    out = []
    # the whole name finds typos; the name without trade words finds those dropped or reordered
    for key in (lambda r: r.core, distinctive):
        queries, choices = [key(u) for u in units], [key(f) for f in firms]
        scores = process.cdist(queries, choices, scorer=fuzz.ratio, score_cutoff=float(fallback["min_score"]),
                               dtype="uint8", workers=1)  # fmt: skip
        for row, unit in enumerate(units):
            hits = scores[row].nonzero()[0]
            if not len(hits):
                continue
            ranked = hits[scores[row][hits].argsort(kind="stable")[::-1]]
            cut = scores[row][ranked[min(top, len(ranked)) - 1]]  # keep every tie with the last one
            for index in ranked[: int(fallback["max_candidates"])]:
                if scores[row][index] < cut:
                    break
                firm = firms[int(index)]
                if (unit.key, firm.key) in seen or (unit.key, firm.key) in rejected:
                    continue
                seen.add((unit.key, firm.key))
                out.append((unit, firm, compare(unit, firm, opts)))
    return out


def _training_sample(
    exact_pairs: list[tuple[Any, Any]], province: str
) -> list[tuple[Record, Record]]:
    """Up to TRAINING_SAMPLE exact links as (unit, firm) records, the unit's tax code left out
    (compared as a fuzzy pair would be)."""
    sample = (
        exact_pairs
        if len(exact_pairs) <= TRAINING_SAMPLE
        else random.Random(0).sample(exact_pairs, TRAINING_SAMPLE)
    )
    return [
        (record(u.unit_code, _text(u.name), _text(u.address), province, None, None),
         record(f.tax_code, _text(f.name), _text(f.address), province, f.tax_code, f.tax_code))
        for u, f in sample
    ]  # fmt: skip


def _train(sample: list[tuple[Record, Record]], population: list[Record], blocks: dict[str, set[int]],
           fuzzy_pairs: list[Comparison], units_to_match: int, opts: dict[str, Any]) -> Model:  # fmt: skip
    """m from a sample of exact links; u from the other candidates those units would have had.

    Blocking the sampled units against their own firms and the firms still unlinked gives
    non-matches as hard as the real candidates (names that share rare tokens), unlike random
    pairs. The fuzzy candidates themselves hold their true matches, so they serve for u only
    when the exact links are too few.
    """
    matches, non_matches = [], []
    for unit, own in sample:
        matches.append(compare(unit, own, opts))
        for index in blocks.get(unit.key, ()):
            # the firm's own head office and branches share its name by design and are told
            # apart by the legal-form and tax-code comparisons: as non-matches for the name
            # and address they would make an equal name look common
            if population[index].key[:10] != own.key[:10]:
                non_matches.append(compare(unit, population[index], opts))
    if len(non_matches) < int(opts["model"]["min_training_pairs"]):
        non_matches += fuzzy_pairs
    return train(matches, non_matches, units_to_match, max(len(fuzzy_pairs), 1), opts)


def explain(unit: Record, firm: Record, comparison: Comparison, model: Model, weight: float,
            probability: float) -> dict[str, Any]:  # fmt: skip
    """What a fuzzy link rests on: the strings compared, each level and its weight, the prior
    (log2 odds: the share of the unit's plausible candidates) and the probability among them."""
    contributions = model.contributions(comparison)
    return {
        "probability": round(probability, 5),
        "unit_name": unit.core,
        "firm_name": firm.core,
        "name_score": comparison.scores["name"],
        "street_score": comparison.scores["street"],
        "levels": comparison.levels,
        "weights": {k: round(v, 2) for k, v in contributions.items()},
        "prior": round(weight - sum(contributions.values()), 2),
        "roll_tax_code": unit.tax_digits or None,
        "unit_communes": sorted(place(unit).commune_codes),
        "firm_communes": sorted(place(firm).commune_codes),
    }
