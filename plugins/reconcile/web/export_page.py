"""The filtered cases as a workbook: the pipeline's own writer, the summary sheet stating the
filter, personal data masked unless the reader may see it."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from reconcile.publish import workbook
from reconcile.publish.groups import commune_namer
from reconcile.publish.labels import labels
from reconcile.quarter import Quarter
from reconcile.rules import decisions as decision_logic
from reconcile.web import present, queries
from reconcile.web.cases_page import CaseFilters, _case_filter
from reconcile.web.page_tools import SignedIn

router = APIRouter()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_PROVINCE_CODE = re.compile(r"^\d{2}$")


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
