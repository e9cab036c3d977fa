"""What the pages read from the warehouse: SQLAlchemy Core, bound parameters only.

A case of a quarter is its findings in that quarter (one row per case: the money at stake
summed over its rules), with its status that quarter (``new`` when the status table has none
yet, as the workbook shows it) and the decision that counts for it: the latest one landed up to
that quarter, by the order of ``rules.decisions.ORDER`` (a window function here, the same order
as ``decisions.latest``, which the case page uses on the case's own decisions).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, and_, func, insert, literal, select

from reconcile.quarter import Quarter
from reconcile.rules.decisions import latest
from reconcile.warehouse.schema import (
    case_status,
    decision,
    employer_unit,
    finding,
    firm,
    link,
)

PAGE_SIZE = 50
UNDECIDED = "none"  # the decision filter's value for cases nobody has decided yet


@dataclass(frozen=True)
class CaseFilter:
    quarter: str
    provinces: Collection[str] | None  # None: every province
    commune: str = ""
    rule: str = ""
    status: str = ""
    decision: str = ""  # a decision code, or UNDECIDED


@dataclass(frozen=True)
class CasePage:
    rows: list[dict[str, Any]]
    count: int
    money: int
    page: int
    pages: int


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


def _latest_decisions(quarter: str) -> Any:
    """Per case, the decision that counts among those landed up to ``quarter``."""
    ranked = (
        select(
            decision.c.case_id,
            decision.c.decision,
            decision.c.decided_on,
            decision.c.inspector,
            func.row_number()
            .over(
                partition_by=decision.c.case_id,
                order_by=(
                    decision.c.decided_on.desc(),
                    decision.c.landed_at.desc(),
                    func.coalesce(decision.c.row_number, -1).desc(),
                    decision.c.decision_id.desc(),
                ),
            )
            .label("rank"),
        )
        .where(decision.c.quarter <= quarter)
        .subquery("ranked")
    )
    return (
        select(ranked.c.case_id, ranked.c.decision, ranked.c.decided_on, ranked.c.inspector)
        .where(ranked.c.rank == 1)
        .subquery("latest")
    )


def _filtered(flt: CaseFilter) -> Select[Any]:
    conditions = [finding.c.quarter == flt.quarter]
    if flt.provinces is not None:
        conditions.append(finding.c.province.in_(sorted(flt.provinces)))
    per_case = (
        select(
            finding.c.case_id,
            finding.c.province,
            func.max(finding.c.name).label("name"),
            func.max(finding.c.address).label("address"),
            func.max(finding.c.tax_code).label("tax_code"),
            func.max(finding.c.unit_code).label("unit_code"),
            func.max(finding.c.severity).label("severity"),
            func.sum(finding.c.money_at_stake).label("money"),
        )
        .where(*conditions)
        .group_by(finding.c.case_id, finding.c.province)
        .subquery("cases")
    )
    last = _latest_decisions(flt.quarter)
    status = func.coalesce(case_status.c.status, literal("new"))
    query = select(
        per_case,
        status.label("status"),
        last.c.decision,
        last.c.decided_on,
        last.c.inspector,
    ).select_from(
        per_case.outerjoin(
            case_status,
            and_(
                case_status.c.quarter == flt.quarter,
                case_status.c.case_id == per_case.c.case_id,
            ),
        ).outerjoin(last, last.c.case_id == per_case.c.case_id)
    )
    if flt.commune.strip():
        query = query.where(per_case.c.address.icontains(flt.commune.strip(), autoescape=True))
    if flt.rule:
        with_rule = select(finding.c.case_id).where(
            finding.c.quarter == flt.quarter, finding.c.rule == flt.rule
        )
        query = query.where(per_case.c.case_id.in_(with_rule))
    if flt.status:
        query = query.where(status == flt.status)
    if flt.decision == UNDECIDED:
        query = query.where(last.c.decision.is_(None))
    elif flt.decision:
        query = query.where(last.c.decision == flt.decision)
    return query


def case_page(conn: Connection, flt: CaseFilter, page: int = 1) -> CasePage:
    """One page of the filtered cases, largest money at stake first, with the filter's totals."""
    query = _filtered(flt)
    counted = query.subquery("filtered")
    count, money = conn.execute(
        select(func.count(), func.coalesce(func.sum(counted.c.money), 0))
    ).one()
    pages = max((int(count) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    ordered = (
        query.order_by(query.selected_columns.money.desc(), query.selected_columns.case_id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [dict(row) for row in conn.execute(ordered).mappings()]
    rules_of: dict[str, list[str]] = {}
    if rows:
        found = conn.execute(
            select(finding.c.case_id, finding.c.rule)
            .where(
                finding.c.quarter == flt.quarter,
                finding.c.case_id.in_([row["case_id"] for row in rows]),
            )
            .order_by(finding.c.case_id, finding.c.severity.desc(), finding.c.rule)
        )
        for case_id, rule in found:
            rules_of.setdefault(case_id, []).append(rule)
    for row in rows:
        row["rules"] = rules_of.get(row["case_id"], [])
        row["money"] = int(row["money"] or 0)
    return CasePage(rows, int(count), int(money or 0), page, pages)


def quarters(conn: Connection, provinces: Collection[str] | None) -> list[str]:
    """Quarters with findings in ``provinces`` (None: any), latest first."""
    query = select(finding.c.quarter).distinct().order_by(finding.c.quarter.desc())
    if provinces is not None:
        query = query.where(finding.c.province.in_(sorted(provinces)))
    return [row[0] for row in conn.execute(query)]


def province_codes(conn: Connection) -> list[str]:
    query = select(finding.c.province).distinct().order_by(finding.c.province)
    return [row[0] for row in conn.execute(query)]


def _one(conn: Connection, query: Select[Any]) -> dict[str, Any] | None:
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def case_detail(conn: Connection, case_id: str, quarter: str | None = None) -> CaseDetail | None:
    """A case as of ``quarter`` (default: its latest quarter with findings), or None."""
    seen = [
        row[0]
        for row in conn.execute(
            select(finding.c.quarter)
            .where(finding.c.case_id == case_id)
            .distinct()
            .order_by(finding.c.quarter.desc())
        )
    ]
    if not seen or (quarter is not None and quarter not in seen):
        return None
    quarter = quarter or seen[0]
    findings = [
        dict(row)
        for row in conn.execute(
            select(finding)
            .where(finding.c.quarter == quarter, finding.c.case_id == case_id)
            .order_by(finding.c.severity.desc(), finding.c.rule)
        ).mappings()
    ]
    province = findings[0]["province"]
    tax_code = next((f["tax_code"] for f in findings if f["tax_code"]), None)
    unit_code = next((f["unit_code"] for f in findings if f["unit_code"]), None)
    the_link = None
    if unit_code:
        the_link = _one(
            conn, select(link).where(link.c.quarter == quarter, link.c.unit_code == unit_code)
        )
    elif tax_code:
        the_link = _one(
            conn,
            select(link)
            .where(link.c.quarter == quarter, link.c.tax_code == tax_code)
            .order_by(link.c.unit_code),
        )
    if the_link is not None:
        tax_code = tax_code or the_link["tax_code"]
        unit_code = unit_code or the_link["unit_code"]
    the_firm = None
    if tax_code:
        the_firm = _one(
            conn, select(firm).where(firm.c.quarter == quarter, firm.c.tax_code == tax_code)
        )
    the_unit = None
    if unit_code:
        the_unit = _one(
            conn,
            select(employer_unit).where(
                employer_unit.c.quarter == quarter, employer_unit.c.unit_code == unit_code
            ),
        )
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
    )


def new_decision_id() -> str:
    return f"web:{uuid.uuid4().hex}"


def record_decision(
    conn: Connection,
    *,
    case: CaseDetail,
    code: str,
    note: str | None,
    inspector: str,
    decided_on: date,
    landed_at: datetime | None = None,
) -> str:
    """Store one decision made on the web (a new row: nothing is ever updated or deleted)."""
    decision_id = new_decision_id()
    conn.execute(
        insert(decision).values(
            decision_id=decision_id,
            province=case.province,
            quarter=case.quarter,
            case_id=case.case_id,
            decided_on=decided_on,
            decision=code,
            note=note or None,
            inspector=inspector,
            source="web",
            file_id=None,
            row_number=None,
            landed_at=landed_at or datetime.now(UTC),
        )
    )
    return decision_id
