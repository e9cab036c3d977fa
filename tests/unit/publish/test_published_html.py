"""A quarter whose feeds carry markup and formulas, through the whole pipeline: nothing acts.

The probe found the Data Docs site holding raw ``<svg/onload=…>`` and ``<img src=x
onerror=…>`` from the roll's unit-code column (GX puts unexpected values into its tables as
HTML). Here the known quarter's roll gets units whose codes, names and addresses are such
values, the quarter runs as the DAG runs it, and every published file is read back: each HTML
page of the Data Docs site and the quality report with the standard library's HTML parser
(no element or event handler made of feed text, the text itself still visible), the workbook's
sheet XML (no formula), the CSVs (no live field) and the output folders (no temporary file).
"""

from __future__ import annotations

import csv
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import known_feeds as known
from reconcile.pipeline import run_quarter
from reconcile.publish import quality_report as qr
from reconcile.publish.neutral import FORMULA_START
from reconcile.quality.data_docs import build_data_docs
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse.engine import get_engine

Q3 = Quarter.parse("2025Q3")
SVG = "<svg/onload=alert(1)>"
IMG = "<img src=x onerror=alert(1)>"
IMG_NO_SPACES = "<img/src=x/onerror=alert(2)>"  # a payload that survives the code's blank removal
SCRIPT = "<script>alert(3)</script>"
HYPERLINK = '=HYPERLINK("http://x","click")'
GX_LOGO = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"


