"""The change notices' benchmark: one day of notices for the whole country, timed step by step.

About 5,000 notices a day reach the agency nationally (the issue's figure). This writes one
day's national notices file (``changes/<day>/changes_<day>.csv``: registrations, changes,
suspensions, resumptions, dissolutions, tax codes closed, a few notices sent twice and a few
withdrawn), with a quarterly ``firm`` snapshot for the firms that existed before, then runs the
``enterprise_changes`` steps on it: land, ingest (read, validate, quarantine, stage) and
history. The goal: under ``GOAL_S`` for the day. ``python -m reconcile bench changes``;
everything goes to a temporary folder removed at the end (or ``--folder``, kept).
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from reconcile_dev.bench.synth import peak_memory_mb

GOAL_S = 60.0
DAY = date(2025, 9, 24)
KINDS = [  # (label written, canonical, share)
    ("Đăng ký thành lập mới", "registered", 0.55),
    ("Thay đổi nội dung đăng ký", "changed", 0.17),
    ("Tạm ngừng kinh doanh", "suspended", 0.10),
    ("Tiếp tục kinh doanh trước thời hạn", "resumed", 0.05),
    ("Giải thể", "dissolved", 0.06),
    ("Đóng MST", "tax_closed", 0.04),
    ("Đang làm thủ tục giải thể", "dissolving", 0.03),
]
HEADERS = ["Số thông báo", "Loại thay đổi", "Ngày hiệu lực", "Ngày ghi nhận", "Hủy thông báo số",
           "Đơn vị gửi", "Mã số thuế", "Tên doanh nghiệp", "Địa chỉ trụ sở chính",
           "Người đại diện theo pháp luật", "Số lao động dự kiến"]  # fmt: skip


def write_day(folder: Path, notices: int, seed: int) -> tuple[Path, list[dict]]:
    """The day's national notices file, and the snapshot rows of the firms that existed."""
    from reconcile.text.admin_units import communes, provinces
    from reconcile.text.tax_code import make_valid

    rng = random.Random(seed)
    places = [(p, communes(p.code)) for p in provinces()]
    labels = [k for k in KINDS for _ in range(int(k[2] * 100))]
    rows, firms = [], []
    serial = 1000
    for number in range(notices):
        label, kind, _ = rng.choice(labels)
        province, its_communes = rng.choice(places)
        commune = rng.choice(its_communes)
        code = None
        while code is None:
            serial += rng.randint(1, 9)
            code = make_valid(province.code, serial)
        address = (
            f"{rng.randint(1, 300)} Đường số {rng.randint(1, 40)}, {commune.name}, {province.name}"
        )
        effective = DAY - timedelta(days=rng.choice((0, 0, 0, 1, 2, 5, 20)))
        rows.append(
            [
                f"TB-{number:06d}",
                label,
                effective.isoformat(),
                DAY.isoformat(),
                "",
                "Sở Tài chính",
                code,
                f"Công ty TNHH Thử Nghiệm {number}",
                address,
                "Nguyễn Văn Thử",
                str(rng.randint(1, 60)) if kind == "registered" else "",
            ]
        )
        if kind != "registered":
            firms.append(
                {
                    "quarter": "2025Q2",
                    "tax_code": code,
                    "province": province.code,
                    "root": code[:10],
                    "name": f"Công ty TNHH Thử Nghiệm {number}",
                    "address": address,
                    "tax_status": "active",
                    "registry_status": "active",
                    "started_on": date(2019, 1, 1),
                    "in_tax": True,
                    "in_registry": True,
                }
            )
    for row in rng.sample(rows, len(rows) // 50):  # withdrawn the same day
        rows.append(
            [f"TB-H{row[0]}", row[1], row[2], row[3], row[0], row[5], row[6], "", "", "", ""]
        )
    rows += rng.sample(rows, len(rows) // 33)  # sent twice
    path = folder / "changes" / DAY.isoformat() / f"changes_{DAY:%Y%m%d}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path, firms


def run(notices: int, seed: int, warehouse: str | None, folder: Path | None) -> str:
    from reconcile.history.steps import land_changes, update_history
    from reconcile.settings import Settings
    from reconcile.steps import ingest
    from reconcile.warehouse import schema as t
    from reconcile.warehouse.engine import get_engine
    from reconcile.warehouse.store import insert_rows

    base = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="reconcile-bench-changes-"))
    try:
        started = time.perf_counter()
        path, firms = write_day(base / "landing", notices, seed)
        settings = Settings.from_env(
            landing_dir=base / "landing",
            data_dir=base / "data",
            output_dir=base / "output",
            warehouse_url=warehouse or f"sqlite:///{base / 'warehouse.db'}",
        )
        with get_engine(settings.warehouse_url).begin() as conn:
            insert_rows(conn, t.firm, firms)
        made = time.perf_counter() - started
        timings = {}
        clock = time.perf_counter()
        landed = land_changes(settings, DAY)
        timings["land"] = time.perf_counter() - clock
        clock = time.perf_counter()
        summaries = [ingest(settings, file_id) for file_id in landed["to_ingest"]]
        timings["ingest"] = time.perf_counter() - clock
        clock = time.perf_counter()
        history = update_history(settings, landed["to_ingest"])
        timings["history"] = time.perf_counter() - clock
        total = sum(timings.values())
        own, _ = peak_memory_mb()
        rows = sum(s["rows_read"] for s in summaries)
        accepted = sum(s["rows_accepted"] for s in summaries)
        lines = [
            f"bench changes: one day of national notices ({rows} rows: {notices} notices, "
            f"withdrawals and resent ones; {len(firms)} firms with an earlier snapshot), "
            f"{settings.warehouse_url.split(':')[0]} warehouse",
            f"  written in {made:.1f} s (not counted)",
            *(f"  {step:8s} {seconds:6.1f} s" for step, seconds in timings.items()),
            f"  total    {total:6.1f} s  (goal under {GOAL_S:.0f} s: "
            f"{'met' if total < GOAL_S else 'NOT met'})",
            f"  rows accepted {accepted}, firms rebuilt {history['firms']}, "
            f"periods {history['periods']}; peak memory {own:.0f} MB",
        ]
        return "\n".join(lines)
    finally:
        if folder is None:
            shutil.rmtree(base, ignore_errors=True)


def add_bench_changes_command(bench_sub: argparse._SubParsersAction) -> None:
    parser = bench_sub.add_parser(
        "changes", help="time one day of national change notices through land, ingest, history"
    )
    parser.add_argument("--notices", type=int, default=5000, help="notices in the day (5000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--warehouse", help="SQLAlchemy URL (default: a SQLite file)")
    parser.add_argument("--folder", type=Path, help="keep the files here instead of a temp folder")

    def command(args: argparse.Namespace) -> int:
        print(run(args.notices, args.seed, args.warehouse, args.folder))
        return 0

    parser.set_defaults(func=command)
