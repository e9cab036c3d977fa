"""Money at stake, in VND: what an inspector could recover if the finding holds.

``rate`` is the employer's plus the employee's contribution rate (21.5 % + 10.5 % = 32 %);
``floor`` the regional minimum wage of the firm's region in force at the quarter's end (a
lower bound of any salary base); a quarter is 3 months.

| rule | money at stake |
|---|---|
| NOT_REGISTERED(_LATE) | employees x floor x rate x months since the registration deadline (at most ``months_at_stake_cap``) |
| UNDER_REGISTERED | (tax employees - insured) x max(floor, insured wage bill / insured) x rate x 3 |
| WAGE_BELOW_FLOOR | (insured x floor - insured wage bill) x rate x 3 |
| WAGE_GAP | (tax wages / 12 - insured wage bill) x rate x 3 |
| STOPPED_PAYING | tax employees x floor x rate x 3 |
| ARREARS_*, CLOSED_FIRM_ON_ROLL | arrears x (1 + 0.03 % x days past the due date) (Art. 40-41); arrears alone for a closed firm |
| ROLL_TAX_CODE_FIX | 0 (a data fix) |
| NOT_REGISTERED_REVIEW, WAGE_BELOW_FLOOR_LEAD | 0: not an accusation (the amount if it holds is in the evidence) |

While the wage regions are illustrative, WAGE_BELOW_FLOOR takes the region IV floor.

Money counted once (``counted``): each finding keeps its own ``money_at_stake`` (what it alone
would recover), and gets ``money_counted``, its share of its firm's total in which each
missing employee, each wage shortfall and each unpaid amount counts once. A firm is its tax
code (a unit with no linked firm is its own subject). Its findings fall in families by what
their money is:

| family | rules | what the money is | findings of a family |
|---|---|---|---|
| uncovered | NOT_REGISTERED(_LATE), UNDER_REGISTERED, STOPPED_PAYING | contributions of employees nobody insures | the same people: the largest |
| below_floor | WAGE_BELOW_FLOOR | the insured's wages below the floor | a unit's own insured: the largest per unit, summed over units |
| wage_gap | WAGE_GAP | the tax side's wages not declared to BHXH | the same wage bill: the largest |
| arrears | ARREARS_*, CLOSED_FIRM_ON_ROLL | contributions declared and not paid | a unit's same debt: the largest per unit, summed over units |

firm total = max(wage_gap, uncovered + below_floor) + arrears (+ any rule of no family, in full).

The tax side's wage bill holds the wages of the missing employees and of the insured, so
WAGE_GAP overlaps both UNDER_REGISTERED / STOPPED_PAYING (the missing, or all, employees) and
WAGE_BELOW_FLOOR (the insured's shortfall); those two measure different people and add up.
Arrears are wages already declared, outside every wage shortfall, so they add. The total is
then split in a fixed order (money at stake, largest first, then rule, case, unit): each
finding counts what it adds to the ones before it, so the largest keeps its amount, an
overlapping one only what it adds, and the split never depends on the input's order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from reconcile.quarter import Quarter
from reconcile.rules.catalog import wage_floor

QUARTER_MONTHS = 3


def rate(terms: dict[str, Any]) -> float:
    return terms["rates"]["employer"] + terms["rates"]["employee"]


def unregistered(
    employees: int,
    days_overdue: int,
    quarter: Quarter,
    terms: dict[str, Any],
    region: int | None = None,
) -> int:
    floor = wage_floor(region or int(terms["default_wage_region"]), quarter.last_day)
    months = min(math.ceil(max(days_overdue, 0) / 30), int(terms["months_at_stake_cap"]))
    return round(employees * floor * rate(terms) * months)


def under_registered(
    missing: int, insured: int, wage_bill: int, floor: int, terms: dict[str, Any]
) -> int:
    base = max(floor, wage_bill / insured) if insured > 0 else floor
    return round(missing * base * rate(terms) * QUARTER_MONTHS)


def below_floor(insured: int, wage_bill: int, floor: int, terms: dict[str, Any]) -> int:
    return round(max(insured * floor - wage_bill, 0) * rate(terms) * QUARTER_MONTHS)


def wage_gap(yearly_tax_wages: int, wage_bill: int, terms: dict[str, Any]) -> int:
    return round(max(yearly_tax_wages / 12 - wage_bill, 0) * rate(terms) * QUARTER_MONTHS)


def stopped_paying(employees: int, floor: int, terms: dict[str, Any]) -> int:
    return round(employees * floor * rate(terms) * QUARTER_MONTHS)


def arrears_with_interest(arrears: int, days_past_due: int, terms: dict[str, Any]) -> int:
    return round(arrears * (1 + terms["late_interest_per_day"] * max(days_past_due, 0)))


# the families of the table above: findings of one family count the same money
OVERLAP_FAMILY = {
    "NOT_REGISTERED": "uncovered",
    "NOT_REGISTERED_LATE": "uncovered",
    "UNDER_REGISTERED": "uncovered",
    "STOPPED_PAYING": "uncovered",
    "WAGE_BELOW_FLOOR": "below_floor",
    "WAGE_GAP": "wage_gap",
    "ARREARS_EVASION": "arrears",
    "ARREARS_LATE": "arrears",
    "CLOSED_FIRM_ON_ROLL": "arrears",
}


def firm_total(findings: Iterable[tuple[str, str | None, int]]) -> int:
    """The money of one firm's findings, ``(rule, unit_code, money_at_stake)``, counted once."""
    largest: dict[str, int] = {"uncovered": 0, "wage_gap": 0}
    per_unit: dict[tuple[str, str | None], int] = {}
    other = 0
    for rule, unit_code, amount in findings:
        family = OVERLAP_FAMILY.get(rule)
        if family in largest:
            largest[family] = max(largest[family], amount)
        elif family is not None:
            per_unit[family, unit_code] = max(per_unit.get((family, unit_code), 0), amount)
        else:
            other += amount
    below = sum(v for (family, _), v in per_unit.items() if family == "below_floor")
    arrears = sum(v for (family, _), v in per_unit.items() if family == "arrears")
    return max(largest["wage_gap"], largest["uncovered"] + below) + arrears + other


