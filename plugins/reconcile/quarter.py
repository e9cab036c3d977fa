"""A quarter is a value (``2025Q3``), never "now".

This module is the one place that decides which quarter a run processes: an explicit ``quarter``
parameter wins; otherwise the quarter that closed before the run's logical date (a run on
10 October processes Q3). Manual and asset-triggered runs in Airflow 3 may carry no data
interval or even no logical date, so the decision never relies on the data interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from reconcile.errors import UsageError

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The one way to write a quarter, everywhere (command line, DAG param, configuration): the
# year, then Q and the quarter's number. The DAG's Param takes this pattern as it is.
QUARTER_PATTERN = r"^\d{4}[Qq][1-4]$"
_PATTERN = re.compile(QUARTER_PATTERN)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2025Q3`` (or ``2025q3``, spaces around ignored); anything else is a ``UsageError``
        that says how to write it."""
        written = str(text).strip()
        if not _PATTERN.match(written):
            raise UsageError(
                f"not a quarter: {text!r}: write the year and the quarter's number after a Q, "
                "like 2025Q3 (Q1 to Q4)"
            )
        return cls(int(written[:4]), int(written[5]))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def quarter_closed_before(moment: datetime | date) -> Quarter:
    """The last quarter that had closed when ``moment`` came, in Vietnamese local time."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(LOCAL_TZ)
        moment = moment.date()
    return Quarter.containing(moment).previous()


def resolve_quarter(param: str | None, logical_date: datetime | date | None) -> Quarter:
    """Decide the quarter of a run: the ``quarter`` param, else the quarter before the logical date."""
    if param not in (None, ""):
        return Quarter.parse(param)
    if logical_date is None:
        raise ValueError(
            "this run has neither a 'quarter' parameter nor a logical date: "
            "trigger it with a quarter, for example {'quarter': '2025Q3'}"
        )
    return quarter_closed_before(logical_date)
