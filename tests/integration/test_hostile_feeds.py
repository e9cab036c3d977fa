"""Nothing a feed carries acts in what we publish: a quarter whose names, addresses, codes,
representatives and inspectors' notes are formulas and markup, run end to end, publishes no
formula in any workbook, no CSV value a spreadsheet would run, and no tag from a feed in any
HTML page (the quality report and the Great Expectations Data Docs). SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook

import known_feeds as known
from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.settings import Settings

Q3 = Quarter.parse("2025Q3")
HYPERLINK = '=HYPERLINK("http://evil.example/x","click")'
DDE = "=cmd|' /C calc'!A0"
SVG = "<svg/onload=alert(1)>"
IMG = "<img src=x onerror=alert(2)>"
LIVE = ("=", "+", "-", "@", "\t", "\r")


def _hostile_quarter(landing: Path) -> None:
    tax = [list(row) for row in known.TAX_ROWS]
    tax[1][2] = DDE  # MISSING's address: it heads a NOT_REGISTERED case
    tax[3][2] = "\t=1+1"  # EVADER's address, defused with a tab the way partners do
    registry = [list(row) for row in known.REGISTRY_ROWS]
    registry[1][1] = HYPERLINK  # MISSING's registered name, the one its case shows
    registry[1][3] = "= Văn Rồng"  # and its representative: masked to "=. V. R."
    roll = [list(row) for row in known.ROLL_ROWS]
    roll[2][1] = "+SUM(1,2)"  # TZ0003C's name
    roll[3][3] = "@A1"  # TZ0004D's address
    roll.append([SVG, "Đơn vị A", "", "-2+3", "Đang đóng", 1, 1, 1, 1, 0, 0, ""])
    roll.append([IMG, "\r=1+1", "", "", "Đang đóng", 1, 1, 1, 1, 0, 0, ""])
    folder = known.write_known_quarter(landing)
    known._write_csv(folder / "tax_82_2025Q3.csv", known.TAX_HEADER, tax, "utf-8-sig")
    known._write_csv(folder / "roll_82_2025Q3.csv", known.ROLL_HEADER, roll, "cp1258")
    # as CSV: openpyxl would store a str starting with "=" as a formula without a value
    (folder / "registry_82_2025Q3.xlsx").unlink()
    known._write_csv(folder / "registry_82_2025Q3.csv", known.REGISTRY_HEADER, registry, "utf-8")


def _decisions(folder: Path) -> None:
    with open(folder / "decisions_82_back.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã hồ sơ", "Kết luận", "Ghi chú", "Cán bộ kiểm tra", "Ngày kết luận"])
        writer.writerow(
            ["ARREARS-TZ0003C", "Đang xử lý", HYPERLINK, "=Nguyễn Văn Kiểm", "20/10/2025"]
        )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        # the pages' own handlers (Data Docs' filter buttons) are fine; the feeds' payloads
        # all call alert(), and no svg or img of ours has a handler
        self.handlers += [
            f"<{tag} {k}={v}>"
            for k, v in attrs
            if "alert(" in (v or "") or (k.startswith("on") and tag in ("svg", "img"))
        ]

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def test_no_feed_value_acts_in_any_published_file(tmp_path: Path, warehouse_url: str) -> None:
    settings = Settings.from_env(landing_dir=tmp_path / "landing", data_dir=tmp_path / "data",
                                 output_dir=tmp_path / "output", warehouse_url=warehouse_url)  # fmt: skip
    _hostile_quarter(settings.landing_dir)
    run_quarter(settings, Q3, "first")
    _decisions(settings.landing_dir / "2025Q3" / "82")
    summary = run_quarter(settings, Q3, "with-decisions")
    assert summary["feeds"]["decisions"]["rows_accepted"] == 1

    out = settings.output_dir
    workbooks = sorted(p for p in out.rglob("*.xlsx") if p.is_file())
    csvs = sorted(p for p in out.rglob("*.csv") if p.is_file())
    pages = sorted(p for p in out.rglob("*.html") if p.is_file())
    assert workbooks and len(csvs) >= 2 and len(pages) >= 2

    # the hostile values did reach the outputs (else this test would prove nothing)
    shown = "\n".join(str(c.value) for b in workbooks for s in load_workbook(b) for r in s.iter_rows() for c in r if c.value)  # fmt: skip
    assert HYPERLINK in shown and DDE in shown and "=. V. R." in shown
    everything_csv = "\n".join(p.read_text(encoding="utf-8-sig") for p in csvs)
    assert "'+SUM(1,2)" in everything_csv and "'=. V. R." in everything_csv

    # workbooks: no formula anywhere, in the sheet XML itself
    for book in workbooks:
        with zipfile.ZipFile(book) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = archive.read(name).decode("utf-8")
                    assert not re.search(r"<f[ >]", xml), f"{book.name}:{name} holds a formula"
        for sheet in load_workbook(book):
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{book.name}!{cell.coordinate}: {cell.value!r}"

    # CSVs: no value starts with a character a spreadsheet would act on
    for path in csvs:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                for value in row:
                    assert not value.startswith(LIVE), f"{path.name} line {line}: {value!r}"

    # HTML: no event handler or script from a feed; the markup shows as text
    for page in pages:
        parser = _Tags()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.handlers == [], f"{page}: {parser.handlers[:3]}"
        assert not any("alert(" in s for s in parser.scripts), page
