"""Values from feeds never act in the workbook and the CSVs we publish.

A probe found live formulas in the inspectors' workbook (``=HYPERLINK(...)`` from a firm's
name, ``=cmd|' /C calc'!A0`` from an address, ``=. V. R.`` from the masked representative
"= Văn Rồng") and CSV fields that a spreadsheet runs. These tests push such values through the
same functions publish uses (``case_rows``, ``write_workbook``, ``write_csv``) and read the
files back the way a spreadsheet would: openpyxl's types, the raw sheet XML in the zip (a
formula is an ``<f>`` element there, whatever a reader library makes of it) and the CSV fields.
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from reconcile.publish.neutral import FORMULA_START, csv_frame, csv_text, escape_strings, put
from reconcile.publish.workbook import COLUMNS, HEADERS, case_rows, write_csv, write_workbook
from reconcile.rules.catalog import rules

HYPERLINK = '=HYPERLINK("http://x","click")'
DDE = "=cmd|' /C calc'!A0"
HOSTILE = [HYPERLINK, DDE, "\t=1+1", "\r=1+1", "+1", "-1+1", "@SUM(A1)", "#N/A"]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _finding(n: int, name: str, address: str, unit_code: str, tax_code: str) -> dict:
    return {"quarter": "2025Q3", "province": "82", "case_id": f"CASE-{n}", "rule": "ARREARS_EVASION",
            "tax_code": tax_code, "unit_code": unit_code, "name": name, "address": address, "severity": 3,
            "legal_basis": "Luật BHXH 41/2024/QH15", "evidence": {"arrears": 1000, "unit_status": "paying"},
            "money_at_stake": 1000 * (n + 1)}  # fmt: skip


def _hostile_rows(mask: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cases whose every feed-borne text is hostile, and a review sheet of hostile pairs."""
    findings = pd.DataFrame(
        [_finding(n, value, HOSTILE[-1 - n], HOSTILE[(n + 1) % len(HOSTILE)], f"+84{n}")
         for n, value in enumerate(HOSTILE)]
    )  # fmt: skip
    firms = pd.DataFrame([{"tax_code": "+840", "representative": "= Văn Rồng"},
                          {"tax_code": "+841", "representative": HYPERLINK}])  # fmt: skip
    carried = {
        "CASE-0": {"decision": "in_progress", "note": "=1+1 đã làm việc", "inspector": DDE,
                   "decided_on": date(2025, 10, 20)},
        "CASE-1": {"decision": "in_progress", "note": HYPERLINK, "inspector": "= Văn Rồng",
                   "decided_on": date(2025, 10, 21)},
    }  # fmt: skip
    rows = case_rows(findings, pd.DataFrame(columns=["case_id", "status"]), pd.DataFrame(), rules(),
                     firms, carried, mask=mask, group_of=lambda address: address or "")  # fmt: skip
    review = pd.DataFrame([{"case_id": "LINK-@SUM(A1)-+1", "unit_code": "@SUM(A1)", "unit_name": HYPERLINK,
                            "unit_address": DDE, "tax_code": "+1", "firm_name": "-1+1",
                            "firm_address": "\t=1+1", "explanation": "=1+1", "decision": "", "note": ""}])  # fmt: skip
    return rows, review


def _sheet_xml(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        }


def _assert_no_formula(path: Path) -> list[str]:
    """No formula anywhere in the saved book (XML and openpyxl); returns every text read."""
    sheets = _sheet_xml(path)
    assert sheets, "no worksheet in the zip"
    for name, data in sheets.items():
        assert b"<f>" not in data and b"<f " not in data, f"formula element in {name}"
        root = ElementTree.fromstring(data)
        assert root.find(f".//{{{MAIN}}}f") is None, f"formula element in {name}"
        types = {cell.get("t") for cell in root.iter(f"{{{MAIN}}}c")}
        assert "e" not in types, f"an error value (not text) in {name}"
    texts = []
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{sheet.title}!{cell.coordinate}"
                    texts.append(cell.value)
    return texts


