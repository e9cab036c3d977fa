from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from reconcile.feeds.cleaning import clean
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile.publish.masking import (
    WORKBOOK_SOURCES,
    is_personal_header,
    mask_name,
    mask_number,
    mask_raw_line,
    mask_raw_record,
    personal_workbook_columns,
)
from reconcile.publish.quarantine_csv import write_quarantine_csv
from reconcile.quality.quarantine import split_rows


def test_names_keep_initials_only() -> None:
    assert mask_name("Nguyễn Văn An") == "N. V. A."
    assert mask_name("  Trần   Thị Bình ") == "T. T. B."


def test_numbers_keep_their_last_three_digits() -> None:
    assert mask_number("0912 345 678") == "*******678"
    assert mask_number("079085001234") == "*********234"


def test_raw_record_masks_spec_and_header_personal_fields_and_keeps_the_rest() -> None:
    raw = json.dumps({"enterprise_code": "0100233488", "name": "Công ty A", "representative": "Lê Văn Cường",
                      "Số điện thoại": "0912345678", "Số CCCD người đại diện": "079085001234"}, ensure_ascii=False)  # fmt: skip
    masked = json.loads(mask_raw_record(raw, "registry"))
    assert masked["representative"] == "L. V. C."
    assert masked["Số điện thoại"] == "*******678"
    assert masked["Số CCCD người đại diện"] == "*********234"
    assert masked["enterprise_code"] == "0100233488" and masked["name"] == "Công ty A"


def test_personal_headers_in_any_spelling() -> None:
    assert is_personal_header("SO DIEN THOAI") and is_personal_header(
        "Người đại diện theo pháp luật"
    )
    assert not is_personal_header("Tên doanh nghiệp")


# ---------------------------------------------------------------- unknown columns, bad lines
# A probe found the quarantine CSV publishing in full the columns the spec does not know
# ("Legal representative", "Họ và tên chủ sở hữu", "SĐT") and the text of a JSON line that did
# not parse, a name in it. The files below go through the real reader and cleaning, so the raw
# records are exactly what the quarantine table holds.
ROLL_CSV = (
    "Mã đơn vị,Tên đơn vị,Trạng thái,Legal representative,Họ và tên chủ sở hữu,SĐT\r\n"
    "TZ0001A,Công ty A,Đang đóng,Nguyễn Văn An,Trần Thị Bình,0912345678\r\n"
    "TZ0002B,Công ty không rõ,Không rõ,Lê Văn Cường,Phạm Thị Dung,0987654321\r\n"
    "Mã đơn vị,Tên đơn vị,Trạng thái,Legal representative,Họ và tên chủ sở hữu,SĐT\r\n"
)
REGISTRY_JSONL = (
    '{"MSDN": "0100233488", "Tên DN": "Công ty A", "Người đại diện": "Nguyễn Văn An", "Ghi chú": "x"}\n'
    '{"MSDN": "0314409058", "Tên DN": "Công ty B", "Người đại diện": "Hoàng Văn Em", "SĐT": "0912345678"\n'
    '{"MSDN": "0100112437", "Tên DN": "Công ty C", "Người đại diện": "Lê Thị Hoa"}\n'
)


def _quarantined(tmp_path: Path, name: str, text: str, feed: str) -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    spec = specs()[feed]
    _, rejected = split_rows(clean(read_table(path, spec), spec))
    rejected = rejected.assign(file_id=name, feed=feed)
    rejected["reasons"] = rejected["reasons"].map(" | ".join)
    return rejected


def _published(tmp_path: Path, **options: bool) -> list[dict[str, str]]:
    frames = [_quarantined(tmp_path, "roll_82_2025Q3.csv", ROLL_CSV, "roll"),
              _quarantined(tmp_path, "registry_82_2025Q3.jsonl", REGISTRY_JSONL, "registry")]  # fmt: skip
    quarantined = pd.concat(frames, ignore_index=True)
    files = pd.DataFrame({"file_id": ["roll_82_2025Q3.csv", "registry_82_2025Q3.jsonl"],
                          "file_name": ["roll_82_2025Q3.csv", "registry_82_2025Q3.jsonl"]})  # fmt: skip
    path = write_quarantine_csv(quarantined, files, tmp_path / "out" / "quarantine.csv", **options)
    rows = []
    for name, feed in (("quarantine_roll_82_2025Q3.csv", "roll"),
                       ("quarantine_registry_82_2025Q3.csv", "registry")):  # fmt: skip
        with open(path.parent / name, encoding="utf-8-sig", newline="") as handle:
            rows += [{**row, "feed": feed} for row in csv.DictReader(handle)]
    return rows


REASONS = "Lý do bị cách ly"
OUTSIDE = "Nội dung ngoài các cột (như đã ghi)"


