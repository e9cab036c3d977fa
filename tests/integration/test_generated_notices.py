"""The generator's notices (sent twice, late, withdrawn) through the steps: the history is the
same whatever order the day folders arrive in, and it tells each firm's status at the quarter's
end as the generator's truth has it."""

from __future__ import annotations

import csv
import random
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from reconcile.history.steps import land_changes, update_history
from reconcile.history.store import read_periods
from reconcile.history.timeline import as_of
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.steps import ingest
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile_dev.synth import SynthConfig, generate

QUARTER = "2025Q3"
LAST = date(2025, 12, 31)  # late notices land in folders after the quarter


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("notices")
    config = SynthConfig(quarters=(Quarter.parse(QUARTER),), provinces=("82",), firms=800,
                         seed=5, notices=True)  # fmt: skip
    generate(config, folder / "landing", folder / "truth")
    return folder


def settings_for(base: Path, url: str) -> Settings:
    return Settings.from_env(landing_dir=base / "landing", data_dir=base / "data",
                             output_dir=base / "output", warehouse_url=url)  # fmt: skip


def arrive(settings: Settings) -> None:
    landed = land_changes(settings, LAST)
    for file_id in landed["to_ingest"]:
        ingest(settings, file_id)
    update_history(settings, landed["to_ingest"])


def history(url: str) -> list[tuple]:
    with get_engine(url).connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(t.firm_history).order_by(t.firm_history.c.tax_code, t.firm_history.c.valid_from)
        )]  # fmt: skip


def test_the_days_in_any_order_give_one_history_and_the_truths_statuses(
    generated: Path, tmp_path: Path, warehouse_url: str
) -> None:
    days = sorted((generated / "landing" / "changes").iterdir())
    assert len(days) > 30
    in_order = settings_for(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}")
    shutil.copytree(generated / "landing", in_order.landing_dir)
    arrive(in_order)
    expected = history(in_order.warehouse_url)

    shuffled = settings_for(tmp_path / "b", warehouse_url)
    order = list(days)
    random.Random(11).shuffle(order)
    for batch in range(0, len(order), len(order) // 6 + 1):  # six arrivals, days mixed up
        for day in order[batch : batch + len(order) // 6 + 1]:
            shutil.copytree(day, shuffled.landing_dir / "changes" / day.name)
        arrive(shuffled)
    assert history(shuffled.warehouse_url) == expected

    path = generated / "truth" / "changes" / QUARTER / "82" / "history.csv"
    with open(path, encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    assert len(truth) > 20
    with get_engine(warehouse_url).connect() as conn:
        found = read_periods(conn, [row["tax_code"] for row in truth])
    wrong, told = [], 0
    for row in truth:
        now = as_of(found.get(row["tax_code"], []), date(2025, 9, 30))
        if now is None or now.status is None:
            # no notice that counts told a status (only withdrawn ones, or a rename): the
            # truth's "active" is its default, and the history rightly does not guess
            if row["status"] != "active":
                wrong.append((row["tax_code"], row["status"], None))
            continue
        told += 1
        if now.status != row["status"]:
            wrong.append((row["tax_code"], row["status"], now.status))
    assert not wrong, wrong[:5]
    assert told > 20
