"""A run's bookkeeping: its start and end in ``run``, the provinces' states, and the summary
written at the end (``summary.json``, the quality reports) with the problems that need a person.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import update

from reconcile import __version__
from reconcile.errors import QuarterIncomplete
from reconcile.publish import atomic
from reconcile.publish.layout import OutputLayout
from reconcile.publish.quality_report import build_quality_report
from reconcile.quality.data_docs import build_data_docs
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.steps.publishing import published as published_on_disk
from reconcile.warehouse import feed_files, readiness
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.queries import run_query
from reconcile.warehouse.store import replace_partition

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def start_run(settings: Settings, quarter: Quarter, run_id: str) -> None:
    """Record the run as ``running``; runs left ``running`` long ago are marked ``abandoned``.

    A run killed with its process never writes its end. Older than ``stale_run_hours`` (the
    longest a quarter may take), it is taken as gone, so that ``run`` never says that a
    quarter is being processed when nothing is.
    """
    engine = get_engine(settings.warehouse_url)
    hours = float(settings.options.get("stale_run_hours", 12))
    cutoff = _now() - timedelta(hours=hours)
    with engine.begin() as conn:
        abandoned = conn.execute(
            update(t.run)
            .where(
                t.run.c.status == "running", t.run.c.started_at < cutoff, t.run.c.run_id != run_id
            )
            .values(status="abandoned", finished_at=_now())
        ).rowcount
        replace_partition(
            conn,
            t.run,
            {"run_id": run_id},
            [
                {
                    "run_id": run_id,
                    "quarter": str(quarter),
                    "started_at": _now(),
                    "status": "running",
                    "versions": {"reconcile": __version__},
                }
            ],
        )
    if abandoned:
        log.warning(
            "%d run(s) still marked running after %.0f hours were marked abandoned",
            abandoned,
            hours,
        )


def end_run(settings: Settings, run_id: str, status: str, error: str | None = None) -> None:
    """Record how a run ended when it did not reach its summary (``failed``, with the error)."""
    engine = get_engine(settings.warehouse_url)
    with engine.begin() as conn:
        conn.execute(
            update(t.run)
            .where(t.run.c.run_id == run_id)
            .values(status=status, finished_at=_now(), counts={"error": error} if error else None)
        )


def province_states(settings: Settings, quarter: Quarter) -> dict[str, readiness.Readiness]:
    """Every province with files this quarter, and what (if anything) it lacks."""
    with get_engine(settings.warehouse_url).connect() as conn:
        return readiness.quarter_readiness(conn, str(quarter), settings.options)


def verdict(summary: dict[str, Any]) -> dict[str, Any]:
    """``QuarterIncomplete`` when the summary lists problems: raised once everything is written."""
    if summary.get("problems"):
        raise QuarterIncomplete(summary["quarter"], summary["problems"])
    return {"quarter": summary["quarter"], "status": summary.get("status", "success")}


def problems(summary: dict[str, Any]) -> list[str]:
    """What in a run's summary needs a person: refused files, blocked provinces."""
    found = [
        f"{item['file']} (province {item['province']}, {item['feed']}) refused: {item['message']}"
        for item in summary["files"].get("failed_details", [])
    ]
    for province, state in summary.get("provinces", {}).items():
        if state["status"] == "blocked":
            found.append(f"province {province} blocked, no cases published: {state['why']}")
    return found


