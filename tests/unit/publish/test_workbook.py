from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from reconcile.publish.workbook import (
    COLUMNS,
    case_rows,
    describe_evidence,
    describe_link,
    review_rows,
    rule_name,
    sheet_columns,
    write_workbook,
)
from reconcile.publish.xlsx import COUNT_FORMAT, MONEY_FORMAT
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


def test_every_evidence_key_and_value_the_issue_saw_reads_in_words() -> None:
    text = describe_evidence({"wage_bill": 3_967_000, "pit_wage_bill": 482_642_000, "missing_employees": 6,
                              "region_from": "address", "defect": "blank", "roll_tax_code": "123",
                              "linked_tax_code": "0100233488", "due_date": "2025-03-31",
                              "would_be_rule": "NOT_REGISTERED"})  # fmt: skip
    assert text == (
        "Quỹ lương đóng BHXH (tháng): 3.967.000; Tổng thu nhập chịu thuế (năm): 482.642.000; "
        "Số lao động thiếu: 6; Vùng lương xác định theo: địa chỉ; Lỗi của MST trên danh sách: "
        "bỏ trống; MST ghi trên danh sách đơn vị: 123; MST của doanh nghiệp đã liên kết: "
        "0100233488; Hạn đóng: 31/03/2025; Nếu không phải đơn vị này: Trốn đóng: chưa đăng ký "
        "tham gia BHXH"
    )


def test_the_summary_names_rules_by_their_title(tmp_path: Path) -> None:
    assert rule_name("ARREARS_EVASION") == rules()["ARREARS_EVASION"].title
    review = "Có thể đã có trên danh sách BHXH là đơn vị … — cần xác minh"
    assert rule_name("NOT_REGISTERED_REVIEW") == review
    rows = case_rows(
        _findings(), pd.DataFrame(columns=["case_id", "status"]), pd.DataFrame(), rules()
    )
    summary = {"Tổng số tiền ước tính (VND)": 17_781_786_398, "Quy tắc ARREARS_EVASION": 1}
    overview = load_workbook(write_workbook(rows, tmp_path / "w.xlsx", "t", summary))["Tổng hợp"]
    cells = {c.coordinate: c for row in overview.iter_rows() for c in row if c.value is not None}
    assert cells["B3"].value == 17_781_786_398 and cells["B3"].number_format == '#,##0 "₫"'
    assert cells["A5"].value == "Số hồ sơ theo vi phạm"
    assert (cells["A6"].value, cells["B6"].value) == (rules()["ARREARS_EVASION"].title, 1)
    assert not any("ARREARS" in str(c.value) for c in cells.values())
    # without ward sheets, the index links the one cases sheet
    link = next(c for c in cells.values() if c.hyperlink is not None)
    assert (link.value, link.hyperlink.location) == ("Hồ sơ", "'Hồ sơ'!A1")


def _known_workbook(tmp_path: Path, mask: bool = True) -> Path:
    from datetime import date

    from reconcile.publish.groups import commune_namer

    findings = _findings()
    findings.loc[0, "address"] = "Số 5 đường 30/4, Phường Mỹ Tho, Tỉnh Đồng Tháp"
    findings.loc[1, "address"] = "Ấp 3, Xã Mỹ Phong, Thành phố Mỹ Tho, Tỉnh Tiền Giang"
    extra = findings.iloc[[0]].assign(case_id="ARREARS-TZ2", unit_code="TZ2", money_at_stake=1_000)
    findings = pd.concat([findings, extra], ignore_index=True)
    links = pd.DataFrame(
        [{"unit_code": "TZ1", "method": "exact", "evidence": {"roll_tax_code": "100233488"}}]
    )
    statuses = pd.DataFrame([{"case_id": "ARREARS-TZ1", "status": "persisting"}])
    firms = pd.DataFrame([{"tax_code": "0314409058", "representative": "Trần Thị Bình"},
                          {"tax_code": "0100233488", "representative": None}])  # fmt: skip
    carried = {"ARREARS-TZ1": {"decision": "in_progress", "note": "đã làm việc lần 1", "inspector": "Lê A",
                               "decided_on": date(2025, 10, 20)}}  # fmt: skip
    rows = case_rows(
        findings, statuses, links, rules(), firms, carried, mask=mask, group_of=commune_namer("82")
    )
    return write_workbook(
        rows, tmp_path / "cases.xlsx", "Danh sách", {"Số hồ sơ": 3}, group_sheets=True
    )


