"""No firm accused because a link was missed, on the hard noise profile.

The costliest error of the system is a compliant firm sent to an inspector as unregistered.
On the hard profile (names typed by hand, words dropped, old communes, no tax code on a
quarter of the roll, firms renamed since the roll was written) some units cannot be linked;
the search of the roll before NOT_REGISTERED (match/search.py) must turn most of those firms
into review items that say their doubt. One quarter, one province of 4,000 firms, every step
of the pipeline.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.settings import DEFAULTS, Settings
from reconcile_dev.evaluation import evaluate
from reconcile_dev.synth import SynthConfig, generate, noise_profile

QUARTER = Quarter.parse("2025Q3")
GAZETTED = {**DEFAULTS, "rules": {"defaults": {"reference_wage_regions": "gazetted"}}}


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("accusations-hard")
    settings = Settings.from_env(landing_dir=base / "landing", data_dir=base / "data", output_dir=base / "output",
                                 warehouse_url=f"sqlite:///{base / 'warehouse.db'}", options=GAZETTED)  # fmt: skip
    config = SynthConfig(quarters=(QUARTER,), provinces=("82",), firms=4000, seed=31,
                         noise=noise_profile("hard"))  # fmt: skip
    generate(config, settings.landing_dir, base / "truth")
    run_quarter(settings, QUARTER, "accusations-hard")
    scores = evaluate(settings.warehouse_url, base / "truth", QUARTER)
    engine = sa.create_engine(settings.warehouse_url)
    with engine.connect() as connection:
        findings = connection.execute(
            sa.text("SELECT rule, tax_code, unit_code FROM finding WHERE quarter = :q"),
            {"q": str(QUARTER)},
        ).all()
    engine.dispose()
    with (base / "truth" / str(QUARTER) / "82" / "links.csv").open(encoding="utf-8") as handle:
        on_roll = {row["tax_code"]: row["unit_code"] for row in csv.DictReader(handle)}
    return {"scores": scores, "findings": findings, "on_roll": on_roll, "base": Path(base)}


def test_few_firms_on_the_roll_are_called_unregistered(judged: dict) -> None:
    """Measured 2026-11-30 at 2 x 10,000 firms: NOT_REGISTERED precision 0.925 before the
    search looked at addresses and mistyped "tại", 0.948 after; most of what is left are
    firms renamed and moved since the roll was written, with no tax code on it."""
    score = judged["scores"]["findings"]["NOT_REGISTERED"]
    assert score["expected"] >= 100
    assert score["precision"] >= 0.93, score  # 0.951 (117 of 123) on 2026-11-30
    assert score["recall"] >= 0.97, score


def test_the_doubtful_ones_become_review_items_naming_a_unit(judged: dict) -> None:
    review = [f for f in judged["findings"] if f.rule == "NOT_REGISTERED_REVIEW"]
    assert review, "the search found no unit for any firm: it is not running"
    assert all(f.unit_code for f in review)
    # most review items are firms that are on the roll, under the unit they name
    right = sum(judged["on_roll"].get(f.tax_code) == f.unit_code for f in review)
    assert right / len(review) >= 0.75, (right, len(review))  # 8 of 8 on 2026-11-30
