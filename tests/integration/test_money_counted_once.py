"""Money counted once, and a reopened case's history, through the whole pipeline.

On a generated quarter whose firms carry overlapping findings, the workbook's summary total,
the quality report's money figure and summary.json all sum ``money_counted``, and agree. In
the known quarter, a case an inspector worked on and then marked resolved reappears the next
quarter as *Tái phát* with its earlier decisions, newest first.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from openpyxl import load_workbook

import known_feeds as known
from reconcile.pipeline import run_quarter
from reconcile.publish import quality_report as qr
from reconcile.publish.labels import labels
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile_dev.synth import SynthConfig, generate
from workbook_reading import case_rows

Q3, Q4 = Quarter.parse("2025Q3"), Quarter.parse("2025Q4")


def _settings(base: Path) -> Settings:
    return Settings.from_env(landing_dir=base / "landing", data_dir=base / "data", output_dir=base / "output",
                             warehouse_url=f"sqlite:///{base / 'w.db'}")  # fmt: skip


def _number(value: object) -> int:
    return value if isinstance(value, int) else int(re.sub(r"\D", "", str(value)))


def _workbook_total(path: str) -> int:
    sheet = load_workbook(path, read_only=True).worksheets[0]
    words = labels()["export"]["money"]
    found = [row[1] for row in sheet.iter_rows(values_only=True) if row and row[0] == words]
    assert len(found) == 1, "the summary sheet's total"
    return _number(found[0])


def test_the_workbook_the_report_and_the_summary_count_money_once(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    generate(SynthConfig(quarters=(Q3,), provinces=("82",), firms=1500, seed=2025),
             settings.landing_dir, tmp_path / "truth")  # fmt: skip
    summary = run_quarter(settings, Q3, "money")
    with get_engine(settings.warehouse_url).connect() as conn:
        findings = read_frame(conn, t.finding, quarter="2025Q3")
        figures = qr.collect(conn, settings.sql_dir, Q3, None)
    counted, alone = int(findings["money_counted"].sum()), int(findings["money_at_stake"].sum())
    # the generated firms carry overlapping findings: counting once takes something off
    assert 0 < counted < alone
    per_firm = findings.groupby(findings["tax_code"].fillna(findings["unit_code"]))
    assert (per_firm.size() > 1).sum() > 0
    assert (findings["money_counted"] <= findings["money_at_stake"]).all()

    on_disk = json.loads(Path(summary["summary_path"]).read_text(encoding="utf-8"))
    assert on_disk["money_counted"] == counted
    assert _workbook_total(summary["published"][0]["workbook"]) == counted
    rows = case_rows(summary["published"][0]["workbook"])
    money_header = "Số tiền ước tính (VND)"
    assert sum(_number(r[money_header] or 0) for r in rows) == int(
        findings.loc[findings["severity"] > 0, "money_counted"].sum()
    )
    assert figures["findings"]["money"] == counted
    # the inspectors' page lists the same total for the quarter
    from reconcile.web.queries import CaseFilter, case_page

    with get_engine(settings.warehouse_url).connect() as conn:
        assert case_page(conn, CaseFilter("2025Q3", None)).money == counted
    html = Path(on_disk["quality_report"]).read_text(encoding="utf-8")
    kpi = re.search(r'id="kpi-money-at-stake" data-value="(\d+)"', html)
    assert kpi is not None and int(kpi.group(1)) == counted


def _write_decisions(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã hồ sơ", "Kết luận", "Ghi chú", "Cán bộ kiểm tra", "Ngày kết luận"])
        writer.writerows(rows)


def test_a_reopened_case_shows_who_decided_what_and_when(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    known.write_known_quarter(settings.landing_dir)
    run_quarter(settings, Q3, "q3")
    known.copy_as_quarter(settings.landing_dir, "2025Q4")
    case = "CLOSED_ON_ROLL-TZ0002B"  # a unit still paying for a dissolved firm: it comes back
    # worked on, then closed, in two files (the later day counts: resolved)
    _write_decisions(settings.landing_dir / "2025Q4" / "82" / "decisions_82_a.csv",
                     [[case, "Đang xử lý", "đã mời làm việc", "Trần Thị Tra", "10/10/2025"]])  # fmt: skip
    _write_decisions(settings.landing_dir / "2025Q4" / "82" / "decisions_82_b.csv",
                     [[case, "Đã khắc phục", "đã chốt sổ", "Nguyễn Văn Kiểm", "20/10/2025"]])  # fmt: skip
    q4 = run_quarter(settings, Q4, "q4")
    rows = {r["Mã hồ sơ"]: r for r in case_rows(q4["published"][0]["workbook"])}
    row = rows[case]
    assert row["Tình trạng hồ sơ"] == "Tái phát"
    # newest first; the inspector is personal data (feed spec): initials only
    assert row["Lịch sử kết luận"] == (
        "20/10/2025: Đã khắc phục (N. V. K.) — đã chốt sổ\n"
        "10/10/2025: Đang xử lý (T. T. T.) — đã mời làm việc"
    )
    # a case no one decided has no history
    assert all(not r["Lịch sử kết luận"] for c, r in rows.items() if c != case)
