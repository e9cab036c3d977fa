"""The cases of a quarter as the list shows them: one row per case with its money, status and
the decision that counts, narrowed by the filter, a page at a time."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, case, func, literal, select

from reconcile.quarter import Quarter
from reconcile.text.unicode import fold
from reconcile.warehouse.schema import case_status, decision, finding

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


def _addresses_with(conn: Connection, flt: CaseFilter, conditions: list[Any]) -> list[str]:
    """The addresses of the filter's findings that hold the commune text, compared folded (no
    case, no diacritics, punctuation as spaces): an inspector typing "cao lanh" finds "Phường
    Cao Lãnh". Done here rather than in SQL, where neither SQLite nor PostgreSQL folds
    Vietnamese without an extension; a text of punctuation only finds nothing."""
    wanted = fold(flt.commune)
    if not wanted:
        return []
    query = select(finding.c.address).where(*conditions).distinct()
    return [a for (a,) in conn.execute(query) if a and wanted in fold(a)]


def _evidence_quarter(quarter: str) -> str:
    """The quarter whose findings describe a case ``resolved`` in ``quarter``: the one before
    (a case is resolved when it was found last quarter and is not found now)."""
    return str(Quarter.parse(quarter).previous())


def _filtered(conn: Connection, flt: CaseFilter) -> Select[Any]:
    """The filter's cases, one row each: those found in the quarter, and those resolved in it
    (described by last quarter's findings, with nothing at stake now)."""
    before = _evidence_quarter(flt.quarter)
    resolved = select(case_status.c.case_id).where(
        case_status.c.quarter == flt.quarter, case_status.c.status == "resolved"
    )
    found_now = finding.c.quarter == flt.quarter
    found_before = and_(finding.c.quarter == before, finding.c.case_id.in_(resolved))
    conditions: list[Any] = [found_now | found_before]
    if flt.provinces is not None:
        conditions.append(finding.c.province.in_(sorted(flt.provinces)))
    per_case = (
        select(
            finding.c.case_id,
            finding.c.province,
            finding.c.quarter.label("seen_in"),
            func.max(finding.c.name).label("name"),
            func.max(finding.c.address).label("address"),
            func.max(finding.c.tax_code).label("tax_code"),
            func.max(finding.c.unit_code).label("unit_code"),
            func.max(finding.c.severity).label("severity"),
            # counted once per firm (rules/money.py): the list's total is the workbook's
            func.sum(
                case(
                    (
                        finding.c.quarter == flt.quarter,
                        func.coalesce(finding.c.money_counted, finding.c.money_at_stake),
                    ),
                    else_=0,
                )
            ).label("money"),
        )
        .where(*conditions)
        .group_by(finding.c.case_id, finding.c.province, finding.c.quarter)
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
        query = query.where(per_case.c.address.in_(_addresses_with(conn, flt, conditions)))
    if flt.rule:
        with_rule = select(finding.c.case_id).where(
            finding.c.case_id == per_case.c.case_id,
            finding.c.quarter == per_case.c.seen_in,
            finding.c.rule == flt.rule,
        )
        query = query.where(with_rule.exists())
    if flt.status:
        query = query.where(status == flt.status)
    if flt.decision == UNDECIDED:
        query = query.where(last.c.decision.is_(None))
    elif flt.decision:
        query = query.where(last.c.decision == flt.decision)
    return query


def case_page(conn: Connection, flt: CaseFilter, page: int = 1) -> CasePage:
    """One page of the filtered cases, largest money at stake first, with the filter's totals."""
    query = _filtered(conn, flt)
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
    rules_of: dict[tuple[str, str], list[str]] = {}
    if rows:
        found = conn.execute(
            select(finding.c.case_id, finding.c.quarter, finding.c.rule)
            .where(
                finding.c.quarter.in_({row["seen_in"] for row in rows}),
                finding.c.case_id.in_([row["case_id"] for row in rows]),
            )
            .order_by(finding.c.case_id, finding.c.severity.desc(), finding.c.rule)
        )
        for case_id, seen_in, rule in found:
            rules_of.setdefault((case_id, seen_in), []).append(rule)
    for row in rows:
        row["rules"] = rules_of.get((row["case_id"], row["seen_in"]), [])
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