class Page(HTMLParser):
    """Tags, attributes, script bodies and the text a reader sees, of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def _parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _assert_nothing_acts(page: Page, where: str) -> None:
    """No element or handler made of feed text: no svg/img/script tag but the page's own
    (the GX logo, the report's charts), no on* attribute running our payloads, no script body
    holding them, no tag name holding '=' (what ``<imgsrc=x...>`` parses to)."""
    for tag, attrs in page.tags:
        values = dict(attrs)
        assert "=" not in tag and "(" not in tag, f"{where}: a tag made of feed text: <{tag}>"
        for name, value in attrs:
            if name.startswith("on"):
                assert "alert" not in (value or ""), f"{where}: <{tag} {name}={value!r}>"
        if tag == "img":
            assert (values.get("src") or "").startswith(GX_LOGO), f"{where}: <img {attrs}>"
        if tag == "svg":
            assert values.get("class") == "chart" and not any(
                n.startswith("on") for n, _ in attrs
            ), f"{where}: <svg {attrs}>"
    for body in page.scripts:
        assert "alert(" not in body, f"{where}: feed text inside a script"


def _write_hostile_quarter(settings: Settings) -> None:
    """The known quarter; the roll gets three units with markup for codes (refused by the
    unit-code expectation, so they reach the GX result as unexpected values) and one good unit
    with a formula for a name and markup for an address."""
    folder = known.write_known_quarter(settings.landing_dir)
    rows = [list(row) for row in known.ROLL_ROWS]
    hostile = [[SVG, "Cty X", "", "Phường Mỹ Tho", "Đang đóng", 1, 1, 1, 1, 0, 0, ""],
               [IMG, "Cty Y", "", "Phường Mỹ Tho", "Đang đóng", 1, 1, 1, 1, 0, 0, ""],
               [IMG_NO_SPACES, "Cty Z", "", "Phường Mỹ Tho", "Đang đóng", 1, 1, 1, 1, 0, 0, ""]]  # fmt: skip
    late = next(row for row in rows if row[0] == "TZ0004D")  # ARREARS_LATE: it is a case
    late[1], late[3] = HYPERLINK, f"{SCRIPT} Xã Tân Phước"
    known._write_csv(folder / "roll_82_2025Q3.csv", known.ROLL_HEADER, rows + hostile, "utf-8")


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("hostile")
    settings = Settings.from_env(landing_dir=base / "landing", data_dir=base / "data",
                                 output_dir=base / "output", warehouse_url=f"sqlite:///{base / 'w.db'}")  # fmt: skip
    _write_hostile_quarter(settings)
    summary = run_quarter(settings, Q3, "hostile")
    # The reader drops the blanks of a code, so the roll's "<img src=x onerror=...>" was
    # validated as "<imgsrc=xonerror=...>". Put it back as a reader that kept them would have
    # saved it, and rebuild the site: the escaping must not depend on that cleaning.
    saved = list((settings.data_dir / "validations").glob("*.json"))
    patched = 0
    for path in saved:
        text = path.read_text(encoding="utf-8")
        spaceless = json.dumps(IMG.replace(" ", ""))[1:-1]
        if spaceless in text:
            path.write_text(text.replace(spaceless, json.dumps(IMG)[1:-1]), encoding="utf-8")
            patched += 1
    assert patched == 1, "the roll's validation result did not hold the unit code"
    docs = build_data_docs(settings, Q3)
    assert docs is not None
    return {"settings": settings, "summary": summary, "docs": docs}


def test_the_saved_validation_result_holds_the_hostile_unit_codes(quarter: dict) -> None:
    """The premise: GX did get the feed's markup as unexpected values (else the next test
    would prove nothing)."""
    folder = quarter["settings"].data_dir / "validations"
    saved = [path.read_text(encoding="utf-8") for path in folder.glob("*.json")]
    for payload in (SVG, IMG, IMG_NO_SPACES):
        assert any(json.dumps(payload)[1:-1] in text for text in saved), payload


def test_data_docs_hold_no_tag_or_handler_from_a_feed_and_show_the_text(quarter: dict) -> None:
    """Every page of the site: nothing from the feed is markup; the validation page shows the
    unit codes as text, exactly once escaped (no "&lt;" left in what a reader sees)."""
    pages = sorted(quarter["docs"].parent.rglob("*.html"))
    assert len(pages) > 2
    seen = ""
    for path in pages:
        page = _parse(path)
        _assert_nothing_acts(page, str(path.relative_to(quarter["docs"].parent)))
        seen += "\n".join(page.text)
    for payload in (SVG, IMG, IMG_NO_SPACES):
        assert payload in seen, f"{payload} not visible as text"
    assert "&lt;" not in seen and "&amp;" not in seen, "escaped twice"


def test_the_quality_report_escapes_every_text_it_draws(quarter: dict) -> None:
    """The report's texts are labels today, but a reason, a commune or a rule title may one
    day quote a feed. Every text of the real figures is replaced with markup, the page is
    rendered: no element from it, every text still shown (tables and SVG chart labels)."""
    settings = quarter["settings"]
    with get_engine(settings.warehouse_url).connect() as conn:
        figures = qr.collect(conn, settings.sql_dir, Q3, None, settings.options)
    counter = {"n": 0}

    def hostile(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: hostile(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [hostile(v, key) for v in value]
        if isinstance(value, str) and key in ("label", "reason", "name", "title", "feed_label"):
            counter["n"] += 1
            return f"{SVG}{IMG}{SCRIPT} {key}"
        return value

    page_html = qr.render(hostile(figures))
    assert counter["n"] > 20
    path = settings.output_dir / "hostile_report.html"
    path.write_text(page_html, encoding="utf-8")
    page = _parse(path)
    _assert_nothing_acts(page, "quality report")
    text = "\n".join(page.text)
    assert f"{SVG}{IMG}{SCRIPT} reason" in text and f"{SVG}{IMG}{SCRIPT} name" in text
    charts = page_html.count("<svg ")
    assert charts >= 8 and page_html.count('<svg id="chart-') == charts  # only the report's own


def test_a_data_attribute_name_is_never_made_of_text() -> None:
    """Escaping keeps a value inside its quotes but cannot make ``x onload=...`` a safe
    attribute name: such a name is refused."""
    assert str(qr._data_attrs({"reason": SVG})) == ' data-reason="&lt;svg/onload=alert(1)&gt;"'
    with pytest.raises(ValueError, match="not a data attribute name"):
        qr._data_attrs({"x onload=alert(1) y": 1})


def test_the_published_workbook_and_csvs_of_the_quarter_have_nothing_live(quarter: dict) -> None:
    """The roll's formula-named unit is a case: the workbook shows its name as text (no <f> in
    any sheet), the CSVs carry it quoted, and no temporary file is left in the outputs."""
    published = quarter["summary"]["published"][0]
    with zipfile.ZipFile(published["workbook"]) as archive:
        sheets = {n: archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")}
    assert sheets and not any(b"<f>" in data or b"<f " in data for data in sheets.values())
    assert any(b"=HYPERLINK(&quot;http://x&quot;,&quot;click&quot;)" in data or HYPERLINK.encode() in data
               for data in sheets.values()), "the formula-named case is not in the workbook"  # fmt: skip
    for key in ("csv", "quarantine"):
        with open(published[key], encoding="utf-8-sig", newline="") as handle:
            fields = [field for row in csv.reader(handle) for field in row]
        assert not any(field.startswith(FORMULA_START) for field in fields), key
    with open(published["csv"], encoding="utf-8-sig", newline="") as handle:
        assert "'" + HYPERLINK in [field for row in csv.reader(handle) for field in row]
    leftovers = [p for p in quarter["settings"].output_dir.rglob(".*") if p.suffix == ".tmp"]
    assert leftovers == []
