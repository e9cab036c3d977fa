"""The inspectors' workbook (.xlsx) and its CSV twin: one row per open case, largest stake first.

Vietnamese headers, evidence and link explanation in words, a decision column with a drop-down
of the decisions the pipeline reads back, frozen header, filters and readable widths.

Every text cell is written as a string (``neutral.put``): a name, address or note from a feed
that starts with "=" shows as typed and is never a formula. The CSV twin prefixes a field that
a spreadsheet would read as a formula with "'" (``neutral.write_csv``). Both files are written
to a temporary name and renamed onto the final one (``atomic``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reconcile.publish import neutral
from reconcile.publish.labels import label, labels
from reconcile.publish.masking import mask_value, personal_workbook_columns
from reconcile.publish.neutral import put
from reconcile.publish.xlsx import save_deterministic
from reconcile.rules.catalog import Rule

COLUMNS: list[tuple[str, str, int]] = [
    # (key, Vietnamese header, width)
    ("case_id", "Mã hồ sơ", 30),
    ("case_status", "Tình trạng hồ sơ", 14),
    ("title", "Vi phạm", 50),
    ("rule", "Mã quy tắc", 22),
    ("severity", "Mức độ", 8),
    ("legal_basis", "Căn cứ pháp lý", 36),
    ("tax_code", "Mã số thuế", 16),
    ("unit_code", "Mã đơn vị", 12),
    ("name", "Tên doanh nghiệp / đơn vị", 45),
    ("representative", "Người đại diện", 20),
    ("address", "Địa chỉ", 45),
    ("group", "Xã/phường", 18),
    ("evidence", "Bằng chứng", 60),
    ("link", "Liên kết", 40),
    ("money_at_stake", "Số tiền ước tính (VND)", 20),
    ("action", "Hướng xử lý", 30),
    ("decision", "Kết luận", 22),
    ("note", "Ghi chú", 30),
    ("inspector", "Cán bộ kiểm tra", 20),
    ("decided_on", "Ngày kết luận", 14),
]
HEADERS = [header for _, header, _ in COLUMNS]
REVIEW_COLUMNS: list[tuple[str, str, int]] = [
    ("case_id", "Mã hồ sơ", 34),
    ("unit_code", "Mã đơn vị", 12),
    ("unit_name", "Tên đơn vị (danh sách BHXH)", 45),
    ("unit_address", "Địa chỉ đơn vị", 40),
    ("tax_code", "Mã số thuế (doanh nghiệp)", 16),
    ("firm_name", "Tên doanh nghiệp (thuế, ĐKKD)", 45),
    ("firm_address", "Địa chỉ doanh nghiệp", 40),
    ("explanation", "Vì sao có thể là cùng một đơn vị", 70),
    ("decision", "Kết luận", 22),
    ("note", "Ghi chú", 30),
]
REVIEW_SHEET = "Cần xem xét liên kết"
FIXES_SHEET = "Sửa dữ liệu mã số thuế"
_STATUS_GROUPS = {
    "tax_status": "tax_status",
    "registry_status": "registry_status",
    "unit_status": "unit_status",
    "employer_link": "employer_link",
    "region_from": "region_from",
}
# findings whose question is "is this unit the firm's?": their decision cell offers the link
# choices (Đúng là đơn vị này / Không phải đơn vị này), read back as a link decision
LINK_QUESTION_RULES = frozenset({"NOT_REGISTERED_REVIEW"})


def rule_title(title: str, evidence: dict[str, Any]) -> str:
    """A rule's title with the finding's values in it (``{candidate_unit}``), else as written."""
    if "{" not in title:
        return title
    try:
        return title.format(**{k: "" if v is None else v for k, v in evidence.items()})
    except (KeyError, IndexError, ValueError):
        return title


def describe_evidence(evidence: dict[str, Any]) -> str:
    """Evidence in words: 'Label: value; ...' with statuses in Vietnamese."""
    parts = []
    for key, value in evidence.items():
        if value is None:
            continue
        shown = label(_STATUS_GROUPS[key], value) if key in _STATUS_GROUPS else value
        if key == "link_method":
            shown = label("link_method", value)
        if key == "would_be_rule":
            shown = label("would_be_rule", value)
        if isinstance(shown, int) and not isinstance(shown, bool) and abs(shown) >= 10_000:
            shown = f"{shown:,}".replace(",", ".")
        parts.append(f"{label('evidence', key)}: {shown}")
    return "; ".join(parts)


def describe_candidate(evidence: dict[str, Any]) -> str:
    """A unit the search of the roll found for a firm that has no link: not a link, a question."""
    text = (
        f"Có thể đã có trên danh sách BHXH là đơn vị {evidence.get('candidate_unit')} "
        f"«{evidence.get('candidate_unit_name') or ''}» — cần xác minh"
    )
    if evidence.get("candidate_comparison"):
        text += f": {evidence['candidate_comparison']}"
    return text


def describe_link(method: str | None, evidence: dict[str, Any] | None) -> str:
    """Why a unit is linked to a firm, in words an inspector can check against the two records."""
    if not method:
        return "Không có đơn vị BHXH tương ứng"
    text = label("link_method", method)
    evidence = evidence or {}
    if method != "fuzzy":
        if evidence.get("roll_tax_code"):
            text += f" (MST trên danh sách đơn vị: {evidence['roll_tax_code']})"
        return text
    levels = evidence.get("levels", {})
    words = labels()["link_levels"]
    parts = [
        f"tên giống {evidence.get('name_score', 0):.0f}/100 («{evidence.get('unit_name', '')}» ~ «{evidence.get('firm_name', '')}»)"
    ]
    for comparison in ("name", "commune", "legal_form", "tax_code"):
        level = levels.get(comparison)
        if level is not None:
            parts.append(words[comparison].get(level, level))
    if evidence.get("street_score") is not None:
        parts.append(f"địa chỉ giống {evidence['street_score']:.0f}/100")
    probability = evidence.get("probability")
    head = f"{text} (độ tin cậy {probability:.1%})" if probability is not None else text
    return f"{head}: " + "; ".join(parts)


def link_case_id(unit_code: str, tax_code: str) -> str:
    """The case id of a doubtful link on the review sheet, read back with the decisions."""
    return f"LINK-{unit_code}-{tax_code}"


def case_rows(findings: pd.DataFrame, statuses: pd.DataFrame, links: pd.DataFrame, catalog: dict[str, Rule],
              firms: pd.DataFrame | None = None, carried: dict[str, dict[str, Any]] | None = None,
              mask: bool = True, group_of: Callable[[str | None], str] | None = None) -> pd.DataFrame:  # fmt: skip
    """The workbook's rows: findings with their case status, words for evidence and link.

    ``carried``: the last decision per case that goes on into this workbook (confirmed, in
    progress). ``group_of``: the sheet a finding's address belongs on. Columns taken from a
    feed column the spec marks ``personal: true`` (the representative, the inspector) are
    masked unless ``mask`` is False.
    """
    status_by_case = (
        dict(zip(statuses["case_id"], statuses["status"], strict=True))
        if not statuses.empty
        else {}
    )
    link_by_unit = (
        {row.unit_code: row for row in links.itertuples(index=False)} if not links.empty else {}
    )
    representative = {}
    if firms is not None and not firms.empty:
        representative = dict(zip(firms["tax_code"], firms["representative"], strict=True))
    carried = carried or {}
    rows = []
    for item in findings.itertuples(index=False):
        evidence = item.evidence if isinstance(item.evidence, dict) else json.loads(item.evidence)
        link = link_by_unit.get(item.unit_code)
        link_evidence = None
        if link is not None:
            link_evidence = (
                link.evidence if isinstance(link.evidence, dict) else json.loads(link.evidence)
            )
        rule = catalog[item.rule]
        person = representative.get(item.tax_code) if item.tax_code else None
        person = person if isinstance(person, str) and person else ""
        previous = carried.get(item.case_id, {})
        rows.append(
            {
                "case_id": item.case_id,
                "case_status": label("case_status", status_by_case.get(item.case_id, "new")),
                "title": rule_title(rule.title, evidence),
                "rule": item.rule,
                "severity": int(item.severity),
                "legal_basis": item.legal_basis,
                "tax_code": item.tax_code or "",
                "unit_code": item.unit_code or "",
                "name": item.name or "",
                "representative": person,
                "address": item.address or "",
                "group": group_of(item.address) if group_of else "",
                "evidence": describe_evidence(evidence),
                "link": describe_candidate(evidence)
                if item.rule in LINK_QUESTION_RULES
                else describe_link(link.method if link is not None else None, link_evidence),
                "money_at_stake": int(item.money_at_stake),
                "action": rule.action,
                "decision": label("decision", previous["decision"]) if previous else "",
                "note": previous.get("note") or "",
                "inspector": previous.get("inspector") or "",
                "decided_on": previous["decided_on"].strftime("%d/%m/%Y")
                if previous.get("decided_on")
                else "",
            }
        )
    frame = pd.DataFrame(rows, columns=[key for key, _, _ in COLUMNS])
    if mask:
        for key in sorted(personal_workbook_columns()):
            frame[key] = frame[key].map(mask_value).astype(object)
    return frame.sort_values(
        ["money_at_stake", "severity", "case_id"], ascending=[False, False, True]
    ).reset_index(drop=True)


def review_rows(links: pd.DataFrame, units: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """Doubtful pairs (the review band), for an inspector to confirm or reject, most likely first."""
    review = links[links["band"] == "review"] if not links.empty else links
    unit_by_code = units.set_index("unit_code") if not units.empty else units
    firm_by_code = firms.set_index("tax_code") if not firms.empty else firms
    rows = []
    for item in review.itertuples(index=False):
        evidence = item.evidence if isinstance(item.evidence, dict) else json.loads(item.evidence)
        unit, firm = unit_by_code.loc[item.unit_code], firm_by_code.loc[item.tax_code]
        rows.append({"case_id": link_case_id(item.unit_code, item.tax_code),
                     "unit_code": item.unit_code, "unit_name": unit["name"], "unit_address": unit["address"] or "",
                     "tax_code": item.tax_code, "firm_name": firm["name"], "firm_address": firm["address"] or "",
                     "explanation": describe_link(item.method, evidence), "decision": "", "note": "",
                     "_weight": item.weight})  # fmt: skip
    frame = pd.DataFrame(rows, columns=[*(k for k, _, _ in REVIEW_COLUMNS), "_weight"])
    frame = frame.sort_values(["_weight", "unit_code"], ascending=[False, True])
    return frame.drop(columns="_weight").reset_index(drop=True)


def _write_sheet(sheet: Any, columns: list[tuple[str, str, int]], rows: pd.DataFrame, choices: list[str],
                 link_choices: list[str] | None = None) -> None:  # fmt: skip
    """``link_choices``: the drop-down of the rows whose rule asks whether a unit is the firm's."""
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E78")
    for col, (_, header, width) in enumerate(columns, start=1):
        cell = put(sheet, 1, col, header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    keys = [k for k, _, _ in columns]
    for r, values in enumerate(rows[keys].itertuples(index=False), start=2):
        for col, value in enumerate(values, start=1):
            cell = put(sheet, r, col, value)
            if keys[col - 1] == "money_at_stake":
                cell.number_format = "#,##0"
            elif keys[col - 1] in ("evidence", "title", "legal_basis", "explanation"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    last_row = max(len(rows) + 1, 2)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    decision_col = get_column_letter(keys.index("decision") + 1)
    question_rows: list[int] = []
    if link_choices and "rule" in rows.columns:
        question_rows = [
            r for r, rule in enumerate(rows["rule"], start=2) if rule in LINK_QUESTION_RULES
        ]
    validation = DataValidation(
        type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
    )
    validation.error = "Chọn một kết luận trong danh sách"
    validation.prompt = "Kết luận của cán bộ kiểm tra"
    sheet.add_data_validation(validation)
    start = 2
    for row in [*question_rows, max(last_row, 1000) + 1]:
        if row > start:
            validation.add(f"{decision_col}{start}:{decision_col}{row - 1}")
        start = row + 1
    if question_rows:
        question = DataValidation(
            type="list", formula1='"' + ",".join(link_choices or []) + '"', allow_blank=True
        )
        question.error = "Chọn một kết luận trong danh sách"
        question.prompt = "Đơn vị trên danh sách có phải của doanh nghiệp này không?"
        sheet.add_data_validation(question)
        for row in question_rows:
            question.add(f"{decision_col}{row}")


def write_csv(rows: pd.DataFrame, path: Path) -> Path:
    """The cases as CSV (Vietnamese headers); no field a spreadsheet would run, written whole."""
    named = rows.rename(columns=dict(zip([k for k, _, _ in COLUMNS], HEADERS, strict=True)))
    return neutral.write_csv(named, path)


def sheet_name(text: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Khác"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def write_workbook(rows: pd.DataFrame, path: Path, title: str, summary: dict[str, Any],
                   review: pd.DataFrame | None = None, group_sheets: bool = False) -> Path:  # fmt: skip
    """Summary sheet; the cases (one sheet, or one per ward group, largest stake first); the
    doubtful links; the roll's data fixes. Same bytes for the same input."""
    book = Workbook()
    overview = book.active
    overview.title = "Tổng hợp"
    taken = {overview.title.lower()}
    put(overview, 1, 1, title).font = Font(bold=True, size=14)
    line = 3
    for key, value in summary.items():
        put(overview, line, 1, key).font = Font(bold=True)
        put(overview, line, 2, value)
        line += 1
    inspection = rows[rows["severity"] > 0]
    fixes = rows[rows["severity"] == 0]
    case_choices = [text for key, text in labels()["decision"].items() if key != "confirmed_link"]
    decision_words = labels()["decision"]
    link_choices = [
        decision_words["confirmed_link"],
        decision_words["not_a_match"],
        decision_words["in_progress"],
    ]
    if group_sheets and not inspection.empty:
        groups = (
            inspection.assign(group=inspection["group"].replace("", "Khác"))
            .groupby("group", sort=False)["money_at_stake"]
            .agg(["count", "sum"])
            .sort_values(["sum", "count"], ascending=False)
        )
        line += 1
        for col, header in enumerate(("Xã/phường", "Số hồ sơ", "Số tiền ước tính (VND)"), start=1):
            put(overview, line, col, header).font = Font(bold=True)
        for group, (count, total) in groups.iterrows():
            line += 1
            put(overview, line, 1, group)
            put(overview, line, 2, int(count))
            put(overview, line, 3, int(total)).number_format = "#,##0"
            members = inspection[inspection["group"].replace("", "Khác") == group]
            _write_sheet(book.create_sheet(sheet_name(str(group), taken)), COLUMNS, members, case_choices,
                         link_choices)  # fmt: skip
    else:
        _write_sheet(book.create_sheet(sheet_name("Hồ sơ", taken)), COLUMNS, inspection, case_choices,
                     link_choices)  # fmt: skip
    overview.column_dimensions["A"].width = 40
    overview.column_dimensions["B"].width = 30
    overview.column_dimensions["C"].width = 24
    if review is not None and not review.empty:
        decisions = labels()["decision"]
        _write_sheet(book.create_sheet(sheet_name(REVIEW_SHEET, taken)), REVIEW_COLUMNS, review,
                     [decisions["confirmed_link"], decisions["not_a_match"]])  # fmt: skip
    if not fixes.empty:
        _write_sheet(
            book.create_sheet(sheet_name(FIXES_SHEET, taken)), COLUMNS, fixes, case_choices
        )
    return save_deterministic(book, path)
