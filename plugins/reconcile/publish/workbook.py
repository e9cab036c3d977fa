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

from reconcile.publish import neutral
from reconcile.publish.labels import label, labels
from reconcile.publish.masking import mask_value, personal_workbook_columns
from reconcile.publish.neutral import put
from reconcile.publish.xlsx import (
    COUNT_FORMAT,
    DATE_FORMAT,
    MONEY_FORMAT,
    as_date,
    date_validation,
    internal_link,
    list_validation,
    print_setup,
    save_deterministic,
    wrapped_height,
)
from reconcile.rules import money as money_rules
from reconcile.rules.catalog import Rule, rules

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
    # the row's share of its firm's money, each missing employee or unpaid amount once
    # (rules/money.py counted): the column sums to the firm's, and the quarter's, total
    ("money_counted", "Số tiền ước tính (VND)", 20),
    ("firm_findings", "Các vi phạm khác của doanh nghiệp", 60),
    ("action", "Hướng xử lý", 30),
    ("history", "Lịch sử kết luận", 50),
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
    "defect": "defect",
}
# columns the rows carry for the code (the rule's code) that an inspector does not read: the
# sheet shows the rule's title; the CSV twin keeps every column
SHEET_HIDDEN = frozenset({"rule"})
# columns written as numbers in the money format, and as real dates (dd/mm/yyyy)
MONEY_KEYS = frozenset({"money_at_stake", "money_counted"})
DATE_KEYS = frozenset({"decided_on"})
# columns whose text wraps in its cell (as does any column 30 wide or more), rows made as tall
WRAPPED_KEYS = frozenset({"evidence", "title", "legal_basis", "explanation"})
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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


def rule_name(code: str) -> str:
    """A rule's title from the catalogue, its finding's values shown as "…" (the summary's
    count per rule); the code itself only for a rule the catalogue does not know."""
    rule = rules().get(code)
    return re.sub(r"\{[^}]*\}", "…", rule.title) if rule is not None else code


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
        if isinstance(shown, str) and _ISO_DAY.match(shown):
            shown = f"{shown[8:10]}/{shown[5:7]}/{shown[:4]}"  # dd/mm/yyyy, as inspectors write
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
              mask: bool = True, group_of: Callable[[str | None], str] | None = None,
              history: dict[str, list[dict[str, Any]]] | None = None) -> pd.DataFrame:  # fmt: skip
    """The workbook's rows: findings with their case status, words for evidence and link.

    One row per case (a decision is a case's), a firm's rows together: firms by their total
    money counted once, largest first, then a firm's rows by their share. Each row shows the
    money it counts (``money_counted``: the firm's overlaps once), its own amount in the
    evidence when that is more, and the firm's other findings with their money and the firm's
    total.

    ``carried``: the last decision per case that goes on into this workbook (confirmed, in
    progress). ``history``: every decision per case so far, newest first
    (``decisions.history``), listed in *Lịch sử kết luận*. ``group_of``: the sheet a
    finding's address belongs on. Columns taken from a feed column the spec marks
    ``personal: true`` (the representative, the inspector, in the history too) are masked
    unless ``mask`` is False.
    """
    findings = findings.assign(
        money_counted=_counted(findings),
        subject_key=[money_rules.subject(c, u) for c, u in zip(findings["tax_code"], findings["unit_code"], strict=True)],
    )  # fmt: skip
    by_subject: dict[str, list[Any]] = {}
    for item in findings.itertuples(index=False):
        by_subject.setdefault(item.subject_key, []).append(item)
    firm_total = {
        key: sum(int(i.money_counted) for i in items) for key, items in by_subject.items()
    }
    masked = personal_workbook_columns() if mask else set()
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
                "evidence": describe_evidence(evidence) + _alone(item),
                "link": describe_candidate(evidence)
                if item.rule in LINK_QUESTION_RULES
                else describe_link(link.method if link is not None else None, link_evidence),
                "money_counted": int(item.money_counted),
                "firm_findings": _firm_findings(item, by_subject[item.subject_key], catalog),
                "action": rule.action,
                "history": _history((history or {}).get(item.case_id, []), masked),
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
    subjects = list(findings["subject_key"])
    frame = frame.assign(_firm_money=[firm_total[s] for s in subjects], _subject=subjects)
    return (
        frame.sort_values(
            ["_firm_money", "_subject", "money_counted", "severity", "case_id"],
            ascending=[False, True, False, False, True],
        )
        .drop(columns=["_firm_money", "_subject"])
        .reset_index(drop=True)
    )


def _counted(findings: pd.DataFrame) -> pd.Series:
    """The findings' ``money_counted`` as stored; rows stored before it was (NULL) and frames
    without it are counted here (``money.counted``), as the rules step would have."""
    if findings.empty:
        return pd.Series([], index=findings.index, dtype="int64")
    stored = findings.get("money_counted")
    if stored is not None and stored.notna().all():
        return stored.astype("int64")
    return money_rules.counted(findings)


