"""One case as of a quarter: its findings, firm, unit, link, statuses and decisions (and the
decision that counts), told by last quarter's findings for a case resolved in this one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, func, select

from reconcile.quarter import Quarter
from reconcile.rules.decisions import latest
from reconcile.warehouse.schema import case_status, decision, employer_unit, finding, firm, link
from reconcile.web.queries.case_list import _evidence_quarter


@dataclass(frozen=True)
class CaseDetail:
    case_id: str
    quarter: str
    province: str
    quarters: list[str]  # quarters with findings for the case, latest first
    findings: list[dict[str, Any]]
    firm: dict[str, Any] | None
    unit: dict[str, Any] | None
    link: dict[str, Any] | None
    statuses: list[dict[str, Any]]
    decisions: list[dict[str, Any]]  # oldest first; ``counts`` True on the one that counts
    counting: dict[str, Any] | None = field(default=None)
    # the quarter of ``findings``: ``quarter`` itself, or the one before for a case resolved in it
    evidence_quarter: str = ""


def _one(conn: Connection, query: Select[Any]) -> dict[str, Any] | None:
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def _resolved_in(conn: Connection, case_id: str, quarter: str) -> bool:
    status = conn.execute(
        select(case_status.c.status).where(
            case_status.c.quarter == quarter, case_status.c.case_id == case_id
        )
    ).scalar()
    return status == "resolved"


def _record(conn: Connection, table: Any, quarters: list[str], **key: str) -> dict | None:
    """The row of ``table`` with ``key`` in the first of ``quarters`` that has one."""
    for quarter in quarters:
        where = [table.c.quarter == quarter, *(table.c[k] == v for k, v in key.items())]
        row = _one(conn, select(table).where(*where).order_by(*table.primary_key.columns))
        if row is not None:
            return row
    return None


def case_detail(conn: Connection, case_id: str, quarter: str | None = None) -> CaseDetail | None:
    """A case as of ``quarter`` (default: its latest quarter with findings), or None.

    A case resolved in ``quarter`` is told by the findings of the quarter before; its firm, unit
    and link are this quarter's where they still exist (they often show why it was resolved)."""
    seen = [
        row[0]
        for row in conn.execute(
            select(finding.c.quarter)
            .where(finding.c.case_id == case_id)
            .distinct()
            .order_by(finding.c.quarter.desc())
        )
    ]
    if not seen:
        return None
    quarter = quarter or seen[0]
    evidence_quarter = quarter
    if quarter not in seen:
        evidence_quarter = _evidence_quarter(quarter)
        if evidence_quarter not in seen or not _resolved_in(conn, case_id, quarter):
            return None
    looked_in = list(dict.fromkeys([quarter, evidence_quarter]))
    findings = [
        dict(row)
        for row in conn.execute(
            select(finding)
            .where(finding.c.quarter == evidence_quarter, finding.c.case_id == case_id)
            .order_by(finding.c.severity.desc(), finding.c.rule)
        ).mappings()
    ]
    province = findings[0]["province"]
    tax_code = next((f["tax_code"] for f in findings if f["tax_code"]), None)
    unit_code = next((f["unit_code"] for f in findings if f["unit_code"]), None)
    the_link = None
    if unit_code:
        the_link = _record(conn, link, looked_in, unit_code=unit_code)
    elif tax_code:
        the_link = _record(conn, link, looked_in, tax_code=tax_code)
    if the_link is not None:
        tax_code = tax_code or the_link["tax_code"]
        unit_code = unit_code or the_link["unit_code"]
    the_firm = _record(conn, firm, looked_in, tax_code=tax_code) if tax_code else None
    the_unit = _record(conn, employer_unit, looked_in, unit_code=unit_code) if unit_code else None
    statuses = [
        dict(row)
        for row in conn.execute(
            select(case_status.c.quarter, case_status.c.status)
            .where(case_status.c.case_id == case_id, case_status.c.province == province)
            .order_by(case_status.c.quarter)
        ).mappings()
    ]
    decisions = [
        dict(row)
        for row in conn.execute(
            select(decision)
            .where(decision.c.case_id == case_id, decision.c.province == province)
            .order_by(
                decision.c.decided_on,
                decision.c.landed_at,
                func.coalesce(decision.c.row_number, -1),
                decision.c.decision_id,
            )
        ).mappings()
    ]
    counting = None
    if decisions:
        last = latest(pd.DataFrame(decisions), Quarter.parse(quarter)).get(case_id)
        if last is not None:
            counting = next(d for d in decisions if d["decision_id"] == last["decision_id"])
    for item in decisions:
        item["counts"] = counting is not None and item["decision_id"] == counting["decision_id"]
    return CaseDetail(
        case_id=case_id,
        quarter=quarter,
        province=province,
        quarters=seen,
        findings=findings,
        firm=the_firm,
        unit=the_unit,
        link=the_link,
        statuses=statuses,
        decisions=decisions,
        counting=counting,
        evidence_quarter=evidence_quarter,
    )
