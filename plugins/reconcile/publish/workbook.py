"""The inspectors' workbook (.xlsx) and its CSV twin: one row per open case, largest stake first.

Vietnamese headers, evidence and link explanation in words, a decision column with a drop-down
of the decisions the pipeline reads back, frozen header, filters and readable widths.

Every text cell is written as a string (``neutral.put``): a name, address or note from a feed
that starts with "=" shows as typed and is never a formula. The CSV twin prefixes a field that
a spreadsheet would read as a formula with "'" (``neutral.write_csv``). Both files are written
to a temporary name and renamed onto the final one (``atomic``).

Here the files are written; what goes in them has modules of its own: ``workbook_columns``
(columns and sheet names), ``explanations`` (findings and links in words), ``case_rows`` and
``review_rows`` (the rows), ``case_sheet`` (one formatted sheet). Their public names are
importable from here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from reconcile.publish import neutral
from reconcile.publish.case_rows import case_rows
from reconcile.publish.case_sheet import _write_sheet, sheet_name
from reconcile.publish.explanations import (
    describe_candidate,
    describe_evidence,
    describe_link,
    rule_name,
    rule_title,
)
from reconcile.publish.labels import labels
from reconcile.publish.neutral import put
from reconcile.publish.review_rows import link_case_id, review_rows
from reconcile.publish.workbook_columns import (
    COLUMNS,
    DATE_KEYS,
    FIXES_SHEET,
    HEADERS,
    LINK_QUESTION_RULES,
    MONEY_KEYS,
    REVIEW_COLUMNS,
    REVIEW_SHEET,
    SHEET_HIDDEN,
    SUMMARY_SHEET,
    SUMMARY_WIDTH,
    WRAPPED_KEYS,
    sheet_columns,
)
from reconcile.publish.xlsx import (
    COUNT_FORMAT,
    MONEY_FORMAT,
    internal_link,
    print_setup,
    save_deterministic,
    wrapped_height,
)
from reconcile.rules.catalog import rules

__all__ = [
    "COLUMNS",
    "DATE_KEYS",
    "FIXES_SHEET",
    "HEADERS",
    "LINK_QUESTION_RULES",
    "MONEY_KEYS",
    "REVIEW_COLUMNS",
    "REVIEW_SHEET",
    "SHEET_HIDDEN",
    "SUMMARY_SHEET",
    "SUMMARY_WIDTH",
    "WRAPPED_KEYS",
    "case_rows",
    "describe_candidate",
    "describe_evidence",
    "describe_link",
    "link_case_id",
    "review_rows",
    "rule_name",
    "rule_title",
    "sheet_columns",
    "sheet_name",
    "write_csv",
    "write_workbook",
]


def write_csv(rows: pd.DataFrame, path: Path) -> Path:
    """The cases as CSV (Vietnamese headers); no field a spreadsheet would run, written whole."""
    named = rows.rename(columns=dict(zip([k for k, _, _ in COLUMNS], HEADERS, strict=True)))
    return neutral.write_csv(named, path)


def write_workbook(
    rows: pd.DataFrame,
    path: Path,
    title: str,
    summary: dict[str, Any],
    review: pd.DataFrame | None = None,
    group_sheets: bool = False,
) -> Path:
    """Summary sheet; the cases (one sheet, or one per ward group, largest stake first); the
    doubtful links; the roll's data fixes. Same bytes for the same input."""
    book = Workbook()
    overview = book.active
    overview.title = SUMMARY_SHEET
    taken = {overview.title.lower()}
    words = labels()["workbook"]
    put(overview, 1, 1, title).font = Font(bold=True, size=14)
    line = _write_summary(overview, 3, summary)
    inspection = rows[rows["severity"] > 0]
    fixes = rows[rows["severity"] == 0]
    case_choices = [text for key, text in labels()["decision"].items() if key != "confirmed_link"]
    decision_words = labels()["decision"]
    link_choices = [
        decision_words["confirmed_link"],
        decision_words["not_a_match"],
        decision_words["in_progress"],
    ]
    # (sheet title, cases, money or None): the index of the summary sheet, in sheet order
    index: list[tuple[str, int, int | None]] = []
    if group_sheets and not inspection.empty:
        groups = (
            inspection.assign(group=inspection["group"].replace("", "Khác"))
            .groupby("group", sort=False)["money_counted"]
            .agg(["count", "sum"])
            .sort_values(["sum", "count"], ascending=False)
        )
        for group, (count, total) in groups.iterrows():
            members = inspection[inspection["group"].replace("", "Khác") == group]
            sheet = book.create_sheet(sheet_name(str(group), taken))
            _write_sheet(sheet, COLUMNS, members, case_choices, link_choices)
            index.append((sheet.title, int(count), int(total)))
    else:
        sheet = book.create_sheet(sheet_name("Hồ sơ", taken))
        _write_sheet(sheet, COLUMNS, inspection, case_choices, link_choices)
        index.append((sheet.title, len(inspection), int(inspection["money_counted"].sum())))
    others: list[tuple[str, int, int | None]] = []
    if review is not None and not review.empty:
        decisions = labels()["decision"]
        sheet = book.create_sheet(sheet_name(REVIEW_SHEET, taken))
        _write_sheet(
            sheet, REVIEW_COLUMNS, review, [decisions["confirmed_link"], decisions["not_a_match"]]
        )
        others.append((sheet.title, len(review), None))
    if not fixes.empty:
        sheet = book.create_sheet(sheet_name(FIXES_SHEET, taken))
        _write_sheet(sheet, COLUMNS, fixes, case_choices)
        others.append((sheet.title, len(fixes), None))
    first = words["index_group"] if group_sheets and not inspection.empty else words["index_sheet"]
    line = _write_index(overview, line + 1, words["index_title"], first, index)
    if others:
        _write_index(overview, line + 1, words["other_sheets"], words["index_sheet"], others)
    overview.column_dimensions["A"].width = SUMMARY_WIDTH
    overview.column_dimensions["B"].width = 16
    overview.column_dimensions["C"].width = 26
    print_setup(overview, "1:1", words["footer"])
    return save_deterministic(book, path)


