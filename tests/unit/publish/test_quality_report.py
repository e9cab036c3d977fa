"""The data-quality report on a known warehouse: its numbers are the warehouse's numbers.

Two quarters of the known feeds (2025Q2, 2025Q3) go through the pipeline into a SQLite file;
every figure the page shows is checked against the warehouse queried here independently (with
pandas on the tables, not with the report's SQL), and against the counts known by hand.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import Markup
from openpyxl import load_workbook

import known_feeds as known
from browser import Element, by_id, elements
from reconcile.pipeline import run_quarter
from reconcile.publish import quality_report as qr
from reconcile.publish.quality_page import fill
from reconcile.publish.quality_words import report_words
from reconcile.publish.svg_charts import hbar_chart, stacked_chart
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.queries import run_query
from reconcile.warehouse.store import read_frame

Q2, Q3 = Quarter.parse("2025Q2"), Quarter.parse("2025Q3")
# by hand from known_feeds: the tax file has 15 rows (6 bad), the roll 8 (1 bad), the registry 5 (1 bad)
KNOWN_Q3 = {"rows_read": 28, "rows_accepted": 20, "rows_quarantined": 8}


def _settings(base: Path, url: str) -> Settings:
    return Settings.from_env(landing_dir=base / "landing", data_dir=base / "data",
                             output_dir=base / "output", warehouse_url=url)  # fmt: skip


def build_known_warehouse(base: Path, url: str | None = None) -> Settings:
    """2025Q2 and 2025Q3 of the known feeds; Q3's files made to differ so that they land."""
    settings = _settings(base, url or f"sqlite:///{base / 'warehouse.db'}")
    known.write_known_quarter(settings.landing_dir, quarter="2025Q2")
    known.write_known_quarter(settings.landing_dir, quarter="2025Q3")
    folder = settings.landing_dir / "2025Q3" / "82"
    roll = folder / "roll_82_2025Q3.csv"
    roll.write_bytes(roll.read_bytes().replace(b"TZ0002B", b"TZ0002X"))
    tax = folder / "tax_82_2025Q3.csv"
    tax.write_bytes(tax.read_bytes() + b"\n")
    book = load_workbook(folder / "registry_82_2025Q3.xlsx")
    book.properties.description = "2025Q3"  # same rows, other bytes
    book.save(folder / "registry_82_2025Q3.xlsx")
    run_quarter(settings, Q2, "q2")
    run_quarter(settings, Q3, "q3")
    return settings


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("quality")
    settings = build_known_warehouse(base)
    with get_engine(settings.warehouse_url).connect() as conn:
        tables = {
            name: read_frame(conn, table)
            for name, table in [("feed_file", t.feed_file), ("quarantine", t.quarantine),
                                ("firm", t.firm), ("employer_unit", t.employer_unit),
                                ("link", t.link), ("finding", t.finding),
                                ("staged_roll", t.staged["roll"]), ("staged_tax", t.staged["tax"])]
        }  # fmt: skip
    path = qr.build_quality_report(settings, Q3)
    return {"settings": settings, "path": path, "html": path.read_text(encoding="utf-8"), **tables}


def _q(frame: pd.DataFrame, quarter: str = "2025Q3") -> pd.DataFrame:
    return frame[frame["quarter"] == quarter]


def _int(element: Element, name: str) -> int:
    value = element.data(name)
    assert value is not None, f"{element.tag} {element.attrs.get('id')} has no data-{name}"
    return int(value)


def _rows(html: str, table_id: str) -> list[Element]:
    """The <tr> elements of a table's body that carry data attributes."""
    inside, rows = False, []
    for e in elements(html):
        if e.tag == "table":
            inside = e.attrs.get("id") == table_id
        elif inside and e.tag == "tr" and any(k.startswith("data-") for k in e.attrs):
            rows.append(e)
    return rows


def _visible_text(html: str) -> str:
    body = next(e for e in elements(html) if e.tag == "body")
    return re.sub(r"\s+", " ", body.text)


