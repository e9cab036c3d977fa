"""Money at stake, in VND: what an inspector could recover if the finding holds.

- Unregistered employees: employees x the regional floor in force at quarter end x (employer +
  employee rates) x months since the registration deadline (capped, ``months_at_stake_cap``).
  The floor is a lower bound: the real wages are at least that.
- Arrears: the amount owed plus the 0.03 % a day of Art. 40-41 for the days past the due date.
"""

from __future__ import annotations

import math
from typing import Any

from reconcile.quarter import Quarter
from reconcile.rules.catalog import wage_floor


def unregistered(employees: int, days_overdue: int, quarter: Quarter, terms: dict[str, Any]) -> int:
    rate = terms["rates"]["employer"] + terms["rates"]["employee"]
    floor = wage_floor(int(terms["default_wage_region"]), quarter.last_day)
    months = min(math.ceil(max(days_overdue, 0) / 30), int(terms["months_at_stake_cap"]))
    return round(employees * floor * rate * months)


def arrears_with_interest(arrears: int, days_past_due: int, terms: dict[str, Any]) -> int:
    return round(arrears * (1 + terms["late_interest_per_day"] * max(days_past_due, 0)))
