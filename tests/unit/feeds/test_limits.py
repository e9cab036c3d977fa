"""Limits on hostile input files: each refused before it is parsed, within seconds, in bounded
memory, with a message naming the limit, the value found, the limit set and what to do.

The hostile files are built here, small on disk: a workbook of a couple of KB whose used range is
the whole sheet, an 8 MB zip bomb of 1 GB of sheet XML, CSV files over a configured size or row
count and a CSV cell of 50,000,000 characters. The two workbooks that once took minutes and
gigabytes are read in a child process, which reports its own time and peak memory.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from reconcile.feeds.cleaning import clean
from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits import FeedLimits, check_workbook
from reconcile.feeds.readers import delimited as readers
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile.settings import DEFAULTS

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus" / "files"
TAX, ROLL, REGISTRY = specs()["tax"], specs()["roll"], specs()["registry"]
MB = 1024 * 1024
UNLIMITED = FeedLimits(
    max_file_bytes=1 << 40,
    max_rows=1 << 40,
    max_cell_chars=1 << 40,
    max_xlsx_cells=1 << 40,
    max_xlsx_uncompressed_bytes=1 << 40,
    max_xlsx_compression_ratio=1e12,
)

# ------------------------------------------------------------------ a workbook written by hand
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument"'
        ' Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet"'
        ' Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>MST</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Tên NNT</t></is></c></row>'
)
GOOD_ROW = (
    '<row r="2"><c r="A2" t="inlineStr"><is><t>0100233488</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>Công ty A</t></is></c></row>'
)


def _sheet(rows: str, *, dimension: str | None = None, after: str = "") -> bytes:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<worksheet xmlns="{_MAIN}">{declared}<sheetData>{rows}</sheetData>{after}</worksheet>'
    ).encode()


def _workbook(path: Path, sheet: bytes | Iterable[bytes], level: int = 6) -> Path:
    """A minimal valid .xlsx; the sheet XML is streamed in chunks, so it may be far larger
    than memory would like (written with zip64, as a bomb of more than 4 GB would need)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
        for part, text in _PARTS.items():
            book.writestr(part, text)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            for chunk in [sheet] if isinstance(sheet, bytes) else sheet:
                stream.write(chunk)
    return path


