"""Property: damage a valid feed file any way; reading it never loses a good row.

A valid file is built from generated good rows (any header spelling, case and column order, a
title block, an unknown column), as CSV in UTF-8, UTF-8 with a BOM, Windows-1258 or UTF-16 with
any delimiter, or as an .xlsx workbook. Then it is damaged: cut at a byte, bytes inserted or
deleted, lines deleted, repeated or moved, garbage rows, totals and headers inserted, cells
blanked, lines re-encoded. Reading and cleaning it must never raise anything but
``FeedFileError`` (and not even that while the header line is intact), and every good row whose
line survived the damage must come out accepted with its values (or, when a damaged copy with the
same key came first, quarantined as that key's duplicate only).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from reconcile.feeds.cleaning import clean
from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile.text.tax_code import make_valid
from reconcile_dev.synth.noise import to_cp1258

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is deterministic
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EPOCH = date(1899, 12, 30)

WORDS = ["Công", "ty", "TNHH", "Hiệp", "Phát", "Thủy", "sản", "Ưu", "Việt", "Đức", "Thành", "Hòa",
         "Bình", "Nguyễn", "Tân", "Hải", "Cửu", "Long", "Minh", "Sông", "Tiền", "Mỹ", "Tho", "Xây",
         "dựng", "Vận", "tải", "An", "Phú", "Thịnh", "Ánh", "Dương", "số", "5", "&", "ABC", "Co.,",
         "Ltd", "'", '"', "Quốc", "Tế", "Ngọc", "Lũy", "Kỳ", "Ỷ", "xưởng"]  # fmt: skip
PLACES = ["Phường Mỹ Tho", "Xã Tân Phước", "Số 5 đường 30/4", "KCN Mỹ Tho", "Ấp 3",
          "Thành phố Hồ Chí Minh", "Tỉnh Đồng Tháp", "Quận 1"]  # fmt: skip
TITLES = ["DANH SÁCH NGƯỜI NỘP THUẾ", "Quý 3/2025", "BẢO HIỂM XÃ HỘI TỈNH ĐỒNG THÁP", ""]
TAX_STATUS = [("00", "active"), ("Đang hoạt động", "active"), ("05", "suspended"),
              ("NNT đang hoạt động", "active"), ("1", "closed"), ("", None)]  # fmt: skip
ROLL_STATUS = [("Đang đóng", "paying"), ("Tạm dừng đóng", "paused"), ("Chấm dứt", "closed"), ("", None)]  # fmt: skip
GARBAGE = st.one_of(
    st.text(alphabet=st.sampled_from(list("abcXYZ019 ,;\t\"'.-/ạưĐ")), max_size=40),
    st.sampled_from(["Tổng cộng", "MST", "Đang đóng", "Tên đơn vị", "0100233488"]),
)


def strip_marks(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


# --------------------------------------------------------------------------- good rows
@dataclass
class Good:
    text: dict[str, str]  # canonical column -> cell as written in a CSV
    native: dict[str, object]  # canonical column -> cell as a workbook may hold it
    expected: dict[str, object]  # canonical column -> value reading it must give
    key: str


@st.composite
def dates(draw: st.DrawFn) -> tuple[str, object, str | None]:
    day = draw(st.dates(min_value=date(1995, 1, 1), max_value=date(2025, 12, 31)))
    form = draw(st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "serial", "blank"]))
    if form == "blank":
        return "", None, None
    if form == "serial":
        serial = (day - EPOCH).days
        return str(serial), serial, day.isoformat()
    native = draw(st.sampled_from([day.strftime(form), datetime(day.year, day.month, day.day)]))
    return day.strftime(form), native, day.isoformat()


@st.composite
def amounts(draw: st.DrawFn, top: int) -> tuple[str, object, int | None]:
    value = draw(st.integers(0, top))
    form = draw(st.sampled_from(["plain", ".", ",", "blank"]))
    if form == "blank":
        return "", None, None
    text = str(value) if form == "plain" else f"{value:,}".replace(",", form)
    return text, draw(st.sampled_from([text, value])), value


def words(draw: st.DrawFn, pool: list[str], most: int) -> str:
    return " ".join(draw(st.lists(st.sampled_from(pool), min_size=1, max_size=most)))


@st.composite
def tax_row(draw: st.DrawFn, code: str) -> Good:
    name = "Công ty " + words(draw, WORDS, 4)
    address = ", ".join(draw(st.lists(st.sampled_from(PLACES), min_size=0, max_size=3)))
    if address and draw(st.booleans()):
        address = address.replace(", ", ",\n", 1)  # typed with Alt+Enter: a quoted cell over lines
    written_code = code[1:] if code.startswith("0") and draw(st.booleans()) else code
    registered, registered_native, registered_iso = draw(dates())
    status, status_value = draw(st.sampled_from(TAX_STATUS))
    employees, employees_native, employees_value = draw(amounts(5000))
    wages, wages_native, wages_value = draw(amounts(10**11))
    text = {"tax_code": written_code, "name": name, "address": address,
            "registered_on": registered, "status": status, "pit_employees": employees,
            "pit_wage_bill": wages}  # fmt: skip
    native = {**text, "registered_on": registered_native, "pit_employees": employees_native,
              "pit_wage_bill": wages_native}  # fmt: skip
    if written_code != code and draw(st.booleans()):
        native["tax_code"] = int(written_code)  # Excel read the code as a number
    expected = {"tax_code": code, "name": " ".join(name.split()),
                "address": " ".join(address.split()) or None, "registered_on": registered_iso,
                "status": status_value, "pit_employees": employees_value,
                "pit_wage_bill": wages_value}  # fmt: skip
    return Good(text, native, expected, code)


@st.composite
def roll_row(draw: st.DrawFn, unit: str) -> Good:
    name = words(draw, WORDS, 5)
    code = draw(st.sampled_from(["", make_valid("82", 4242) or "", make_valid("01", 777) or ""]))
    joined, joined_native, joined_iso = draw(dates())
    status, status_value = draw(st.sampled_from(ROLL_STATUS))
    employees, employees_native, employees_value = draw(amounts(3000))
    wages, wages_native, wages_value = draw(amounts(10**10))
    text = {"unit_code": unit, "name": name, "tax_code": code, "joined_on": joined,
            "status": status, "insured_employees": employees, "wage_bill": wages}  # fmt: skip
    native = {**text, "joined_on": joined_native, "insured_employees": employees_native,
              "wage_bill": wages_native}  # fmt: skip
    expected = {"unit_code": unit, "name": " ".join(name.split()), "tax_code": code or None,
                "joined_on": joined_iso, "status": status_value,
                "insured_employees": employees_value, "wage_bill": wages_value}  # fmt: skip
    return Good(text, native, expected, unit)


@st.composite
def good_rows(draw: st.DrawFn, feed: str) -> list[Good]:
    serials = draw(st.lists(st.integers(0, 9_999_999), min_size=1, max_size=7, unique=True))
    rows = []
    for serial in serials:
        if feed == "tax":
            code = make_valid(draw(st.sampled_from(["01", "03", "82", "79"])), serial)
            if code is None or code in {r.key for r in rows}:
                continue
            rows.append(draw(tax_row(code)))
        else:
            unit = f"{draw(st.sampled_from(['TZ', 'YN', 'AB']))}{serial:07d}"
            rows.append(draw(roll_row(unit)))
    if not rows:  # every serial gave no valid code
        rows.append(draw(tax_row("0100233488")) if feed == "tax" else draw(roll_row("TZ1")))
    return rows


# --------------------------------------------------------------------------- a valid file
@dataclass
class Layout:
    feed: str
    columns: list[str]  # canonical column per position, "" for the unknown one
    headers: list[str]
    title: list[str]
    rows: list[Good]
    notes: list[str]  # the unknown column's cells


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    feed = draw(st.sampled_from(["tax", "roll"]))
    spec = specs()[feed]
    rows = draw(good_rows(feed))
    columns = draw(st.permutations(list(rows[0].text)))
    case = draw(st.sampled_from([str, str.upper, str.lower, strip_marks]))
    headers = []
    for column in columns:
        spellings = [*spec.columns[column].headers, column]
        headers.append(case(draw(st.sampled_from(spellings))))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(columns)))
        columns.insert(at, "")
        headers.insert(at, draw(st.sampled_from(["Ghi chú nội bộ", "STT", "Cột lạ"])))
    title = draw(st.lists(st.sampled_from(TITLES), max_size=2))
    notes = [draw(st.sampled_from(["", "x", "đã kiểm tra", "12"])) for _ in rows]
    return Layout(feed, columns, headers, title, rows, notes)


def row_cells(layout: Layout, index: int, native: bool) -> list[object]:
    good = layout.rows[index]
    values = good.native if native else good.text
    return [values[c] if c else layout.notes[index] for c in layout.columns]


# --------------------------------------------------------------------------- CSV and its damage
@dataclass
class Segment:
    data: bytes
    tag: tuple[str, int] | None  # ("row", i), ("header", 0), ("title", 0); None once damaged
    text: str = ""


@dataclass
class CsvFile:
    encoding: str
    delimiter: str
    newline: str
    segments: list[Segment] = field(default_factory=list)

    def encode(self, text: str, first: bool = False, encoding: str | None = None) -> bytes:
        encoding = encoding or self.encoding
        if encoding == "cp1258":
            return to_cp1258(text)
        if encoding == "utf-16":
            return (b"\xff\xfe" if first else b"") + text.encode("utf-16-le")
        return text.encode("utf-8-sig" if encoding == "utf-8-sig" and first else "utf-8")

    def line(self, cells: list[object]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.delimiter, lineterminator=self.newline).writerow(cells)
        return buffer.getvalue()

    def add(self, cells: list[object], tag: tuple[str, int] | None, at: int | None = None) -> None:
        text = self.line(cells)
        segment = Segment(self.encode(text, first=not self.segments), tag, text)
        self.segments.insert(len(self.segments) if at is None else at, segment)

    @property
    def unit(self) -> int:
        return 2 if self.encoding == "utf-16" else 1

    def bytes(self) -> bytes:
        return b"".join(s.data for s in self.segments)

    def locate(self, position: int) -> tuple[int, int]:
        for index, segment in enumerate(self.segments):
            if position < len(segment.data):
                return index, position
            position -= len(segment.data)
        return len(self.segments) - 1, len(self.segments[-1].data)

    def ends_line(self, segment: Segment) -> bool:
        if self.encoding == "utf-16":
            return segment.data.endswith((b"\n\x00", b"\r\x00"))
        return segment.data.endswith((b"\n", b"\r"))

    def surviving(self) -> tuple[set[int], bool]:
        """Good rows whose record is intact and starts a line, and whether the header is."""
        rows, header = set(), False
        previous: Segment | None = None
        for segment in self.segments:
            if not segment.data:
                continue
            at_start = previous is None or self.ends_line(previous)
            if segment.tag and at_start and segment.tag[0] == "row":
                rows.add(segment.tag[1])
            if segment.tag and at_start and segment.tag[0] == "header":
                header = True
            previous = segment
        return rows, header


# Each damage is drawn as numbers and applied to whatever the file is by then.
DAMAGE = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
    st.tuples(
        st.just("insert_text"),
        st.floats(0, 1),
        st.sampled_from(['"', "\n", "\r", ",", ";", "\t", '",', ',"', "\x00", "ư"]),
    ),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 8)),
    st.tuples(st.just("delete_line"), st.floats(0, 1)),
    st.tuples(st.just("repeat_line"), st.floats(0, 1)),
    st.tuples(st.just("move_line"), st.floats(0, 1), st.floats(0, 1)),
    st.tuples(st.just("garbage_row"), st.floats(0, 1), st.lists(GARBAGE, max_size=9)),
    st.tuples(st.just("total_row"), st.floats(0, 1)),
    st.tuples(st.just("header_again"), st.floats(0, 1)),
    st.tuples(st.just("blank_cells"), st.floats(0, 1), st.lists(st.integers(0, 9), min_size=1)),
    st.tuples(st.just("reencode"), st.floats(0, 1)),
)


def pick(count: int, where: float) -> int:
    return min(int(where * count), count - 1)


def damage_csv(file: CsvFile, layout: Layout, damage: tuple[Any, ...]) -> None:
    kind, where = damage[0], damage[1]
    segments = file.segments
    headers = [i for i, s in enumerate(segments) if s.tag and s.tag[0] == "header"]
    first_data = min(headers[0] + 1 if headers else len(layout.title) + 1, len(segments))
    data_rows = [i for i, s in enumerate(segments) if s.tag and s.tag[0] == "row"]
    if kind == "truncate":
        total = len(file.bytes())
        position = pick(total + 1, where)
        if position >= total:
            return
        index, offset = file.locate(position)
        if offset:
            segments[index].data = segments[index].data[:offset]
            segments[index].tag = None
            index += 1
        del segments[index:]
    elif kind == "insert_text":
        if not segments:
            return
        index, offset = file.locate(pick(len(file.bytes()), where))
        segment = segments[index]
        token = damage[2].encode("utf-16-le") if file.unit == 2 else damage[2].encode("utf-8")
        offset -= offset % file.unit
        segment.data = segment.data[:offset] + token + segment.data[offset:]
        segment.tag = None
    elif kind in ("insert", "delete"):
        total = len(file.bytes())
        if not total:
            return
        index, offset = file.locate(pick(total, where))
        segment = segments[index]
        if kind == "insert":
            extra = (
                damage[2] if file.unit == 1 else damage[2] + damage[2][-1:] * (len(damage[2]) % 2)
            )
            segment.data = segment.data[:offset] + extra + segment.data[offset:]
            segment.tag = None
        else:
            length = damage[2] + (damage[2] % 2 if file.unit == 2 else 0)
            blob = file.bytes()
            start = sum(len(s.data) for s in segments[:index]) + offset
            end = min(start + length, len(blob))
            position = 0
            for s in segments:  # every segment the deleted bytes touch is damaged
                lo, hi = position, position + len(s.data)
                if lo < end and start < hi:
                    s.data = s.data[: max(start - lo, 0)] + s.data[max(end - lo, 0) :]
                    s.tag = None
                position = hi
    elif kind in ("delete_line", "repeat_line", "move_line", "blank_cells", "reencode"):
        if not data_rows:
            return
        index = data_rows[pick(len(data_rows), where)]
        segment = segments[index]
        if kind == "delete_line":
            del segments[index]
        elif kind == "repeat_line":
            segments.insert(index + 1, Segment(segment.data, segment.tag, segment.text))
        elif kind == "move_line":
            del segments[index]
            segments.insert(first_data + pick(len(segments) - first_data + 1, damage[2]), segment)
        elif kind == "blank_cells" and segment.tag:
            cells = row_cells(layout, segment.tag[1], native=False)
            for position in damage[2]:
                cells[position % len(cells)] = ""
            segment.text = file.line(cells)
            segment.data = file.encode(segment.text, first=index == 0)
            segment.tag = None
        elif kind == "reencode" and file.encoding != "utf-16" and index > 0:
            other = "utf-8" if file.encoding == "cp1258" else "cp1258"
            segment.data = file.encode(segment.text, encoding=other)  # a line from another export
    else:
        at = first_data + pick(len(segments) - first_data + 1, where)
        if kind == "garbage_row":
            file.add(list(damage[2]), None, at)
        elif kind == "total_row":
            file.add(["Tổng cộng", "", "", "125", "4.500.000.000"], None, at)
        else:
            file.add(list(layout.headers), None, at)


def build_csv(layout: Layout, encoding: str, delimiter: str, newline: str) -> CsvFile:
    file = CsvFile(encoding, delimiter, newline)
    for line in layout.title:
        file.add([line], ("title", 0))
    file.add(list(layout.headers), ("header", 0))
    for index in range(len(layout.rows)):
        file.add(row_cells(layout, index, native=False), ("row", index))
    return file


# --------------------------------------------------------------------------- the checks
def plain(value: object) -> object:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    return value


_DUPLICATE = re.compile(r"^(duplicate of row \d+|\S+ \S+ already on row \d+)$")


def read_and_check(path: Path, layout: Layout, surviving: set[int], header_intact: bool) -> None:
    spec = specs()[layout.feed]
    try:
        frame = clean(read_table(path, spec), spec)
    except FeedFileError:
        assert not header_intact, "the header line is intact, yet the file was refused"
        return
    if not header_intact:
        return
    keys = frame[spec.key].map(plain)
    accepted_keys = set(keys[frame["reasons"].map(len) == 0])
    for index in sorted(surviving):
        good = layout.rows[index]
        values = {c: v for c, v in good.expected.items() if c in layout.columns}
        same = frame.apply(
            lambda row, values=values: all(plain(row[c]) == v for c, v in values.items()), axis=1
        )
        found = frame[same]
        assert len(found), f"good row {index} lost: {values}\n{frame.to_dict('records')}"
        if not any(len(r) == 0 for r in found["reasons"]):
            reasons = [reason for r in found["reasons"] for reason in r]
            assert all(_DUPLICATE.match(r) for r in reasons), (index, reasons)
            assert good.key in accepted_keys, (index, reasons)


@PROPERTY
@given(
    layout=layouts(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "utf-16"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\r\n", "\n"]),
    damages=st.lists(DAMAGE, max_size=4),
)
def test_damaged_csv_never_loses_a_surviving_good_row(
    layout: Layout, encoding: str, delimiter: str, newline: str, damages: list[tuple[Any, ...]]
) -> None:
    file = build_csv(layout, encoding, delimiter, newline)
    for damage in damages:
        damage_csv(file, layout, damage)
    surviving, header_intact = file.surviving()
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"{layout.feed}.csv"
        path.write_bytes(file.bytes())
        read_and_check(path, layout, surviving, header_intact)


# --------------------------------------------------------------------------- workbooks
SHEET_DAMAGE = st.one_of(
    st.tuples(st.just("cut"), st.floats(0, 1)),
    st.tuples(st.just("delete_row"), st.floats(0, 1)),
    st.tuples(st.just("repeat_row"), st.floats(0, 1)),
    st.tuples(st.just("garbage_row"), st.floats(0, 1), st.lists(GARBAGE, max_size=9)),
    st.tuples(st.just("total_row"), st.floats(0, 1)),
    st.tuples(st.just("header_again"), st.floats(0, 1)),
    st.tuples(st.just("blank_cells"), st.floats(0, 1), st.lists(st.integers(0, 9), min_size=1)),
    st.tuples(st.just("merge_down"), st.floats(0, 1), st.integers(0, 9)),
)


def workbook(layout: Layout, damages: list[tuple[Any, ...]]) -> tuple[bytes, set[int]]:
    header_row = len(layout.title) + 1
    sheet_rows: list[tuple[list[object], int | None]] = [([t], None) for t in layout.title]
    sheet_rows.append((list(layout.headers), None))
    sheet_rows += [(row_cells(layout, i, native=True), i) for i in range(len(layout.rows))]
    merges = []
    for damage in sorted(damages, key=lambda d: d[0] == "merge_down"):  # merges last
        kind, where = damage[0], damage[1]
        count = len(sheet_rows) - header_row
        at = header_row + pick(count + 1, where)
        target = header_row + pick(count, where) if count else None
        if kind == "cut":
            del sheet_rows[at:]
        elif kind == "garbage_row":
            sheet_rows.insert(at, (list(damage[2]), None))
        elif kind == "total_row":
            sheet_rows.insert(at, (["Tổng cộng", None, None, 125, 4500000000], None))
        elif kind == "header_again":
            sheet_rows.insert(at, (list(layout.headers), None))
        elif target is None:
            continue
        elif kind == "delete_row":
            del sheet_rows[target]
        elif kind == "repeat_row":
            sheet_rows.insert(target + 1, (list(sheet_rows[target][0]), sheet_rows[target][1]))
        elif kind == "blank_cells":
            cells = list(sheet_rows[target][0])
            for position in damage[2]:
                if cells:
                    cells[position % len(cells)] = None
            sheet_rows[target] = (cells, None)
        elif kind == "merge_down" and target + 1 < len(sheet_rows):
            # the cell below is merged into this one: the row below loses that cell's value
            column = damage[2] % max(len(layout.columns), 1)
            merges.append((target, column))
            sheet_rows[target + 1] = (sheet_rows[target + 1][0], None)
    book = Workbook()
    sheet = book.active
    for cells, _ in sheet_rows:
        sheet.append(cells)
    for row, column in merges:
        if row + 2 <= sheet.max_row:
            sheet.merge_cells(start_row=row + 1, start_column=column + 1, end_row=row + 2, end_column=column + 1)  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), {index for _, index in sheet_rows if index is not None}


@settings(PROPERTY, max_examples=60)
@given(layout=layouts(), damages=st.lists(SHEET_DAMAGE, max_size=4))
def test_damaged_workbook_never_loses_a_surviving_good_row(
    layout: Layout, damages: list[tuple[Any, ...]]
) -> None:
    data, surviving = workbook(layout, damages)
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"{layout.feed}.xlsx"
        path.write_bytes(data)
        read_and_check(path, layout, surviving, header_intact=True)


@settings(PROPERTY, max_examples=60)
@given(
    layout=layouts(),
    cuts=st.lists(
        st.tuples(st.sampled_from(["truncate", "insert", "delete", "flip"]), st.floats(0, 1), st.binary(min_size=1, max_size=16)),
        min_size=1,
        max_size=3,
    ),
)  # fmt: skip
def test_a_workbook_damaged_byte_by_byte_fails_only_with_feed_file_error(
    layout: Layout, cuts: list[tuple[str, float, bytes]]
) -> None:
    data, _ = workbook(layout, [])
    for kind, where, blob in cuts:
        at = pick(len(data) + 1, where)
        if kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + blob + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + len(blob) :]
        else:
            data = data[:at] + bytes(b ^ 0xFF for b in blob[:1] if at < len(data)) + data[at + 1 :]
    spec = specs()[layout.feed]
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"{layout.feed}.xlsx"
        path.write_bytes(data)
        try:
            clean(read_table(path, spec), spec)
        except FeedFileError as error:
            assert str(error).startswith(path.name)


def test_an_excel_serial_two_days_apart_is_two_days_apart() -> None:
    """The dates strategy writes serials from the 1899-12-30 epoch, as Excel does."""
    assert (date(2020, 1, 15) - EPOCH).days == 43845
    assert EPOCH + timedelta(days=43845) == date(2020, 1, 15)