# ---------------------------------------------------------------- figures = warehouse
def test_feed_rows_and_totals_equal_the_warehouse(warehouse: dict) -> None:
    html, files = warehouse["html"], _q(warehouse["feed_file"])
    ids = by_id(html)
    expected = {
        "rows-received": int(files["rows_read"].sum()),
        "rows-accepted": int(files["rows_accepted"].sum()),
        "rows-quarantined": int(files["rows_quarantined"].sum()),
    }
    assert list(expected.values()) == [KNOWN_Q3[k] for k in ("rows_read", "rows_accepted",
                                                             "rows_quarantined")]  # fmt: skip
    chart = ids["chart-feed-rows"]
    assert chart.tag == "svg"
    for key, value in expected.items():
        assert _int(ids[f"kpi-{key}"], "value") == value
        assert ids[f"kpi-{key}"].text.strip().startswith(qr.fmt_int(value))  # shown as text
        assert ids[f"text-{key}"].text == qr.fmt_int(value)
        assert _int(chart, f"total-{key.removeprefix('rows-')}") == value
    per_feed = {r.data("feed"): r for r in _rows(html, "table-feeds")}
    for row in files.itertuples():
        shown = per_feed[row.feed]
        assert _int(shown, "rows-received") == row.rows_read
        assert _int(shown, "rows-accepted") == row.rows_accepted
        assert _int(shown, "rows-quarantined") == row.rows_quarantined
    assert _int(per_feed["total"], "rows-received") == expected["rows-received"]
    bars = {b.data("key"): b for b in elements(html) if b.tag == "g" and b.data("accepted")}
    assert {k: (_int(b, "accepted"), _int(b, "quarantined")) for k, b in bars.items()} == {
        "tax": (9, 6), "registry": (4, 1), "roll": (7, 1)
    }  # fmt: skip


def test_quarantine_reasons_are_counted_per_reason_in_vietnamese(warehouse: dict) -> None:
    html, quarantined = warehouse["html"], _q(warehouse["quarantine"])
    reasons = [r for joined in quarantined["reasons"] for r in joined.split(" | ")]
    ids = by_id(html)
    assert _int(ids["chart-quarantine-reasons"], "total-reason-rows") == len(reasons)
    assert ids["text-reason-rows"].text == str(len(reasons))
    shown = {
        (r.data("feed"), r.data("reason")): _int(r, "rows") for r in _rows(html, "table-reasons")
    }
    assert sum(shown.values()) == len(reasons)
    assert shown[("tax", "Mã số thuế: bỏ trống (bắt buộc)")] == 1
    # row 11 has two reasons (not a tax code, check digit): each is counted
    assert shown[("tax", "Mã số thuế: sai chữ số kiểm tra (MST không hợp lệ)")] == 2
    assert shown[("tax", "Dòng tổng cộng")] == 1
    assert shown[("tax", "Dòng tiêu đề lặp lại")] == 1
    assert shown[("tax", "Dòng trùng lặp")] == 1
    assert shown[("roll", "Mã đơn vị: bỏ trống (bắt buộc)")] == 1
    assert shown[("registry", "Mã số doanh nghiệp: sai chữ số kiểm tra (MST không hợp lệ)")] == 1


def test_completeness_of_key_fields_equals_the_staged_rows(warehouse: dict) -> None:
    html = warehouse["html"]
    shown = {(r.data("feed"), r.data("field")): r for r in _rows(html, "table-completeness")}
    roll, tax = _q(warehouse["staged_roll"]), _q(warehouse["staged_tax"])
    row = shown[("roll", "tax_code")]
    assert _int(row, "rows") == len(roll) == 7
    assert _int(row, "filled") == int(roll["tax_code"].notna().sum()) == 6  # TZ0007G has none
    assert float(row.data("share")) == pytest.approx(6 / 7)
    pit = shown[("tax", "pit_employees")]
    assert _int(pit, "rows") == len(tax) == 9
    assert _int(pit, "filled") == int(tax["pit_employees"].notna().sum())
    assert {feed for feed, _ in shown} == {"tax", "registry", "roll"}
    for r in shown.values():
        assert 0 <= _int(r, "filled") <= _int(r, "rows")


