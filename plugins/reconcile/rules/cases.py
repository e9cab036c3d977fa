"""Cases: the same problem of the same firm or unit followed from quarter to quarter.

A case's identifier is stable (kind of problem + subject), so its status in a quarter follows
from which quarters had a finding for it: ``new`` (never before), ``persisting`` (also last
quarter), ``reopened`` (seen before, not last quarter), ``resolved`` (last quarter, not now).
Computed only from earlier quarters' findings, so rerunning any quarter gives the same answer.
"""

from __future__ import annotations

import pandas as pd

from reconcile.quarter import Quarter
from reconcile.values import none_for_missing
from reconcile.warehouse import schema

STATUS_COLUMNS = schema.columns_of(schema.case_status)


def case_statuses(
    current: set[str],
    previous_quarter: set[str],
    earlier: set[str],
    quarter: Quarter,
    province: str,
    closed: set[str] | None = None,
) -> pd.DataFrame:
    """``earlier``: case ids with a finding in any quarter before the previous one; ``closed``:
    cases an inspector marked resolved, which reopen if the problem shows again."""
    closed = closed or set()
    rows = []
    for case in sorted(current):
        if case in closed:
            status = "reopened"
        elif case in previous_quarter:
            status = "persisting"
        elif case in earlier:
            status = "reopened"
        else:
            status = "new"
        rows.append((str(quarter), case, province, status))
    rows.extend(
        (str(quarter), case, province, "resolved") for case in sorted(previous_quarter - current)
    )
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def case_rows(history: pd.DataFrame) -> pd.DataFrame:
    """One ``case`` row per case id from all its findings: kind, subject, first and last seen."""
    if history.empty:
        return pd.DataFrame(columns=schema.columns_of(schema.case))
    ordered = history.sort_values(["case_id", "quarter"])
    grouped = ordered.groupby("case_id", sort=True)
    out = grouped.agg(
        province=("province", "last"),
        tax_code=("tax_code", "last"),
        unit_code=("unit_code", "last"),
        first_seen=("quarter", "min"),
        last_seen=("quarter", "max"),
    ).reset_index()
    out["kind"] = out["case_id"].map(lambda c: c.split("-", 1)[0])
    return none_for_missing(out)