def subject(tax_code: Any, unit_code: Any) -> str:
    """Whose findings overlap: the firm (its tax code), else the unit alone."""
    if isinstance(tax_code, str) and tax_code:
        return tax_code
    return f"unit:{unit_code}"


def _split(items: Sequence[tuple[str, str, str, int]]) -> list[int]:
    """``(rule, case_id, unit_code, amount)`` of one firm -> what each counts, in their order."""
    order = sorted(
        range(len(items)), key=lambda i: (-items[i][3], items[i][0], items[i][1], items[i][2])
    )
    shares = [0] * len(items)
    seen: list[tuple[str, str | None, int]] = []
    before = 0
    for i in order:
        rule, _, unit_code, amount = items[i]
        seen.append((rule, unit_code, amount))
        now = firm_total(seen)
        shares[i], before = now - before, now
    return shares


def counted(findings: pd.DataFrame) -> pd.Series:
    """``money_counted`` of each finding (aligned with ``findings``): see the module's table."""
    if findings.empty:
        return pd.Series([], index=findings.index, dtype="int64")
    groups: dict[str, list[int]] = {}
    items: list[tuple[str, str, str, int]] = []
    rows = zip(
        findings["rule"],
        findings["case_id"],
        findings["tax_code"],
        findings["unit_code"],
        findings["money_at_stake"],
        strict=True,
    )
    for position, (rule, case, tax_code, unit_code, amount) in enumerate(rows):
        unit = unit_code if isinstance(unit_code, str) else ""
        items.append((rule, case, unit, int(amount) if amount == amount else 0))
        groups.setdefault(subject(tax_code, unit_code), []).append(position)
    out = [0] * len(items)
    for positions in groups.values():
        for position, share in zip(positions, _split([items[p] for p in positions]), strict=True):
            out[position] = share
    return pd.Series(out, index=findings.index, dtype="int64")