def test_tax_code_defects_of_the_roll_equal_the_warehouse(warehouse: dict) -> None:
    units, links = _q(warehouse["employer_unit"]), _q(warehouse["link"])
    firms = _q(warehouse["firm"])
    blank = units["tax_code_raw"].isna() | (units["tax_code_raw"].fillna("").str.strip() == "")
    invalid = ~blank & units["tax_code"].isna()
    linked = units.merge(links[links["band"] == "link"], on="unit_code", suffixes=("", "_link"))
    written = linked[linked["tax_code"].notna()]
    mismatched = written[(written["tax_code_link"] != written["tax_code"])
                         & (written["tax_code_link"] != written["tax_code"].str[:10])]  # fmt: skip
    branch = written[(written["tax_code_link"] != written["tax_code"])
                     & (written["tax_code_link"] == written["tax_code"].str[:10])]  # fmt: skip
    unknown = units["tax_code"].notna() & ~units["tax_code"].fillna("").str[:10].isin(
        set(firms["root"])
    )
    chart = by_id(warehouse["html"])["chart-roll-tax-codes"]
    assert _int(chart, "units") == len(units)
    assert _int(chart, "blank") == int(blank.sum()) == 1  # TZ0007G
    assert _int(chart, "invalid") == int(invalid.sum()) == 0
    assert _int(chart, "mismatched") == len(mismatched) == 0
    assert _int(chart, "branch-of-linked") == len(branch) == 1  # TZ0006F -> its parent
    assert _int(chart, "unknown-to-feeds") == int(unknown.sum()) == 0
    assert _int(chart, "defects") == 1
    assert _int(by_id(warehouse["html"])["kpi-tax-code-defects"], "value") == 1


def test_links_by_method_province_and_commune_equal_the_warehouse(warehouse: dict) -> None:
    html = warehouse["html"]
    units, links = _q(warehouse["employer_unit"]), _q(warehouse["link"])
    ids = by_id(html)
    linked = links[links["band"] == "link"]
    chart = ids["chart-links-by-method"]
    assert _int(chart, "units") == len(units) == 7
    assert _int(chart, "linked") == len(linked) == 6
    assert _int(chart, "review") == int((links["band"] == "review").sum()) == 0
    assert _int(chart, "unlinked") == len(units) - len(links) == 1
    for method, count in linked["method"].value_counts().items():
        assert _int(chart, f"method-{method.replace('_', '-')}") == count
    assert _int(chart, "method-exact") == 5 and _int(chart, "method-exact-parent") == 1
    assert _int(ids["kpi-units-linked"], "value") == 6
    assert ids["text-units-linked"].text == "6"
    (province,) = _rows(html, "table-links-by-province")
    assert province.data("province") == "82" and _int(province, "linked") == 6
    communes = _rows(html, "table-links-by-commune")
    assert sum(_int(c, "units") for c in communes) == len(units)
    assert sum(_int(c, "linked") for c in communes) == len(linked)
    my_tho = next(c for c in communes if c.data("commune") == "28261")  # Phường Mỹ Tho
    mapped = units[units["address"] == "Phường Mỹ Tho"]
    assert _int(my_tho, "units") == len(mapped) == 4
    assert _int(my_tho, "unlinked") == 1  # TZ0007G: no tax code, no link
    assert "Phường Mỹ Tho" in my_tho.text