@pytest.mark.parametrize("mask", [True, False])
def test_hostile_feed_values_are_text_in_every_sheet_of_the_workbook(tmp_path: Path, mask: bool) -> None:  # fmt: skip
    """Names, addresses, codes, notes, inspectors, groups (sheet and overview) and the review
    sheet all carry formula-looking text; the saved book holds no <f> and no error cell, and
    the text reads back exactly as the feed wrote it (shown, not lost)."""
    rows, review = _hostile_rows(mask)
    summary = {"Quý": "2025Q3", "Cảnh báo 1": DDE, "=1+1": 3}
    path = write_workbook(rows, tmp_path / "cases.xlsx", HYPERLINK, summary, review, group_sheets=True)  # fmt: skip
    texts = _assert_no_formula(path)
    # "\r=1+1" reads back as "\n=1+1": XML turns a CR into a line feed; text either way
    for value in (
        HYPERLINK,
        DDE,
        "\t=1+1",
        "\n=1+1",
        "-1+1",
        "@SUM(A1)",
        "#N/A",
        "=1+1 đã làm việc",
    ):
        assert value in texts, f"{value!r} not shown as text"
    representative = "=. V. R." if mask else "= Văn Rồng"  # mask_name("= Văn Rồng") starts with "="
    assert representative in texts
    assert ("=. V. R." in texts) is mask  # the inspector "= Văn Rồng", masked with the rest
    book = load_workbook(path)
    assert book["Tổng hợp"]["A1"].value == HYPERLINK and book["Tổng hợp"]["A1"].data_type == "s"


def test_a_workbook_saved_without_neutral_would_hold_a_formula(tmp_path: Path) -> None:
    """The control for the test above: openpyxl left alone does write <f> for these values,
    so the XML scan is able to see one."""
    book = Workbook()
    book.active.cell(1, 1, HYPERLINK)
    book.save(tmp_path / "raw.xlsx")
    assert any(b"<f>" in data for data in _sheet_xml(tmp_path / "raw.xlsx").values())


def test_put_keeps_numbers_and_dates_typed(tmp_path: Path) -> None:
    """Only str values are forced to text: money stays a number an inspector can sum."""
    book = Workbook()
    sheet = book.active
    assert put(sheet, 1, 1, 1_000).data_type == "n"
    assert put(sheet, 1, 2, date(2025, 1, 1)).data_type == "d"
    assert put(sheet, 1, 3, "=1+1").data_type == "s"
    assert put(sheet, 1, 4, None).value is None


def _csv_fields(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


@pytest.mark.parametrize("mask", [True, False])
def test_the_cases_csv_has_no_field_a_spreadsheet_would_run(tmp_path: Path, mask: bool) -> None:
    """Every field starting with = + - @ tab or CR gets a leading "'"; the text after it is
    the feed's, unchanged; numbers stay bare numbers."""
    rows, _ = _hostile_rows(mask)
    header, body = _csv_fields(write_csv(rows, tmp_path / "cases.csv"))
    assert header == HEADERS
    fields = [field for row in body for field in row]
    for field in fields:
        assert not field.startswith(FORMULA_START), f"live field {field!r}"
    for value in (HYPERLINK, DDE, "\t=1+1", "\r=1+1", "+1", "-1+1", "@SUM(A1)"):
        assert "'" + value in fields, f"{value!r} not published with its quote"
    assert "#N/A" in fields  # not a formula in a CSV: left as it is
    money = HEADERS[[key for key, _, _ in COLUMNS].index("money_counted")]
    assert all(row[header.index(money)].isdigit() for row in body)
    inspectors = {row[header.index("Cán bộ kiểm tra")] for row in body}
    assert ("'=. V. R." in inspectors) is mask and (f"'{DDE}" in inspectors) is not mask


def test_csv_text_only_touches_str_values() -> None:
    """OWASP's rule as a function: a quote before a live first character, nothing else."""
    assert [csv_text(v) for v in ("=1", "+1", "-1", "@a", "\t=1", "\r=1")] == [
        "'=1", "'+1", "'-1", "'@a", "'\t=1", "'\r=1"
    ]  # fmt: skip
    assert csv_text(-1) == -1 and csv_text(1.5) == 1.5 and csv_text(None) is None
    assert csv_text("Công ty A") == "Công ty A" and csv_text("") == ""
    frame = csv_frame(pd.DataFrame({"a": ["=1", None, "x"], "n": [-1, 2, 3]}))
    assert list(frame["a"])[::2] == ["'=1", "x"] and pd.isna(frame["a"][1])
    assert list(frame["n"]) == [-1, 2, 3]


def test_escape_strings_reaches_every_str_of_a_structure() -> None:
    """Keys stay (GX looks them up); values at any depth are escaped."""
    escaped = escape_strings({"partial_unexpected_counts": [{"value": "<svg/onload=x>", "count": 1}],
                              "unexpected_list": ["a&b", 3, None]})  # fmt: skip
    assert escaped == {"partial_unexpected_counts": [{"value": "&lt;svg/onload=x&gt;", "count": 1}],
                       "unexpected_list": ["a&amp;b", 3, None]}  # fmt: skip
