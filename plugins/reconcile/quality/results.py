"""Each file's validation (Great Expectations) as the quality report shows it, in Vietnamese.

Great Expectations' own Data Docs need about ten scripts and style sheets from CDNs (jQuery,
Bootstrap, bootstrap-table, Vega, Font Awesome), which the package does not ship: offline
their index shows no results at all. They are also English, name a pandas frame position where
a partner needs a line of the file, and show no file name. So the results are shown in the
project's own report (offline, no script), a section per file: each expectation, passed or
not, how many rows it checked and how many failed, and examples with the file's line numbers.
Data Docs remain an optional extra (``data_docs: true``; see docs/ingestion.md).

The results are the ones kept at ingestion (``<data>/validations/<file id>.json``), with the
lines and the headers as written that ``validate_frame`` added to them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from reconcile.publish.labels import labels
from reconcile.publish.quarantine_csv import header_namer, reason_vi

log = logging.getLogger(__name__)

EXAMPLES = 5


def _cell(value: Any) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return "đúng" if value else "sai"
    return str(value)


def expectation_row(item: dict[str, Any], feed: str, header_of: Any) -> dict[str, Any]:
    """One expectation's outcome: what was checked, in words, and what failed where."""
    words = labels()["quarantine"]
    config = item.get("expectation_config") or {}
    kwargs = config.get("kwargs") or {}
    column = str(kwargs.get("column") or "")
    field = column.removesuffix("_valid")
    kind = str(config.get("type") or "")
    check = words["expectations"].get(kind, kind)
    if kind == "expect_column_values_to_be_in_set" and column.endswith("_valid"):
        check = "Đúng chữ số kiểm tra"
    reason = (config.get("meta") or {}).get("reason")
    found = item.get("result") or {}
    lines = found.get("partial_unexpected_lines") or found.get("unexpected_lines") or []
    values = found.get("partial_unexpected_list") or found.get("unexpected_list") or []
    examples = [
        {"line": line, "value": _cell(value)}
        for line, value in list(zip(lines, values, strict=False))[:EXAMPLES]
    ]
    success = bool(item.get("success"))
    return {
        "type": kind,
        "column": field,
        "field": header_of(field) if field else "",
        "check": check,
        "reason": reason_vi(reason, header_of) if reason and not success else "",
        "success": success,
        "outcome": words["outcome"]["passed" if success else "failed"],
        "checked": found.get("element_count"),
        "unexpected": int(found.get("unexpected_count") or 0) if not success else 0,
        "examples": examples,
    }


def file_result(path: Path, item: dict[str, Any]) -> dict[str, Any] | None:
    """A file's section of the report, or None when its result was not kept."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    about = (raw.get("meta") or {}).get("reconcile") or {}
    feed = str(item.get("feed") or about.get("feed") or "")
    header_of = header_namer(feed, about.get("headers") or [])
    rows = [
        expectation_row(r, feed, header_of) for r in raw.get("results", []) if isinstance(r, dict)
    ]
    rows.sort(key=lambda r: (r["success"], r["field"], r["check"]))
    statistics = raw.get("statistics") or {}
    return {
        "file_id": item["file_id"],
        "file": str(item.get("file_name") or about.get("file_name") or ""),
        "feed": feed,
        "feed_label": labels()["report"]["feeds"].get(feed, feed),
        "province": str(item.get("province") or ""),
        "success": bool(raw.get("success")),
        "evaluated": int(statistics.get("evaluated_expectations") or len(rows)),
        "successful": int(statistics.get("successful_expectations") or 0),
        "expectations": rows,
    }


def file_results(validations: Path, files: pd.DataFrame) -> list[dict[str, Any]]:
    """The sections of the files that were validated, by province and file name."""
    if files.empty:
        return []
    shown = files[files["status"].isin(["loaded", "failed"])]
    sections = []
    for item in shown.sort_values(["province", "file_name"]).to_dict("records"):
        path = Path(validations) / f"{item['file_id']}.json"
        if path.is_file():
            section = file_result(path, item)
            if section is not None:
                sections.append(section)
    return sections