def test_active_firms_with_employees_against_units_paying(warehouse: dict) -> None:
    firms, units, links = (_q(warehouse[n]) for n in ("firm", "employer_unit", "link"))
    employees = pd.concat([firms["pit_employees"].fillna(0), firms["declared_employees"].fillna(0)],
                          axis=1).max(axis=1)  # fmt: skip
    employing = firms[(firms["tax_status"] == "active") & (employees > 0)]
    paying_units = units[units["status"] == "paying"]
    paying_links = links[
        (links["band"] == "link") & links["unit_code"].isin(paying_units["unit_code"])
    ]
    employing_paying = employing[employing["tax_code"].isin(paying_links["tax_code"])]
    ids = by_id(warehouse["html"])
    chart = ids["chart-coverage"]
    assert _int(chart, "employing-firms") == len(employing) == 8
    assert _int(chart, "employing-paying") == len(employing_paying) == 4
    assert _int(chart, "paying-units") == len(paying_units) == 6
    assert _int(chart, "employing-not-paying") == 4
    assert ids["text-employing-firms"].text == "8"
    assert ids["text-paying-units"].text == "6"
    assert _int(ids["kpi-employing-paying"], "value") == 4


def test_findings_by_rule_with_money_at_stake(warehouse: dict) -> None:
    findings = _q(warehouse["finding"])
    inspection = findings[findings["severity"] > 0]  # severity 0: a data fix, not a lead
    ids = by_id(warehouse["html"])
    money = int(findings["money_counted"].sum())
    chart = ids["chart-findings-money"]
    assert _int(chart, "findings") == len(inspection) > 0
    assert _int(chart, "data-fixes") == len(findings) - len(inspection)
    assert _int(chart, "money-at-stake") == money
    assert _int(ids["kpi-findings"], "value") == len(inspection)
    assert _int(ids["kpi-money-at-stake"], "value") == money
    assert ids["text-findings"].text == qr.fmt_int(len(inspection))
    assert ids["text-money-at-stake"].text == qr.fmt_int(money)
    shown = {r.data("rule"): r for r in _rows(warehouse["html"], "table-findings")}
    for rule, group in findings.groupby("rule"):
        assert _int(shown[rule], "findings") == len(group)
        assert _int(shown[rule], "money-at-stake") == int(group["money_counted"].sum())
        assert _int(shown[rule], "severity") == int(group["severity"].max())
    assert set(shown) == {*findings["rule"], "total"}
    bars = [b for b in elements(warehouse["html"]) if b.tag == "g" and b.data("findings")]
    assert {b.data("key") for b in bars} == set(inspection["rule"])
    assert [_int(b, "value") for b in bars] == sorted(
        (_int(b, "value") for b in bars), reverse=True
    )


def test_trend_covers_the_earlier_quarter(warehouse: dict) -> None:
    html, files = warehouse["html"], warehouse["feed_file"]
    trend = {r.data("quarter"): r for r in _rows(html, "table-trend")}
    assert list(trend) == ["2025Q2", "2025Q3"]
    for quarter, row in trend.items():
        assert _int(row, "rows-received") == int(_q(files, quarter)["rows_read"].sum())
        found = _q(warehouse["finding"], quarter)
        assert _int(row, "findings") == int((found["severity"] > 0).sum())
        assert _int(row, "linked") == int((_q(warehouse["link"], quarter)["band"] == "link").sum())
    points = [e for e in elements(html) if e.tag == "circle" and e.data("quarter")]
    assert {p.data("quarter") for p in points} == {"2025Q2", "2025Q3"}
    for chart in ("rows", "quality", "links", "money"):
        assert _int(by_id(html)[f"chart-trend-{chart}"], "quarters") == 2


# ---------------------------------------------------------------- the page
def test_page_is_self_contained_and_opens_offline(warehouse: dict) -> None:
    html = warehouse["html"]
    assert warehouse["path"] == warehouse["settings"].output_dir / "2025Q3" / "quality_2025Q3.html"
    assert re.search(r"https?://", html, re.IGNORECASE) is None
    assert "<script" not in html.lower()
    assert re.search(r"<link\b|\bsrc\s*=|url\(|@import", html, re.IGNORECASE) is None
    svgs = [e for e in elements(html) if e.tag == "svg"]
    assert len(svgs) >= 9 and all(s.attrs["id"].startswith("chart-") for s in svgs)