def summarise(
    settings: Settings,
    quarter: Quarter,
    run_id: str,
    landing: dict[str, Any] | None = None,
    published: list[dict[str, Any]] | None = None,
    failures: list[str] | None = None,
) -> dict[str, Any]:
    """The run's summary, from the warehouse (not from task results), written to summary.json.

    ``problems`` lists what needs a person (refused files, blocked provinces, and the
    ``failures`` the caller saw, such as a province whose step raised); the run is then
    ``incomplete``, not ``success``.
    """
    engine = get_engine(settings.warehouse_url)
    q = str(quarter)
    with engine.begin() as conn:
        files = feed_files.files_frame(conn, q)
        feeds = {
            r["feed"]: {
                "files": int(r["files"]),
                "rows_accepted": int(r["rows_accepted"]),
                "rows_quarantined": int(r["rows_quarantined"]),
            }
            for r in run_query(conn, settings.sql_dir, "feed_rows", quarter=q)
        }
        links: Counter[str] = Counter()
        for r in run_query(conn, settings.sql_dir, "links_by_method", quarter=q):
            links[r["method"]] += int(r["links"])
        by_rule = run_query(conn, settings.sql_dir, "findings_by_rule", quarter=q)
        findings = {r["rule"]: int(r["findings"]) for r in by_rule}
        # each missing employee, wage shortfall and unpaid amount once (rules/money.py counted)
        money_counted = sum(int(r["money_counted"] or 0) for r in by_rule)
        statuses = {
            r["status"]: int(r["cases"])
            for r in run_query(conn, settings.sql_dir, "cases_by_status", quarter=q)
        }
        sizes = run_query(conn, settings.sql_dir, "partition_sizes", quarter=q)[0]
        units = int(sizes["employer_units"])
        summary: dict[str, Any] = {
            "quarter": q,
            "run_id": run_id,
            "files": _files_summary(files, landing or {}),
            "feeds": feeds,
            "firms": int(sizes["firms"]),
            "employer_units": units,
            "links_by_method": dict(sorted(links.items())),
            "unlinked_units": units - sum(links.values()),
            "findings_by_rule": dict(sorted(findings.items())),
            "money_counted": money_counted,
            "cases_by_status": dict(sorted(statuses.items())),
            "published": published
            if published is not None
            else published_on_disk(settings, quarter),
            "provinces": {
                province: {
                    "status": "blocked" if state.blocked else "published",
                    "why": state.describe() if state.gaps else None,
                    "gaps": [gap.as_dict() for gap in state.gaps],
                }
                for province, state in province_states(settings, quarter).items()
            },
        }
        summary["problems"] = problems(summary) + list(failures or [])
        status = "incomplete" if summary["problems"] else "success"
        summary["status"] = status
        conn.execute(
            update(t.run)
            .where(t.run.c.run_id == run_id)
            .values(finished_at=_now(), status=status, counts=summary)
        )
    summary["quality_report"] = str(build_quality_report(settings, quarter))
    for province, state in summary["provinces"].items():  # each BHXH tỉnh its own report
        state["quality_report"] = str(build_quality_report(settings, quarter, province))
    # Data Docs load their assets from CDNs: an optional extra (docs/ingestion.md); the
    # validation results are in the quality reports
    docs = build_data_docs(settings, quarter) if settings.options.get("data_docs") else None
    summary["data_docs"] = str(docs) if docs else None
    layout = OutputLayout(settings, quarter)
    layout.folder.mkdir(parents=True, exist_ok=True)
    path = layout.summary_json
    summary["summary_path"] = str(path)
    atomic.write_text(path, json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def _files_summary(files: pd.DataFrame, landing: dict[str, Any]) -> dict[str, Any]:
    """The summary's ``files``: what this run landed, and the quarter's files by their state."""
    if files.empty:
        failed, details, rejected, replaced = [], [], [], 0
    else:
        refused = files[files["status"] == "failed"]
        failed = sorted(refused["file_name"])
        details = [
            {
                "file": f.file_name,
                "file_id": f.file_id,
                "province": f.province,
                "feed": f.feed,
                "message": f.message,
            }
            for f in refused.sort_values("file_name").itertuples()
        ]
        rejected = sorted(files.loc[files["status"] == "rejected", "file_name"])
        replaced = int((files["status"] == "replaced").sum())
    return {
        "landed_now": len(landing.get("landed", [])),
        "skipped_seen_before": len(landing.get("skipped", [])),
        "ignored": landing.get("ignored", []),
        "in_warehouse": len(files),
        "failed": failed,
        "failed_details": details,
        "rejected": rejected,
        "replaced_by_corrections": replaced,
    }
