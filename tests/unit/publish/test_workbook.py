from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from reconcile.publish.workbook import (
    COLUMNS,
    HEADERS,
    case_rows,
    describe_evidence,
    describe_link,
    review_rows,
    write_workbook,
)
from reconcile.rules.catalog import rules


def _findings() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"quarter": "2025Q3", "province": "82", "case_id": "ARREARS-TZ1", "rule": "ARREARS_EVASION",
             "tax_code": "0100233488", "unit_code": "TZ1", "name": "Công ty A", "address": "Phường Mỹ Tho",
             "severity": 3, "legal_basis": "Luật BHXH 41/2024/QH15, Điều 39 khoản 1 điểm đ",
             "evidence": {"arrears": 320000000, "reminded_on": "2025-08-15", "unit_status": "paying"},
             "money_at_stake": 340000000},
            {"quarter": "2025Q3", "province": "82", "case_id": "UNREGISTERED-0314409058", "rule": "NOT_REGISTERED",
             "tax_code": "0314409058", "unit_code": None, "name": "Công ty B", "address": None, "severity": 3,
             "legal_basis": "Luật BHXH 41/2024/QH15, Điều 39 khoản 1 điểm a",
             "evidence": {"pit_employees": 12, "tax_status": "active"}, "money_at_stake": 900000000},
        ]
    )  # fmt: skip


def test_evidence_in_vietnamese_words() -> None:
    text = describe_evidence({"arrears": 320000000, "unit_status": "paying", "reminded_on": None})
    assert text == "Số nợ (VND): 320.000.000; Trạng thái đơn vị: Đang đóng"


def test_workbook_sheets_headers_order_dropdown_and_frozen_header(tmp_path: Path) -> None:
    links = pd.DataFrame(
        [{"unit_code": "TZ1", "method": "exact", "evidence": {"roll_tax_code": "100233488"}}]
    )
    statuses = pd.DataFrame([{"case_id": "ARREARS-TZ1", "status": "persisting"}])
    rows = case_rows(_findings(), statuses, links, rules())
    path = write_workbook(rows, tmp_path / "cases.xlsx", "Danh sách", {"Số hồ sơ": 2})
    book = load_workbook(path)
    assert book.sheetnames == ["Tổng hợp", "Hồ sơ"]
    sheet = book["Hồ sơ"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:R3"
    column = {key: i for i, (key, _, _) in enumerate(COLUMNS)}
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [v[column["case_id"]] for v in values] == [
        "UNREGISTERED-0314409058",
        "ARREARS-TZ1",
    ]  # largest stake first
    assert values[1][column["case_status"]] == "Tiếp diễn"
    assert values[0][column["link"]] == "Không có đơn vị BHXH tương ứng"
    assert values[1][column["link"]] == "Khớp mã số thuế (MST trên danh sách đơn vị: 100233488)"
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "list" and "Không phải đơn vị này" in validation.formula1
    assert str(validation.sqref).startswith("O2:O")


def test_workbook_bytes_are_identical_for_the_same_cases(tmp_path: Path) -> None:
    rows = case_rows(
        _findings(), pd.DataFrame(columns=["case_id", "status"]), pd.DataFrame(), rules()
    )
    first = write_workbook(rows, tmp_path / "a.xlsx", "t", {}).read_bytes()
    time.sleep(2.1)  # zip entries carry times to the even second
    second = write_workbook(rows, tmp_path / "b.xlsx", "t", {}).read_bytes()
    assert first == second


FUZZY_EVIDENCE = {
    "probability": 0.99812, "unit_name": "thuy san tan hai", "firm_name": "thuy san tan hai", "name_score": 100.0,
    "street_score": 92.0, "levels": {"name": "exact", "legal_form": "same",
                                     "commune": "same", "street": ">=90", "tax_code": "missing"},
}  # fmt: skip


def test_a_fuzzy_link_says_why_it_was_made() -> None:
    text = describe_link("fuzzy", FUZZY_EVIDENCE)
    assert text.startswith("Khớp tên và địa chỉ (độ tin cậy 99.8%)")
    for words in (
        "tên giống 100/100",
        "«thuy san tan hai»",
        "cùng xã/phường",
        "MST trống",
        "địa chỉ giống 92/100",
    ):
        assert words in text


def test_the_review_sheet_lists_doubtful_pairs_with_their_reasons(tmp_path: Path) -> None:
    links = pd.DataFrame(
        [{"unit_code": "TZ9", "tax_code": "0100233488", "method": "fuzzy", "band": "review", "weight": 4.2,
          "evidence": {**FUZZY_EVIDENCE, "probability": 0.9}},
         {"unit_code": "TZ1", "tax_code": "0314409058", "method": "exact", "band": "link", "weight": 1.0, "evidence": {}}]
    )  # fmt: skip
    units = pd.DataFrame([{"unit_code": "TZ9", "name": "CTY THUY SAN TAN HAI", "address": "P. Mỹ Tho"},
                          {"unit_code": "TZ1", "name": "B", "address": None}])  # fmt: skip
    firms = pd.DataFrame([{"tax_code": "0100233488", "name": "Công ty CP Thủy sản Tân Hải", "address": None},
                          {"tax_code": "0314409058", "name": "B", "address": None}])  # fmt: skip
    review = review_rows(links, units, firms)
    assert list(review["unit_code"]) == ["TZ9"]
    rows = case_rows(
        _findings(), pd.DataFrame(columns=["case_id", "status"]), pd.DataFrame(), rules()
    )
    book = load_workbook(write_workbook(rows, tmp_path / "w.xlsx", "t", {}, review))
    sheet = book["Cần xem xét liên kết"]
    assert [c.value for c in sheet[1]][:5] == ["Mã đơn vị", "Tên đơn vị (danh sách BHXH)", "Địa chỉ đơn vị",
                                               "Mã số thuế (doanh nghiệp)", "Tên doanh nghiệp (thuế, ĐKKD)"]  # fmt: skip
    assert sheet["A2"].value == "TZ9" and "độ tin cậy 90.0%" in sheet["G2"].value
    choices = sheet.data_validations.dataValidation[0].formula1
    assert "Đúng là đơn vị này" in choices and "Không phải đơn vị này" in choices
    assert "Đúng là đơn vị này" not in book["Hồ sơ"].data_validations.dataValidation[0].formula1
