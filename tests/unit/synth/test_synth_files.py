"""The landing files: layout, headers from spec.yaml, encodings, workbooks that open."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth_support import fold, make, nfc, quarters, spec, text_of

from reconcile_dev.synth import SynthConfig, TroubleRates
from reconcile_dev.synth.noise import to_cp1258

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def test_landing_layout_and_counts(world) -> None:
    names = {
        p.relative_to(world.landing).as_posix() for p in world.landing.rglob("*") if p.is_file()
    }
    expected = {
        f"{q}/{p}/{feed}_{p}_{q}.{ext}"
        for q in ("2025Q2", "2025Q3")
        for p in ("82", "01")
        for feed, ext in (("tax", "csv"), ("registry", "xlsx"), ("roll", "csv"))
    }
    assert names == expected
    assert sorted(world.result.files) == sorted(world.landing / n for n in expected)
    for part in world.partitions:
        for feed in ("tax", "registry", "roll"):
            assert (
                len(part.file(feed).rows)
                == world.result.counts[(feed, part.quarter, part.province)]
            )
        truth = sorted(p.name for p in part.truth.iterdir())
        assert truth == [
            "config.json",
            "file_faults.csv",
            "findings.csv",
            "firms.csv",
            "links.csv",
            "units.csv",
        ]
    assert world.result.firms > 12000 and world.result.units > 8000 and world.result.elapsed > 0
    assert sum(world.result.findings.values()) == sum(
        len(p.table("findings.csv")) for p in world.partitions
    )


def test_headers_are_spellings_from_the_spec(many_files) -> None:
    for part in many_files.partitions[:20]:
        for feed in ("tax", "registry", "roll"):
            written = part.file(feed)
            columns = spec()[feed]["columns"]
            assert sorted(written.plan["columns"]) == sorted(columns)
            for column, header in zip(written.plan["columns"], written.headers, strict=True):
                assert fold(text_of(header)) in {fold(h) for h in columns[column]["headers"]}, (
                    feed,
                    header,
                )


def test_workbooks_open_with_their_title_block(world) -> None:
    from openpyxl import load_workbook

    for part in world.partitions:
        path = part.landing / f"registry_{part.province}_{part.quarter}.xlsx"
        plan = part.meta["files"][path.name]
        book = load_workbook(path)  # the full reader, as the pipeline uses it
        sheet = book.worksheets[0]
        title = len(plan["title_rows"])
        if title:
            assert str(sheet.cell(1, 1).value).startswith("DANH SÁCH DOANH NGHIỆP")
            assert sheet.merged_cells.ranges
        assert [sheet.cell(title + 1, i + 1).value for i in range(len(plan["headers"]))] == plan[
            "headers"
        ]
        assert book.properties.created == book.properties.modified
        assert book.properties.created.date().isoformat() > f"{part.quarter[:4]}-01-01"
        with zipfile.ZipFile(path) as archive:
            stamps = {info.date_time for info in archive.infolist()}
        assert len(stamps) == 1


def test_the_project_reader_finds_header_and_rows(world) -> None:
    readers = pytest.importorskip("reconcile.feeds.readers")
    feeds = pytest.importorskip("reconcile.feeds.spec")
    for part in world.partitions:
        for feed in ("tax", "registry", "roll"):
            written = part.file(feed)
            table = readers.read_table(written.path, feeds.specs()[feed])
            assert table.header_line == len(written.plan["title_rows"]) + 1
            assert len(table.rows) == len(written.rows)
            assert sorted(table.columns.values()) == sorted(written.plan["columns"])
            numbered = {line - table.header_line: cells for line, cells in table.rows}
            position = {canonical: i for i, canonical in table.columns.items()}
            for number, fault in part.faults(feed).items():
                cells = numbered[number]  # the row number as the pipeline counts it
                if fault["fault"] == "repeated_header":
                    assert [fold(text_of(c)) for c in cells] == [fold(h) for h in written.headers]
                elif fault["fault"] == "blank_required":
                    assert text_of(cells[position[fault["column"]]]).strip() == ""


def test_roll_in_windows_1258_reads_back_as_the_utf8_roll(tmp_path) -> None:
    base = SynthConfig(quarters=quarters("2025Q3"), provinces=("86",), firms=300, seed=9)
    utf8 = replace(base, trouble=TroubleRates(cp1258=0.0, bom=0.0))
    legacy = replace(base, trouble=TroubleRates(cp1258=1.0, bom=0.0))
    a = make(tmp_path / "utf8", utf8).partitions[0].file("roll")
    b = make(tmp_path / "cp1258", legacy).partitions[0].file("roll")
    assert b.plan["encoding"] == "cp1258" and a.plan["encoding"] == "utf-8"
    with pytest.raises(UnicodeDecodeError):
        b.raw.decode("utf-8")
    assert nfc(b.raw.decode("cp1258")) == nfc(a.raw.decode("utf-8"))
    assert re.search("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", nfc(b.raw.decode("cp1258")))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(VIETNAMESE), st.sampled_from(TONES)), max_size=40))
def test_cp1258_round_trips_every_vietnamese_letter(letters: list[tuple[str, str]]) -> None:
    text = nfc("".join(base + tone for base, tone in letters))
    encoded = to_cp1258(text)
    assert nfc(encoded.decode("cp1258")) == text
    assert nfc(to_cp1258(unicodedata.normalize("NFD", text)).decode("cp1258")) == text


def test_tax_feed_is_utf8_with_or_without_bom(many_files) -> None:
    encodings = set()
    for part in many_files.partitions:
        written = part.file("tax")
        encodings.add(written.plan["encoding"])
        assert written.raw.startswith(b"\xef\xbb\xbf") == (written.plan["encoding"] == "utf-8-sig")
        written.raw.decode("utf-8")
    assert encodings == {"utf-8", "utf-8-sig"}
