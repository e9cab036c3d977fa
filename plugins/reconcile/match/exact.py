"""The first stage: inspectors' decisions, then exact tax codes.

A confirmed pair is a link; a unit's normalised tax code that names a firm (or, for a
``-NNN`` unit, its parent) is a link unless the names show two different firms or a branch
carries its parent's code. The exact links are also the model's training matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from rapidfuzz import fuzz

from reconcile.match.features import quick_name, reads_as_branch
from reconcile.match.linked import Linked, LinkRow, Method, PartitionKey
from reconcile.values import text_or_none


@dataclass(frozen=True)
class Decisions:
    """The inspectors' word on pairs: ``confirmed`` unit -> firm, ``rejected`` (unit, firm)."""

    rejected: frozenset[tuple[str, str]] = frozenset()
    confirmed: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, decisions: pd.DataFrame | None) -> Decisions:
        if decisions is None or decisions.empty:
            return cls()
        rows = list(decisions[["unit_code", "tax_code", "decision"]].itertuples(index=False))
        return cls(
            frozenset((u, t) for u, t, d in rows if d == "not_a_match"),
            {u: t for u, t, d in rows if d == "confirmed"},
        )


@dataclass(frozen=True)
class ExactPair:
    """An exact link's unit and firm, as rows of their frames (namedtuples): the model's
    training matches are drawn from these."""

    unit: Any
    firm: Any


@dataclass(frozen=True)
class ExactLinks:
    linked: Linked
    pairs: list[ExactPair]


def exact_links(
    units: pd.DataFrame,
    firm_rows: dict[str, Any],
    decisions: Decisions,
    options: dict[str, Any],
    where: PartitionKey,
) -> ExactLinks:
    """Confirmed pairs and exact tax codes, in the units' order."""
    branches_of: dict[str, int] = {}
    for tax_code in firm_rows:
        if "-" in tax_code:
            branches_of[tax_code[:10]] = branches_of.get(tax_code[:10], 0) + 1
    min_name_score = options["exact"]["min_name_score"]
    rows: list[LinkRow] = []
    pairs: list[ExactPair] = []
    for unit in units.itertuples(index=False):
        confirmed = decisions.confirmed.get(unit.unit_code)
        if confirmed is not None and confirmed in firm_rows:
            evidence: dict[str, Any] = {
                "decision": "confirmed",
                "roll_tax_code": text_or_none(unit.tax_code_raw),
            }
            rows.append(
                LinkRow.of(where, unit.unit_code, confirmed, "confirmed", 1.0, "link", evidence)
            )
            continue
        code = text_or_none(unit.tax_code)
        if code is None:
            continue
        method: Method = "exact" if code in firm_rows else "exact_parent"
        target = code if method == "exact" else code[:10]
        if target not in firm_rows or (unit.unit_code, target) in decisions.rejected:
            continue
        firm = firm_rows[target]
        unit_name, firm_name = (
            quick_name(text_or_none(unit.name)),
            quick_name(text_or_none(firm.name)),
        )
        score = fuzz.token_set_ratio(unit_name, firm_name)
        if score < min_name_score:
            continue  # the same code on two plainly different names: let the matcher weigh it
        if (
            method == "exact"
            and branches_of.get(target)
            and reads_as_branch(text_or_none(unit.name))
            and not reads_as_branch(text_or_none(firm.name))
        ):
            continue  # a branch written with its parent's code: one of the branches, not the parent
        evidence = {
            "roll_tax_code": text_or_none(unit.tax_code_raw),
            "normalised": code,
            "firm_tax_code": target,
            "name_score": round(score, 1),
        }
        rows.append(LinkRow.of(where, unit.unit_code, target, method, 1.0, "link", evidence))
        pairs.append(ExactPair(unit, firm))
    return ExactLinks(Linked().plus(rows), pairs)