def _vnd(amount: int) -> str:
    return f"{int(amount):,} ₫".replace(",", ".")


def _alone(item: Any) -> str:
    """The finding's own amount, when its firm's other findings already count part of it."""
    if int(item.money_counted) >= int(item.money_at_stake):
        return ""
    return "; " + labels()["workbook"]["money_alone"].format(amount=_vnd(item.money_at_stake))


def _firm_findings(item: Any, members: list[Any], catalog: dict[str, Rule]) -> str:
    """The firm's other findings this quarter (title, legal basis, money counted) and its total."""
    others = [m for m in members if (m.case_id, m.rule) != (item.case_id, item.rule)]
    if not others:
        return ""
    words = labels()["workbook"]
    lines = []
    for other in sorted(others, key=lambda m: (-int(m.money_counted), m.case_id, m.rule)):
        evidence = (
            other.evidence if isinstance(other.evidence, dict) else json.loads(other.evidence)
        )
        title = rule_title(catalog[other.rule].title, evidence)
        lines.append(
            words["other_finding"].format(case_id=other.case_id, title=title,
                                          legal_basis=other.legal_basis,
                                          amount=_vnd(other.money_counted))
        )  # fmt: skip
    total = sum(int(m.money_counted) for m in members)
    lines.append(words["firm_total"].format(amount=_vnd(total)))
    return "\n".join(lines)


def _history(decisions: list[dict[str, Any]], masked: set[str]) -> str:
    """The case's decisions so far, newest first: day, decision, inspector, note."""
    lines = []
    for d in decisions:
        day = d.get("decided_on")
        inspector = d.get("inspector") or ""
        if inspector and "inspector" in masked:
            inspector = mask_value(inspector)
        note = d.get("note") if isinstance(d.get("note"), str) else ""
        if note and "note" in masked:
            note = mask_value(note)
        parts = [
            day.strftime("%d/%m/%Y") if hasattr(day, "strftime") else "",
            label("decision", d["decision"]),
        ]
        text = ": ".join(p for p in parts if p)
        if inspector:
            text += f" ({inspector})"
        if note:
            text += f" — {note}"
        lines.append(text)
    return "\n".join(lines)


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


def sheet_columns(columns: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The columns a sheet shows: all but those kept for the code (:data:`SHEET_HIDDEN`)."""
    return [column for column in columns if column[0] not in SHEET_HIDDEN]


def _is_money(key: str) -> bool:
    return key in MONEY_KEYS or key.startswith("money")


def _shown(key: str, value: Any) -> Any:
    """A row's value as the sheet shows it: severity in words, money a whole number, a
    decided-on day a date; text stays text."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if key == "severity":
        return label("severity", int(value))
    if _is_money(key) and isinstance(value, int | float) and not isinstance(value, bool):
        return int(round(value))
    if key in DATE_KEYS:
        return as_date(value)
    return value


def _write_sheet(sheet: Any, columns: list[tuple[str, str, int]], rows: pd.DataFrame, choices: list[str],
                 link_choices: list[str] | None = None) -> None:  # fmt: skip
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
        texts = []
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
    validation = list_validation(choices, words["decision_error_title"], words["decision_error"],
                                 words["decision_prompt_title"], words["decision_prompt"])  # fmt: skip
    sheet.add_data_validation(validation)
    start = 2
    for row in [*question_rows, validated_to + 1]:
        if row > start:
            validation.add(f"{decision_col}{start}:{decision_col}{row - 1}")
        start = row + 1
    if question_rows:
        question = list_validation(link_choices or [], words["decision_error_title"],
                                   words["decision_error"], words["decision_prompt_title"],
                                   words["link_question_prompt"])  # fmt: skip
        sheet.add_data_validation(question)
        for row in question_rows:
            question.add(f"{decision_col}{row}")
    if "decided_on" in keys:
        day_col = get_column_letter(keys.index("decided_on") + 1)
        days = date_validation(words["date_error_title"], words["date_error"],
                               words["date_prompt_title"], words["date_prompt"])  # fmt: skip
        sheet.add_data_validation(days)
        days.add(f"{day_col}2:{day_col}{validated_to}")


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
        _write_sheet(sheet, REVIEW_COLUMNS, review,
                     [decisions["confirmed_link"], decisions["not_a_match"]])  # fmt: skip
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


SUMMARY_SHEET = "Tổng hợp"
SUMMARY_WIDTH = 70  # the summary's first column: a rule's title on one or two lines


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


def _write_index(sheet: Any, line: int, heading: str, first: str,
                 entries: list[tuple[str, int, int | None]]) -> int:  # fmt: skip
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
