"""The data-quality report in a real browser: headless Chromium opens it offline and draws it.

The charts must be in the DOM after load with their numbers, the totals shown must be the
warehouse's, and the screenshot must be a full page. Chromium comes from ``tests/browser.py``
(installed once when missing and allowed; a skip otherwise, a failure under CI).
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

import browser
import known_feeds as known
from reconcile.pipeline import run_quarter
from reconcile.publish.quality_report import build_quality_report, fmt_int
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame

CHARTS = (
    "chart-feed-rows", "chart-quarantine-reasons", "chart-roll-tax-codes",
    "chart-links-by-method", "chart-coverage", "chart-findings-money",
    "chart-trend-rows", "chart-trend-quality", "chart-trend-links", "chart-trend-money",
)  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    browser.chromium()  # skip (or fail under CI) before building anything
    base = tmp_path_factory.mktemp("quality-browser")
    settings = Settings.from_env(landing_dir=base / "landing", data_dir=base / "data",
                                 output_dir=base / "output",
                                 warehouse_url=f"sqlite:///{base / 'warehouse.db'}")  # fmt: skip
    for quarter in ("2025Q2", "2025Q3"):
        folder = known.write_known_quarter(settings.landing_dir, quarter=quarter)
        if quarter == "2025Q3":  # other bytes than Q2's, or landing skips them as seen before
            roll = folder / "roll_82_2025Q3.csv"
            roll.write_bytes(roll.read_bytes().replace(b"TZ0002B", b"TZ0002X"))
            tax = folder / "tax_82_2025Q3.csv"
            tax.write_bytes(tax.read_bytes() + b"\n")
            book = load_workbook(folder / "registry_82_2025Q3.xlsx")
            book.properties.description = quarter
            book.save(folder / "registry_82_2025Q3.xlsx")
        run_quarter(settings, Quarter.parse(quarter), quarter)
    path = build_quality_report(settings, "2025Q3", "82")
    rendered = browser.render(path, base / "chromium")
    with get_engine(settings.warehouse_url).connect() as conn:
        warehouse = {
            "feed_file": read_frame(conn, t.feed_file, quarter="2025Q3"),
            "link": read_frame(conn, t.link, quarter="2025Q3"),
            "employer_unit": read_frame(conn, t.employer_unit, quarter="2025Q3"),
            "finding": read_frame(conn, t.finding, quarter="2025Q3"),
        }
    return {"path": path, "rendered": rendered, **warehouse}


def test_the_charts_are_drawn_with_their_numbers(report: dict) -> None:
    dom = report["rendered"].dom
    ids = browser.by_id(dom)
    for chart in CHARTS:
        assert chart in ids, f"{chart} missing from the DOM after load"
        svg = ids[chart]
        assert svg.tag == "svg" and "viewbox" in svg.attrs  # the parser lower-cases names
        drawn = set(svg.children_tags)
        assert drawn & {"rect", "circle"}, f"{chart} has no bar or point: {sorted(drawn)}"
        assert any(k.startswith("data-") for k in svg.attrs), f"{chart} carries no numbers"
    files = report["feed_file"]
    chart = ids["chart-feed-rows"]
    assert int(chart.data("total-received")) == int(files["rows_read"].sum())
    assert int(chart.data("total-accepted")) == int(files["rows_accepted"].sum())
    assert int(chart.data("total-quarantined")) == int(files["rows_quarantined"].sum())
    links = report["link"]
    assert int(ids["chart-links-by-method"].data("linked")) == int((links["band"] == "link").sum())
    points = [e for e in browser.elements(dom) if e.tag == "circle" and e.data("quarter")]
    assert {p.data("quarter") for p in points} == {"2025Q2", "2025Q3"}


def test_the_totals_shown_are_the_warehouse_totals(report: dict) -> None:
    ids = browser.by_id(report["rendered"].dom)
    files, findings = report["feed_file"], report["finding"]
    units, links = report["employer_unit"], report["link"]
    expected = {
        "rows-received": int(files["rows_read"].sum()),
        "rows-accepted": int(files["rows_accepted"].sum()),
        "rows-quarantined": int(files["rows_quarantined"].sum()),
        "units": len(units),
        "units-linked": int((links["band"] == "link").sum()),
        "findings": int((findings["severity"] > 0).sum()),  # severity 0: data fixes
        "money-at-stake": int(findings["money_counted"].sum()),
    }
    assert expected["rows-received"] == 28 and expected["findings"] > 0
    for key, value in expected.items():
        kpi = ids[f"kpi-{key}"]
        assert int(kpi.data("value")) == value, key
        assert fmt_int(value) in kpi.text, (key, kpi.text)  # the reader sees the same number
    for key in ("rows-received", "rows-accepted", "rows-quarantined", "money-at-stake"):
        assert ids[f"text-{key}"].text == fmt_int(expected[key])
    scope = ids["report-scope"]
    assert scope.data("quarter") == "2025Q3" and "Tỉnh Đồng Tháp" in scope.text


def test_the_page_loads_offline_and_the_screenshot_is_a_full_page(report: dict) -> None:
    rendered = report["rendered"]
    assert "http://" not in rendered.dom and "https://" not in rendered.dom
    assert "net::ERR" not in rendered.stderr  # nothing was fetched, so nothing failed to load
    width, height = browser.png_size(rendered.screenshot)
    assert (width, height) == (1280, 2600)
    # a blank page compresses to a few kilobytes; text, tables and charts do not
    assert rendered.screenshot.stat().st_size > 60_000


# ---------------------------------------------------------------- the helper without a browser
@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    installs: list[str] = []
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    monkeypatch.setattr(browser, "_install", lambda: installs.append("apt-get"))
    monkeypatch.setattr(browser, "_tried_install", False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("RECONCILE_REQUIRE_BROWSER", raising=False)
    return installs


def test_a_missing_browser_skips_where_it_cannot_be_installed(
    no_browser: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "_can_install", lambda: "not running as root")
    with pytest.raises(pytest.skip.Exception, match="not installable here .not running as root"):
        browser.chromium()
    assert no_browser == []


def test_a_missing_browser_is_installed_once_then_skips_if_still_missing(
    no_browser: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "_can_install", lambda: None)
    for _ in range(2):
        with pytest.raises(pytest.skip.Exception, match="installing it with apt-get failed"):
            browser.chromium()
    assert no_browser == ["apt-get"]


@pytest.mark.parametrize("variable", [("CI", "true"), ("RECONCILE_REQUIRE_BROWSER", "1")])
def test_a_missing_browser_fails_where_it_is_required(
    no_browser: list[str], monkeypatch: pytest.MonkeyPatch, variable: tuple[str, str]
) -> None:
    monkeypatch.setattr(browser, "_can_install", lambda: "apt-get not available")
    monkeypatch.setenv(*variable)
    with pytest.raises(pytest.fail.Exception, match="required here"):
        browser.chromium()
