"""The outreach workbook as its reader opens it: feed values are string cells, never formulas, the
representative is masked unless the setting says otherwise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from reconcile.history.outreach import ClosedFirm, NewFirm, write_outreach

HOSTILE = '=HYPERLINK("http://example.com","bấm vào đây")'


def test_feed_values_are_text_and_the_representative_is_masked(tmp_path: Path) -> None:
    new = [NewFirm("0300000001", HOSTILE, "@SUM(A1:A9)", "82", date(2025, 9, 20), 5, 7,
                   "Nguyễn Văn Hùng")]  # fmt: skip
    closed = [ClosedFirm("0300000002", "+cmd|' /C calc'!A0", "82", "dissolved",
                         date(2025, 9, 26), "DT0002", "paying", 3, 1_200_000)]  # fmt: skip
    path = write_outreach(tmp_path / "o.xlsx", "82", date(2025, 9, 29), new, closed)
    book = load_workbook(path)
    first = book["Doanh nghiệp mới"]
    header = [c.value for c in first[1]]
    row = {h: c for h, c in zip(header, first[2], strict=True)}
    # kept as written, in string cells (publish/neutral.put): Excel shows them, never runs them
    assert (row["Tên doanh nghiệp"].value, row["Địa chỉ"].value) == (HOSTILE, "@SUM(A1:A9)")
    assert row["Tên doanh nghiệp"].data_type == "s" and row["Địa chỉ"].data_type == "s"
    assert row["Người đại diện theo pháp luật"].value != "Nguyễn Văn Hùng"
    assert row["Ngày đăng ký thành lập"].number_format == "DD/MM/YYYY"
    closing = book.worksheets[1]
    cells = {h.value: c for h, c in zip(closing[1], closing[2], strict=True)}
    assert cells["Tên doanh nghiệp"].data_type == "s"
    assert (
        cells["Tình trạng"].value == "Đã giải thể"
        and cells["Trạng thái đơn vị"].value == "Đang đóng"
    )
    unmasked = load_workbook(write_outreach(tmp_path / "u.xlsx", "82", date(2025, 9, 29), new, [],
                                            mask=False))  # fmt: skip
    assert unmasked.worksheets[0].cell(2, 7).value == "Nguyễn Văn Hùng"
