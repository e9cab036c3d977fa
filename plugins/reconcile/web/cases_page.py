"""The cases of a quarter: the list, its filters (read from the query string, shared with the
export), a page at a time."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from reconcile.web import present, queries
from reconcile.web.auth import User
from reconcile.web.page_tools import SignedIn, _allowed, _quarter, case_url, render

router = APIRouter()


def _case_filter(
    conn: Connection, user: User, filters: dict[str, str]
) -> tuple[queries.CaseFilter, list[str], list[str]]:
    """The /cases filter of ``filters`` for ``user`` (a blank quarter: the latest), the quarters
    and provinces to offer. ``filters["quarter"]`` is set to the quarter used."""
    province = filters["province"]
    allowed = _allowed(user, province)
    known = queries.quarters(conn, allowed)
    quarter = filters["quarter"]
    quarter = _quarter(quarter) if quarter else (known[0] if known else "")
    filters["quarter"] = quarter
    provinces = sorted(allowed) if allowed is not None else queries.province_codes(conn)
    flt = queries.CaseFilter(
        quarter=quarter,
        provinces=[province] if province else allowed,
        commune=filters["commune"],
        rule=filters["rule"],
        status=filters["status"],
        decision=filters["decision"],
    )
    return flt, known, provinces


def case_filters(
    quarter: str = "",
    province: str = "",
    commune: str = "",
    rule: str = "",
    status: str = "",
    decision: str = "",
) -> dict[str, str]:
    """The /cases filters as the query string gives them (the cases page and its export)."""
    return {
        "quarter": quarter,
        "province": province,
        "commune": commune,
        "rule": rule,
        "status": status,
        "decision": decision,
    }


CaseFilters = Annotated[dict[str, str], Depends(case_filters)]


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, user: SignedIn, filters: CaseFilters, page: str = "1") -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        flt, known, provinces = _case_filter(conn, user, filters)
        number = int(page) if page.isdigit() and len(page) <= 6 else 1
        result = queries.case_page(conn, flt, number)
    quarter = flt.quarter
    kept = {key: value for key, value in filters.items() if value}
    for row in result.rows:
        row["url"] = case_url(row["case_id"], quarter)
        row["rule_words"] = [present.rule_words(code) for code in row["rules"]]
        row["decision_words"] = (
            present.decision_words(row["decision"], present.is_link_question(row["rules"]))
            if row["decision"]
            else ""
        )
    return render(
        request,
        "cases.html.j2",
        result=result,
        filters=filters,
        quarters=known if quarter in known or not quarter else [quarter, *known],
        provinces=provinces,
        rules=present.rule_choices(),
        statuses=present.status_choices(),
        decisions=[(code, present.decision_words(code)) for code in present.decision_codes()],
        undecided=queries.UNDECIDED,
        page_size=queries.PAGE_SIZE,
        page_url=lambda n: "/cases?" + urlencode({**kept, "page": n}),
        export_url="/cases/export.xlsx?" + urlencode(kept),
    )
