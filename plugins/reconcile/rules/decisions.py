"""What inspectors decided, and what each decision does to the next quarter.

- "not a match" breaks the link between the case's unit and firm, and keeps it broken;
- "confirmed" on a doubtful link (the review sheet) makes it a link; on a case, it is carried
  into the next workbook, as is "in progress";
- "resolved" closes the case: if the problem shows again it is reopened;
- "not subject" suppresses that case for a configurable number of quarters.
Every decision is kept (who, when, what, note); the latest one per case counts.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reconcile.quarter import Quarter

LINK_PREFIX = "LINK-"


def latest(decisions: pd.DataFrame, quarter: Quarter) -> dict[str, dict[str, Any]]:
    """The last decision per case among those landed up to ``quarter``."""
    if decisions.empty:
        return {}
    known = decisions[decisions["quarter"].astype(str) <= str(quarter)]
    ordered = known.sort_values(["case_id", "decided_on", "decision"], kind="stable")
    return {
        row["case_id"]: row
        for row in ordered.drop_duplicates("case_id", keep="last").to_dict("records")
    }


def link_overrides(last: dict[str, dict[str, Any]], cases: pd.DataFrame) -> pd.DataFrame:
    """(unit_code, tax_code, decision) pairs the matcher must obey."""
    subject = {}
    if not cases.empty:
        subject = {r.case_id: (r.unit_code, r.tax_code) for r in cases.itertuples(index=False)}
    rows = []
    for case_id, decision in last.items():
        if case_id.startswith(LINK_PREFIX):
            unit_code, _, tax_code = case_id[len(LINK_PREFIX) :].rpartition("-")
            if decision["decision"] in ("confirmed", "not_a_match"):
                rows.append((unit_code, tax_code, decision["decision"]))
        elif decision["decision"] == "not_a_match" and case_id in subject:
            unit_code, tax_code = subject[case_id]
            if unit_code and tax_code:
                rows.append((unit_code, tax_code, "not_a_match"))
    return pd.DataFrame(rows, columns=["unit_code", "tax_code", "decision"])


def suppressed(last: dict[str, dict[str, Any]], quarter: Quarter, quarters: int) -> set[str]:
    """Cases judged "not subject" within the last ``quarters`` quarters (their decision's quarter included)."""
    out = set()
    for case_id, decision in last.items():
        if decision["decision"] != "not_subject":
            continue
        start = Quarter.parse(str(decision["quarter"]))
        end = start
        for _ in range(quarters - 1):
            end = end.next()
        if start <= quarter <= end:
            out.add(case_id)
    return out


def resolved(last: dict[str, dict[str, Any]]) -> set[str]:
    return {case_id for case_id, d in last.items() if d["decision"] == "resolved"}


def carried(last: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        case_id: d for case_id, d in last.items() if d["decision"] in ("confirmed", "in_progress")
    }
