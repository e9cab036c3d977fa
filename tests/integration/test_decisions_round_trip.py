"""The inspectors' round trip: publish a quarter, decide in the workbook, land it, run the next.

Every decision's effect is checked in the next quarter: "not subject" suppresses the case,
"in progress" is carried into the new workbook, "resolved" closes a case that reopens if the
problem shows again, "not a match" breaks the link and keeps it broken.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

import known_feeds as known
from reconcile.pipeline import run_quarter
from reconcile.publish.workbook import COLUMNS, sheet_columns
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from workbook_reading import NOT_CASE_SHEETS, case_rows

DECISIONS = {
    f"UNREGISTERED-{known.MISSING}": (
        "Không thuộc diện",
        "hộ gia đình, không có lao động thuê",
        "Nguyễn Văn Kiểm",
    ),
    "ARREARS-TZ0003C": ("Đang xử lý", "đã làm việc lần 1, hẹn nộp", "Trần Thị Tra"),
    "CLOSED_ON_ROLL-TZ0002B": ("Đã khắc phục", "đã chốt sổ", "Nguyễn Văn Kiểm"),
    "ARREARS-TZ0004D": ("Không phải đơn vị này", "đơn vị khác trùng mã", "Trần Thị Tra"),
}


def _fill_decisions(workbook: Path, target: Path) -> None:
    book = load_workbook(workbook)
    column = {key: index + 1 for index, (key, _, _) in enumerate(sheet_columns(COLUMNS))}
    filled = 0
    for sheet in book.worksheets:
        if sheet.title in NOT_CASE_SHEETS:
            continue
        for row in range(2, sheet.max_row + 1):
            case_id = sheet.cell(row, column["case_id"]).value
            if case_id in DECISIONS:
                decision, note, inspector = DECISIONS[case_id]
                sheet.cell(row, column["decision"], decision)
                sheet.cell(row, column["note"], note)
                sheet.cell(row, column["inspector"], inspector)
                sheet.cell(row, column["decided_on"], "20/10/2025")
                filled += 1
    assert filled == len(DECISIONS)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


def test_decisions_come_back_and_take_effect_next_quarter(tmp_path: Path) -> None:
    settings = Settings.from_env(landing_dir=tmp_path / "landing", data_dir=tmp_path / "data",
                                 output_dir=tmp_path / "output", warehouse_url=f"sqlite:///{tmp_path / 'w.db'}")  # fmt: skip
    known.write_known_quarter(settings.landing_dir)
    q3 = run_quarter(settings, Quarter.parse("2025Q3"), "q3")
    workbook = Path(q3["published"][0]["workbook"])
    known.copy_as_quarter(settings.landing_dir, "2025Q4")
    _fill_decisions(workbook, settings.landing_dir / "2025Q4" / "82" / "decisions_82_2025Q4.xlsx")

    q4 = run_quarter(settings, Quarter.parse("2025Q4"), "q4")
    assert q4["feeds"]["decisions"]["rows_accepted"] == len(DECISIONS)
    assert q4["feeds"]["decisions"]["rows_quarantined"] == 0

    engine = get_engine(settings.warehouse_url)
    with engine.connect() as conn:
        kept = {r.case_id: r for r in conn.execute(select(t.decision)).all()}
        findings = read_frame(conn, t.finding, quarter="2025Q4")
        statuses = read_frame(conn, t.case_status, quarter="2025Q4")
        links = read_frame(conn, t.link, quarter="2025Q4")
    # every decision kept, with who and when
    assert set(kept) == set(DECISIONS)
    assert (
        kept["ARREARS-TZ0003C"].inspector == "Trần Thị Tra"
        and str(kept["ARREARS-TZ0003C"].decided_on) == "2025-10-20"
    )
    assert kept[f"UNREGISTERED-{known.MISSING}"].decision == "not_subject"
    # not subject: the case is suppressed
    assert f"UNREGISTERED-{known.MISSING}" not in set(findings["case_id"])
    # resolved, yet the unit still pays for a dissolved firm: the case reopens
    status = dict(zip(statuses["case_id"], statuses["status"], strict=True))
    assert status["CLOSED_ON_ROLL-TZ0002B"] == "reopened"
    assert status["ARREARS-TZ0003C"] == "persisting"
    # not a match: the link is broken (and its arrears case is now the unit's alone)
    assert "TZ0004D" not in set(links["unit_code"])
    late = findings[findings["case_id"] == "ARREARS-TZ0004D"].iloc[0]
    assert late["tax_code"] is None
    # in progress: carried into the next workbook with its note (the inspector, personal data
    # in the feed spec, by initials only)
    rows = {r["Mã hồ sơ"]: r for r in case_rows(q4["published"][0]["workbook"])}
    carried = rows["ARREARS-TZ0003C"]
    assert (carried["Kết luận"], carried["Ghi chú"], carried["Cán bộ kiểm tra"]) == (
        "Đang xử lý",
        "đã làm việc lần 1, hẹn nộp",
        "T. T. T.",
    )

    # the next quarter, with no new decision: the link stays broken, the case stays quiet
    known.copy_as_quarter(settings.landing_dir, "2026Q1")
    run_quarter(settings, Quarter.parse("2026Q1"), "q1")
    with engine.connect() as conn:
        links = read_frame(conn, t.link, quarter="2026Q1")
        findings = read_frame(conn, t.finding, quarter="2026Q1")
    assert "TZ0004D" not in set(links["unit_code"]) and "TZ0001A" in set(links["unit_code"])
    assert f"UNREGISTERED-{known.MISSING}" not in set(findings["case_id"])
