"""The routes: sign in and out, the cases of a quarter, one case, and recording a decision.

Who may do what: every page needs a signed-in user (else 401 with a link to the sign-in page);
a ``viewer`` reads, an ``inspector`` reads and decides for their own provinces, an ``admin``
for all. Another province's case is 403 whether read or decided, and nothing is written. Every
POST form carries the session's token; a missing or wrong one is 403 and nothing is written.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException

from reconcile.publish.labels import label, labels
from reconcile.publish.workbook import COLUMNS, describe_link
from reconcile.quarter import Quarter
from reconcile.web import present, queries
from reconcile.web.auth import User, authenticate, csrf_ok, csrf_token, sign_in, signed_in

router = APIRouter()
NOTE_LIMIT = 2000


class NotSignedIn(Exception):
    """No valid session: answered 401 with a link to the sign-in page."""


def current_user(request: Request) -> User:
    user = signed_in(request.session, request.app.state.users)
    if user is None:
        raise NotSignedIn()
    return user


SignedIn = Annotated[User, Depends(current_user)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    env = request.app.state.templates
    user = signed_in(request.session, request.app.state.users)
    body = env.get_template(template).render(user=user, csrf=csrf_token(request.session), **context)
    return HTMLResponse(body, status_code=status_code)


def case_url(case_id: str, quarter: str | None = None) -> str:
    url = f"/cases/{quote(case_id, safe='')}"
    return f"{url}?{urlencode({'quarter': quarter})}" if quarter else url


def _check_csrf(request: Request, token: str) -> None:
    if not csrf_ok(request.session, token):
        raise HTTPException(403, "Phiên làm việc không hợp lệ: tải lại trang rồi gửi lại.")


def _quarter(text: str) -> str:
    try:
        return str(Quarter.parse(text))
    except ValueError:
        raise HTTPException(400, "Quý không hợp lệ (dạng 2025Q3).") from None


# ---------------------------------------------------------------- signing in and out
@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/cases", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html.j2", error="", username="")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Any:
    _check_csrf(request, csrf_token)
    user = authenticate(request.app.state.users, username.strip(), password)
    if user is None:
        return render(
            request,
            "login.html.j2",
            status_code=401,
            error="Tên đăng nhập hoặc mật khẩu không đúng.",
            username=username,
        )
    sign_in(request.session, user)
    return RedirectResponse("/cases", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    _check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# ---------------------------------------------------------------- the cases of a quarter
@router.get("/cases", response_class=HTMLResponse)
def cases(
    request: Request,
    user: SignedIn,
    quarter: str = "",
    province: str = "",
    commune: str = "",
    rule: str = "",
    status: str = "",
    decision: str = "",
    page: str = "1",
) -> HTMLResponse:
    allowed = None if user.all_provinces else user.provinces
    if province and allowed is not None and province not in allowed:
        raise HTTPException(403, "Bạn không được giao tỉnh này.")
    engine = request.app.state.engine
    with engine.connect() as conn:
        known = queries.quarters(conn, allowed)
        quarter = _quarter(quarter) if quarter else (known[0] if known else "")
        provinces = sorted(allowed) if allowed is not None else queries.province_codes(conn)
        flt = queries.CaseFilter(
            quarter=quarter,
            provinces=[province] if province else allowed,
            commune=commune,
            rule=rule,
            status=status,
            decision=decision,
        )
        number = int(page) if page.isdigit() and len(page) <= 6 else 1
        result = queries.case_page(conn, flt, number)
    filters = {
        "quarter": quarter,
        "province": province,
        "commune": commune,
        "rule": rule,
        "status": status,
        "decision": decision,
    }
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
    )


# ---------------------------------------------------------------- one case
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
        money_total=sum(int(f["money_at_stake"]) for f in detail.findings),
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
    if not user.can_decide:
        raise HTTPException(403, "Tài khoản chỉ được xem, không được ghi kết luận.")
    detail = _case_for(request, user, case_id, quarter)
    if decision not in present.decision_codes():
        raise HTTPException(400, "Kết luận không có trong danh mục.")
    if len(note) > NOTE_LIMIT:
        raise HTTPException(400, f"Ghi chú dài quá {NOTE_LIMIT} ký tự.")
    with request.app.state.engine.begin() as conn:
        queries.record_decision(
            conn,
            case=detail,
            code=decision,
            note=note.strip(),
            inspector=user.name,
            decided_on=request.app.state.today(),
        )
    return RedirectResponse(case_url(detail.case_id, detail.quarter), status_code=303)
