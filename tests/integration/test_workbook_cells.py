"""Every cell of the inspectors' workbook, as the demo builds it, read as an inspector reads it.

A small generated quarter (``reconcile_dev.synth``) goes through the pipeline; an inspector fills
in a decision with its date (a real date cell) in the published workbook, which comes back
with the next quarter's feeds; both quarters' workbooks are then read cell by cell:

- no internal key: no evidence key, rule code, case kind or status code the code knows (the
  vocabularies of ``labels.yaml``, the rule catalogue, and every evidence key the warehouse's
  findings carry), and no snake_case token at all; the case id (*Mã hồ sơ*) is exempt: it is
  the identifier the decisions read back;
- no English label: no word of those internal vocabularies shows as a word in a cell;
- no unformatted number: money in ``#,##0 "₫"`` (numbers stay numbers), counts in ``#,##0``;
- dates as dates in dd/mm/yyyy, and no ISO date written as text;
- no formula anywhere (values from feeds stay neutral);
- the decision drop-down and the date column refuse other input, in Vietnamese;
- every sheet prints landscape, one page wide, its header row on every page, page numbers;
- the summary lists every other sheet once, a working link to it with its cases and money.

The checks are functions of a workbook path (:func:`workbook_problems`), so they can be run on
any workbook (they fail on the workbook published before this presentation was built).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from reconcile.pipeline import run_quarter
from reconcile.publish.labels import labels
from reconcile.publish.workbook import COLUMNS, REVIEW_COLUMNS
from reconcile.publish.xlsx import DATE_FORMAT, MONEY_FORMAT
from reconcile.quarter import Quarter
from reconcile.rules.catalog import rules
from reconcile.settings import DEFAULTS, Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile_dev.synth import SynthConfig, generate

Q3, Q4 = Quarter.parse("2025Q3"), Quarter.parse("2025Q4")
SUMMARY = "Tổng hợp"
HEADER_KEYS = {header: key for key, header, _ in [*COLUMNS, *REVIEW_COLUMNS]}
CASE_ID_HEADER = "Mã hồ sơ"
IDENTIFIER = re.compile(r"^(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)$")
SNAKE = re.compile(r"(?<![\w])[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+")
# the columns that show a partner's text as written (a firm's name may carry an English name
# in brackets): data, not labels; so is a name quoted «...» inside a sentence
FEED_TEXT = {"name", "address", "representative", "note", "inspector", "unit_name",
             "unit_address", "firm_name", "firm_address"}  # fmt: skip
QUOTED = re.compile(r"«[^»]*»")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DECIDED_ON = date(2025, 12, 15)


# ---------------------------------------------------------------- the vocabularies the code knows
def _identifiers(value: Any) -> Iterable[str]:
    """The keys of a labels group (at any depth) that look like codes."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(key, str) and IDENTIFIER.match(key):
                yield key
            yield from _identifiers(inner)


def vocabulary(evidence_keys: Iterable[str] = ()) -> tuple[set[str], set[str]]:
    """(internal codes, English words): rule codes and case kinds of the catalogue, every key of
    ``labels.yaml`` (evidence keys, status codes, ...) and the evidence keys given."""
    catalog = rules()
    codes = set(catalog) | {rule.case_kind for rule in catalog.values()}
    codes |= set(_identifiers(labels())) | set(evidence_keys)
    words = {
        word
        for code in codes
        for word in code.lower().split("_")
        if len(word) >= 3 and word.isascii() and word.isalpha()
    }
    return codes, words


# ---------------------------------------------------------------- the checks, on any workbook
def _header_keys(sheet: Any) -> dict[int, str]:
    """Column number -> the row's key, from the sheet's header row (a case sheet's)."""
    return {
        cell.column: HEADER_KEYS[cell.value]
        for cell in sheet[1]
        if isinstance(cell.value, str) and cell.value in HEADER_KEYS
    }


