"""The doubtful links (the review band) as the review page shows them, with the decision that
counts on each pair."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from reconcile.publish.workbook import link_case_id
from reconcile.quarter import Quarter
from reconcile.rules.decisions import latest
from reconcile.warehouse.schema import decision, employer_unit, firm, link
from reconcile.web.queries.case_detail import _one
from reconcile.web.queries.case_list import PAGE_SIZE

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
    rows: list[dict[str, Any]] = []
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
