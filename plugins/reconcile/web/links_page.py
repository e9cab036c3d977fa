"""The doubtful links (the review sheet) of the user's provinces, and an inspector's answer on
a pair, stored under the review sheet's case id."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException

from reconcile.publish.workbook import REVIEW_COLUMNS, describe_link, link_case_id
from reconcile.web import present, queries
from reconcile.web.auth import User
from reconcile.web.case_page import FIRM_FIELDS, UNIT_FIELDS, _side
from reconcile.web.decision_form import _check_decider, _write_decision
from reconcile.web.page_tools import (
    NOTE_LIMIT,
    SignedIn,
    _allowed,
    _check_csrf,
    _quarter,
    redirect,
    render,
)

router = APIRouter()


# what an inspector answers on a doubtful pair, as the review sheet reads them back
LINK_DECISIONS = ("confirmed", "not_a_match")


_REVIEW_HEADERS = {key: header for key, header, _ in REVIEW_COLUMNS}


def links_url(quarter: str, province: str = "") -> str:
    kept = {key: value for key, value in (("quarter", quarter), ("province", province)) if value}
    return "/links?" + urlencode(kept) if kept else "/links"


def _pair_view(row: dict[str, Any], user: User) -> dict[str, Any]:
    """One doubtful pair as the page shows it: both records, the review sheet's explanation,
    the comparison field by field, and the decision that counts."""
    pair = row["link"]
    counting = row["counting"]
    return {
        "case_id": row["case_id"],
        "quarter": pair["quarter"],
        "province": pair["province"],
        "unit_code": pair["unit_code"],
        "tax_code": pair["tax_code"],
        "unit_name": (row["unit"] or {}).get("name") or "",
        "firm_name": (row["firm"] or {}).get("name") or "",
        "unit": _side(row["unit"], UNIT_FIELDS, user, unit=True),
        "firm": _side(row["firm"], FIRM_FIELDS, user, unit=False),
        "explanation": describe_link(pair["method"], pair["evidence"]),
        "facts": present.link_facts(pair["evidence"], pair["province"]),
        "comparisons": present.link_comparisons(pair["evidence"]),
        "decision": (
            {
                "code": counting["decision"],
                "words": present.decision_words(counting["decision"], link_question=True),
                "decided_on": counting["decided_on"],
                "inspector": present.personal(
                    counting["inspector"], "inspector", user.sees_personal_data
                ),
            }
            if counting is not None
            else None
        ),
        "may_decide": user.can_decide and user.may_see(pair["province"]),
    }


@router.get("/links", response_class=HTMLResponse)
def links(
    request: Request, user: SignedIn, quarter: str = "", province: str = "", page: str = "1"
) -> HTMLResponse:
    """The doubtful pairs (the workbook's review sheet) of the user's provinces."""
    allowed = _allowed(user, province)
    with request.app.state.engine.connect() as conn:
        known = queries.link_quarters(conn, allowed)
        quarter = _quarter(quarter) if quarter else (known[0] if known else "")
        provinces = sorted(allowed) if allowed is not None else queries.province_codes(conn)
        number = int(page) if page.isdigit() and len(page) <= 6 else 1
        result = queries.review_links(conn, quarter, [province] if province else allowed, number)
    kept = {key: value for key, value in (("quarter", quarter), ("province", province)) if value}
    return render(
        request,
        "links.html.j2",
        result=result,
        pairs=[_pair_view(row, user) for row in result.rows],
        filters={"quarter": quarter, "province": province},
        quarters=known if quarter in known or not quarter else [quarter, *known],
        provinces=provinces,
        headers=_REVIEW_HEADERS,
        choices=[
            (code, present.decision_words(code, link_question=True)) for code in LINK_DECISIONS
        ],
        note_limit=NOTE_LIMIT,
        page_size=queries.PAGE_SIZE,
        page_url=lambda n: "/links?" + urlencode({**kept, "page": n}),
    )


@router.post("/links/decision")
def decide_link(
    request: Request,
    user: SignedIn,
    unit_code: Annotated[str, Form()] = "",
    tax_code: Annotated[str, Form()] = "",
    quarter: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    province: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """An inspector's answer on a doubtful pair, stored under the review sheet's case id."""
    _check_csrf(request, csrf_token)
    _check_decider(user)
    checked = _quarter(quarter)
    with request.app.state.engine.connect() as conn:
        pair = queries.review_link(conn, checked, unit_code, tax_code)
    if pair is None:
        raise HTTPException(404, "Không có cặp cần xem xét này.")
    _write_decision(
        request,
        user,
        province=pair["province"],
        quarter=checked,
        case_id=link_case_id(pair["unit_code"], pair["tax_code"]),
        code=decision,
        note=note,
        codes=LINK_DECISIONS,
    )
    back = province if province and user.may_see(province) else ""
    return redirect(request, links_url(checked, back))
