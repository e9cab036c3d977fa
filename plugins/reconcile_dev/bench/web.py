"""The inspectors' pages' benchmark: one generated province in a SQLite warehouse, timed.

The warehouse is built by the pipeline itself, in this process: the generator writes one
quarter of a province's feeds (with its default noise, trouble and problems), then the DAG's
steps land, ingest, load, link and apply the rules (publishing is not needed by the pages).
Then a signed-in ``TestClient`` asks for the cases page (first page, the quarter's latest), the
same page filtered by a commune and a rule, and the doubtful links page: one warm-up, then the
median of ``RUNS`` requests each. The goal (the issue): under ``GOAL_MS`` each.

``python -m reconcile bench web --firms 30000``; everything is written to a temporary folder
removed at the end.
"""

from __future__ import annotations

import argparse
import logging
import re
import secrets
import shutil
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

QUARTER = "2025Q3"
PROVINCE = "82"
RUNS = 5
GOAL_MS = 300.0
_COMMUNE_PART = re.compile(r"^(Phường|Xã|Đặc khu)\s+\S", re.IGNORECASE)


@dataclass
class PageTiming:
    name: str
    url: str
    params: dict[str, str]
    runs_ms: list[float] = field(default_factory=list)
    count: int = 0  # what the page counted (cases, pairs)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)


def build_warehouse(folder: Path, firms: int, seed: int) -> str:
    """A SQLite warehouse under ``folder`` holding one quarter of one generated province, as the
    pipeline leaves it after its rules; its URL."""
    from reconcile import steps
    from reconcile.feeds.errors import FeedFileError
    from reconcile.quarter import Quarter
    from reconcile.settings import Settings
    from reconcile_dev.synth import SynthConfig, generate

    quarter = Quarter.parse(QUARTER)
    config = SynthConfig(quarters=(quarter,), provinces=(PROVINCE,), firms=firms, seed=seed)
    generate(config, folder / "landing", folder / "truth")
    url = f"sqlite:///{folder / 'warehouse.db'}"
    settings = Settings.from_env(
        landing_dir=folder / "landing",
        data_dir=folder / "data",
        output_dir=folder / "output",
        warehouse_url=url,
    )
    landing = steps.land(settings, quarter)
    for file_id in landing["to_ingest"]:
        try:
            steps.ingest(settings, file_id)
        except FeedFileError as exc:  # as the pipeline does: the others go on
            log.warning("file refused: %s", exc)
    for province in landing["provinces"]:
        steps.load(settings, quarter, province)
        steps.link(settings, quarter, province)
        steps.apply_rules(settings, quarter, province)
    return url


def _filter_values(engine: Any) -> tuple[str, str]:
    """A commune written in many addresses, and the most frequent rule: a realistic filter."""
    from sqlalchemy import func, select

    from reconcile.warehouse.schema import finding

    with engine.connect() as conn:
        rule = conn.execute(
            select(finding.c.rule)
            .where(finding.c.quarter == QUARTER, finding.c.severity > 0)
            .group_by(finding.c.rule)
            .order_by(func.count().desc(), finding.c.rule)
            .limit(1)
        ).scalar_one_or_none()
        addresses = conn.execute(
            select(finding.c.address).where(finding.c.quarter == QUARTER, finding.c.rule == rule)
        ).scalars()
        parts = Counter(
            part.strip()
            for address in addresses
            if address
            for part in address.split(",")
            if _COMMUNE_PART.match(part.strip())
        )
    commune = parts.most_common(1)[0][0] if parts else ""
    return commune, rule or ""


def _count(html: str, element: str) -> int:
    found = re.search(rf'id="{element}" data-count="(\d+)"', html)
    return int(found.group(1)) if found else 0


def time_pages(url: str, runs: int = RUNS) -> list[PageTiming]:
    """Each page's wall times (ms) through a signed-in TestClient, after one warm-up."""
    from fastapi.testclient import TestClient
    from werkzeug.security import generate_password_hash

    from reconcile.warehouse.engine import get_engine
    from reconcile.web.app import create_app
    from reconcile.web.auth import User

    engine = get_engine(url)
    commune, rule = _filter_values(engine)
    password = secrets.token_urlsafe(12)
    user = User(
        "bench",
        "Bench",
        "inspector",
        frozenset({PROVINCE}),
        generate_password_hash(password, "pbkdf2:sha256:1000"),
    )
    app = create_app(engine, {"bench": user}, secret_key=secrets.token_urlsafe(32))
    pages = [
        PageTiming("cases, first page", "/cases", {"quarter": QUARTER}),
        PageTiming(
            "cases, commune + rule",
            "/cases",
            {"quarter": QUARTER, "commune": commune, "rule": rule},
        ),
        PageTiming("doubtful links, first page", "/links", {"quarter": QUARTER}),
    ]
    with TestClient(app, follow_redirects=False) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token, "no form token on the sign-in page"
        answer = client.post(
            "/login", data={"username": "bench", "password": password, "csrf_token": token[1]}
        )
        assert answer.status_code == 303, answer.text
        for page in pages:
            warm = client.get(page.url, params=page.params)
            assert warm.status_code == 200, warm.text
            page.count = _count(warm.text, "pair-count" if page.url == "/links" else "case-count")
            for _ in range(runs):
                started = time.perf_counter()
                answer = client.get(page.url, params=page.params)
                page.runs_ms.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200
    engine.dispose()
    return pages


def format_lines(firms: int, seed: int, build_seconds: float, pages: list[PageTiming]) -> str:
    lines = [
        f"web benchmark: province {PROVINCE}, {firms:,} firms (seed {seed}), quarter {QUARTER}, "
        f"SQLite warehouse built by the pipeline in {build_seconds:.1f} s",
    ]
    for page in pages:
        shown = ", ".join(f"{k}={v!r}" for k, v in page.params.items() if k != "quarter")
        verdict = "ok" if page.median_ms < GOAL_MS else "OVER THE GOAL"
        lines.append(
            f"{page.name}: median {page.median_ms:.1f} ms (min {min(page.runs_ms):.1f}, "
            f"max {max(page.runs_ms):.1f}) over {len(page.runs_ms)} runs after 1 warm-up; "
            f"{page.count:,} counted{f' ({shown})' if shown else ''}; "
            f"goal < {GOAL_MS:.0f} ms: {verdict}"
        )
    return "\n".join(lines)


def bench_web(firms: int = 30000, seed: int = 42) -> str:
    """Build a warehouse of one province of ``firms`` firms, time the pages; printable lines."""
    folder = Path(tempfile.mkdtemp(prefix="reconcile-bench-web-"))
    try:
        started = time.perf_counter()
        url = build_warehouse(folder, firms, seed)
        build_seconds = time.perf_counter() - started
        pages = time_pages(url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return format_lines(firms, seed, build_seconds, pages)


def _cmd_bench_web(args: argparse.Namespace) -> int:
    print(bench_web(args.firms, args.seed))
    return 0


def add_bench_web_command(bench_sub: Any) -> None:
    """Register ``bench web`` (``--firms``, ``--seed``) on the ``bench`` sub-parsers."""
    parser = bench_sub.add_parser(
        "web", help="time the inspectors' pages on one generated province (SQLite)"
    )
    parser.add_argument(
        "--firms", type=int, default=30000, help="firms of the province (default 30000)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.set_defaults(func=_cmd_bench_web)