def test_quarantine_csv_masks_unknown_columns_and_the_text_of_a_bad_line(tmp_path: Path) -> None:
    """With the defaults no name or phone number of the files reaches the published CSV, the
    masked forms do, and the bad line keeps its shape (keys and the spec's other values) so a
    partner can still see what is wrong with it."""
    rows = _published(tmp_path)
    text = json.dumps(rows, ensure_ascii=False)
    for secret in ("Lê Văn Cường", "Phạm Thị Dung", "0987654321", "Hoàng Văn Em", "0912345678"):
        assert secret not in text, f"{secret} published"
    blank = next(r for r in rows if r["feed"] == "roll" and "Trạng thái" in r[REASONS])
    assert (
        blank["Legal representative"] == "L. V. C." and blank["Họ và tên chủ sở hữu"] == "P. T. D."
    )
    assert blank["SĐT"] == "*******321" and blank["Tên đơn vị"] == "Công ty không rõ"
    bad_line = next(r for r in rows if r["feed"] == "registry")
    assert bad_line[REASONS] in ("Dòng bị cắt cụt (tệp kết thúc giữa dòng)",
                                 "Không phải dòng JSON hợp lệ")  # fmt: skip
    line = bad_line[OUTSIDE]
    assert line.startswith(
        '{"MSDN": "0314409058", "Tên DN": "Công ty B", "Người đại diện": "H. V. E."'
    )
    assert '"SĐT": "*******678"' in line


def test_a_repeated_header_row_stays_readable(tmp_path: Path) -> None:
    """A header row repeated mid-file is no one's data: its cells are published as they are,
    unknown columns included, so a partner recognises the row."""
    header = next(r for r in _published(tmp_path) if r[REASONS] == "Dòng tiêu đề lặp lại")
    shown = {k: v for k, v in header.items() if k not in (REASONS, "feed")}
    assert shown == {"Mã đơn vị": "Mã đơn vị", "Tên đơn vị": "Tên đơn vị", "Trạng thái": "Trạng thái",
                     "Legal representative": "Legal representative",
                     "Họ và tên chủ sở hữu": "Họ và tên chủ sở hữu", "SĐT": "SĐT",
                     "Dòng trong tệp": "4"}  # fmt: skip


def test_unknown_columns_are_shown_when_configured_but_personal_headers_stay_masked(tmp_path: Path) -> None:  # fmt: skip
    """``mask_unknown_columns: false``: a partner's own column is shown, except where its
    header reads as personal (phone, owner, representative) or the spec marks it personal."""
    rows = _published(tmp_path, mask_unknown=False)
    blank = next(r for r in rows if r["feed"] == "roll" and "Trạng thái" in r[REASONS])
    assert blank["SĐT"] == "*******321" and blank["Họ và tên chủ sở hữu"] == "P. T. D."
    assert blank["Legal representative"] == "L. V. C."
    line = next(r for r in rows if r["feed"] == "registry")[OUTSIDE]
    assert '"Người đại diện": "H. V. E."' in line and "0912345678" not in line


def test_nothing_is_masked_when_masking_is_off(tmp_path: Path) -> None:
    """``mask_personal_data: false`` publishes the rows as the partner sent them (the
    agency's choice), which also shows that the masking above is not a side effect."""
    text = json.dumps(_published(tmp_path, mask=False), ensure_ascii=False)
    assert "Lê Văn Cường" in text and "Hoàng Văn Em" in text


def test_a_partners_extra_column_is_masked_by_default_but_its_header_kept() -> None:
    """An unknown column of any name is masked; the spec's non-personal columns are not."""
    raw = json.dumps({"unit_code": "TZ1", "name": "Cty", "Ghi chú nội bộ": "gọi anh Tâm",
                      "n": {"a": ["Lê B", 5]}, "flag": True}, ensure_ascii=False)  # fmt: skip
    masked = json.loads(mask_raw_record(raw, "roll"))
    assert masked == {"unit_code": "TZ1", "name": "Cty", "Ghi chú nội bộ": "g. a. T.",
                      "n": {"a": ["L. B.", "5."]}, "flag": True}  # fmt: skip
    assert (
        json.loads(mask_raw_record(raw, "roll", mask_unknown=False))["Ghi chú nội bộ"]
        == "gọi anh Tâm"
    )


def test_a_bad_line_is_masked_word_by_word() -> None:
    """Keys and JSON punctuation stay, values of personal or unknown columns are masked, a
    string cut off by the end of the line included."""
    line = '{"unit_code": "TZ9", "representative": Lê Văn Cường, "x": "Trần Thị'
    assert (
        mask_raw_line(line, "roll")
        == '{"unit_code": "TZ9", "representative": L. V. C., "x": "T. T.'
    )
    assert mask_raw_line("Nguyễn Văn An 0912345678", "roll") == "N. V. A. *******678"


def test_the_inspector_follows_the_spec_personal_flag() -> None:
    """Which workbook columns are masked is read from the spec, not listed in code: the
    decisions feed marks ``inspector`` personal, the registry ``representative``; ``note`` is not."""
    assert personal_workbook_columns() == {"representative", "inspector"}
    for key, (feed, column) in WORKBOOK_SOURCES.items():
        assert (key in personal_workbook_columns()) == specs()[feed].columns[column].personal
