"""A province's steps write only their own partition: rerunning one province leaves the others
row for row as they were (what lets the DAG map provinces over workers)."""

from __future__ import annotations

from pathlib import Path

from reconcile import steps
from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile_dev.synth import SynthConfig, generate

Q3 = Quarter.parse("2025Q3")
TABLES = {"firm": t.firm, "employer_unit": t.employer_unit, "link": t.link, "finding": t.finding,
          "case_status": t.case_status}  # fmt: skip


def _snapshot(url: str, province: str) -> dict[str, list[tuple]]:
    with get_engine(url).connect() as conn:
        return {
            name: sorted(
                tuple(map(str, row))
                for row in read_frame(conn, table, quarter="2025Q3", province=province).itertuples(
                    index=False
                )
            )
            for name, table in TABLES.items()
        }


def test_rerunning_one_province_leaves_the_other_untouched(
    tmp_path: Path, warehouse_url: str
) -> None:
    settings = Settings.from_env(landing_dir=tmp_path / "landing", data_dir=tmp_path / "data",
                                 output_dir=tmp_path / "output", warehouse_url=warehouse_url)  # fmt: skip
    generate(
        SynthConfig(quarters=(Q3,), provinces=("82", "86"), firms=300, seed=3),
        settings.landing_dir,
        tmp_path / "truth",
    )
    run_quarter(settings, Q3, "both")
    other_before = _snapshot(warehouse_url, "86")
    own_before = _snapshot(warehouse_url, "82")
    assert all(other_before.values()) and all(own_before.values())

    # province 82's steps again, after its employer units were changed under it
    with get_engine(warehouse_url).begin() as conn:
        conn.execute(t.staged["roll"].delete().where(t.staged["roll"].c.province == "82"))
    steps.load(settings, Q3, "82")
    steps.link(settings, Q3, "82")
    steps.apply_rules(settings, Q3, "82")
    steps.publish(settings, Q3, "82")

    assert _snapshot(warehouse_url, "86") == other_before
    own_after = _snapshot(warehouse_url, "82")
    assert own_after["employer_unit"] == [] and own_after["link"] == []
    assert own_after["firm"] == own_before["firm"]
