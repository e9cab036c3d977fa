"""Inspectors' decisions belong to their province, and none is ever lost.

A decisions file in province 86's folder that names a case of 82 (or a case that exists
nowhere) has those rows quarantined with a reason and changes nothing in 82; two decisions on
the same case and day are both kept and the one landed later counts; rerunning the quarter
gives the same findings. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
from pathlib import Path

from reconcile import steps
from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.rules import decisions as decision_logic
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile_dev.synth import SynthConfig, generate

Q3, Q4 = Quarter.parse("2025Q3"), Quarter.parse("2025Q4")
HEADER = ["Mã hồ sơ", "Kết luận", "Ghi chú", "Cán bộ kiểm tra", "Ngày kết luận"]


def _write(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _findings(url: str, quarter: str) -> list[tuple]:
    with get_engine(url).connect() as conn:
        frame = read_frame(conn, t.finding, quarter=quarter)
    return sorted(tuple(map(str, row)) for row in frame.itertuples(index=False))


def test_a_decision_in_86_changes_nothing_in_82(tmp_path: Path, warehouse_url: str) -> None:
    settings = Settings.from_env(landing_dir=tmp_path / "landing", data_dir=tmp_path / "data",
                                 output_dir=tmp_path / "output", warehouse_url=warehouse_url)  # fmt: skip
    generate(SynthConfig(quarters=(Q3, Q4), provinces=("82", "86"), firms=300, seed=5),
             settings.landing_dir, tmp_path / "truth")  # fmt: skip
    # Q4's feeds wait until Q3 is run: cases are made by Q3's run
    q4_feeds = {p: p.read_bytes() for p in (settings.landing_dir / "2025Q4").rglob("*.*")}
    for path in q4_feeds:
        path.unlink()
    run_quarter(settings, Q3, "q3")
    engine = get_engine(warehouse_url)
    with engine.connect() as conn:
        cases = read_frame(conn, t.case)
    case_82 = sorted(cases.loc[cases["province"] == "82", "case_id"])[0]
    cases_86 = sorted(cases.loc[cases["province"] == "86", "case_id"])[:3]
    for path, data in q4_feeds.items():
        path.write_bytes(data)

    # province 86 decides 82's case "not subject", a case that exists nowhere, and three of its own
    _write(settings.landing_dir / "2025Q4" / "86" / "decisions_86_a.csv", [
        [case_82, "Không thuộc diện", "nhầm tỉnh", "Lê Văn Nhầm", "21/10/2025"],
        ["UNREGISTERED-0000000000", "Đã khắc phục", "", "Lê Văn Nhầm", "21/10/2025"],
        *([case, "Đang xử lý", "đã gọi", "Lê Văn Đúng", "21/10/2025"] for case in cases_86),
    ])  # fmt: skip
    # province 82 decides its case twice on one day, in two files: the later file counts
    _write(settings.landing_dir / "2025Q4" / "82" / "decisions_82_a.csv",
           [[case_82, "Xác nhận vi phạm", "lần 1", "Phạm Thị Một", "20/10/2025"]])  # fmt: skip
    _write(settings.landing_dir / "2025Q4" / "82" / "decisions_82_b.csv",
           [[case_82, "Đang xử lý", "lần 2", "Phạm Thị Hai", "20/10/2025"]])  # fmt: skip

    first = run_quarter(settings, Q4, "q4")
    with engine.connect() as conn:
        quarantined = read_frame(conn, t.quarantine, quarter="2025Q4", feed="decisions")
        kept = read_frame(conn, t.decision)
    reasons = dict(zip(quarantined["row_number"], quarantined["reasons"], strict=True))
    assert sorted(reasons) == [1, 2] and all("province 86" in r for r in reasons.values())
    assert first["feeds"]["decisions"]["rows_accepted"] == 2 + len(cases_86)

    # 86's word on 82's case was never stored; 82's two decisions are both kept
    assert sorted(kept.loc[kept["province"] == "86", "case_id"]) == cases_86
    mine = kept[kept["province"] == "82"]
    assert sorted(mine["note"]) == ["lần 1", "lần 2"]
    last = decision_logic.latest(mine, Q4)[case_82]
    assert (last["decision"], last["note"]) == ("in_progress", "lần 2")

    # reruns give identical findings and keep the same decisions
    before = _findings(warehouse_url, "2025Q4")
    run_quarter(settings, Q4, "q4-again")
    for province in ("82", "86"):
        steps.load(settings, Q4, province)
        steps.apply_rules(settings, Q4, province)
    assert _findings(warehouse_url, "2025Q4") == before
    with engine.connect() as conn:
        assert len(read_frame(conn, t.decision)) == len(kept)
