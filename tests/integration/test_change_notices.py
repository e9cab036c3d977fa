"""Change notices from the landing folder to each firm's history, on SQLite and PostgreSQL.

The same notices arrive in different day folders, some twice, some late, one withdrawing
another; the history must come out the same whatever the arrival, and a withdrawn dissolution
leaves the firm trading.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reconcile.history.steps import land_changes, publish_outreach, update_history
from reconcile.history.store import read_periods
from reconcile.history.timeline import as_of
from reconcile.settings import Settings
from reconcile.steps import ingest
from reconcile.text.tax_code import check_digit
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine

HEADERS = ["Số thông báo", "Loại thay đổi", "Ngày hiệu lực", "Ngày ghi nhận", "Hủy thông báo số",
           "Đơn vị gửi", "Mã số thuế", "Tên doanh nghiệp", "Địa chỉ trụ sở chính",
           "Người đại diện theo pháp luật", "Số lao động dự kiến"]  # fmt: skip
NEW, GONE = "0312345675", "8600123451"  # check digits made right by the fixture
ROWS = [
    ["DK-1", "Đăng ký thành lập mới", "2025-09-01", "2025-09-02", "", "Sở KH&ĐT", NEW,
     "Công ty TNHH Sen Hồng", "12 Lê Lợi, Phường Cao Lãnh, Tỉnh Đồng Tháp", "Nguyễn Văn Hùng", "12"],
    ["DK-2", "Giải thể", "2025-09-10", "2025-09-10", "", "Sở KH&ĐT", NEW, "", "", "", ""],
    ["DK-3", "Giải thể", "2025-09-10", "2025-09-12", "DK-2", "Sở KH&ĐT", NEW, "", "", "", ""],
    ["DK-4", "Thay đổi thông tin", "2025-09-15", "2025-09-15", "", "Sở KH&ĐT", NEW,
     "Công ty TNHH Sen Hồng Đồng Tháp", "", "", ""],
    ["T-9", "Đóng MST", "2025-09-24", "2025-09-24", "", "Chi cục Thuế", GONE,
     "Công ty Vĩnh Long", "Phường 1, Tỉnh Vĩnh Long", "", ""],
]  # fmt: skip


def _valid(code: str) -> str:
    """``code`` with its check digit made right."""
    check = check_digit(code[:9])
    assert check is not None, code
    return code[:9] + str(check)


def write_day(landing: Path, day: str, rows: list[list[str]], name: str) -> None:
    folder = landing / "changes" / day
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def run_days(settings: Settings, days: list[date]) -> None:
    for day in days:
        landed = land_changes(settings, day)
        ingested = [f for f in landed["to_ingest"] if ingest(settings, f)]
        update_history(settings, ingested)


def history(settings: Settings) -> list[tuple]:
    with get_engine(settings.warehouse_url).connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(t.firm_history).order_by(t.firm_history.c.tax_code, t.firm_history.c.valid_from)
        )]  # fmt: skip


def settings_for(tmp_path: Path, url: str, name: str) -> Settings:
    base = tmp_path / name
    return Settings.from_env(landing_dir=base / "landing", data_dir=base / "data",
                             output_dir=base / "output", warehouse_url=url)  # fmt: skip


@pytest.fixture
def rows() -> list[list[str]]:
    fixed = [list(r) for r in ROWS]
    for row in fixed:
        row[6] = _valid(row[6])
    return fixed


def test_the_history_is_the_same_whatever_the_arrival(
    warehouse_url: str, tmp_path: Path, rows: list[list[str]]
) -> None:
    # in order, one day's file each
    ordered = settings_for(tmp_path, warehouse_url, "ordered")
    for number, row in enumerate(rows):
        write_day(ordered.landing_dir, row[3], [row], f"changes_a_{number}.csv")
    run_days(ordered, [date(2025, 9, 30)])
    expected = history(ordered)
    assert expected, "no history written"

    # the same notices shuffled over other days, two of them sent twice, the withdrawal first,
    # into the same warehouse emptied
    with get_engine(warehouse_url).begin() as conn:
        for table in (t.firm_history, t.staged["changes"], t.quarantine, t.feed_file):
            conn.execute(table.delete())
    shuffled = settings_for(tmp_path, warehouse_url, "shuffled")
    mixed = rows + [rows[0], rows[3]]
    random.Random(3).shuffle(mixed)
    for number, row in enumerate(mixed):
        write_day(shuffled.landing_dir, f"2025-09-{(number % 5) + 10:02d}", [row],
                  f"changes_b_{number}.csv")  # fmt: skip
    run_days(shuffled, [date(2025, 9, 11), date(2025, 9, 13), date(2025, 9, 30)])
    assert history(shuffled) == expected


def test_a_withdrawn_dissolution_and_the_weeks_outreach(
    warehouse_url: str, tmp_path: Path, rows: list[list[str]]
) -> None:
    settings = settings_for(tmp_path, warehouse_url, "one")
    nowhere = ["DK-8", "Đăng ký thành lập mới", "2025-09-20", "2025-09-21", "", "Sở KH&ĐT",
               _valid("0312345600"), "Công ty TNHH Không Rõ", "Lô 5", "", "4"]  # fmt: skip
    write_day(settings.landing_dir, "2025-09-23", [*rows, nowhere], "changes_dkkd_20250923.csv")
    run_days(settings, [date(2025, 9, 29)])
    new = _valid(NEW)
    with get_engine(warehouse_url).connect() as conn:
        periods = read_periods(conn, [new])[new]
    now = as_of(periods, date(2025, 9, 29))
    assert now.status == "active" and now.name == "Công ty TNHH Sen Hồng Đồng Tháp"
    assert now.registered_on == date(2025, 9, 1) and now.province == "82"

    published = publish_outreach(settings, date(2025, 9, 29))
    book = load_workbook(published["provinces"]["82"]["workbook"])
    sheet = book["Doanh nghiệp mới"]
    header = [c.value for c in sheet[1]]
    (row,) = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    assert row["Mã số thuế"] == new and row["Số ngày còn lại để đăng ký"] == 2  # 1/9 + 30 - 29/9
    assert row["Người đại diện theo pháp luật"] != "Nguyễn Văn Hùng"  # masked
    assert published["provinces"]["86"]["new_firms"] == 0
    assert published["without_province"] == 1  # a national file, an address naming no province
