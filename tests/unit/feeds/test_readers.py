"""Readers: header spellings, title blocks, encodings, and clear errors for unusable files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from openpyxl import Workbook

from known_feeds import to_cp1258
from reconcile.feeds.cleaning import clean
from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import feed_of_file_name, specs

TAX = specs()["tax"]
ROLL = specs()["roll"]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding) if encoding != "cp1258" else to_cp1258(text))
    return path


@pytest.mark.parametrize(
    "header",
    [
        "Mã số thuế,Tên người nộp thuế,Trạng thái",
        "MST,Tên NNT,TTHAI",
        "MA SO THUE,TEN DOANH NGHIEP,TINH TRANG HOAT DONG",
        "ma_so_thue;ten_nnt;trang_thai",
    ],
)
def test_every_header_spelling_maps_to_the_canonical_columns(tmp_path: Path, header: str) -> None:
    sep = ";" if ";" in header else ","
    path = _write(tmp_path / "tax.csv", f"{header}\n0100233488{sep}Công ty TNHH A{sep}00\n")
    table = read_table(path, TAX)
    assert set(table.columns.values()) == {"tax_code", "name", "status"}
    frame = clean(table, TAX)
    assert frame.loc[0, "tax_code"] == "0100233488" and frame.loc[0, "status"] == "active"


def test_unknown_columns_are_kept_in_the_raw_record(tmp_path: Path) -> None:
    path = _write(tmp_path / "tax.csv", "MST,Tên NNT,Cột lạ\n0100233488,Công ty A,giá trị\n")
    frame = clean(read_table(path, TAX), TAX)
    assert '"Cột lạ": "giá trị"' in frame.loc[0, "raw"]
    assert frame.loc[0, "reasons"] == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258", "utf-16"])
def test_encodings_are_detected_not_configured(tmp_path: Path, encoding: str) -> None:
    text = "Mã đơn vị,Tên đơn vị,Trạng thái\nTZ0001A,Công ty Thủy sản Ưu Việt,Đang đóng\n"
    path = _write(tmp_path / "roll.csv", text, encoding)
    if encoding == "utf-16":
        assert path.read_bytes().startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    table = read_table(path, ROLL)
    frame = clean(table, ROLL)
    assert frame.loc[0, "name"] == "Công ty Thủy sản Ưu Việt"
    assert frame.loc[0, "status"] == "paying"


def test_xlsx_header_below_a_title_block_with_merged_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH ĐƠN VỊ THAM GIA BHXH"])
    sheet.merge_cells("A1:C1")
    sheet.append(["Quý 3/2025"])
    sheet.append([])
    sheet.append(["Mã ĐV", "Tên đơn vị", "Số LĐ tham gia"])
    sheet.append(["TZ0001A", "Công ty A", 12])
    sheet.append(["TZ0002B", "Công ty B", "1.234"])
    book.save(tmp_path / "roll.xlsx")
    table = read_table(tmp_path / "roll.xlsx", ROLL)
    assert table.header_line == 4
    frame = clean(table, ROLL)
    assert list(frame["unit_code"]) == ["TZ0001A", "TZ0002B"]
    assert list(frame["insured_employees"]) == [12, 1234]
    assert list(frame["row_number"]) == [1, 2]


def test_a_file_in_the_wrong_slot_fails_naming_file_and_missing_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "tax_82.csv", "Mã đơn vị,Tên đơn vị\nTZ1,A\n")
    with pytest.raises(FeedFileError) as error:
        read_table(path, TAX)
    assert "tax_82.csv" in str(error.value) and "tax_code" in str(error.value)


def test_an_empty_file_fails_clearly(tmp_path: Path) -> None:
    path = _write(tmp_path / "tax.csv", "")
    with pytest.raises(FeedFileError, match="tax.csv: the file is empty"):
        read_table(path, TAX)


def test_a_file_cut_off_mid_row_keeps_its_good_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "tax.csv", "MST,Tên NNT,TTHAI\n0100233488,Công ty A,00\n0314409058,Công ty B,0"
    )
    frame = clean(read_table(path, TAX), TAX)
    assert list(frame["tax_code"]) == ["0100233488", "0314409058"]
    cut = tmp_path / "tax2.csv"
    cut.write_text("MST,Tên NNT,TTHAI\n0100233488,Công ty A,00\n0314409058,Công", encoding="utf-8")
    frame = clean(read_table(cut, TAX), TAX)
    assert frame.loc[0, "reasons"] == []
    assert frame.loc[1, "reasons"] == ["row cut off: the file ends in the middle of it"]


@pytest.mark.parametrize(
    ("name", "feed"),
    [
        ("tax_82_2025Q3.csv", "tax"),
        ("ROLL-2025.xlsx", "roll"),
        ("registry.jsonl", "registry"),
        ("notes.csv", None),
        ("tax.exe", None),
    ],  # fmt: skip
)
def test_the_feed_comes_from_the_file_name(name: str, feed: str | None) -> None:
    assert feed_of_file_name(name) == feed
