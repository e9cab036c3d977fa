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
from sqlalchemy import Connection, Select, and_, case, func, insert, literal, select

from reconcile.publish.workbook import link_case_id, review_rows
from reconcile.quarter import Quarter
from reconcile.rules.decisions import latest
from reconcile.text.unicode import fold
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
    # the quarter of ``findings``: ``quarter`` itself, or the one before for a case resolved in it
    evidence_quarter: str = ""


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
    conditions = [found_now | found_before]
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
    rules_of: dict[str, list[str]] = {}
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


def new_decision_id() -> str:
    return f"web:{uuid.uuid4().hex}"


def record_decision(
    conn: Connection,
    *,
    province: str,
    quarter: str,
    case_id: str,
    code: str,
    note: str | None,
    inspector: str,
    decided_on: date,
    landed_at: datetime | None = None,
) -> str:
    """Store one decision made on the web (a new row: nothing is ever updated or deleted).

    The one path for every web decision: a case's, and a doubtful link's (its case id is the
    review sheet's, ``workbook.link_case_id``)."""
    decision_id = new_decision_id()
    conn.execute(
        insert(decision).values(
            decision_id=decision_id,
            province=province,
            quarter=quarter,
            case_id=case_id,
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


# ---------------------------------------------------------------- doubtful links (review band)
REVIEW = "review"


@dataclass(frozen=True)
class ReviewPage:
    rows: list[dict[str, Any]]  # each: link, unit, firm (None when missing), case_id, counting
    count: int
    page: int
    pages: int


def link_quarters(conn: Connection, provinces: Collection[str] | None) -> list[str]:
    """Quarters linked in ``provinces`` (None: any), latest first: a quarter whose links are
    all sure is still a quarter to choose, with no pair to review."""
    query = select(link.c.quarter).distinct().order_by(link.c.quarter.desc())
    if provinces is not None:
        query = query.where(link.c.province.in_(sorted(provinces)))
    return [row[0] for row in conn.execute(query)]


def _by_key(conn: Connection, table: Any, quarter: str, key: str, values: list[str]) -> dict:
    if not values:
        return {}
    query = select(table).where(table.c.quarter == quarter, table.c[key].in_(sorted(set(values))))
    return {row[key]: dict(row) for row in conn.execute(query).mappings()}


def counting_decisions(
    conn: Connection, quarter: str, cases: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Per case id (-> its province), the decision that counts as of ``quarter``
    (``rules.decisions.latest``), only among the decisions of the case's own province."""
    if not cases:
        return {}
    rows = [
        dict(row)
        for row in conn.execute(
            select(decision).where(decision.c.case_id.in_(sorted(cases)))
        ).mappings()
        if row["province"] == cases[row["case_id"]]
    ]
    if not rows:
        return {}
    return latest(pd.DataFrame(rows), Quarter.parse(quarter))


def review_links(
    conn: Connection,
    quarter: str,
    provinces: Collection[str] | None,
    page: int = 1,
) -> ReviewPage:
    """One page of the quarter's doubtful pairs in ``provinces``, most likely first (as the
    review sheet orders them), each with its unit, its firm, its case id on the review sheet
    (``workbook.link_case_id``) and the decision that counts."""
    conditions = [link.c.quarter == quarter, link.c.band == REVIEW]
    if provinces is not None:
        conditions.append(link.c.province.in_(sorted(provinces)))
    count = int(
        conn.execute(select(func.count()).select_from(link).where(*conditions)).scalar_one()
    )
    pages = max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    found = [
        dict(row)
        for row in conn.execute(
            select(link)
            .where(*conditions)
            .order_by(func.coalesce(link.c.weight, -1e9).desc(), link.c.unit_code)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).mappings()
    ]
    units = _by_key(conn, employer_unit, quarter, "unit_code", [r["unit_code"] for r in found])
    firms = _by_key(conn, firm, quarter, "tax_code", [r["tax_code"] for r in found])
    rows = []
    for item in found:
        rows.append(
            {
                "link": item,
                "unit": units.get(item["unit_code"]),
                "firm": firms.get(item["tax_code"]),
                "case_id": link_case_id(item["unit_code"], item["tax_code"]),
            }
        )
    last = counting_decisions(conn, quarter, {r["case_id"]: r["link"]["province"] for r in rows})
    for row in rows:
        row["counting"] = last.get(row["case_id"])
    return ReviewPage(rows, count, page, pages)


def review_link(
    conn: Connection, quarter: str, unit_code: str, tax_code: str
) -> dict[str, Any] | None:
    """The doubtful pair (unit, firm) of ``quarter``, or None when it is not one."""
    return _one(
        conn,
        select(link).where(
            link.c.quarter == quarter,
            link.c.unit_code == unit_code,
            link.c.tax_code == tax_code,
            link.c.band == REVIEW,
        ),
    )


# ---------------------------------------------------------------- the workbook of a filter
@dataclass(frozen=True)
class ExportFrames:
    """What ``workbook.case_rows`` takes, for the cases of one filter."""

    findings: pd.DataFrame
    statuses: pd.DataFrame
    links: pd.DataFrame
    firms: pd.DataFrame
    decisions: pd.DataFrame
    case_ids: list[str]
    review: pd.DataFrame  # the review sheet: the doubtful pairs of the filter's provinces


def _frame(conn: Connection, query: Select[Any], table: Any) -> pd.DataFrame:
    result = conn.execute(query)
    return pd.DataFrame(result.fetchall(), columns=[c.name for c in table.columns], dtype=object)


def export_frames(conn: Connection, flt: CaseFilter) -> ExportFrames:
    """Every finding of the filtered cases (no page), with their statuses, the links of their
    units, their firms and the decisions on them, as the pipeline's publish step reads them."""
    filtered = _filtered(conn, flt).subquery("filtered")
    case_ids = [row[0] for row in conn.execute(select(filtered.c.case_id))]
    wanted = select(filtered.c.case_id)
    findings = _frame(
        conn,
        select(finding).where(finding.c.quarter == flt.quarter, finding.c.case_id.in_(wanted)),
        finding,
    )
    statuses = _frame(
        conn,
        select(case_status).where(
            case_status.c.quarter == flt.quarter, case_status.c.case_id.in_(wanted)
        ),
        case_status,
    )
    units = select(finding.c.unit_code).where(
        finding.c.quarter == flt.quarter,
        finding.c.case_id.in_(wanted),
        finding.c.unit_code.is_not(None),
    )
    links = _frame(
        conn, select(link).where(link.c.quarter == flt.quarter, link.c.unit_code.in_(units)), link
    )
    tax_codes = select(finding.c.tax_code).where(
        finding.c.quarter == flt.quarter,
        finding.c.case_id.in_(wanted),
        finding.c.tax_code.is_not(None),
    )
    firms = _frame(
        conn,
        select(firm).where(firm.c.quarter == flt.quarter, firm.c.tax_code.in_(tax_codes)),
        firm,
    )
    decisions = _frame(conn, select(decision).where(decision.c.case_id.in_(wanted)), decision)
    if not findings.empty:  # a finding's province owns its decisions (as publish reads them)
        owner = dict(zip(findings["case_id"], findings["province"], strict=False))
        keep = [
            owner.get(case_id) == province
            for case_id, province in zip(decisions["case_id"], decisions["province"], strict=True)
        ]
        decisions = decisions.loc[pd.Series(keep, index=decisions.index, dtype=bool)]
    return ExportFrames(
        findings, statuses, links, firms, decisions, case_ids, _review_sheet(conn, flt)
    )


def _review_sheet(conn: Connection, flt: CaseFilter) -> pd.DataFrame:
    """The review sheet of the published workbook, for the filter's provinces: every doubtful
    pair of the quarter (a pair is no case, so the case filters do not narrow it)."""
    conditions = [link.c.quarter == flt.quarter, link.c.band == REVIEW]
    if flt.provinces is not None:
        conditions.append(link.c.province.in_(sorted(flt.provinces)))
    pairs = _frame(conn, select(link).where(*conditions), link)
    codes = {
        "unit_code": select(link.c.unit_code).where(*conditions),
        "tax_code": select(link.c.tax_code).where(*conditions),
    }
    units = _frame(
        conn,
        select(employer_unit).where(
            employer_unit.c.quarter == flt.quarter,
            employer_unit.c.unit_code.in_(codes["unit_code"]),
        ),
        employer_unit,
    )
    firms = _frame(
        conn,
        select(firm).where(firm.c.quarter == flt.quarter, firm.c.tax_code.in_(codes["tax_code"])),
        firm,
    )
    return review_rows(pairs, units, firms)
