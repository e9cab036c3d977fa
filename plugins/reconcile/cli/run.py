"""``run`` a quarter and print its ``summary``, now or later from the summary file."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from reconcile.cli.common import (
    EXIT_INCOMPLETE,
    Subcommands,
    add_location_options,
    province_arg,
    quarter_arg,
    settings_of,
)
from reconcile.quarter import Quarter


def format_summary(summary: dict[str, Any]) -> str:
    """The run summary as a person reads it at the end of a run."""
    lines = [f"Quarter {summary['quarter']}  (run {summary['run_id']})"]
    files = summary["files"]
    lines.append(
        f"Files: {files['landed_now']} landed now, {files['skipped_seen_before']} skipped (seen before), "
        f"{files['in_warehouse']} in the warehouse"
        + (f", FAILED: {', '.join(files['failed'])}" if files["failed"] else "")
    )
    lines.append("Rows per feed:          accepted  quarantined")
    for feed, counts in sorted(summary["feeds"].items()):
        lines.append(f"  {feed:<20} {counts['rows_accepted']:>9}  {counts['rows_quarantined']:>11}")
    lines.append(f"Firms: {summary['firms']}   employer units: {summary['employer_units']}")
    links = ", ".join(f"{k} {v}" for k, v in summary["links_by_method"].items()) or "none"
    lines.append(f"Links by method: {links}; units not linked: {summary['unlinked_units']}")
    lines.append("Findings by rule:")
    for rule, count in summary["findings_by_rule"].items():
        lines.append(f"  {rule:<24} {count:>6}")
    cases = ", ".join(f"{k} {v}" for k, v in summary["cases_by_status"].items()) or "none"
    lines.append(f"Cases: {cases}")
    lines.append("Published:")
    for item in summary["published"]:
        paths = (item["workbook"], item.get("csv"), item["quarantine"])
        lines.extend(f"  {path}" for path in paths if path)
    if summary.get("data_docs"):
        lines.append(
            f"  {summary['data_docs']}  (validation results, Great Expectations Data Docs)"
        )
    for province, state in sorted(summary.get("provinces", {}).items()):
        if state.get("quality_report"):
            lines.append(f"  {state['quality_report']}  (data-quality report, {province})")
    if summary.get("quality_report"):
        lines.append(f"  {summary['quality_report']}  (data-quality report, all provinces)")
    lines.append(f"  {summary['summary_path']}")
    blocked = {p: s for p, s in summary.get("provinces", {}).items() if s["status"] == "blocked"}
    for province, state in blocked.items():
        lines.append(f"Province {province} BLOCKED, no cases published: {state['why']}")
    if summary.get("problems"):
        lines.append("NEEDS ATTENTION (see docs/operations.md, 'Getting past a bad file'):")
        lines.extend(f"  - {problem}" for problem in summary["problems"])
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    from reconcile.pipeline import run_quarter

    settings = settings_of(args)
    run_id = args.run_id or f"cli__{datetime.now(UTC):%Y%m%dT%H%M%S}"
    summary = run_quarter(settings, Quarter.parse(args.quarter), run_id, args.province or None)
    print(format_summary(summary))
    if summary.get("problems"):
        print(
            f"quarter {summary['quarter']} is incomplete: {len(summary['problems'])} problem(s) "
            "above; everything else was published",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from reconcile.publish.layout import OutputLayout

    settings = settings_of(args)
    path = OutputLayout(settings, Quarter.parse(args.quarter)).summary_json
    if not path.exists():
        print(f"no summary for {args.quarter} at {path}: run the quarter first", file=sys.stderr)
        return 1
    print(format_summary(json.loads(path.read_text(encoding="utf-8"))))
    return 0


def add_commands(sub: Subcommands) -> None:
    run = sub.add_parser(
        "run", help="run one quarter, every step (land, ingest, load, link, rules, publish)"
    )
    run.add_argument("--quarter", required=True, type=quarter_arg, help="the quarter, e.g. 2025Q3")
    run.add_argument(
        "--province",
        action="append",
        type=province_arg,
        help="only this province (new code); repeatable",
    )
    run.add_argument("--run-id", help="an id for the run record (default: cli__<timestamp>)")
    add_location_options(run)
    run.set_defaults(func=cmd_run)

    summary = sub.add_parser("summary", help="print the summary of a quarter already run")
    summary.add_argument("--quarter", required=True, type=quarter_arg)
    add_location_options(summary)
    summary.set_defaults(func=cmd_summary)
