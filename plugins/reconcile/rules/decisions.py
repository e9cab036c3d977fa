"""What inspectors decided, and what each decision does to the next quarter.

- "not a match" breaks the link between the case's unit and firm, and keeps it broken;
- "confirmed" on a doubtful link (the review sheet) makes it a link, and so it does on a
  NOT_REGISTERED_REVIEW case (the firm is the unit the search of the roll found); on any other
  case, it is carried into the next workbook, as is "in progress";
- "resolved" closes the case: if the problem shows again it is reopened;
- "not subject" suppresses that case for a configurable number of quarters.
Every decision is kept (who, when, what, note, which province, which file); the latest one
per case counts, by the day it was decided, then the time it reached us, then its row. A
decision belongs to the province whose folder it came in, and applies only to that province's
cases: a decisions file that names another province's case has that row quarantined.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reconcile.quarter import Quarter

LINK_PREFIX = "LINK-"
# a NOT_REGISTERED_REVIEW case ("maybe on the roll as unit X"): confirmed, the pair is a link
ROLL_QUESTION_PREFIX = "UNREGISTERED_REVIEW-"


ORDER = ["case_id", "decided_on", "landed_at", "row_number", "decision_id"]


def latest(decisions: pd.DataFrame, quarter: Quarter) -> dict[str, dict[str, Any]]:
    """The last decision per case among those landed up to ``quarter``.

    Latest by (decided on, landed at, row in its file): a later file's word on the same day
    wins, and within one file the later row. ``decision_id`` settles what is left, so the
    answer never depends on the order the database returns rows in.
    """
    if decisions.empty:
        return {}
    known = decisions[decisions["quarter"].astype(str) <= str(quarter)]
    ordered = known.assign(row_number=known["row_number"].fillna(-1)).sort_values(
        ORDER, kind="stable"
    )
    return {
        row["case_id"]: row
        for row in ordered.drop_duplicates("case_id", keep="last").to_dict("records")
    }


def history(decisions: pd.DataFrame, quarter: Quarter) -> dict[str, list[dict[str, Any]]]:
    """Every decision per case among those landed up to ``quarter``, newest first.

    The same order as ``latest`` (whose answer is each list's first): what a reopened case
    carries into the workbook, so that the inspector sees who closed it, when, and why.
    """
    if decisions.empty:
        return {}
    known = decisions[decisions["quarter"].astype(str) <= str(quarter)]
    ordered = known.assign(row_number=known["row_number"].fillna(-1)).sort_values(
        ORDER, kind="stable"
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for row in reversed(ordered.to_dict("records")):
        out.setdefault(row["case_id"], []).append(row)
    return out


def link_unit(case_id: str) -> str | None:
    """The unit code of a doubtful link's case id (``LINK-<unit>-<tax code>``), else None."""
    if not case_id.startswith(LINK_PREFIX):
        return None
    unit_code, _, _tax_code = case_id[len(LINK_PREFIX) :].rpartition("-")
    return unit_code or None


def unknown_case_reason(
    case_id: object, province: str, known_cases: set[str], known_units: set[str]
) -> str | None:
    """Why a returned decision cannot be applied in ``province``, or None when it can.

    A case is known when the province has it in ``case``; a doubtful link's case when the
    province's roll has its unit. Anything else is another province's case or a mistyped id,
    and deciding it here would change cases nobody in this province was shown.
    """
    if not isinstance(case_id, str) or not case_id:
        return None  # a blank case id is the cleaning's reason already
    unit = link_unit(case_id)
    if unit is not None:
        if unit in known_units:
            return None
        return (
            f"case_id: no unit {unit} on province {province}'s roll for the link case "
            f"{case_id}: a case of another province, or a mistyped id"
        )
    if case_id in known_cases:
        return None
    return (
        f"case_id: no case {case_id} in province {province}: a case of another province, "
        "or a mistyped id"
    )


def rows_to_store(staged: pd.DataFrame, quarter: Quarter, province: str) -> pd.DataFrame:
    """A province's staged decisions as ``decision`` rows: one per returned row, none dropped.

    A decision without a date takes the day its file was landed. Its id is its file and row,
    so loading the same files again gives the same rows.
    """
    if staged.empty:
        return staged
    frame = staged.copy()
    landed_day = frame["landed_at"].map(
        lambda moment: moment.date() if hasattr(moment, "date") else moment
    )
    frame["decided_on"] = frame["decided_on"].where(frame["decided_on"].notna(), landed_day)
    frame["decision_id"] = [
        f"{file_id}:{row}"
        for file_id, row in zip(frame["file_id"], frame["row_number"], strict=True)
    ]
    return frame.assign(quarter=str(quarter), province=province, source="workbook")


def link_overrides(last: dict[str, dict[str, Any]], cases: pd.DataFrame) -> pd.DataFrame:
    """(unit_code, tax_code, decision) pairs the matcher must obey."""
    subject = {}
    if not cases.empty:
        subject = {r.case_id: (r.unit_code, r.tax_code) for r in cases.itertuples(index=False)}
    rows = []
    for case_id, decision in last.items():
        if link_unit(case_id) is not None:
            unit_code, _, tax_code = case_id[len(LINK_PREFIX) :].rpartition("-")
            if decision["decision"] in ("confirmed", "not_a_match"):
                rows.append((unit_code, tax_code, decision["decision"]))
        elif decision["decision"] == "not_a_match" and case_id in subject:
            unit_code, tax_code = subject[case_id]
            if unit_code and tax_code:
                rows.append((unit_code, tax_code, "not_a_match"))
        elif (
            decision["decision"] == "confirmed"
            and case_id.startswith(ROLL_QUESTION_PREFIX)
            and case_id in subject
        ):
            # "Đúng là đơn vị này" on a firm the search of the roll found a unit for: a link
            unit_code, tax_code = subject[case_id]
            if unit_code and tax_code:
                rows.append((unit_code, tax_code, "confirmed"))
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
