"""The pipeline on a generated province, checked against the generator's ground truth.

Linking is exact-only so far: the assertions are about what exact linking must already get right
(arrears do not depend on links; a firm with no unit at all must be flagged; a firm whose unit
carries its clean tax code must not be). Fuzzy linking's precision and recall are measured by
its own tests and benchmark.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.settings import DEFAULTS, Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile_dev.synth import SynthConfig, generate

Q3 = Quarter.parse("2025Q3")
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
# The roll's tax code is optional and often wrong: an invalid one is a linking matter, not a
# reason to quarantine the unit. Every other planted file fault is a quarantined row.
NOT_QUARANTINED = {("roll", "invalid_tax_code")}

# In the generated world the wage-region table is true by construction (the generator plants
# wages against it), so the full rule is what is measured: with the packaged, illustrative table
# an agency gets leads between the region IV floor and the region's own (test_wage_floor_regions)
GAZETTED = {**DEFAULTS, "rules": {"defaults": {"reference_wage_regions": "gazetted"}}}


def _truth(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("generated")
    settings = Settings.from_env(landing_dir=base / "landing", data_dir=base / "data", output_dir=base / "output",
                                 warehouse_url=f"sqlite:///{base / 'warehouse.db'}", options=GAZETTED)  # fmt: skip
    generate(
        SynthConfig(quarters=(Q3,), provinces=("82",), firms=800, seed=7),
        settings.landing_dir,
        base / "truth",
    )
    summary = run_quarter(settings, Q3, "generated")
    evaluation = subprocess.run(
        [sys.executable, "-m", "reconcile", "evaluate", "--quarter", "2025Q3", "--truth", str(base / "truth"),
         "--warehouse", settings.warehouse_url, "--json", str(base / "evaluation.json")],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(PLUGINS)},
    )  # fmt: skip
    with get_engine(settings.warehouse_url).connect() as conn:
        tables = {name: read_frame(conn, table, quarter="2025Q3") for name, table in
                  [("finding", t.finding), ("link", t.link), ("quarantine", t.quarantine), ("feed_file", t.feed_file)]}  # fmt: skip
    return {"summary": summary, "truth": base / "truth" / "2025Q3" / "82", "evaluation": evaluation.stdout,
            "scores": json.loads((base / "evaluation.json").read_text(encoding="utf-8")), **tables}  # fmt: skip


def test_every_planted_file_fault_is_quarantined_and_every_good_row_accepted(
    generated: dict,
) -> None:
    faults = _truth(generated["truth"], "file_faults.csv")
    expected = Counter(
        f["file"] for f in faults if (f["file"].split("_")[0], f["fault"]) not in NOT_QUARANTINED
    )
    files = generated["feed_file"]
    quarantined = dict(zip(files["file_name"], files["rows_quarantined"], strict=True))
    assert quarantined == {name: expected.get(name, 0) for name in quarantined}
    rows = {f["file"]: set() for f in faults}
    for fault in faults:
        if (fault["file"].split("_")[0], fault["fault"]) not in NOT_QUARANTINED:
            rows[fault["file"]].add(int(fault["row"]))
    q = generated["quarantine"]
    names = dict(zip(files["file_id"], files["file_name"], strict=True))
    for name, numbers in rows.items():
        got = set(q.loc[q["file_id"].map(names) == name, "row_number"].astype(int))
        assert got == numbers, name


def test_arrears_findings_equal_the_truth(generated: dict) -> None:
    truth = _truth(generated["truth"], "findings.csv")
    found = generated["finding"]
    for rule in ("ARREARS_EVASION", "ARREARS_LATE"):
        expected = {f["unit_code"] for f in truth if f["rule"] == rule}
        got = set(found.loc[found["rule"] == rule, "unit_code"])
        assert got == expected, rule


def test_named_cases(generated: dict) -> None:
    firms = _truth(generated["truth"], "firms.csv")
    findings = generated["finding"]
    flagged = set(zip(findings["rule"], findings["tax_code"], strict=True))
    # a firm operating with employees and no unit at all, past the 90 days: flagged
    missing = [f for f in firms if f["expected_rules"] == "NOT_REGISTERED" and not f["unit_code"]]
    assert missing, "the generator planted no unregistered firm"
    assert all(("NOT_REGISTERED", f["tax_code"]) in flagged for f in missing)
    # a dissolved or closed firm whose unit carries its clean tax code and still pays or owes: flagged
    closed = [
        f
        for f in firms
        if "CLOSED_FIRM_ON_ROLL" in f["expected_rules"].split("|") and not f["roll_noise"]
    ]
    assert closed, "the generator planted no closed firm on the roll"
    assert all(("CLOSED_FIRM_ON_ROLL", f["tax_code"]) in flagged for f in closed)
    # a compliant firm whose unit carries its clean tax code: not flagged by anything
    compliant = [
        f for f in firms if not f["expected_rules"] and f["unit_code"] and not f["roll_noise"]
    ]
    assert len(compliant) > 100
    # (a finding is about its subject: the firm for firm rules, the unit for unit rules; a
    # branch unit carrying its parent's code is the branch's case, not the parent's)
    # (only the rules the generator plants: data fixes and unplanted leads are not its business)
    planted = set(
        json.loads((generated["truth"] / "config.json").read_text(encoding="utf-8"))["definitions"]
    )
    findings = findings[findings["rule"].isin(planted)]
    firm_subjects = set(findings.loc[findings["unit_code"].isna(), "tax_code"])
    unit_subjects = set(findings["unit_code"].dropna())
    wrongly = [
        f["tax_code"]
        for f in compliant
        if f["tax_code"] in firm_subjects or f["unit_code"] in unit_subjects
    ]
    assert not wrongly


def test_the_evaluation_command_on_the_generated_province(generated: dict) -> None:
    scores = generated["scores"]
    links, findings = scores["links"], scores["findings"]
    expected_links = len(_truth(generated["truth"], "links.csv"))
    assert links["overall"]["expected"] == expected_links
    link_band = generated["link"][generated["link"]["band"] == "link"]
    assert links["overall"]["predicted"] == len(link_band)
    # the default-noise goals of the matcher, with a small margin for a province of 800 firms
    assert links["overall"]["precision"] >= 0.99 and links["overall"]["recall"] >= 0.97
    assert links["by_noise"]["clean"]["precision"] == 1.0
    # a blank roll tax code cannot be linked exactly: those links are all fuzzy
    blank = links["by_noise"]["tax_code_blank"]
    assert blank["recall"] >= 0.9 and blank["precision"] >= 0.99
    # arrears do not depend on linking: exact; unregistered firms are all found (recall 1)
    assert findings["ARREARS_EVASION"]["f1"] == 1.0 and findings["ARREARS_LATE"]["f1"] == 1.0
    assert findings["NOT_REGISTERED"]["recall"] == 1.0
    assert findings["NOT_REGISTERED"]["precision"] >= 0.95
    for rule in (
        "CLOSED_FIRM_ON_ROLL",
        "NOT_REGISTERED_LATE",
        "UNDER_REGISTERED",
        "WAGE_BELOW_FLOOR",
    ):
        assert findings[rule]["precision"] >= 0.95 and findings[rule]["recall"] >= 0.95, rule
    assert (
        "Findings by rule:" in generated["evaluation"]
        and "ARREARS_EVASION" in generated["evaluation"]
    )


def test_the_workbook_lists_the_planted_cases(generated: dict) -> None:
    from workbook_reading import case_rows, rule_of

    rows = case_rows(generated["summary"]["published"][0]["workbook"])
    listed = {
        (rule_of(r["Vi phạm"]), r["Mã số thuế"] or None, r["Mã đơn vị"] or None) for r in rows
    }
    body = rows
    inspection = generated["finding"][generated["finding"]["severity"] > 0]
    assert len(body) == len(inspection)
    truth = _truth(generated["truth"], "findings.csv")
    arrears = {(f["rule"], f["unit_code"]) for f in truth if f["rule"].startswith("ARREARS")}
    assert arrears and arrears <= {(r, u) for r, _, u in listed}
    firms = _truth(generated["truth"], "firms.csv")
    unregistered = {
        ("NOT_REGISTERED", f["tax_code"])
        for f in firms
        if f["expected_rules"] == "NOT_REGISTERED" and not f["unit_code"]
    }
    assert unregistered and unregistered <= {(r, t) for r, t, _ in listed}