def workbook_problems(path: Path, codes: set[str], words: set[str]) -> dict[str, list[str]]:
    """What an inspector should not see in the workbook at ``path``, by kind of problem."""
    book = load_workbook(path)
    found: dict[str, list[str]] = {
        kind: []
        for kind in (
            "internal key",
            "english",
            "number",
            "date",
            "formula",
            "validation",
            "print",
            "index",
        )  # fmt: skip
    }
    code_pattern = re.compile(
        r"(?<![\w])("
        + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
        + r")(?![\w])"
    )
    english = re.compile(r"\b(" + "|".join(sorted(words, key=len, reverse=True)) + r")\b", re.I)
    # a case id (<case kind>-<tax code or unit code>) names a case wherever it is quoted: the
    # identifier an inspector and the decisions read back use, not a label
    kinds = sorted({rule.case_kind for rule in rules().values()} | {"LINK"}, key=len, reverse=True)
    case_id = re.compile(r"(?<![\w])(?:" + "|".join(kinds) + r")-[A-Za-z0-9][A-Za-z0-9-]*")
    for sheet in book.worksheets:
        keys = _header_keys(sheet) if sheet.title != SUMMARY else {}
        case_id_column = next((c for c, k in keys.items() if k == "case_id"), None)
        for row in sheet.iter_rows():
            for cell in row:
                where = f"{sheet.title}!{cell.coordinate}"
                value = cell.value
                if cell.data_type == "f":
                    found["formula"].append(f"{where}: {value!r}")
                key = keys.get(cell.column) if cell.row > 1 else None
                if isinstance(value, str) and cell.column != case_id_column:
                    value = case_id.sub("", value)
                    hits = set(code_pattern.findall(value)) | set(SNAKE.findall(value))
                    if hits:
                        found["internal key"].append(f"{where}: {sorted(hits)} in {value[:80]!r}")
                    label_text = "" if key in FEED_TEXT else QUOTED.sub("", value)
                    english_hits = {w.lower() for w in english.findall(label_text)}
                    if english_hits:
                        found["english"].append(
                            f"{where}: {sorted(english_hits)} in {value[:80]!r}"
                        )
                    if ISO_DAY.search(value):
                        found["date"].append(f"{where}: an ISO date as text {value[:80]!r}")
                if isinstance(value, bool):
                    continue
                if isinstance(value, int | float) and cell.number_format == "General":
                    found["number"].append(f"{where}: {value!r} unformatted")
                money = key is not None and key.startswith("money") and value is not None
                if money and (
                    not isinstance(value, int | float) or cell.number_format != MONEY_FORMAT
                ):
                    found["number"].append(f"{where}: money {value!r} in {cell.number_format!r}")
                decided = key == "decided_on" and value not in (None, "")
                if decided and (
                    not isinstance(value, datetime | date) or cell.number_format != DATE_FORMAT
                ):
                    found["date"].append(f"{where}: {value!r} in {cell.number_format!r}")
                if isinstance(value, datetime | date) and cell.number_format != DATE_FORMAT:
                    found["date"].append(f"{where}: a date in {cell.number_format!r}")
        found["validation"] += _validation_problems(sheet, keys)
        found["print"] += _print_problems(sheet)
    found["index"] += _index_problems(book)
    return found


def _covers(validation: Any, column: str, row: int) -> bool:
    return any(
        rng.min_row <= row <= rng.max_row and rng.min_col <= _col(column) <= rng.max_col
        for rng in validation.sqref.ranges
    )


def _col(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter)


def _validation_problems(sheet: Any, keys: dict[int, str]) -> list[str]:
    from openpyxl.utils import get_column_letter

    problems = []
    by_key = {key: get_column_letter(column) for column, key in keys.items()}
    checks = [("decision", "list")]
    if "decided_on" in by_key:
        checks.append(("decided_on", "date"))
    for key, kind in checks:
        if key not in by_key:
            continue
        column = by_key[key]
        rules_here = [
            v
            for v in sheet.data_validations.dataValidation
            if v.type == kind and _covers(v, column, 2)
        ]
        if not rules_here:
            problems.append(f"{sheet.title}: no {kind} validation on {key} ({column}2)")
        for v in rules_here:
            if not (v.showErrorMessage and v.errorTitle and v.error):
                problems.append(f"{sheet.title}: the {key} validation does not refuse input")
            if kind == "date" and v.operator != "between":
                problems.append(f"{sheet.title}: the date validation is not a range")
    return problems


def _print_problems(sheet: Any) -> list[str]:
    setup, problems = sheet.page_setup, []
    if setup.orientation != "landscape":
        problems.append(f"{sheet.title}: not landscape")
    fit = sheet.sheet_properties.pageSetUpPr
    if not (fit is not None and fit.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0):
        problems.append(f"{sheet.title}: not fitted to one page wide")
    if not sheet.print_title_rows:
        problems.append(f"{sheet.title}: no header row repeated on each page")
    if "&P" not in (sheet.oddFooter.center.text or ""):
        problems.append(f"{sheet.title}: no page number in the footer")
    return problems


def _index_problems(book: Any) -> list[str]:
    summary = book[SUMMARY]
    links: dict[str, list[Any]] = {}
    for row in summary.iter_rows():
        for cell in row:
            if cell.hyperlink is not None:
                target = cell.hyperlink.location or cell.hyperlink.target or ""
                match = re.fullmatch(r"#?'?(.+?)'?!A1", target)
                sheet = match.group(1).replace("''", "'") if match else target
                links.setdefault(sheet, []).append(cell)
    problems = [f"{SUMMARY}: a link to {name!r}, no such sheet" for name in links
                if name not in book.sheetnames]  # fmt: skip
    for sheet in book.worksheets[1:]:
        cells = links.get(sheet.title, [])
        if len(cells) != 1:
            problems.append(f"{SUMMARY}: {len(cells)} links to {sheet.title!r}, not one")
            continue
        cell = cells[0]
        cases = summary.cell(cell.row, cell.column + 1).value
        rows = sheet.max_row - 1
        if cell.value != sheet.title or cases != rows:
            problems.append(f"{SUMMARY}: {cell.value!r} ({cases} cases) for {sheet.title} ({rows})")
        keys = _header_keys(sheet)
        money = next((c for c, k in keys.items() if k.startswith("money")), None)
        shown = summary.cell(cell.row, cell.column + 2).value
        if money is not None and shown is not None:
            total = sum(sheet.cell(r, money).value or 0 for r in range(2, sheet.max_row + 1))
            if shown != total:
                problems.append(
                    f"{SUMMARY}: {shown} for {sheet.title}, whose money sums to {total}"
                )
    return problems