def _write_summary(sheet: Any, line: int, summary: dict[str, Any]) -> int:
    """The run's figures, key and value a line each, from ``line``; the next free line.

    A count per rule ("Quy tắc <code>") is listed under a heading by the rule's title; the total
    money is a number in the money format, other counts in ``#,##0``."""
    export, words = labels()["export"], labels()["workbook"]
    prefix = f"{export['rule_prefix']} "
    per_rule: list[tuple[str, Any]] = []
    for key, value in summary.items():
        code = key[len(prefix) :] if key.startswith(prefix) else ""
        if code and code in rules():
            per_rule.append((rule_name(code), value))
            continue
        put(sheet, line, 1, key).font = Font(bold=True)
        cell = put(sheet, line, 2, value)
        if key == export["money"] and isinstance(value, int | float):
            cell.number_format = MONEY_FORMAT
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = COUNT_FORMAT
        line += 1
    if per_rule:
        line += 1
        put(sheet, line, 1, words["rules_heading"]).font = Font(bold=True, size=12)
        for name, count in per_rule:
            line += 1
            put(sheet, line, 1, name).alignment = Alignment(wrap_text=True, vertical="top")
            sheet.row_dimensions[line].height = wrapped_height([(name, SUMMARY_WIDTH)])
            cell = put(sheet, line, 2, count)
            cell.alignment = Alignment(vertical="top")
            if isinstance(count, int) and not isinstance(count, bool):
                cell.number_format = COUNT_FORMAT
        line += 1
    return line


def _write_index(
    sheet: Any, line: int, heading: str, first: str, entries: list[tuple[str, int, int | None]]
) -> int:
    """A heading, a header row and one line per sheet (a link to it, its cases, its money)."""
    words = labels()["workbook"]
    put(sheet, line, 1, heading).font = Font(bold=True, size=12)
    line += 1
    for col, header in enumerate((first, words["index_cases"], words["index_money"]), start=1):
        put(sheet, line, col, header).font = Font(bold=True)
    for title, count, money in entries:
        line += 1
        internal_link(put(sheet, line, 1, title), title)
        put(sheet, line, 2, count).number_format = COUNT_FORMAT
        if money is not None:
            put(sheet, line, 3, money).number_format = MONEY_FORMAT
    return line + 1
