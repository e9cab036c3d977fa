"""A new firm reached in its first week and registered in its third is never a case; a firm
dissolved after the quarter's file was cut is not accused of evading.

The known quarter (tests/known_feeds.py, province 82) with change notices around it:
- NEW_LATE registers on 20/08 (its notice); the outreach list of Monday 25/08 names it with
  25 days left; its unit joins the roll on 08/09 (week 3). The quarter links the unit and
  finds nothing against the firm (without the unit: NOT_REGISTERED_LATE), and the next
  outreach list, which reads the roll the quarter loaded, no longer names it.
- MISSING (NOT_REGISTERED in the files) is dissolved by a notice of 20/09, sent after the
  registry's file was cut: the quarter reads the history, and the accusation goes.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

import known_feeds as known
from reconcile.history.steps import land_changes, publish_outreach, update_history
from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.steps import ingest
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame

HEADERS = ["Số thông báo", "Loại thay đổi", "Ngày hiệu lực", "Ngày ghi nhận", "Mã số thuế",
           "Tên doanh nghiệp", "Địa chỉ trụ sở chính", "Số lao động dự kiến"]  # fmt: skip


def notices(landing: Path, day: str, rows: list[list[object]]) -> None:
    folder = landing / "changes" / day / "82"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"changes_dkkd_{day.replace('-', '')}.csv", "w", encoding="utf-8",
              newline="") as handle:  # fmt: skip
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def changes_day(settings: Settings, day: date) -> None:
    landed = land_changes(settings, day)
    for file_id in landed["to_ingest"]:
        ingest(settings, file_id)
    update_history(settings, landed["to_ingest"])


def listed(published: dict) -> list[str]:
    entry = published["provinces"].get("82")
    if entry is None:
        return []
    sheet = load_workbook(entry["workbook"])["Doanh nghiệp mới"]
    return [row[1].value for row in sheet.iter_rows(min_row=2)]


def findings(settings: Settings) -> set[tuple[str, str]]:
    with get_engine(settings.warehouse_url).connect() as conn:
        frame = read_frame(conn, t.finding, quarter="2025Q3")
    return set(zip(frame["rule"], frame["tax_code"], strict=True))


def test_reached_in_week_one_registered_in_week_three_and_never_a_case(
    warehouse_url: str, tmp_path: Path
) -> None:
    settings = Settings.from_env(landing_dir=tmp_path / "landing", data_dir=tmp_path / "data",
                                 output_dir=tmp_path / "output", warehouse_url=warehouse_url)  # fmt: skip
    notices(settings.landing_dir, "2025-08-21", [
        ["DK-1", "Đăng ký thành lập mới", "20/08/2025", "21/08/2025", known.NEW_LATE,
         "Công ty TNHH Vận tải Sông Tiền", "Phường Sa Đéc, Tỉnh Đồng Tháp", 8],
    ])  # fmt: skip
    changes_day(settings, date(2025, 8, 24))
    week_one = publish_outreach(settings, date(2025, 8, 25))
    assert listed(week_one) == [known.NEW_LATE]
    assert week_one["provinces"]["82"]["new_firms"] == 1

    notices(settings.landing_dir, "2025-10-02", [
        ["DK-7", "Giải thể", "20/09/2025", "02/10/2025", known.MISSING, "", "", ""],
    ])  # fmt: skip
    changes_day(settings, date(2025, 10, 2))

    folder = known.write_known_quarter(settings.landing_dir)
    week_three = ["TZ0009K", "Cty TNHH Vận tải Sông Tiền", known.NEW_LATE, "Phường Sa Đéc",
                  "Đang đóng", 8, 40000000, 0, 0, 0, 0, ""]  # fmt: skip
    known._write_csv(folder / "roll_82_2025Q3.csv", known.ROLL_HEADER,
                     [*known.ROLL_ROWS, week_three], "cp1258")  # fmt: skip
    run_quarter(settings, Quarter.parse("2025Q3"), "q3")

    found = findings(settings)
    assert not {f for f in found if f[1] == known.NEW_LATE}, found
    assert ("NOT_REGISTERED", known.MISSING) not in found  # dissolved on 20/09, told late
    assert ("CLOSED_FIRM_ON_ROLL", known.DISSOLVED) in found  # the rest as before
    assert ("ARREARS_EVASION", known.EVADER) in found
    assert known.NEW_LATE not in listed(publish_outreach(settings, date(2025, 10, 6)))


def test_new_firms_no_notice_told_of_reach_the_list_from_the_quarter(
    warehouse_url: str, tmp_path: Path
) -> None:
    """Without any notice (a partner that does not send them), the quarter's snapshot still
    puts its new firms on the next Monday's list: NEW_LATE (declared 8, registered 20/08) and
    TOO_NEW (3 on the tax side's head count, registered 15/09); the older firms stay off."""
    settings = Settings.from_env(landing_dir=tmp_path / "landing", data_dir=tmp_path / "data",
                                 output_dir=tmp_path / "output", warehouse_url=warehouse_url)  # fmt: skip
    known.write_known_quarter(settings.landing_dir)
    run_quarter(settings, Quarter.parse("2025Q3"), "q3")
    monday = publish_outreach(settings, date(2025, 10, 6))
    assert listed(monday) == [known.NEW_LATE, known.TOO_NEW]  # -17 days left, then 9