# ---------------------------------------------------------------- the demo's workbooks
def _decide(published: Path, target: Path) -> int:
    """An inspector's answer: "in progress" with today's date (a date cell) on every case of
    the first three ward sheets; the workbook saved where the next quarter's decisions land."""
    book = load_workbook(published)
    decided = 0
    for sheet in book.worksheets[1:4]:
        keys = {key: column for column, key in _header_keys(sheet).items()}
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, keys["decision"], labels()["decision"]["in_progress"])
            sheet.cell(row, keys["note"], "đã làm việc lần 1")
            sheet.cell(row, keys["inspector"], "Lê Văn Kiểm")
            sheet.cell(row, keys["decided_on"], datetime.combine(DECIDED_ON, datetime.min.time()))
            decided += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return decided


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("workbook_cells")
    settings = Settings.from_env(landing_dir=base / "landing", data_dir=base / "data", output_dir=base / "output",
                                 warehouse_url=f"sqlite:///{base / 'warehouse.db'}", options=DEFAULTS)  # fmt: skip
    generate(
        SynthConfig(quarters=(Q3, Q4), provinces=("82",), firms=300, seed=7),
        settings.landing_dir,
        base / "truth",
    )
    q3 = run_quarter(settings, Q3, "q3")
    first = Path(q3["published"][0]["workbook"])
    decided = _decide(first, settings.landing_dir / str(Q4) / "82" / f"decisions_82_{Q4}.xlsx")
    q4 = run_quarter(settings, Q4, "q4")
    with get_engine(settings.warehouse_url).connect() as conn:
        findings = read_frame(conn, t.finding)
    evidence_keys = {
        key
        for item in findings["evidence"]
        for key in (item if isinstance(item, dict) else json.loads(item))
    }
    return {"books": [first, Path(q4["published"][0]["workbook"])], "decided": decided,
            "q4": q4, "vocabulary": vocabulary(evidence_keys)}  # fmt: skip


@pytest.fixture(scope="module")
def problems(demo: dict[str, Any]) -> dict[str, list[str]]:
    codes, words = demo["vocabulary"]
    found: dict[str, list[str]] = {}
    for path in demo["books"]:
        for kind, items in workbook_problems(path, codes, words).items():
            found.setdefault(kind, []).extend(f"{path.name}: {item}" for item in items)
    return found


def test_the_vocabulary_is_the_codes(demo: dict[str, Any]) -> None:
    codes, words = demo["vocabulary"]
    # built from the code, not by hand: what the issue saw in the workbook is in it
    assert {"wage_bill", "pit_wage_bill", "missing_employees", "region_from", "defect"} <= codes
    assert {"ARREARS_EVASION", "UNDER_REGISTERED", "NOT_REGISTERED"} <= codes
    assert {"address", "blank", "active", "paying"} <= words


@pytest.mark.parametrize("kind", ["internal key", "english", "formula"])
def test_no_internal_key_or_english_label_in_any_cell(problems: dict, kind: str) -> None:
    assert problems[kind] == [], "\n".join(problems[kind][:20])


def test_every_number_formatted_and_every_money_cell_in_dong(problems: dict) -> None:
    assert problems["number"] == [], "\n".join(problems["number"][:20])


def test_dates_are_dates_in_dd_mm_yyyy(demo: dict[str, Any], problems: dict) -> None:
    assert problems["date"] == [], "\n".join(problems["date"][:20])
    # not vacuous: the decisions came back and were carried into the next workbook as dates
    assert demo["q4"]["feeds"]["decisions"]["rows_accepted"] == demo["decided"] > 0
    book = load_workbook(demo["books"][1])
    days = [
        cell.value
        for sheet in book.worksheets[1:]
        for column, key in _header_keys(sheet).items()
        if key == "decided_on"
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column)
        if cell.value is not None
    ]
    assert days and {day.date() for day in days} == {DECIDED_ON}


def test_decision_and_date_columns_refuse_other_input(problems: dict) -> None:
    assert problems["validation"] == [], "\n".join(problems["validation"][:20])


def test_every_sheet_prints_landscape_one_page_wide_with_its_header(problems: dict) -> None:
    assert problems["print"] == [], "\n".join(problems["print"][:20])


def test_the_summary_links_every_sheet_once(demo: dict[str, Any], problems: dict) -> None:
    assert problems["index"] == [], "\n".join(problems["index"][:20])
    assert len(load_workbook(demo["books"][0]).sheetnames) > 3  # a sheet per ward, linked
