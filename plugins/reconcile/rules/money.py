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
"""

from __future__ import annotations

import math
from typing import Any

from reconcile.quarter import Quarter
from reconcile.rules.catalog import wage_floor

QUARTER_MONTHS = 3


def rate(terms: dict[str, Any]) -> float:
    return terms["rates"]["employer"] + terms["rates"]["employee"]


def unregistered(employees: int, days_overdue: int, quarter: Quarter, terms: dict[str, Any],
                 region: int | None = None) -> int:  # fmt: skip
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
