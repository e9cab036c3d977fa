"""``publish``: a province's workbook and CSV of open cases for the inspectors, and its
quarantine CSV; for a blocked province, a workbook saying why instead. The files' names are
``publish.layout.OutputLayout``'s."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from reconcile.publish import workbook
from reconcile.publish.blocked import write_blocked_workbook
from reconcile.publish.groups import commune_namer
from reconcile.publish.labels import labels
from reconcile.publish.layout import OutputLayout
from reconcile.publish.quarantine_csv import write_quarantine_csv
from reconcile.quarter import Quarter
from reconcile.rules import decisions as decision_logic
from reconcile.rules.catalog import rules
from reconcile.settings import Settings
from reconcile.warehouse import feed_files, locks, readiness
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame

log = logging.getLogger(__name__)


def publish(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    """The inspectors' workbook and CSV of the partition's open cases, and its quarantine CSV.

    Written under a lock in the warehouse, so two runs of a quarter never interleave a
    province's files (``Locked`` is retryable: the second waits for its turn).
    """
    engine = get_engine(settings.warehouse_url)
    with locks.held(engine, f"publish:{quarter}:{province}"):
        return _publish(settings, engine, quarter, province)


def published(settings: Settings, quarter: Quarter) -> list[dict[str, Any]]:
    """What publish wrote for the quarter, found on disk (the DAG's summary has no task results):
    every province with a folder of outputs, its files as the layout names them."""
    layout = OutputLayout(settings, quarter)
    return [layout.published(province).as_dict() for province in layout.published_provinces()]


def _publish(settings: Settings, engine: Any, quarter: Quarter, province: str) -> dict[str, Any]:
    catalog = rules(settings.options.get("rules"))
    partition = {"quarter": str(quarter), "province": province}
    with engine.connect() as conn:
        state = readiness.province_readiness(conn, str(quarter), province, settings.options)
        findings = read_frame(conn, t.finding, **partition)
        statuses = read_frame(conn, t.case_status, **partition)
        links = read_frame(conn, t.link, **partition)
        quarantined = read_frame(conn, t.quarantine, **partition)
        files = feed_files.files_frame(conn, str(quarter), province)
        units = read_frame(conn, t.employer_unit, **partition)
        firms = read_frame(conn, t.firm, **partition)
        decided = read_frame(conn, t.decision, province=province)
        last = decision_logic.latest(decided, quarter)
    group_of = (
        commune_namer(province)
        if settings.options.get("workbook_group_by", "commune") == "commune"
        else None
    )
    rows = workbook.case_rows(
        findings,
        statuses,
        links,
        catalog,
        firms,
        decision_logic.carried(last),
        mask=bool(settings.options.get("mask_personal_data", True)),
        group_of=group_of,
        history=decision_logic.history(decided, quarter),
    )
    review = workbook.review_rows(links, units, firms)
    layout = OutputLayout(settings, quarter)
    if state.blocked:
        return _publish_blocked(settings, state, layout, quarantined, files)
    words = labels()["export"]  # the web's export writes the same summary sheet
    overview = {
        words["quarter"]: str(quarter),
        words["province"]: province,
        words["cases"]: len(rows),
        words["review"]: len(review),
        words["money"]: int(rows["money_counted"].sum()) if not rows.empty else 0,
        **{
            f"{words['rule_prefix']} {rule}": count
            for rule, count in sorted(Counter(rows["rule"]).items())
        },
        **{f"Cảnh báo {n}": gap.describe_vi() for n, gap in enumerate(state.gaps, start=1)},
    }
    xlsx = workbook.write_workbook(
        rows,
        layout.workbook(province),
        _title(layout, province),
        overview,
        review,
        group_sheets=group_of is not None,
    )
    csv_path = workbook.write_csv(rows, layout.cases_csv(province))
    quarantine_path = _write_quarantine(settings, layout, province, quarantined, files)
    return {
        "province": province,
        "cases": len(rows),
        "review": len(review),
        "workbook": str(xlsx),
        "csv": str(csv_path),
        "quarantine": str(quarantine_path),
    }


def _publish_blocked(
    settings: Settings,
    state: readiness.Readiness,
    layout: OutputLayout,
    quarantined: pd.DataFrame,
    files: pd.DataFrame,
) -> dict[str, Any]:
    """A blocked province: a workbook saying why instead of cases; no cases CSV (an old one,
    from a run before the file was refused, is removed: it no longer holds)."""
    province = state.province
    xlsx = write_blocked_workbook(state, layout.workbook(province), _title(layout, province))
    layout.cases_csv(province).unlink(missing_ok=True)
    quarantine_path = _write_quarantine(settings, layout, province, quarantined, files)
    log.error("province %s blocked, no cases published: %s", state.province, state.describe())
    return {
        "province": state.province,
        "blocked": [g.as_dict() for g in state.blocking],
        "cases": 0,
        "review": 0,
        "workbook": str(xlsx),
        "csv": None,
        "quarantine": str(quarantine_path),
    }


def _title(layout: OutputLayout, province: str) -> str:
    return f"Danh sách hồ sơ kiểm tra – {layout.stem(province)}"


def _write_quarantine(
    settings: Settings,
    layout: OutputLayout,
    province: str,
    quarantined: pd.DataFrame,
    files: pd.DataFrame,
) -> Path:
    """The province's quarantine CSV (the list of its files), and beside it one CSV per file
    with the rows set aside and why."""
    return write_quarantine_csv(
        quarantined,
        files,
        layout.quarantine_csv(province),
        mask=bool(settings.options.get("mask_personal_data", True)),
        mask_unknown=bool(settings.options.get("mask_unknown_columns", True)),
        validations=settings.data_dir / "validations",
    )