def _bomb_chunks(total: int) -> Iterator[bytes]:
    """A sheet of one header and ``total`` bytes of identical rows, 1 MB at a time; its rows
    and cells have no ``r``, so only a scan that places them as openpyxl does can count them."""
    yield f'<worksheet xmlns="{_MAIN}"><sheetData>{HEADER_ROW}'.encode()
    row = b"<row><c><v>1</v></c><c><v>2</v></c></row>"
    chunk = row * (MB // len(row))
    for _ in range(total // len(chunk) + 1):
        yield chunk
    yield b"</sheetData></worksheet>"


_CHILD = """
import json, resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a regression fails, not the host
from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
spec = specs()[sys.argv[2]]
start = time.perf_counter()
try:
    table = read_table(Path(sys.argv[1]), spec)
    outcome = f"read {len(table.rows)} rows"
except FeedFileError as exc:
    outcome = str(exc)
except MemoryError:
    outcome = "MemoryError"
seconds = time.perf_counter() - start
# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over exec, so a child forked from
# a large test process (pytest late in the suite: 600 MB) would report the parent's size
status = Path("/proc/self/status").read_text()
peak = int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1]) / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak}))
"""


def _read_in_child(path: Path, feed: str) -> dict[str, object]:
    """Read ``path`` with the default limits in a fresh process: its own time for the read, the
    process's wall time (start-up included), and its own peak memory (the whole process,
    interpreter and imports included)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "plugins"), env.get("PYTHONPATH")])
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), feed],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["wall_seconds"] = time.perf_counter() - start
    print(f"{path.name}: {report}")  # shown with -s: the figures the docs quote
    return report


def test_a_workbook_written_by_hand_reads(tmp_path: Path) -> None:
    """The control for the workbook tests: the hand-written package is a valid workbook, so a
    refusal below is the limits' doing, not a broken file's."""
    path = _workbook(tmp_path / "tax.xlsx", _sheet(HEADER_ROW + GOOD_ROW, dimension="A1:B2"))
    table = read_table(path, TAX)
    assert table.rows == [(2, ["0100233488", "Công ty A"])]


# ------------------------------------------------------------------ 1. the whole sheet used
def test_a_sparse_workbook_spanning_the_whole_sheet_is_refused_fast(tmp_path: Path) -> None:
    """The probe's 1.5 KB workbook ran 189 s to a MemoryError at 4.8 GB: openpyxl made a cell
    for each of the 17 billion positions from A1 to XFD1048576. This one (1,517 bytes), read
    by the reader as it was before the limits, ended in a MemoryError after 103 s at 5.3 GB."""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    sheet = _sheet(HEADER_ROW + GOOD_ROW + far, dimension="A1:XFD1048576")
    path = _workbook(tmp_path / "tax_sparse.xlsx", sheet)
    assert path.stat().st_size < 3_000
    report = _read_in_child(path, "tax")
    assert "A1:XFD1048576" in report["outcome"]
    assert "17,179,869,184 cells" in report["outcome"]
    assert "limits.max_xlsx_cells" in report["outcome"]
    assert report["seconds"] < 10 and report["wall_seconds"] < 10
    assert report["peak_mb"] < 500


@pytest.mark.parametrize(
    ("sheet", "found"),
    [
        pytest.param(  # declared, though no cell is there
            _sheet(HEADER_ROW + GOOD_ROW, dimension="A1:XFD1048576"),
            "declares its used range as A1:XFD1048576 (1,048,576 rows × 16,384 columns",
            id="declared",
        ),
        pytest.param(  # reached by a cell, though the sheet declares nothing
            _sheet(HEADER_ROW + GOOD_ROW + '<row r="600000"><c r="J600000"><v>1</v></c></row>'),
            "cells reaching A1:J600000 (600,000 rows × 10 columns = 6,000,000 cells)",
            id="reached-by-a-cell",
        ),
        pytest.param(  # reached by a merged range: openpyxl makes a cell for each position
            _sheet(
                HEADER_ROW + GOOD_ROW,
                after='<mergeCells><mergeCell ref="C3:C5000002"/></mergeCells>',
            ),
            "cells reaching A1:C5000002",
            id="reached-by-a-merged-range",
        ),
        pytest.param(  # so does a hyperlink over a range
            _sheet(
                HEADER_ROW + GOOD_ROW,
                after='<hyperlinks><hyperlink ref="A1:XFD1"/>'
                '<hyperlink ref="A400:A1000000"/></hyperlinks>',
            ),
            "cells reaching A1:XFD1000000",
            id="reached-by-hyperlinks",
        ),
        pytest.param(  # many small merges, each inside the sheet: their areas add up
            _sheet(
                HEADER_ROW + GOOD_ROW,
                after="<mergeCells>" + '<mergeCell ref="A1:BZ2000"/>' * 40 + "</mergeCells>",
            ),
            "merged cells and hyperlinks in xl/worksheets/sheet1.xml cover 6,240,000 cells",
            id="merged-areas",
        ),
    ],
)
def test_every_way_a_sheet_reaches_far_is_refused(tmp_path: Path, sheet: bytes, found: str) -> None:
    path = _workbook(tmp_path / "tax.xlsx", sheet)
    with pytest.raises(FeedFileError) as caught:
        read_table(path, TAX)
    assert found in caught.value.fault
    assert "over the limit of 5,000,000 cells (limits.max_xlsx_cells)" in caught.value.fault
    assert "raise limits.max_xlsx_cells in the config" in caught.value.fault


def test_cells_without_references_are_placed_as_openpyxl_places_them(tmp_path: Path) -> None:
    """Rows and cells with no ``r`` follow the one before: 40 rows of 30 cells reach A1:AD41."""
    row = "<row>" + "<c><v>1</v></c>" * 30 + "</row>"
    path = _workbook(tmp_path / "tax.xlsx", _sheet(HEADER_ROW + row * 40))
    data = path.read_bytes()
    check_workbook(data, "tax.xlsx", FeedLimits(max_xlsx_cells=41 * 30))
    with pytest.raises(FeedFileError, match=r"cells reaching A1:AD41 \(41 rows × 30 columns"):
        check_workbook(data, "tax.xlsx", FeedLimits(max_xlsx_cells=41 * 30 - 1))


# ------------------------------------------------------------------ 2. zip bombs
def test_a_zip_bomb_of_a_gigabyte_of_sheet_xml_is_refused_fast(tmp_path: Path) -> None:
    """The probe's 6.7 MB workbook of 2 GB of sheet XML was still parsing after 300 s at 3.8
    GB; this one, read as before the limits, ended in a MemoryError after 222 s at 6.0 GB. The
    zip directory gives it away before a byte is inflated."""
    path = _workbook(tmp_path / "tax_bomb.xlsx", _bomb_chunks(1 << 30), level=1)
    with zipfile.ZipFile(path) as book:
        inflated = book.getinfo("xl/worksheets/sheet1.xml").file_size
    assert inflated >= 1 << 30
    assert path.stat().st_size < 10 * MB
    report = _read_in_child(path, "tax")
    assert "xl/worksheets/sheet1.xml inflates from" in report["outcome"]
    assert "(limits.max_xlsx_compression_ratio)" in report["outcome"]
    assert report["seconds"] < 10 and report["wall_seconds"] < 10
    assert report["peak_mb"] < 500


def test_the_inflated_size_and_the_ratio_are_read_from_the_zip_directory(tmp_path: Path) -> None:
    """The smaller bomb under smaller limits: each directory check on its own."""
    path = _workbook(tmp_path / "tax.xlsx", _bomb_chunks(8 * MB))
    data = path.read_bytes()
    with zipfile.ZipFile(path) as book:
        inflated = sum(info.file_size for info in book.infolist())
        sheet = book.getinfo("xl/worksheets/sheet1.xml")
    no_ratio = FeedLimits(max_xlsx_uncompressed_bytes=4 * MB, max_xlsx_compression_ratio=1e6)
    with pytest.raises(FeedFileError) as caught:
        check_workbook(data, "tax.xlsx", no_ratio)
    assert f"the workbook inflates to {inflated / MB:.1f} MB ({inflated:,} bytes)" in (
        caught.value.fault
    )
    assert (
        "over the limit of 4.0 MB (4,194,304 bytes) (limits.max_xlsx_uncompressed_bytes)"
        in caught.value.fault
    )
    ratio = sheet.file_size / sheet.compress_size
    assert ratio > 100
    with pytest.raises(FeedFileError) as caught:
        check_workbook(data, "tax.xlsx", FeedLimits())
    assert f"{ratio:,.0f} times, over the limit of 100 times" in caught.value.fault
    check_workbook(data, "tax.xlsx", FeedLimits(max_xlsx_compression_ratio=ratio + 1))


def test_a_bomb_let_through_the_directory_is_still_stopped_by_its_cells(tmp_path: Path) -> None:
    """Raise the directory limits and the stream scan still refuses the rows it counts, long
    before the end of the sheet: memory stays at one chunk and time at a few seconds."""
    path = _workbook(tmp_path / "tax.xlsx", _bomb_chunks(200 * MB), level=1)
    lenient = FeedLimits(
        max_xlsx_uncompressed_bytes=1 << 40, max_xlsx_compression_ratio=1e9, max_xlsx_cells=10**6
    )
    with pytest.raises(FeedFileError) as caught:
        read_table(path, TAX, limits=lenient)
    assert "over the limit of 1,000,000 cells (limits.max_xlsx_cells)" in caught.value.fault
    assert re.search(
        r"cells reaching A1:B\d+ \(\d{1,3}(,\d{3})+ rows × 2 columns", caught.value.fault
    )


def test_a_flood_of_empty_rows_is_refused_before_openpyxl(tmp_path: Path) -> None:
    """A row with a height and no cell makes no cell, but openpyxl keeps an object for it."""
    rows = "".join(f'<row r="{n}" ht="20" customHeight="1"/>' for n in range(3, 1_303))
    path = _workbook(tmp_path / "tax.xlsx", _sheet(HEADER_ROW + GOOD_ROW + rows))
    with pytest.raises(FeedFileError) as caught:
        read_table(path, TAX, limits=FeedLimits(max_rows=100))
    assert "1,302 row records in the sheets" in caught.value.fault
    assert "more than the 1,200 a workbook of at most 100 data rows" in caught.value.fault


def test_a_package_of_countless_parts_is_refused_before_zipfile_lists_them(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "tax.xlsx", _sheet(HEADER_ROW + GOOD_ROW))
    with zipfile.ZipFile(path, "a") as book:
        for n in range(10_001):
            book.writestr(f"xl/junk/{n}", b"")
    with pytest.raises(
        FeedFileError, match=r"the workbook has 10,00\d parts, more than the 10,000"
    ):
        read_table(path, TAX)


def test_an_entity_bomb_is_refused(tmp_path: Path) -> None:
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>' + _sheet(HEADER_ROW)
    path = _workbook(tmp_path / "tax.xlsx", laughs)
    with pytest.raises(FeedFileError, match="declares a DTD or entities"):
        read_table(path, TAX)


# ------------------------------------------------------------------ 3. file size
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tax.csv"
    path.write_text("MST,Tên NNT\n" + "0100233488,Công ty A\n" * 75_000, encoding="utf-8")
    size = path.stat().st_size
    assert size > 1.5 * MB

    def never(self: Path) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(FeedFileError) as caught:
        read_table(path, TAX, limits=FeedLimits(max_file_bytes=1 * MB))
    fault = caught.value.fault
    assert f"file of {size / MB:.1f} MB ({size:,} bytes)" in fault
    assert "over the limit of 1.0 MB (1,048,576 bytes) (limits.max_file_bytes)" in fault
    assert "split the file, or raise limits.max_file_bytes in the config" in fault


# ------------------------------------------------------------------ 4. rows
def _tax_csv(path: Path, rows: int, blank_lines: int = 0) -> Path:
    body = "".join(f"{i:010d},Công ty {i}\n" for i in range(rows))
    path.write_text("MST,Tên NNT\n" + "\n" * blank_lines + body, encoding="utf-8")
    return path


def test_a_file_of_exactly_max_rows_is_read(tmp_path: Path) -> None:
    table = read_table(_tax_csv(tmp_path / "tax.csv", 100), TAX, limits=FeedLimits(max_rows=100))
    assert len(table.rows) == 100


def test_a_file_over_max_rows_is_refused_at_the_first_row_over(tmp_path: Path) -> None:
    path = _tax_csv(tmp_path / "tax.csv", 150)
    with pytest.raises(FeedFileError) as caught:
        read_table(path, TAX, limits=FeedLimits(max_rows=100))
    assert caught.value.row == 102  # the header on line 1, then the 101st data row
    assert "more than 100 data rows (limits.max_rows)" in caught.value.fault
    assert "raise limits.max_rows in the config" in caught.value.fault


def test_all_sheets_of_a_workbook_count_towards_max_rows(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{n:010d}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>Công ty {n}</t></is></c></row>'
        for n in range(2, 32)
    )
    path = _workbook(tmp_path / "tax.xlsx", _sheet(HEADER_ROW + rows))
    assert len(read_table(path, TAX, limits=FeedLimits(max_rows=30)).rows) == 30
    with pytest.raises(FeedFileError, match=r"more than 29 data rows") as caught:
        read_table(path, TAX, limits=FeedLimits(max_rows=29))
    assert caught.value.row == 31


def test_a_flood_of_lines_is_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of tiny lines costs about 60 bytes a line once decoded, whatever its size on
    disk: its line breaks are counted in the bytes first."""
    path = _tax_csv(tmp_path / "tax.csv", 10, blank_lines=5_000)

    def never(data: bytes, name: str) -> None:
        raise AssertionError("the file was decoded")

    monkeypatch.setattr(readers, "decode_text", never)
    with pytest.raises(FeedFileError) as caught:
        read_table(path, TAX, limits=FeedLimits(max_rows=100))
    assert "5,011 lines, more than the 1,200 a file of at most 100 data rows" in caught.value.fault
    assert "(limits.max_rows)" in caught.value.fault


# ------------------------------------------------------------------ 5. cell length
def test_a_huge_cell_quarantines_its_row_and_keeps_the_others(tmp_path: Path) -> None:
    """The probe's 50,000,000-character firm name was stored; now its row is quarantined with
    the reason, the text kept is cut, and the good rows around it are read as ever."""
    huge = "x" * 50_000_000
    path = tmp_path / "tax.csv"
    path.write_text(
        "MST,Tên NNT,Trạng thái\n"
        "8200017407,Công ty CP Thủy sản Cửu Long,00\n"
        f"8200017774,{huge},00\n"
        "8200018143,Công ty TNHH Vận tải Sông Tiền,00\n",
        encoding="utf-8",
    )
    del huge
    table = read_table(path, TAX)
    assert [line for line, _ in table.rows] == [2, 3, 4]
    frame = clean(table, TAX)
    assert frame.loc[0, "reasons"] == [] and frame.loc[2, "reasons"] == []
    assert frame.loc[2, "name"] == "Công ty TNHH Vận tải Sông Tiền"
    assert frame.loc[1, "reasons"] == [
        "name: cell of 50,000,000 characters, longer than the limit of 4,000"
        " (limits.max_cell_chars); the text kept in raw is cut"
    ]
    kept = json.loads(frame.loc[1, "raw"])["name"]
    assert kept == "x" * 4_000 + "… [cut: 50,000,000 characters]"
    assert kept == table.rows[1][1][1]  # cut as read: nothing downstream holds the whole cell


def test_long_cells_in_json_lines_and_unknown_columns_are_cut_too(tmp_path: Path) -> None:
    path = tmp_path / "tax.jsonl"
    lines = [
        {"mst": "8200017407", "ten_nnt": "Công ty A", "ghi_chu": "y" * 5_000},
        {"mst": "8200017774", "ten_nnt": "Công ty B", "ghi_chu": ["z" * 100] * 100},
        {"mst": "8200018143", "ten_nnt": "Công ty C"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    frame = clean(read_table(path, TAX, limits=FeedLimits(max_cell_chars=1_000)), TAX)
    assert frame.loc[0, "reasons"] == [
        "ghi_chu: cell of 5,000 characters, longer than the limit of 1,000"
        " (limits.max_cell_chars); the text kept in raw is cut"
    ]
    assert "ghi_chu: cell of 10," in frame.loc[1, "reasons"][0]  # the list, as JSON text
    assert json.loads(frame.loc[1, "raw"])["ghi_chu"].endswith(" characters]")
    assert frame.loc[2, "reasons"] == []


# ------------------------------------------------------------------ 6. configuration
def test_limits_come_from_the_settings_and_default_safely() -> None:
    assert FeedLimits.from_options(DEFAULTS) == FeedLimits()
    assert FeedLimits.from_options(None) == FeedLimits()
    limits = FeedLimits.from_options({"limits": {"max_rows": 300_000, "max_file_bytes": 1e8}})
    assert limits.max_rows == 300_000 and limits.max_file_bytes == 100_000_000
    assert limits.max_cell_chars == FeedLimits().max_cell_chars


def test_the_config_example_documents_every_limit_at_its_default() -> None:
    example = yaml.safe_load((ROOT / "config" / "reconcile.example.yaml").read_text("utf-8"))
    assert set(example["limits"]) == {field.name for field in dataclasses.fields(FeedLimits)}
    assert FeedLimits.from_options(example) == FeedLimits()


def test_a_misspelt_limit_is_refused_naming_it_and_the_valid_keys() -> None:
    with pytest.raises(ValueError) as caught:
        FeedLimits.from_options({"limits": {"max_row": 100}})
    message = str(caught.value)
    assert "unknown key 'max_row'" in message and "did you mean 'max_rows'?" in message
    for field in dataclasses.fields(FeedLimits):
        assert field.name in message


@pytest.mark.parametrize(
    "section",
    [
        {"max_rows": 0},
        {"max_rows": -5},
        {"max_rows": "2000"},
        {"max_rows": True},
        {"max_cell_chars": 4000.5},
        "max_rows: 10",
    ],
)
def test_a_limit_that_is_not_a_positive_number_is_refused(section: object) -> None:
    with pytest.raises(ValueError, match="limits"):
        FeedLimits.from_options({"limits": section})


# ------------------------------------------------------------------ 7. normal workbooks unchanged
# Read by the reader as it was before the limits (at ba649df): header line, columns, extra
# columns, rows. registry_82_2025Q3.xlsx is a roll file sent in the registry slot.
# fmt: off
CORPUS_WORKBOOKS = {
    ("registry_82_2025Q3.xlsx", "roll"): (
        3, {0: "unit_code", 1: "name", 2: "tax_code", 3: "status"}, {},
        [(4, ["TZ0001A", "Công ty TNHH Hiệp Phát", "8200010017", "Đang đóng"])],
    ),
    ("roll_title_block.xlsx", "roll"): (
        5,
        {0: "unit_code", 1: "name", 2: "tax_code", 3: "joined_on", 4: "status",
         5: "insured_employees", 6: "wage_bill", 7: "arrears", 8: "reminded_on"},
        {},
        [
            (6, ["TZ0101A", "Công ty TNHH Hiệp Phát", 102334805, 45000, "Đang đóng", 25,
                 125000000, 0, None]),
            (7, ["TZ0102B", "Công ty CP Thủy sản Cửu Long", "302334915-001",
                 datetime(2019, 7, 1), "Đang đóng", "30", "1.500.000.000", "48.000.000",
                 45900]),
            (8, ["TZ0103C", "HTX Nông sản Tân Phước", 8200011116, "15/01/2020",
                 "Tạm dừng đóng", 9, 40000000, 51200000, "2025-08-15"]),
            (9, ["TZ0104D", "Công ty TNHH MTV Phú Thịnh", "8200011483", "44197", "Đang đóng",
                 40, 200000000, 0, None]),
        ],
    ),
    ("registry_merged_cells.xlsx", "registry"): (
        4,
        {1: "enterprise_code", 2: "name", 3: "legal_form", 4: "address", 5: "founded_on",
         6: "status", 7: "declared_employees"},
        {0: "STT"},
        [  # a merged legal form spreads down its column; a merged heading stays in its first
            (5, ["I. THÀNH PHỐ MỸ THO", None, None, None, None, None, None, None]),
            (6, [1, "8200013709", "Công ty TNHH Hiệp Phát", "Công ty TNHH một thành viên",
                 "Số 5 đường 30/4, Phường Mỹ Tho, Tỉnh Đồng Tháp", "2020-01-10",
                 "Đang hoạt động", 20]),
            (7, [2, "8200014075", "Công ty cổ phần Tân Hải", "Công ty TNHH một thành viên",
                 "Ấp 3, Xã Mỹ Phong, Thành phố Mỹ Tho, Tỉnh Tiền Giang", "2024-02-20",
                 "Đang hoạt động", 10]),
            (8, [3, "8200014445", "Công ty TNHH Thương mại và Dịch vụ Xuất nhập khẩu Ưu Việt",
                 None, "Phường Cao Lãnh, Tỉnh Đồng Tháp", "2018-05-01", "Tạm ngừng kinh doanh",
                 5]),
            (9, ["Tổng cộng", None, None, None, None, None, None, 35]),
        ],
    ),
}
# fmt: on


@pytest.mark.parametrize(("file_name", "feed"), list(CORPUS_WORKBOOKS))
def test_normal_workbooks_read_exactly_as_before(file_name: str, feed: str) -> None:
    """As read before the limits existed (recorded from that reader): header, columns and
    every cell, merged ranges spread down; and the same with the limits lifted."""
    header_line, columns, extra, rows = CORPUS_WORKBOOKS[(file_name, feed)]
    table = read_table(CORPUS / file_name, specs()[feed])
    assert table.header_line == header_line
    assert table.columns == columns and table.extra_columns == extra
    assert table.rows == rows and table.faults == {}
    unlimited = read_table(CORPUS / file_name, specs()[feed], limits=UNLIMITED)
    assert dataclasses.asdict(unlimited) == dataclasses.asdict(table)


def test_a_workbook_in_the_wrong_slot_is_still_named_as_such() -> None:
    with pytest.raises(FeedFileError, match="row 3 is the header of a 'roll' file"):
        read_table(CORPUS / "registry_82_2025Q3.xlsx", REGISTRY)
