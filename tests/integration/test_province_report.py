"""A quality report per province beside the national one, and the validation results in it,
read in headless Chromium with the network blocked.

Two provinces (82 hand-known, 86 generated) are run; each province's report must show only its own
files, rows, links and findings, and its title must name it. The validation section (what
replaces Great Expectations' Data Docs, which need CDNs) must be visible offline: every request
the page makes is refused (``Network.setBlockedURLs ["*"]``) and none leaves ``file://``.
``RECONCILE_SCREENSHOTS=1`` writes the 82 report's screenshot to docs/images.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import browser
import cdp
import known_feeds as known
from reconcile.pipeline import run_quarter
from reconcile.publish.quality_report import fmt_int, report_path
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile_dev.synth import SynthConfig, generate

Q3 = Quarter.parse("2025Q3")
DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "quality_report_province.png"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("province-report")
    settings = Settings.from_env(landing_dir=base / "landing", data_dir=base / "data",
                                 output_dir=base / "output",
                                 warehouse_url=f"sqlite:///{base / 'w.db'}")  # fmt: skip
    # 82: the hand-known files, with faults a suite finds (lines known); 86: generated
    known.write_known_quarter(settings.landing_dir)
    generate(SynthConfig(quarters=(Q3,), provinces=("86",), firms=200, seed=7),
             settings.landing_dir, base / "truth")  # fmt: skip
    summary = run_quarter(settings, Q3, "provinces")
    with get_engine(settings.warehouse_url).connect() as conn:
        files = read_frame(conn, t.feed_file, quarter="2025Q3")
        findings = read_frame(conn, t.finding, quarter="2025Q3")
        units = read_frame(conn, t.employer_unit, quarter="2025Q3")
    return {"settings": settings, "summary": summary, "files": files, "findings": findings,
            "units": units}  # fmt: skip


def _ids(path: Path) -> dict:
    return browser.by_id(path.read_text(encoding="utf-8"))


def test_each_province_has_its_report_beside_the_national_one(run: dict) -> None:
    settings, summary = run["settings"], run["summary"]
    for province in ("82", "86"):
        path = report_path(settings, Q3, province)
        assert path == settings.output_dir / "2025Q3" / province / f"quality_{province}_2025Q3.html"
        assert path.is_file() and summary["provinces"][province]["quality_report"] == str(path)
    assert Path(summary["quality_report"]) == report_path(settings, Q3)
    # and the command line's end-of-run summary names every report
    from reconcile.cli import format_summary

    said = format_summary(summary)
    for province in ("82", "86"):
        assert f"{report_path(settings, Q3, province)}  (data-quality report, {province})" in said
    assert f"{report_path(settings, Q3)}  (data-quality report, all provinces)" in said


def test_a_province_report_shows_only_that_provinces_figures(run: dict) -> None:
    files, findings, units = run["files"], run["findings"], run["units"]
    national = _ids(report_path(run["settings"], Q3))
    assert int(national["kpi-rows-received"].data("value")) == int(files["rows_read"].sum())
    for province in ("82", "86"):
        path = report_path(run["settings"], Q3, province)
        ids = _ids(path)
        own_files = files[files["province"] == province]
        own = findings[(findings["province"] == province) & (findings["severity"] > 0)]
        assert int(ids["kpi-rows-received"].data("value")) == int(own_files["rows_read"].sum())
        assert int(ids["kpi-units"].data("value")) == int((units["province"] == province).sum())
        assert int(ids["kpi-findings"].data("value")) == len(own)
        assert fmt_int(len(own)) in ids["kpi-findings"].text
        assert ids["report-scope"].data("province") == province
        html = path.read_text(encoding="utf-8")
        title = html[html.index("<title>") : html.index("</title>")]
        assert "Tất cả các tỉnh" not in title and ("Đồng Tháp" if province == "82" else "") in title
        sections = [
            e for e in browser.elements(html) if "validation-file" in e.attrs.get("class", "")
        ]
        assert sections and {s.data("province") for s in sections} == {province}
        assert {s.data("file") for s in sections} <= set(own_files["file_name"])
        other = "86" if province == "82" else "82"
        assert f"_{other}_2025Q3" not in " ".join(s.data("file") for s in sections)
    assert int(national["kpi-findings"].data("value")) == int((findings["severity"] > 0).sum())


def test_the_validation_results_are_visible_with_the_network_blocked(run: dict, tmp_path: Path) -> None:  # fmt: skip
    path = report_path(run["settings"], Q3, "82")
    requests: list[str] = []
    with cdp.Page.launch(browser.chromium(), width=1280, height=1600) as page:
        page.send("Network.setBlockedURLs", {"urls": ["*"]})
        page.navigate(path.resolve().as_uri())
        while True:  # every request the page made, from the events kept while it loaded
            try:
                requests.append(page.wait_event("Network.requestWillBeSent", timeout=0.5)["request"]["url"])  # fmt: skip
            except cdp.CDPError:
                break
        shown = page.evaluate(
            "[...document.querySelectorAll('#validation .validation-file')].map(s => ({"
            "file: s.dataset.file, visible: s.getBoundingClientRect().height > 0,"
            "rows: s.querySelectorAll('tbody tr').length,"
            "failed: [...s.querySelectorAll('tbody tr[data-success=false]')].map(r => r.innerText),"
            "lines: [...s.querySelectorAll('.example')].map(e => e.dataset.line)}))"
        )
        text = page.text()
        png = page.screenshot()
    assert all(url.startswith("file://") for url in requests), requests
    assert shown and all(s["visible"] and s["rows"] > 0 for s in shown), shown
    assert "Kết quả kiểm tra dữ liệu theo từng tệp" in text and "Không đạt" in text
    failed = [row for s in shown for row in s["failed"]]
    assert failed, "the generated files have faults a suite finds"
    # the tax file's faults, by their lines in the file (tests/known_feeds.py): the bad check
    # digits on lines 11 and 12, the blank tax code on line 13
    tax = next(s for s in shown if s["file"] == "tax_82_2025Q3.csv")
    assert {"11", "12", "13"} <= set(tax["lines"]), tax
    assert any("Mã số thuế" in row and "Không đạt" in row for row in tax["failed"]), tax
    assert len(png) > 50_000
    if os.environ.get("RECONCILE_SCREENSHOTS") == "1":
        DOCS_IMAGE.write_bytes(png)
