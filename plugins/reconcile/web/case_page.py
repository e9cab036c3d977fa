"""One case: its findings, both records side by side, its link in words, its decisions, and the
form to record one."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException

from reconcile.publish.labels import label, labels
from reconcile.publish.workbook import COLUMNS, describe_link
from reconcile.web import present, queries
from reconcile.web.auth import User
from reconcile.web.decision_form import _check_decider, _write_decision
from reconcile.web.page_tools import (
    NOTE_LIMIT,
    SignedIn,
    _check_csrf,
    _quarter,
    case_url,
    redirect,
    render,
)

router = APIRouter()


def _case_for(request: Request, user: User, case_id: str, quarter: str) -> queries.CaseDetail:
    with request.app.state.engine.connect() as conn:
        detail = queries.case_detail(conn, case_id, _quarter(quarter) if quarter else None)
    if detail is None:
        raise HTTPException(404, "Không có hồ sơ này.")
    if not user.may_see(detail.province):
        raise HTTPException(403, "Hồ sơ thuộc tỉnh bạn không được giao.")
    return detail


FIRM_FIELDS = [
    ("name", "report.fields"),
    ("tax_code", "report.fields"),
    ("address", "report.fields"),
    ("legal_form", "report.fields"),
    ("industry", "report.fields"),
    ("representative", "workbook"),
    ("tax_status", "evidence"),
    ("registry_status", "evidence"),
    ("started_on", "evidence"),
    ("pit_employees", "report.fields"),
    ("declared_employees", "report.fields"),
]


UNIT_FIELDS = [
    ("name", "report.fields"),
    ("unit_code", "report.fields"),
    ("tax_code_raw", "report.fields"),
    ("address", "report.fields"),
    ("office", "report.fields"),
    ("joined_on", "report.fields"),
    ("status", "evidence"),
    ("insured_employees", "report.fields"),
    ("wage_bill", "evidence"),
    ("arrears", "report.fields"),
    ("arrears_months", "report.fields"),
]


_VALUE_GROUPS = {"tax_status": "tax_status", "registry_status": "registry_status"}


_MONEY_FIELDS = {"wage_bill", "arrears", "pit_wage_bill", "due", "paid"}


_WORKBOOK_HEADERS = {key: header for key, header, _ in COLUMNS}


def _field_words(key: str, source: str) -> str:
    if source == "workbook":
        return _WORKBOOK_HEADERS[key]
    if key == "status":
        return labels()["evidence"]["unit_status"]
    if key == "tax_code_raw":
        return labels()["report"]["fields"]["tax_code"]
    group = labels()["report"]["fields"] if source == "report.fields" else labels()["evidence"]
    return group[key]


def _side(
    record: dict[str, Any] | None, fields: list[tuple[str, str]], user: User, unit: bool
) -> list[tuple[str, Any]] | None:
    if record is None:
        return None
    rows = []
    for key, source in fields:
        value = record.get(key)
        if value is None or value == "":
            continue
        if key in _MONEY_FIELDS:
            shown = present.money(value)
        elif key == "status" and unit:
            shown = label("unit_status", value)
        elif key in _VALUE_GROUPS:
            shown = label(_VALUE_GROUPS[key], value)
        elif hasattr(value, "strftime"):
            shown = present.day(value)
        else:
            shown = present.personal(value, key, user.sees_personal_data)
        rows.append((_field_words(key, source), shown))
    return rows


@router.get("/cases/{case_id:path}", response_class=HTMLResponse)
def one_case(request: Request, user: SignedIn, case_id: str, quarter: str = "") -> HTMLResponse:
    detail = _case_for(request, user, case_id, quarter)
    link_question = present.is_link_question([f["rule"] for f in detail.findings])
    findings = [
        {
            "rule": f["rule"],
            "title": present.rule_words(f["rule"], f["evidence"]),
            "legal_basis": f["legal_basis"],
            "severity": f["severity"],
            "money": f["money_at_stake"],
            "evidence": present.evidence_items(f["evidence"]),
        }
        for f in detail.findings
    ]
    link_words = ""
    if detail.link is not None:
        link_words = describe_link(detail.link["method"], detail.link["evidence"])
    decisions = [
        {
            **d,
            "words": present.decision_words(d["decision"], link_question),
            "inspector": present.personal(d["inspector"], "inspector", user.sees_personal_data),
        }
        for d in detail.decisions
    ]
    first = detail.findings[0]
    return render(
        request,
        "case.html.j2",
        case=detail,
        name=first["name"] or "",
        address=first["address"] or "",
        # a case resolved this quarter has nothing at stake now, whatever it had before
        # counted once with the firm's other findings (rules/money.py), as in the workbook
        money_total=sum(
            int(f["money_at_stake"] if f.get("money_counted") is None else f["money_counted"])
            for f in detail.findings
        )
        if detail.evidence_quarter == detail.quarter
        else 0,
        status=next((s["status"] for s in detail.statuses if s["quarter"] == detail.quarter), None),
        findings=findings,
        firm=_side(detail.firm, FIRM_FIELDS, user, unit=False),
        unit=_side(detail.unit, UNIT_FIELDS, user, unit=True),
        link_words=link_words,
        decisions=decisions,
        choices=present.decision_choices(link_question),
        may_decide=user.can_decide and user.may_see(detail.province),
        action=case_url(detail.case_id) + "/decision",
        quarter_urls=[(q, case_url(detail.case_id, q)) for q in detail.quarters],
        list_url="/cases?" + urlencode({"quarter": detail.quarter}),
        note_limit=NOTE_LIMIT,
    )


@router.post("/cases/{case_id:path}/decision")
def decide(
    request: Request,
    user: SignedIn,
    case_id: str,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    quarter: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    _check_csrf(request, csrf_token)
    _check_decider(user)
    detail = _case_for(request, user, case_id, quarter)
    _write_decision(
        request,
        user,
        province=detail.province,
        quarter=detail.quarter,
        case_id=detail.case_id,
        code=decision,
        note=note,
        codes=present.decision_codes(),
    )
    return redirect(request, case_url(detail.case_id, detail.quarter))
