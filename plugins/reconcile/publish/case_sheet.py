"""One sheet of cases as an inspector reads it: formatted headers and cells (money, dates,
wrapped text), a decision drop-down that refuses other text, filters and print setup."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reconcile.publish.labels import label, labels
from reconcile.publish.neutral import put
from reconcile.publish.workbook_columns import (
    DATE_KEYS,
    LINK_QUESTION_RULES,
    MONEY_KEYS,
    WRAPPED_KEYS,
    sheet_columns,
)
from reconcile.publish.xlsx import (
    DATE_FORMAT,
    MONEY_FORMAT,
    as_date,
    date_validation,
    list_validation,
    print_setup,
    wrapped_height,
)
from reconcile.values import is_missing


def _is_money(key: str) -> bool:
    return key in MONEY_KEYS or key.startswith("money")


def _shown(key: str, value: Any) -> Any:
    """A row's value as the sheet shows it: severity in words, money a whole number, a
    decided-on day a date; text stays text."""
    if is_missing(value):
        return None
    if key == "severity":
        return label("severity", int(value))
    if _is_money(key) and isinstance(value, int | float) and not isinstance(value, bool):
        return int(round(value))
    if key in DATE_KEYS:
        return as_date(value)
    return value


def _write_sheet(
    sheet: Any,
    columns: list[tuple[str, str, int]],
    rows: pd.DataFrame,
    choices: list[str],
    link_choices: list[str] | None = None,
) -> None:
    """``link_choices``: the drop-down of the rows whose rule asks whether a unit is the firm's.

    Money in ``#,##0 "₫"`` (numbers stay numbers), a decided-on day as a date (dd/mm/yyyy),
    the decision a drop-down that refuses other text, the date column validated, printed
    landscape one page wide with the header row on every page."""
    words = labels()["workbook"]
    columns = sheet_columns(columns)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E78")
    for col, (_, header, width) in enumerate(columns, start=1):
        cell = put(sheet, 1, col, header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    # bold headers are wider than the estimate: a little less room per line
    sheet.row_dimensions[1].height = wrapped_height([(h, w * 0.8) for _, h, w in columns])
    keys = [k for k, _, _ in columns]
    widths = [width for _, _, width in columns]
    top, wrapped = Alignment(vertical="top"), Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows[keys].itertuples(index=False), start=2):
        texts: list[tuple[object, float]] = []
        for col, value in enumerate(values, start=1):
            key = keys[col - 1]
            cell = put(sheet, r, col, _shown(key, value))
            cell.alignment = top
            if _is_money(key):
                cell.number_format = MONEY_FORMAT
            elif key in DATE_KEYS:
                cell.number_format = DATE_FORMAT
            elif key in WRAPPED_KEYS or widths[col - 1] >= 30:
                cell.alignment = wrapped
                texts.append((cell.value, widths[col - 1]))
        sheet.row_dimensions[r].height = wrapped_height(texts)
    sheet.freeze_panes = "B2"
    last_row = max(len(rows) + 1, 2)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    print_setup(sheet, "1:1", words["footer"])
    validated_to = max(last_row, 1000)
    decision_col = get_column_letter(keys.index("decision") + 1)
    question_rows: list[int] = []
    if link_choices and "rule" in rows.columns:
        question_rows = [
            r for r, rule in enumerate(rows["rule"], start=2) if rule in LINK_QUESTION_RULES
        ]
    validation = list_validation(
        choices,
        words["decision_error_title"],
        words["decision_error"],
        words["decision_prompt_title"],
        words["decision_prompt"],
    )
    sheet.add_data_validation(validation)
    start = 2
    for row in [*question_rows, validated_to + 1]:
        if row > start:
            validation.add(f"{decision_col}{start}:{decision_col}{row - 1}")
        start = row + 1
    if question_rows:
        question = list_validation(
            link_choices or [],
            words["decision_error_title"],
            words["decision_error"],
            words["decision_prompt_title"],
            words["link_question_prompt"],
        )
        sheet.add_data_validation(question)
        for row in question_rows:
            question.add(f"{decision_col}{row}")
    if "decided_on" in keys:
        day_col = get_column_letter(keys.index("decided_on") + 1)
        days = date_validation(
            words["date_error_title"],
            words["date_error"],
            words["date_prompt_title"],
            words["date_prompt"],
        )
        sheet.add_data_validation(days)
        days.add(f"{day_col}2:{day_col}{validated_to}")


def sheet_name(text: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Khác"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name