def test_labels_are_vietnamese(warehouse: dict) -> None:
    html = warehouse["html"]
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    text = _visible_text(html)
    for phrase in ("Báo cáo chất lượng dữ liệu", "Dữ liệu nhận từ các nguồn", "Vì sao dòng bị cách ly",
                   "Mức độ đầy đủ", "Mã số thuế trên danh sách đơn vị BHXH", "Khớp mã số thuế",
                   "Doanh nghiệp có lao động", "Xu hướng qua các quý", "Thuế (Cục Thuế)",
                   "Danh sách đơn vị BHXH", "Đang đóng", "Trốn đóng", "Khung tham chiếu"):  # fmt: skip
        assert phrase in text, phrase
    # no English code or message reaches the reader (rule codes are shown as codes, on purpose)
    for english in ("check digit", "blank (required)", "duplicate of row", "total row", "exact_parent",
                    "rows_accepted", "tax_code", "paying", "Quarantine", "None", "nan"):  # fmt: skip
        assert english not in text, english
    assert "16,89%" in text  # the plan's 2025 target frames the report for province 82


def test_province_report_sits_beside_the_workbook(warehouse: dict) -> None:
    settings = warehouse["settings"]
    path = qr.build_quality_report(settings, "2025Q3", "82")
    assert path == settings.output_dir / "2025Q3" / "82" / "quality_82_2025Q3.html"
    html = path.read_text(encoding="utf-8")
    scope = by_id(html)["report-scope"]
    assert scope.data("province") == "82" and "Tỉnh Đồng Tháp" in scope.text
    assert _int(by_id(html)["kpi-rows-received"], "value") == KNOWN_Q3["rows_read"]


def test_a_province_or_quarter_without_data_gives_an_empty_report(warehouse: dict) -> None:
    settings = warehouse["settings"]
    html = qr.build_quality_report(settings, "2025Q3", "86").read_text(encoding="utf-8")
    ids = by_id(html)
    assert _int(ids["kpi-rows-received"], "value") == 0
    assert _int(ids["chart-links-by-method"], "units") == 0
    assert "Không có dữ liệu" in _visible_text(html)
    early = qr.build_quality_report(settings, "2024Q4").read_text(encoding="utf-8")
    assert [r.data("quarter") for r in _rows(early, "table-trend")] == ["2024Q4"]


# ---------------------------------------------------------------- pieces
@pytest.mark.parametrize(
    ("feed", "reason", "expected"),
    [
        ("tax", "tax_code: check digit does not match (invalid tax code)",
         "Mã số thuế: sai chữ số kiểm tra (MST không hợp lệ)"),
        ("tax", "duplicate of row 12", "Dòng trùng lặp"),
        ("roll", "unit_code: blank (required)", "Mã đơn vị: bỏ trống (bắt buộc)"),
        ("tax", "registered_on: '45x' is not a date (expected dd/mm/yyyy or yyyy-mm-dd)",
         "Ngày cấp MST: không phải ngày hợp lệ"),
        ("roll", "something new in row 12 'x'", "Something new in row N …"),
    ],
)  # fmt: skip
def test_reason_label(feed: str, reason: str, expected: str) -> None:
    assert qr.reason_label(feed, reason) == expected


def test_vietnamese_number_formats() -> None:
    assert qr.fmt_int(1234567) == "1.234.567"
    assert qr.fmt_pct(0.125) == "12,5%"
    assert qr.fmt_pct(None) == "—"
    assert qr.fmt_money_short(32_096_567_348) == "32,1 tỷ"
    assert qr.fmt_money_short(223_818_880) == "223,8 triệu"


