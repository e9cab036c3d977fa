"""Reading the inspectors' workbook back in tests: every case sheet, as dicts by header."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from reconcile.publish.workbook import FIXES_SHEET, REVIEW_SHEET
from reconcile.rules.catalog import rules

NOT_CASE_SHEETS = {"Tổng hợp", REVIEW_SHEET, FIXES_SHEET}


def case_sheets(path: Path | str) -> dict[str, list[dict[str, Any]]]:
    book = load_workbook(path, read_only=True)
    out = {}
    for sheet in book.worksheets:
        if sheet.title in NOT_CASE_SHEETS:
            continue
        rows = list(sheet.iter_rows(values_only=True))
        out[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return out


def case_rows(path: Path | str) -> list[dict[str, Any]]:
    return [row for rows in case_sheets(path).values() for row in rows]


def rule_of(title: str) -> str:
    """The rule code of a case row's *Vi phạm* (the sheet shows the rule's title, never its
    code); a title with the finding's values in it ("{candidate_unit}") matches its template."""
    for code, rule in rules().items():
        parts = re.split(r"\{[^}]*\}", rule.title)
        if re.fullmatch(".*".join(map(re.escape, parts)), title):
            return code
    raise KeyError(f"no rule has the title {title!r}")
