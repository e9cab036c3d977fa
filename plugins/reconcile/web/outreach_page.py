"""The weekly outreach list on the inspectors' page: the same lists as the Monday workbook
(``history.steps.outreach_lists``), for the week ending the chosen day (today by default),
for the provinces the user reads."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from reconcile.history.outreach import closed_rows
from reconcile.history.steps import outreach_lists
from reconcile.web import present, queries
from reconcile.web.pages import SignedIn, _allowed, render

router = APIRouter()


@router.get("/outreach", response_class=HTMLResponse)
def outreach(request: Request, user: SignedIn, day: str = "", province: str = "") -> HTMLResponse:
    allowed = _allowed(user, province)
    try:
        chosen = date.fromisoformat(day) if day else request.app.state.today()
    except ValueError:
        raise HTTPException(400, "Ngày không hợp lệ: dùng dạng YYYY-MM-DD.") from None
    with request.app.state.engine.connect() as conn:
        wanted = [province] if province else (sorted(allowed) if allowed is not None else None)
        lists = outreach_lists(conn, request.app.state.options, chosen, wanted)
        provinces = sorted(allowed) if allowed is not None else queries.province_codes(conn)
    shown = {}
    for code, (new, closed) in lists.items():
        shown[code] = (
            [
                {
                    **firm.__dict__,
                    "representative": present.personal(
                        firm.representative, "representative", user.sees_personal_data
                    ),
                }
                for firm in new
            ],
            closed_rows(closed),
        )
    return render(
        request,
        "outreach.html.j2",
        day=chosen,
        lists=shown,
        empty=not any(new or closed for new, closed in shown.values()),
        filters={"day": chosen.isoformat(), "province": province},
        provinces=provinces,
    )