@pytest.mark.slow
def test_report_sql_is_portable(tmp_path: Path, warehouse_url: str) -> None:
    """The same figures from SQLite and PostgreSQL (the report's SQL on both)."""
    settings = _settings(tmp_path, warehouse_url)
    known.write_known_quarter(settings.landing_dir)
    run_quarter(settings, Q3, "portable")
    with get_engine(warehouse_url).connect() as conn:
        figures = qr.collect(conn, settings.sql_dir, Q3, None)
        findings = read_frame(conn, t.finding, quarter="2025Q3")
        figures_82 = qr.collect(conn, settings.sql_dir, Q3, "82")
    assert {k: figures["feed_totals"][k] for k in KNOWN_Q3} == KNOWN_Q3
    assert figures["links"]["linked"] == 6 and figures["links"]["none"] == 1
    assert figures["tax_codes"]["blank"] == 1 and figures["tax_codes"]["branch_of_linked"] == 1
    assert figures["coverage"]["employing_firms"] == 8
    assert figures["coverage"]["employing_paying"] == 4
    assert figures["findings"]["money"] == int(findings["money_counted"].sum())
    assert figures["findings"]["findings"] == int((findings["severity"] > 0).sum())
    assert figures["reasons"]["total"] == 9
    assert figures_82["feed_totals"] == figures["feed_totals"]
    page = qr.render(figures)
    assert re.search(r"https?://", page) is None


# ---------------------------------------------------------------- seams of the report's modules
REPORT_MODULES = ("quality_report", "quality_collect", "quality_shapes", "quality_figures",
                  "quality_reasons", "quality_charts", "quality_page", "quality_words",
                  "svg_charts", "number_format", "data_attrs")  # fmt: skip
VIETNAMESE_LETTER = re.compile(r"[À-ỹĐđ]")


def _strings_not_docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr)
    }  # fmt: skip
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]  # fmt: skip


def test_every_word_of_the_report_comes_from_the_labels() -> None:
    """No Vietnamese in the report's Python (docstrings and comments aside) nor in its
    template: the words are in labels.yaml (report:)."""
    folder = Path(qr.__file__).parent
    for name in REPORT_MODULES:
        words = [
            s for s in _strings_not_docstrings(folder / f"{name}.py") if VIETNAMESE_LETTER.search(s)
        ]
        assert words == [], name
    template = (folder / "data" / "quality_report.html.j2").read_text(encoding="utf-8")
    assert VIETNAMESE_LETTER.search(template) is None


def test_a_sentence_is_filled_with_its_figures_escaped() -> None:
    """Words of labels.yaml are escaped like any text; a number the template wrapped in markup
    stays markup, any other value is escaped."""
    strong = Markup('<strong id="x">1.234</strong>')
    assert fill("Có {n} dòng & {m} tệp", n=strong, m="<b>2</b>") == (
        'Có <strong id="x">1.234</strong> dòng &amp; &lt;b&gt;2&lt;/b&gt; tệp'
    )


def test_the_chart_engine_shows_the_words_it_is_given() -> None:
    empty = str(hbar_chart("c", "<title>", [], attrs={}, fmt=str, empty="nothing <here>"))
    assert "nothing &lt;here&gt;" in empty and "&lt;title&gt;" in empty
    bars = str(stacked_chart("s", "t", [{"key": "a", "label": "A", "values": {"x": 3}}],
                             [("x", "X", "#000")], attrs={}, fmt=lambda v: f"<{v}>", empty=""))  # fmt: skip
    assert 'data-key="a"' in bars and "A – X: &lt;3&gt;" in bars and 'class="empty"' not in bars


def test_one_completeness_query_gives_each_feed_its_key_fields(warehouse: dict) -> None:
    """report_completeness.sql: the three feeds in one shape, eight labelled fields each."""
    settings = warehouse["settings"]
    with get_engine(settings.warehouse_url).connect() as conn:
        rows = run_query(conn, settings.sql_dir, "report_completeness", quarter="2025Q3",
                         province=None)  # fmt: skip
    fields = report_words()["fields"]
    q3 = {r["feed"]: r for r in rows if r["quarter"] == "2025Q3"}
    assert set(q3) == {"tax", "registry", "roll"}
    for row in q3.values():
        names = [row[f"field_{n}"] for n in range(1, 9)]
        assert names[:4] == ["tax_code", "name", "address", "status"]
        assert all(name in fields for name in names)
        assert all(0 <= row[f"filled_{n}"] <= row["rows_staged"] for n in range(1, 9))
    assert q3["tax"]["rows_staged"] == len(_q(warehouse["staged_tax"]))