def test_workbook_cell_by_cell_for_a_known_case_set(tmp_path: Path) -> None:
    book = load_workbook(_known_workbook(tmp_path))
    # a summary sheet, then one sheet per ward, the ward with the most money at stake first
    assert book.sheetnames == ["Tổng hợp", "Phường Mỹ Phong", "Phường Mỹ Tho"]
    overview = book["Tổng hợp"]
    assert overview["A1"].value == "Danh sách"
    assert [overview.cell(3, c).value for c in (1, 2)] == ["Số hồ sơ", 3]
    assert overview.cell(3, 2).number_format == COUNT_FORMAT
    # the index: each ward's sheet, a link to it, with its cases and money (in ₫)
    assert [overview.cell(6, c).value for c in (1, 2, 3)] == ["Xã/phường", "Số hồ sơ",
                                                              "Số tiền ước tính (VND)"]  # fmt: skip
    assert [overview.cell(7, c).value for c in (1, 2, 3)] == ["Phường Mỹ Phong", 1, 900_000_000]
    assert [overview.cell(8, c).value for c in (1, 2, 3)] == ["Phường Mỹ Tho", 2, 340_001_000]
    for row, title in ((7, "Phường Mỹ Phong"), (8, "Phường Mỹ Tho")):
        assert overview.cell(row, 1).hyperlink.location == f"'{title}'!A1"
        assert overview.cell(row, 3).number_format == MONEY_FORMAT == '#,##0 "₫"'
    shown = sheet_columns(COLUMNS)
    assert "rule" not in {key for key, _, _ in shown}  # the rule's title, never its code
    column = {key: i + 1 for i, (key, _, _) in enumerate(shown)}
    money = next(key for key in column if key.startswith("money"))
    for title in ("Phường Mỹ Phong", "Phường Mỹ Tho"):
        sheet = book[title]
        assert [c.value for c in sheet[1]] == [h for _, h, _ in shown]  # Vietnamese, in order
        assert sheet.freeze_panes == "B2"
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(shown))}{sheet.max_row}"
        assert sheet.column_dimensions[get_column_letter(column["evidence"])].width == 60
        validation = sheet.data_validations.dataValidation[0]
        decision = get_column_letter(column["decision"])
        assert validation.type == "list" and str(validation.sqref) == f"{decision}2:{decision}1000"
        assert (
            validation.formula1
            == '"Xác nhận vi phạm,Không phải đơn vị này,Đã khắc phục,Không thuộc diện,Đang xử lý"'
        )
        # any other text is refused, with a message in Vietnamese
        assert validation.showErrorMessage and validation.errorStyle == "stop"
        assert validation.errorTitle == "Kết luận không hợp lệ"
        days = sheet.data_validations.dataValidation[-1]
        day = get_column_letter(column["decided_on"])
        assert (days.type, days.operator) == ("date", "between")
        assert str(days.sqref) == f"{day}2:{day}1000"
        assert (days.formula1, days.formula2) == ("43831", "73415")  # 01/01/2020, 31/12/2100
        assert days.showErrorMessage and "dd/mm/yyyy" in days.error
        # printed landscape, one page wide, the header row on every page, page numbers
        assert sheet.page_setup.orientation == "landscape"
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddFooter.center.text == "Trang &P / &N"
    unregistered = book["Phường Mỹ Phong"]
    cell = {key: unregistered.cell(2, col).value for key, col in column.items()}
    assert cell["case_id"] == "UNREGISTERED-0314409058" and cell["case_status"] == "Mới"
    assert cell["representative"] == "T. T. B."  # personal data masked by default
    assert cell["group"] == "Phường Mỹ Phong"
    assert cell["link"] == "Không có đơn vị BHXH tương ứng"
    assert cell["severity"] == "Cao"  # severity 3, in words
    assert cell["title"].startswith("Trốn đóng: doanh nghiệp có lao động")
    assert cell[money] == 900_000_000  # a number an inspector can sum, shown in ₫
    assert unregistered.cell(2, column[money]).number_format == MONEY_FORMAT
    arrears = book["Phường Mỹ Tho"]
    assert [arrears.cell(r, column["case_id"]).value for r in (2, 3)] == [
        "ARREARS-TZ1",
        "ARREARS-TZ2",
    ]
    first = {key: arrears.cell(2, col).value for key, col in column.items()}
    assert first["case_status"] == "Tiếp diễn"
    assert first["link"] == "Khớp mã số thuế (MST trên danh sách đơn vị: 100233488)"
    assert first["representative"] is None
    # the decision carried from last quarter, ready to be kept or changed; the inspector is
    # personal data in the feed spec, so only the initials are published by default
    assert (first["decision"], first["note"], first["inspector"], first["decided_on"]) == (
        "Đang xử lý",
        "đã làm việc lần 1",
        "L. A.",
        datetime(2025, 10, 20),  # a real date, shown dd/mm/yyyy
    )
    assert arrears.cell(2, column["decided_on"]).number_format == "dd/mm/yyyy"


def test_personal_data_is_shown_only_when_asked(tmp_path: Path) -> None:
    book = load_workbook(_known_workbook(tmp_path, mask=False))
    column = [key for key, _, _ in sheet_columns(COLUMNS)].index("representative") + 1
    assert book["Phường Mỹ Phong"].cell(2, column).value == "Trần Thị Bình"


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
    assert [c.value for c in sheet[1]][:6] == ["Mã hồ sơ", "Mã đơn vị", "Tên đơn vị (danh sách BHXH)", "Địa chỉ đơn vị",
                                               "Mã số thuế (doanh nghiệp)", "Tên doanh nghiệp (thuế, ĐKKD)"]  # fmt: skip
    # the case id that brings the inspector's answer back to the matcher
    assert sheet["A2"].value == "LINK-TZ9-0100233488" and sheet["B2"].value == "TZ9"
    assert "độ tin cậy 90.0%" in sheet["H2"].value
    choices = sheet.data_validations.dataValidation[0].formula1
    assert "Đúng là đơn vị này" in choices and "Không phải đơn vị này" in choices
    assert "Đúng là đơn vị này" not in book["Hồ sơ"].data_validations.dataValidation[0].formula1
