"""The one path by which a page records a decision: who may, which codes, the note's length,
then a new row."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import Request
from starlette.exceptions import HTTPException

from reconcile.web import queries
from reconcile.web.auth import User
from reconcile.web.page_tools import NOTE_LIMIT


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
