"""The routes: sign in and out, the cases of a quarter (and as a workbook), one case, the
doubtful links, and recording a decision on a case or a link (one path: ``_write_decision``).

Who may do what: every page needs a signed-in user (else 401 with a link to the sign-in page);
a ``viewer`` reads, an ``inspector`` reads and decides for their own provinces, an ``admin``
for all. Another province's case is 403 whether read or decided, and nothing is written. Every
POST form carries the session's token; a missing or wrong one is 403 and nothing is written.
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection
from starlette.exceptions import HTTPException

from reconcile.publish import workbook
from reconcile.publish.groups import commune_namer
from reconcile.publish.labels import label, labels
from reconcile.publish.workbook import COLUMNS, REVIEW_COLUMNS, describe_link, link_case_id
from reconcile.quarter import Quarter
from reconcile.rules import decisions as decision_logic
from reconcile.web import present, queries
from reconcile.web.auth import User, authenticate, csrf_ok, csrf_token, sign_in, signed_in

router = APIRouter()
NOTE_LIMIT = 2000
# what an inspector answers on a doubtful pair, as the review sheet reads them back
LINK_DECISIONS = ("confirmed", "not_a_match")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PROVINCE_CODE = re.compile(r"^\d{2}$")


class NotSignedIn(Exception):
    """No valid session: answered 401 with a link to the sign-in page."""


def current_user(request: Request) -> User:
    user = signed_in(request.session, request.app.state.users)
    if user is None:
        raise NotSignedIn()
    return user


SignedIn = Annotated[User, Depends(current_user)]


def root(request: Request) -> str:
    """Where the app is mounted ("" at the server's root, "/reconcile" in Airflow): every link
    and redirect a page writes starts with it."""
    return str(request.scope.get("root_path") or "").rstrip("/")


def redirect(request: Request, url: str) -> RedirectResponse:
    """303 to ``url`` (root-relative in the app) under the app's mount."""
    return RedirectResponse(root(request) + url, status_code=303)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    env = request.app.state.templates
    user = signed_in(request.session, request.app.state.users)
    body = env.get_template(template).render(
        user=user, csrf=csrf_token(request.session), root=root(request), **context
    )
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
def home(request: Request) -> RedirectResponse:
    return redirect(request, "/cases")


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
    name, throttle, now = username.strip(), request.app.state.throttle, time.monotonic()
    wait = throttle.wait(name, now)
    if wait:
        minutes = math.ceil(wait / 60)
        return render(request, "login.html.j2", status_code=429, username=username,
                      error=f"Đăng nhập sai quá nhiều lần: thử lại sau {minutes} phút.")  # fmt: skip
    user = authenticate(request.app.state.users, name, password)
    if user is None:
        throttle.failed(name, now)
        return render(
            request,
            "login.html.j2",
            status_code=401,
            error="Tên đăng nhập hoặc mật khẩu không đúng.",
            username=username,
        )
    throttle.succeeded(name)
    sign_in(request.session, user)
    return redirect(request, "/cases")


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    _check_csrf(request, csrf_token)
    request.session.clear()
    return redirect(request, "/login")


# ---------------------------------------------------------------- the cases of a quarter
def _allowed(user: User, province: str) -> Collection[str] | None:
    """The provinces ``user`` reads (None: all); 403 when ``province`` is not among them."""
    allowed = None if user.all_provinces else user.provinces
    if province and allowed is not None and province not in allowed:
        raise HTTPException(403, "Bạn không được giao tỉnh này.")
    return allowed


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
    return {"quarter": quarter, "province": province, "commune": commune, "rule": rule,
            "status": status, "decision": decision}  # fmt: skip


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


# ---------------------------------------------------------------- the filter as a workbook
def export_file_name(province: str, quarter: str) -> str:
    """``cases_<province>_<quarter>.xlsx``: nothing in it but a checked code and quarter."""
    shown = province if _PROVINCE_CODE.match(province) else "all"
    checked = str(Quarter.parse(quarter))
    return f"cases_{shown}_{checked}.xlsx"


def _overview(
    flt: queries.CaseFilter, filters: dict[str, str], rows: Any, provinces: list[str], pairs: int
) -> dict[str, Any]:
    """The summary sheet: the publish step's figures, and the filter the workbook holds."""
    words = labels()["export"]
    overview: dict[str, Any] = {
        words["quarter"]: flt.quarter,
        words["province"]: filters["province"] or ", ".join(provinces) or words["all_provinces"],
        words["cases"]: len(rows),
        words["review"]: pairs,
        words["money"]: int(rows["money_counted"].sum()) if not rows.empty else 0,
    }
    for rule_code in sorted(set(rows["rule"])):
        overview[f"{words['rule_prefix']} {rule_code}"] = int((rows["rule"] == rule_code).sum())
    chosen = {
        "commune": filters["commune"].strip(),
        "rule": present.rule_words(filters["rule"]) if filters["rule"] else "",
        "status": present.status_words(filters["status"]) if filters["status"] else "",
        "decision": (
            words["undecided"]
            if filters["decision"] == queries.UNDECIDED
            else present.decision_words(filters["decision"])
            if filters["decision"]
            else ""
        ),
    }
    for key, value in chosen.items():
        if value:
            overview[f"{words['filter']}: {words[key]}"] = value
    return overview


@router.get("/cases/export.xlsx")
def export_cases(request: Request, user: SignedIn, filters: CaseFilters) -> Response:
    """The filtered cases as the workbook the pipeline publishes, by its own writer; personal
    data masked unless the reader may see it (as the published workbook masks it)."""
    with request.app.state.engine.connect() as conn:
        flt, _known, _provinces = _case_filter(conn, user, filters)
        if not flt.quarter:
            raise HTTPException(404, "Chưa có dữ liệu.")
        frames = queries.export_frames(conn, flt)
    last = decision_logic.latest(frames.decisions, Quarter.parse(flt.quarter))
    provinces = sorted(set(frames.findings["province"])) if not frames.findings.empty else []
    group_of = commune_namer(provinces[0]) if len(provinces) == 1 else None
    rows = workbook.case_rows(
        frames.findings,
        frames.statuses,
        frames.links,
        request.app.state.catalog,
        frames.firms,
        decision_logic.carried(last),
        mask=not user.sees_personal_data,
        group_of=group_of,
    )
    overview = _overview(flt, filters, rows, provinces, len(frames.review))
    name = export_file_name(
        filters["province"] or (provinces[0] if len(provinces) == 1 else ""), flt.quarter
    )
    with tempfile.TemporaryDirectory(prefix="reconcile-web-export-") as folder:
        path = workbook.write_workbook(
            rows,
            Path(folder) / name,
            f"{labels()['export']['title']} – {name.removesuffix('.xlsx').removeprefix('cases_')}",
            overview,
            frames.review,
            group_sheets=group_of is not None,
        )
        content = Path(path).read_bytes()
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
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


def _check_decider(user: User) -> None:
    if not user.can_decide:
        raise HTTPException(403, "Tài khoản chỉ được xem, không được ghi kết luận.")


def _write_decision(
    request: Request,
    user: User,
    *,
    province: str,
    quarter: str,
    case_id: str,
    code: str,
    note: str,
    codes: Collection[str],
) -> None:
    """The one path by which a page records a decision: who may, which codes, the note's
    length, then a new ``decision`` row (``queries.record_decision``). The form's token is
    checked by the route first."""
    _check_decider(user)
    if not user.may_see(province):
        raise HTTPException(403, "Hồ sơ thuộc tỉnh bạn không được giao.")
    if code not in codes:
        raise HTTPException(400, "Kết luận không có trong danh mục.")
    if len(note) > NOTE_LIMIT:
        raise HTTPException(400, f"Ghi chú dài quá {NOTE_LIMIT} ký tự.")
    with request.app.state.engine.begin() as conn:
        queries.record_decision(
            conn,
            province=province,
            quarter=quarter,
            case_id=case_id,
            code=code,
            note=note.strip(),
            inspector=user.name,
            decided_on=request.app.state.today(),
        )


# ---------------------------------------------------------------- doubtful links (review band)
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
