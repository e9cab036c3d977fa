"""No accusation without a search: a firm with no link is looked for among the roll's units
left unlinked before it is called unregistered (rules/findings.py, match/search.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from reconcile.match import link_partition
from reconcile.match.features import record
from reconcile.match.search import name_shape, search_roll
from reconcile.publish.workbook import case_rows, write_workbook
from reconcile.quarter import Quarter
from reconcile.rules import decisions as decision_logic
from reconcile.rules.catalog import contributions, rules
from reconcile.rules.findings import find
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS

Q3 = Quarter.parse("2025Q3")
CATALOG = rules()
TERMS = contributions()
HOANG_PHAT = "0100233488"
MINH_KHANG = "0100112437"
TAN_HAI = "0314409058"


def firm(code: str, **values) -> dict:
    row = dict.fromkeys(FIRM_COLUMNS)
    row.update(quarter="2025Q3", province="82", tax_code=code, root=code[:10], tax_status="active",
               registry_status="active", in_tax=True, in_registry=True, started_on=date(2020, 1, 1),
               pit_employees=6)  # fmt: skip
    row.update(values)
    return row


def unit(code: str, **values) -> dict:
    row = dict.fromkeys(UNIT_COLUMNS)
    row.update(quarter="2025Q3", province="82", unit_code=code, status="paying", insured_employees=6,
               wage_bill=6 * 6_000_000, arrears=0, arrears_months=0)  # fmt: skip
    row.update(values)
    return row


def _province() -> tuple[pd.DataFrame, pd.DataFrame]:
    firms = [
        firm(HOANG_PHAT, name="CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ HOÀNG PHÁT ĐẠT",
             address="Số 12 đường Lê Lợi, Phường Mỹ Tho, Tỉnh Đồng Tháp"),
        firm(TAN_HAI, name="CÔNG TY CỔ PHẦN THỦY SẢN TÂN HẢI", address="Ấp 3, Xã Mỹ Phong, Tỉnh Đồng Tháp"),
        firm(MINH_KHANG, name="CÔNG TY TNHH XÂY DỰNG MINH KHANG",
             address="Số 3 đường Hùng Vương, Phường Mỹ Tho, Tỉnh Đồng Tháp"),
    ]  # fmt: skip
    units = [
        # Hoàng Phát Đạt's unit: the word ĐẠT lost, and its tax code with it
        unit("TZ1", name="CTY TNHH HOÀNG PHÁT", address="12 Lê Lợi, P. Mỹ Tho, Đồng Tháp",
             tax_code=None, tax_code_raw=None),
        unit("TZ2", name="CÔNG TY CỔ PHẦN THỦY SẢN TÂN HẢI", address="Ấp 3, Xã Mỹ Phong",
             tax_code=TAN_HAI, tax_code_raw=TAN_HAI),
    ]  # fmt: skip
    return pd.DataFrame(firms, columns=FIRM_COLUMNS), pd.DataFrame(units, columns=UNIT_COLUMNS)


def _judged(decisions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    firms, units = _province()
    links = link_partition(firms, units, decisions).links
    return find(firms, units, links, Q3, "82", CATALOG, TERMS, decisions), links


def test_a_firm_whose_unit_lost_a_word_and_its_code_is_a_review_item_naming_that_unit() -> None:
    findings, links = _judged()
    assert "TZ1" not in set(links["unit_code"])  # the linker left it: no link, not in review
    mine = findings[findings["tax_code"] == HOANG_PHAT]
    assert list(mine["rule"]) == ["NOT_REGISTERED_REVIEW"]
    row = mine.iloc[0]
    assert row["unit_code"] == "TZ1" and row["case_id"] == f"UNREGISTERED_REVIEW-{HOANG_PHAT}"
    assert row["severity"] < CATALOG["NOT_REGISTERED"].severity
    assert row["money_at_stake"] == 0  # not counted as evasion
    evidence = row["evidence"]
    assert evidence["candidate_unit"] == "TZ1" and evidence["would_be_rule"] == "NOT_REGISTERED"
    assert evidence["money_if_not_registered"] > 0
    assert "cùng xã/phường" in evidence["candidate_comparison"]
    assert "«dat»" in evidence["candidate_comparison"]  # the dropped word, named
    assert "MST trên danh sách trống" in evidence["candidate_comparison"]


def test_a_firm_with_no_plausible_unit_is_still_not_registered() -> None:
    findings, _ = _judged()
    mine = findings[findings["tax_code"] == MINH_KHANG]
    assert list(mine["rule"]) == ["NOT_REGISTERED"]
    assert "không có đơn vị nào" in mine.iloc[0]["evidence"]["roll_search"]


def test_an_inspectors_not_a_match_sends_the_firm_back_to_not_registered() -> None:
    decisions = pd.DataFrame(
        [("TZ1", HOANG_PHAT, "not_a_match")], columns=["unit_code", "tax_code", "decision"]
    )
    findings, _ = _judged(decisions)
    assert list(findings[findings["tax_code"] == HOANG_PHAT]["rule"]) == ["NOT_REGISTERED"]


def test_confirming_the_review_item_links_the_pair_next_quarter() -> None:
    case_id = f"UNREGISTERED_REVIEW-{HOANG_PHAT}"
    cases = pd.DataFrame([{"case_id": case_id, "unit_code": "TZ1", "tax_code": HOANG_PHAT}])
    confirmed = decision_logic.link_overrides({case_id: {"decision": "confirmed"}}, cases)
    assert confirmed.to_dict("records") == [
        {"unit_code": "TZ1", "tax_code": HOANG_PHAT, "decision": "confirmed"}
    ]
    rejected = decision_logic.link_overrides({case_id: {"decision": "not_a_match"}}, cases)
    assert rejected.to_dict("records") == [
        {"unit_code": "TZ1", "tax_code": HOANG_PHAT, "decision": "not_a_match"}
    ]
    firms, units = _province()
    links = link_partition(firms, units, confirmed).links
    assert links[links["unit_code"] == "TZ1"][["tax_code", "method", "band"]].values.tolist() == [
        [HOANG_PHAT, "confirmed", "link"]
    ]


def test_one_unit_excuses_one_firm_at_most() -> None:
    firms = pd.DataFrame(
        [{"tax_code": "0100233488", "name": "CÔNG TY TNHH HOÀNG PHÁT ĐẠT", "address": None},
         {"tax_code": "0100112437", "name": "CÔNG TY TNHH HOÀNG PHÁT", "address": None}]
    )  # fmt: skip
    units = pd.DataFrame([{"unit_code": "TZ1", "name": "CTY TNHH HOÀNG PHÁT", "address": None,
                           "tax_code": None, "tax_code_raw": None}])  # fmt: skip
    found = search_roll(firms, units, "82")
    assert found[["tax_code", "unit_code"]].values.tolist() == [["0100112437", "TZ1"]]


def test_a_near_tax_code_supports_a_looser_name() -> None:
    firms = pd.DataFrame(
        [{"tax_code": "0100233488", "name": "CÔNG TY TNHH KIM NGÂN PHÁT", "address": None}]
    )
    units = pd.DataFrame([{"unit_code": "TZ1", "name": "DNTN KIM NGAN", "address": None,
                           "tax_code": None, "tax_code_raw": "0100233487"}])  # fmt: skip
    found = search_roll(firms, units, "82")
    assert found["tax_code_relation"].tolist() == ["one_digit"]
    # the roll names another valid code: the name alone, communes unknown, does not outweigh it
    other = units.assign(tax_code="0312687878", tax_code_raw="0312687878")
    assert search_roll(firms, other, "82").empty


def test_a_renamed_firm_is_looked_for_at_its_address() -> None:
    """The registry has the new name, the roll the old one, with no tax code: no word in
    common, but the same street address in the same commune (the roll writes the pre-2025
    commune with the new province) and the same legal form."""
    firms = pd.DataFrame([{"tax_code": "0100233488", "name": "CÔNG TY TNHH MTV VẬT LIỆU THƯỜNG THỚI",
                           "address": "Số 14, Ấp Ba Sao, Xã Bình Thạnh, Thành phố Hồng Ngự, Tỉnh Đồng Tháp"}])  # fmt: skip
    units = pd.DataFrame([{"unit_code": "TZ1", "name": "CÔNG TY TNHH MTV THÂN CỬU NGHĨA",
                           "address": "Số 14, Ấp Ba Sao, Xã Bình Thạnh, Tỉnh Đồng Tháp",
                           "tax_code": None, "tax_code_raw": None}])  # fmt: skip
    found = search_roll(firms, units, "82")
    assert found[["tax_code", "unit_code"]].values.tolist() == [["0100233488", "TZ1"]]
    assert found["address_only"].tolist() == [True]
    # another legal form at that address is another firm
    other_form = units.assign(name="CÔNG TY CỔ PHẦN THÂN CỬU NGHĨA")
    assert search_roll(firms, other_form, "82").empty
    # another house on that hamlet is another firm
    for house in ("Số 41", "Số 142"):
        next_door = units.assign(address=f"{house}, Ấp Ba Sao, Xã Bình Thạnh, Tỉnh Đồng Tháp")
        assert search_roll(firms, next_door, "82").empty, house


def test_the_workbook_asks_the_question_instead_of_accusing(tmp_path: Path) -> None:
    findings, links = _judged()
    rows = case_rows(findings, pd.DataFrame(columns=["case_id", "status"]), links, CATALOG)
    row = rows[rows["rule"] == "NOT_REGISTERED_REVIEW"].iloc[0]
    assert row["title"] == "Có thể đã có trên danh sách BHXH là đơn vị TZ1 — cần xác minh"
    assert row["link"].startswith(
        "Có thể đã có trên danh sách BHXH là đơn vị TZ1 «CTY TNHH HOÀNG PHÁT» — cần xác minh"
    )
    assert "Vì sao chưa kết luận" in row["evidence"]
    book = load_workbook(write_workbook(rows, tmp_path / "w.xlsx", "t", {}))
    sheet = book["Hồ sơ"]
    headers = [c.value for c in sheet[1]]
    decision_col, title_col = headers.index("Kết luận") + 1, headers.index("Vi phạm") + 1
    line = next(
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, title_col).value.startswith("Có thể đã có trên danh sách BHXH")
    )
    cell = sheet.cell(line, decision_col).coordinate
    offered = [v.formula1 for v in sheet.data_validations.dataValidation if cell in v.sqref]
    assert len(offered) == 1 and "Đúng là đơn vị này" in offered[0]
    others = [
        v.formula1
        for v in sheet.data_validations.dataValidation
        if sheet.cell(2 if line != 2 else 3, decision_col).coordinate in v.sqref
    ]
    assert len(others) == 1 and "Đúng là đơn vị này" not in others[0]


@pytest.mark.parametrize(
    ("firm_name", "unit_name", "shape"),
    [
        ("CÔNG TY TNHH HOÀNG PHÁT ĐẠT", "CTY TNHH HOÀNG PHÁT", "word_dropped"),
        ("Công ty TNHH Bảo Việt 79", "Công ty TNHH Bảo Việt", "numeral_dropped"),
        # a misspelt legal form left in the core is not a name word
        ("Công ty TNHH Một thành viên Thu Ngân", "Công ty TNHH Một thành vêin Thu Ngân", "same"),
        ("Công ty TNHH Hồ Thị Thu Hường", "Cty nhiem huu han Ho Thi Thu Huong", "same"),
        # a place or a person inside a longer name: several words, or the order changed
        ("Công ty TNHH MTV Nhơn Thạnh", "Trường THCS Nhơn Thạnh", "words_dropped"),
        ("Công ty TNHH Hưng Thành", "Hộ kinh doanh Trần Thanh Hùng", "words_differ"),
        ("Công ty Cổ phần Phan Thành Toàn", "Hộ kinh doanh Trần Thanh Nhân", "words_differ"),
    ],
)
def test_the_shape_of_two_names(firm_name: str, unit_name: str, shape: str) -> None:
    firm_record = record("1", firm_name, None, "82", None, None)
    unit_record = record("2", unit_name, None, "82", None, None)
    assert name_shape(firm_record, unit_record, 0.8)[0] == shape
