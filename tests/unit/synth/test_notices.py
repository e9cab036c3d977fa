"""The daily change notices (``synth --notices``): opt-in, deterministic, readable, consistent."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from synth_support import Generated, make, quarters, tree_bytes

from reconcile.feeds.cleaning import clean
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile_dev.synth import NoiseRates, SynthConfig
from reconcile_dev.synth.notices import kind_labels

# renamed firms at a high rate, so that renames are told too
CONFIG = SynthConfig(
    quarters=quarters("2025Q2", "2025Q3"),
    provinces=("82", "01"),
    firms=600,
    seed=17,
    noise=replace(NoiseRates.hard(), renamed=0.3),
)


@pytest.fixture(scope="module")
def off(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return make(tmp_path_factory.mktemp("off"), CONFIG)


@pytest.fixture(scope="module")
def on(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return make(tmp_path_factory.mktemp("on"), replace(CONFIG, notices=True))


def _truth(generated: Generated, name: str) -> list[dict[str, str]]:
    rows = []
    for path in sorted((generated.truth / "changes").glob(f"*/*/{name}")):
        with open(path, encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def _notice_files(generated: Generated) -> list[Path]:
    return sorted(p for p in (generated.landing / "changes").rglob("*") if p.is_file())


def test_off_writes_nothing_new_and_on_changes_no_other_file(off: Generated, on: Generated) -> None:
    before = tree_bytes(off.landing, off.truth)
    after = tree_bytes(on.landing, on.truth)
    assert not (off.landing / "changes").exists() and not (off.truth / "changes").exists()
    assert "notices" not in json.loads(before["1/2025Q2/82/config.json"])["config"]
    changed = [k for k in before if before[k] != after.get(k)]
    # only config.json, which records the configuration: the notices' settings and nothing else
    assert changed and all(k.endswith("/config.json") for k in changed)
    for key in changed:
        first, second = json.loads(before[key]), json.loads(after[key])
        assert second["config"].pop("notices") is True and second["config"].pop("notice_rates")
        assert first == second
    extra = [k for k in after if k not in before]
    assert extra and all(k.split("/", 1)[1].startswith("changes/") for k in extra)


def test_the_same_config_writes_the_same_notices(on: Generated, tmp_path: Path) -> None:
    again = make(tmp_path, on.config)
    first = tree_bytes(on.landing / "changes", on.truth / "changes")
    assert first == tree_bytes(again.landing / "changes", again.truth / "changes")


def test_files_are_named_and_placed_by_sender_and_recorded_day(on: Generated) -> None:
    files = _notice_files(on)
    assert {p.suffix for p in files} == {".csv", ".jsonl", ".xlsx"}
    for path in files:
        sender, stamp = path.stem.split("_")[1:]
        assert sender in ("dkkd", "thue")
        assert path.parent.name == f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
    recorded = {(r["sender"], r["recorded_on"]) for r in _truth(on, "notices.csv")}
    found = {(p.stem.split("_")[1], p.parent.name) for p in files}
    assert found == recorded


@pytest.fixture(scope="module")
def read_back(on: Generated) -> list[dict[str, object]]:
    spec = specs()["changes"]
    rows: list[dict[str, object]] = []
    for path in _notice_files(on):
        frame = clean(read_table(path, spec, display_name=path.name), spec)
        for row in frame.to_dict("records"):
            rows.append({**row, "file": path.name})
    return rows


def test_the_project_reads_every_notice_without_quarantine(
    on: Generated, read_back: list[dict[str, object]]
) -> None:
    assert read_back and [r for r in read_back if r["reasons"]] == []
    assert {r["change_kind"] for r in read_back} <= set(kind_labels())
    truth = _truth(on, "notices.csv")
    assert len(read_back) == len(truth)
    by_id = {(r["notice_id"], r["recorded_on"]): r for r in truth}
    for row in read_back:
        expected = by_id[(row["notice_id"], row["recorded_on"].isoformat())]  # type: ignore[union-attr]
        assert row["change_kind"] == expected["kind"]
        assert row["tax_code"] == expected["tax_code"] and row["sender"] == expected["sender"]
        assert row["effective_on"].isoformat() == expected["effective_on"]  # type: ignore[union-attr]


def test_registered_firms_are_in_the_quarters_files(on: Generated) -> None:
    for quarter_dir in sorted((on.truth / "changes").glob("*/*")):
        quarter, province = quarter_dir.parent.name, quarter_dir.name
        codes: set[object] = set()
        for feed, ext, column in (
            ("tax", "csv", "tax_code"),
            ("registry", "xlsx", "enterprise_code"),
        ):
            path = on.landing / quarter / province / f"{feed}_{province}_{quarter}.{ext}"
            codes |= set(clean(read_table(path, specs()[feed]), specs()[feed])[column])
        with open(quarter_dir / "notices.csv", encoding="utf-8", newline="") as handle:
            registered = [
                r["tax_code"] for r in csv.DictReader(handle) if r["kind"] == "registered"
            ]
        assert registered and set(registered) <= codes


def test_withdrawals_name_a_notice_of_the_same_sender_kind_and_firm(on: Generated) -> None:
    truth = _truth(on, "notices.csv")
    by_id = {r["notice_id"]: r for r in truth}
    withdrawals = [r for r in truth if r["withdraws"]]
    assert withdrawals
    for row in withdrawals:
        wrong = by_id[row["withdraws"]]
        assert row["fault"] == "withdrawal" and wrong["fault"] == "withdrawn"
        assert (wrong["sender"], wrong["kind"], wrong["tax_code"]) == (
            row["sender"], row["kind"], row["tax_code"],
        )  # fmt: skip
        assert wrong["recorded_on"] < row["recorded_on"]
        assert wrong["effective"] == row["effective"] == "false"


def test_faults_and_renames_are_in_the_truth(on: Generated) -> None:
    truth = _truth(on, "notices.csv")
    faults = {r["fault"] for r in truth}
    assert {"none", "duplicate", "late", "withdrawn", "withdrawal"} <= faults
    ids = [r["notice_id"] for r in truth if r["fault"] != "duplicate"]
    assert len(ids) == len(set(ids))
    for row in truth:
        if row["fault"] == "duplicate":
            original = [r for r in truth if r["notice_id"] == row["notice_id"] and r is not row]
            assert len(original) == 1 and original[0]["recorded_on"] < row["recorded_on"]
    renames = [r for r in truth if r["changed"] == "name"]
    assert renames and all(r["old_name"] for r in renames)
    history = _truth(on, "history.csv")
    assert {h["tax_code"] for h in history} >= {r["tax_code"] for r in truth}
