"""The change notices' rows: a notice id is unique per sender, not across senders."""

from __future__ import annotations

from pathlib import Path

from reconcile.feeds.cleaning import clean
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs


def test_the_same_notice_id_from_two_senders_is_two_notices(tmp_path: Path) -> None:
    path = tmp_path / "changes_20250901.csv"
    path.write_text(
        "Số thông báo,Đơn vị gửi,Loại thay đổi,Ngày hiệu lực,Mã số thuế\n"
        "17,Sở Tài chính,Giải thể,2025-09-01,0100233488\n"
        "17,Chi cục Thuế,Đóng MST,2025-09-01,0100233488\n"
        "17,Chi cục Thuế,Giải thể,2025-09-02,0100233488\n"
        "18,,Giải thể,2025-09-03,0100233488\n"
        "18,,Tạm ngừng kinh doanh,2025-09-03,0100233488\n",
        encoding="utf-8",
    )
    spec = specs()["changes"]
    frame = clean(read_table(path, spec, display_name=path.name), spec)
    reasons = [list(r) for r in frame["reasons"]]
    assert reasons[:2] == [[], []]  # one id, two senders: both kept
    assert reasons[2] == ["notice_id 17 (sender Chi cục Thuế) already on row 2"]
    assert reasons[3] == [] and reasons[4] == ["notice_id 18 (sender blank) already on row 4"]
    assert list(frame["change_kind"][:2]) == ["dissolved", "tax_closed"]
