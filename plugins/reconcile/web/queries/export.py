"""The frames the published workbook is written from, for the cases of one filter: the web
export runs the pipeline's own writer on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, select

from reconcile.publish.workbook import review_rows
from reconcile.warehouse.schema import case_status, decision, employer_unit, finding, firm, link
from reconcile.web.queries.case_list import CaseFilter, _filtered
from reconcile.web.queries.review import REVIEW


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
