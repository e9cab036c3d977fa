"""Build the corpus of bad feed files (``files/``) and its manifest (``cases.yaml``).

Every case of FEEDS.md "Bad input is normal" (and of the feed contract above it) is one small
file here, planted with known good rows and known bad rows, and the manifest says what reading it
must give: for a readable file, which lines are accepted (with some of their typed values) and
which are quarantined with which reason; for an unreadable one, the ``FeedFileError`` (row and
fault) it must raise. ``tests/unit/feeds/test_corpus.py`` checks every case.

Deterministic: the same bytes on every run (fixed seeds, fixed workbook timestamps), so the
committed files and the manifest can be rebuilt and compared. It does not import the project:
the corpus is evidence about the readers, not a product of them.

    python tests/corpus/make_corpus.py            # rewrite files/ and cases.yaml
    python tests/corpus/make_corpus.py --check    # exit 1 when the committed corpus differs
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
MANIFEST = HERE / "cases.yaml"
STAMP = datetime(2025, 10, 1, 8, 0, 0)

# --------------------------------------------------------------------------- tax codes
WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def valid_code(prefix: str, serial: int) -> str:
    """The first valid 10-digit tax code at or after ``prefix`` + ``serial`` (DOMAIN.md check)."""
    while True:
        nine = f"{prefix}{serial:07d}"
        digit = 10 - sum(int(d) * w for d, w in zip(nine, WEIGHTS, strict=True)) % 11
        if digit != 10:
            return f"{nine}{digit}"
        serial += 1


def wrong_check_digit(code: str) -> str:
    return code[:9] + str((int(code[9]) + 1) % 10)


CODES = [valid_code("82", 1000 + 37 * i) for i in range(40)]
ZERO_CODES = [valid_code(p, 233480 + 11 * i) for i, p in enumerate(["01", "03", "04", "05", "06"])]

# --------------------------------------------------------------------------- the feeds' headers
# Spellings of FEEDS.md / spec.yaml, in the order spec.yaml lists them (the canonical name last).
HEADERS: dict[str, dict[str, list[str]]] = {
    "tax": {
        "tax_code": ["Mã số thuế", "MST", "Ma so thue"],
        "name": ["Tên người nộp thuế", "Tên NNT", "Tên doanh nghiệp"],
        "address": ["Địa chỉ", "Địa chỉ trụ sở", "Địa chỉ kinh doanh"],
        "stated_province": ["Tỉnh/Thành phố", "Tỉnh", "province"],
        "tax_office": ["Cơ quan thuế quản lý", "CQT quản lý"],
        "registered_on": ["Ngày cấp MST", "Ngày đăng ký thuế"],
        "status": ["Trạng thái", "Tình trạng hoạt động", "TTHAI"],
        "status_since": ["Ngày thay đổi trạng thái", "Ngày chuyển trạng thái"],
        "pit_employees": ["Số lao động quyết toán thuế TNCN", "Số LĐ QTT"],
        "pit_wage_bill": ["Tổng thu nhập chịu thuế", "Tổng tiền lương"],
        "industry": ["Ngành nghề kinh doanh chính", "Mã ngành"],
    },
    "registry": {
        "enterprise_code": ["Mã số doanh nghiệp", "Mã số DN", "MSDN"],
        "name": ["Tên doanh nghiệp", "Tên DN", "Tên tiếng Việt"],
        "short_name": ["Tên viết tắt"],
        "foreign_name": ["Tên nước ngoài", "Tên tiếng Anh"],
        "legal_form": ["Loại hình doanh nghiệp", "Loại hình"],
        "address": ["Địa chỉ trụ sở chính", "Địa chỉ trụ sở"],
        "representative": ["Người đại diện theo pháp luật", "Người đại diện"],
        "founded_on": ["Ngày thành lập", "Ngày cấp GCN ĐKDN lần đầu"],
        "status": ["Tình trạng pháp lý", "Trạng thái"],
        "status_since": ["Ngày hiệu lực tình trạng", "Ngày thay đổi"],
        "suspended_until": ["Tạm ngừng đến ngày"],
        "declared_employees": ["Số lao động dự kiến", "Số lao động đăng ký", "Tổng số lao động"],
        "payment_cycle": ["Phương thức đóng BHXH"],
        "industry": ["Ngành nghề kinh doanh chính", "Mã ngành chính"],
    },
    "roll": {
        "unit_code": ["Mã đơn vị", "Mã ĐV", "Mã số đơn vị"],
        "name": ["Tên đơn vị"],
        "tax_code": ["Mã số thuế", "MST"],
        "address": ["Địa chỉ", "Địa chỉ đơn vị"],
        "office": ["Cơ quan BHXH quản lý", "BHXH huyện"],
        "joined_on": ["Ngày tham gia", "Ngày bắt đầu tham gia"],
        "status": ["Trạng thái", "Tình trạng"],
        "insured_employees": ["Số lao động", "Số LĐ tham gia"],
        "wage_bill": ["Tổng quỹ lương", "Quỹ lương đóng BHXH"],
        "due": ["Số phải đóng"],
        "paid": ["Số đã đóng"],
        "arrears": ["Số nợ", "Số tiền nợ"],
        "arrears_months": ["Số tháng nợ"],
        "reminded_on": ["Ngày đôn đốc", "Ngày gửi văn bản đôn đốc"],
    },
    "decisions": {
        "case_id": ["Mã hồ sơ"],
        "decision": ["Kết luận"],
        "note": ["Ghi chú"],
        "inspector": ["Cán bộ kiểm tra"],
        "decided_on": ["Ngày kết luận"],
    },
    # FEEDS.md §5: the notice's own columns, and the identity columns of the registry and tax
    # feeds it carries
    "changes": {
        "notice_id": ["Số thông báo", "Mã thông báo", "ID"],
        "change_kind": ["Loại thay đổi", "Nội dung thay đổi", "Loại thông báo"],
        "effective_on": ["Ngày hiệu lực", "Ngày có hiệu lực", "Ngày thay đổi"],
        "recorded_on": ["Ngày ghi nhận", "Ngày cập nhật", "Ngày gửi"],
        "withdraws": ["Hủy thông báo số", "Thay thế thông báo"],
        "sender": ["Đơn vị gửi", "Nguồn"],
        "tax_code": ["Mã số thuế", "MST", "Mã số doanh nghiệp", "Mã số DN", "MSDN"],
        "name": ["Tên doanh nghiệp", "Tên DN", "Tên người nộp thuế", "Tên NNT"],
        "address": ["Địa chỉ trụ sở chính", "Địa chỉ trụ sở", "Địa chỉ"],
        "stated_province": ["province", "Tỉnh/Thành phố", "Tỉnh"],
        "representative": ["Người đại diện theo pháp luật", "Người đại diện"],
        "legal_form": ["Loại hình doanh nghiệp", "Loại hình"],
        "declared_employees": ["Số lao động dự kiến", "Số lao động đăng ký", "Tổng số lao động"],
        "industry": ["Ngành nghề kinh doanh chính", "Mã ngành"],
    },
}

NAMES = [
    "Công ty TNHH Hiệp Phát",
    "CÔNG TY CỔ PHẦN TÂN HẢI",
    "Doanh nghiệp tư nhân Minh Long",
    "Công ty TNHH MTV Phú Thịnh",
    "Hợp tác xã Nông sản Tân Phước",
    "Công ty CP Thủy sản Cửu Long",
    "Công ty TNHH Xây dựng Bình Minh",
    "Công ty TNHH Vận tải Sông Tiền",
    "Công ty TNHH Thương mại Ưu Việt",
    "Công ty TNHH Dịch vụ Đức Thành",
]
ADDRESSES = [
    "Số 5 đường 30/4, Phường Mỹ Tho, Tỉnh Đồng Tháp",
    "Ấp 3, Xã Mỹ Phong, Thành phố Mỹ Tho, Tỉnh Tiền Giang",
    "Phường Cao Lãnh, Tỉnh Đồng Tháp",
    "KCN Mỹ Tho, Phường Mỹ Tho, Tỉnh Đồng Tháp",
    "Xã Tân Phước, Tỉnh Đồng Tháp",
]


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese software writes it: base letter, then a combining tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            shaped = "".join(m for m in marks if m in "\u0302\u0306\u031b")
            tones = "".join(m for m in marks if m not in "\u0302\u0306\u031b")
            out += unicodedata.normalize("NFC", base + shaped).encode("cp1258")
            out += tones.encode("cp1258")
    return bytes(out)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        return to_cp1258(text)
    if encoding == "utf-16":  # what Excel's "Unicode text" writes: a BOM, then little-endian
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(encoding)


def csv_text(rows: Iterable[list[object]], delimiter: str = ",", newline: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return buffer.getvalue()


def workbook_bytes(book: Workbook) -> bytes:
    """Save ``book`` with fixed timestamps, in the zip and in its properties."""
    book.properties.created = STAMP
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2025-10-01T08:00:00Z\2", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 10, 1, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    return out.getvalue()


# --------------------------------------------------------------------------- good rows
def tax_row(i: int, code: str | None = None) -> tuple[dict[str, object], dict[str, object]]:
    """A full, good tax row as written, and the typed values reading it must give."""
    day, month, year = 1 + (7 * i) % 27, 1 + i % 12, 2015 + i % 10
    wage = 600_000_000 + 150_000_000 * i
    code = code or CODES[i]
    written = {
        "tax_code": code,
        "name": NAMES[i % len(NAMES)],
        "address": ADDRESSES[i % len(ADDRESSES)],
        "stated_province": "Đồng Tháp",
        "tax_office": "Thuế cơ sở 1 tỉnh Đồng Tháp",
        "registered_on": f"{day:02d}/{month:02d}/{year}",
        "status": ["00", "Đang hoạt động", "05", "NNT đang hoạt động"][i % 4],
        "status_since": f"{year}-{month:02d}-{day:02d}",
        "pit_employees": str(5 + 3 * i),
        "pit_wage_bill": f"{wage:,}".replace(",", "."),
        "industry": ["4659", "1020", "4933"][i % 3],
    }
    typed = {
        "tax_code": code,
        "name": NAMES[i % len(NAMES)],
        "registered_on": f"{year}-{month:02d}-{day:02d}",
        "status": ["active", "active", "suspended", "active"][i % 4],
        "pit_employees": 5 + 3 * i,
        "pit_wage_bill": wage,
    }
    return written, typed


def registry_row(i: int, code: str | None = None) -> tuple[dict[str, object], dict[str, object]]:
    day, month, year = 1 + (5 * i) % 27, 1 + (i * 5) % 12, 2012 + i % 12
    code = code or CODES[10 + i]
    statuses = ["Đang hoạt động", "Tạm ngừng kinh doanh", "Đã giải thể", "Đang hoạt động"]
    written = {
        "enterprise_code": code,
        "name": NAMES[(i + 3) % len(NAMES)],
        "short_name": f"HP{i} CO",
        "foreign_name": f"HIEP PHAT {i} COMPANY LIMITED",
        "legal_form": "Công ty TNHH một thành viên",
        "address": ADDRESSES[(i + 1) % len(ADDRESSES)],
        "representative": ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"][i % 3],
        "founded_on": f"{year}-{month:02d}-{day:02d}",
        "status": statuses[i % 4],
        "status_since": f"{day:02d}/{month:02d}/{year + 1}",
        "suspended_until": "",
        "declared_employees": str(10 + i),
        "payment_cycle": "hàng tháng",
        "industry": "4659",
    }
    typed = {
        "enterprise_code": code,
        "name": NAMES[(i + 3) % len(NAMES)],
        "founded_on": f"{year}-{month:02d}-{day:02d}",
        "status": ["active", "suspended", "dissolved", "active"][i % 4],
        "declared_employees": 10 + i,
    }
    return written, typed


def roll_row(i: int, unit: str | None = None) -> tuple[dict[str, object], dict[str, object]]:
    unit = unit or f"TZ{i + 1:04d}{'ABCDEFGHJK'[i % 10]}"
    employees = 4 + 5 * i
    wage = employees * 5_000_000
    due = wage * 3 * 32 // 100
    paid = due if i % 3 else due // 3
    arrears = due - paid
    written = {
        "unit_code": unit,
        "name": NAMES[(i + 5) % len(NAMES)],
        "tax_code": CODES[20 + i],
        "address": ADDRESSES[(i + 2) % len(ADDRESSES)],
        "office": "BHXH cơ sở Mỹ Tho",
        "joined_on": f"{1 + i % 27:02d}/{1 + i % 12:02d}/{2016 + i % 8}",
        "status": ["Đang đóng", "Tạm dừng đóng", "Đang đóng", "Chờ chốt sổ"][i % 4],
        "insured_employees": str(employees),
        "wage_bill": f"{wage:,}",
        "due": f"{due:,}".replace(",", "."),
        "paid": str(paid),
        "arrears": f"{arrears:,}".replace(",", "."),
        "arrears_months": "0" if arrears == 0 else "2",
        "reminded_on": "" if arrears == 0 else "15/08/2025",
    }
    typed = {
        "unit_code": unit,
        "name": NAMES[(i + 5) % len(NAMES)],
        "tax_code": CODES[20 + i],
        "joined_on": f"{2016 + i % 8}-{1 + i % 12:02d}-{1 + i % 27:02d}",
        "status": ["paying", "paused", "paying", "closing"][i % 4],
        "insured_employees": employees,
        "wage_bill": wage,
        "due": due,
        "arrears": arrears,
    }
    return written, typed


def decisions_row(i: int) -> tuple[dict[str, object], dict[str, object]]:
    labels = ["Xác nhận vi phạm", "Không phải đơn vị này", "Đã khắc phục", "Không thuộc diện"]
    canonical = ["confirmed", "not_a_match", "resolved", "not_subject"]
    written = {
        "case_id": f"HS-82-2025Q3-{i + 1:04d}",
        "decision": labels[i % 4],
        "note": "Đã làm việc với đơn vị",
        "inspector": "Phạm Thị Hoa",
        "decided_on": f"{10 + i:02d}/10/2025",
    }
    typed = {
        "case_id": f"HS-82-2025Q3-{i + 1:04d}",
        "decision": canonical[i % 4],
        "decided_on": f"2025-10-{10 + i:02d}",
    }
    return written, typed


def changes_row(i: int) -> tuple[dict[str, object], dict[str, object]]:
    labels = ["Đăng ký thành lập mới", "Tạm ngừng kinh doanh", "Giải thể", "Thay đổi thông tin",
              "Đóng MST"]  # fmt: skip
    canonical = ["registered", "suspended", "dissolved", "changed", "tax_closed"]
    code = CODES[20 + i]
    written = {
        "notice_id": f"DK-82-{i + 1:05d}",
        "change_kind": labels[i % 5],
        "effective_on": f"{1 + i:02d}/09/2025",
        "recorded_on": f"2025-09-{2 + i:02d}",
        "withdraws": "",
        "sender": "Sở Tài chính tỉnh Đồng Tháp",
        "tax_code": code,
        "name": NAMES[i % len(NAMES)],
        "address": ADDRESSES[i % len(ADDRESSES)],
        "stated_province": "Đồng Tháp",
        "representative": "Nguyễn Văn An",
        "legal_form": "Công ty TNHH hai thành viên trở lên",
        "declared_employees": str(5 + i),
        "industry": "4690",
    }
    typed = {
        "notice_id": f"DK-82-{i + 1:05d}",
        "change_kind": canonical[i % 5],
        "effective_on": f"2025-09-{1 + i:02d}",
        "tax_code": code,
        "declared_employees": 5 + i,
    }
    return written, typed


ROWS: dict[str, Callable[[int], tuple[dict[str, object], dict[str, object]]]] = {
    "tax": tax_row,
    "registry": registry_row,
    "roll": roll_row,
    "decisions": decisions_row,
    "changes": changes_row,
}


# --------------------------------------------------------------------------- a planned sheet
@dataclass
class Plan:
    """Records in file order (lines, or sheet rows), each good, bad (with reason) or neither."""

    columns: list[str]  # canonical column per position ("" for a column outside the feed)
    records: list[list[object]] = field(default_factory=list)
    accepted: dict[int, dict[str, object]] = field(default_factory=dict)  # line -> typed values
    quarantined: dict[int, str] = field(default_factory=dict)  # line -> key phrase of the reason

    @property
    def line(self) -> int:
        return len(self.records)

    def add(self, cells: list[object]) -> int:
        self.records.append(list(cells))
        return self.line

    def cells(self, row: dict[str, object]) -> list[object]:
        return [row.get(column, "") if column else "" for column in self.columns]

    def good(self, row: dict[str, object], typed: dict[str, object] | None = None) -> int:
        line = self.add(self.cells(row))
        self.accepted[line] = {k: v for k, v in (typed or {}).items() if k in self.columns}
        return line

    def bad(self, row: dict[str, object] | list[object], reason: str) -> int:
        line = self.add(self.cells(row) if isinstance(row, dict) else row)
        self.quarantined[line] = reason
        return line


@dataclass
class Case:
    file: str
    feed: str
    covers: list[str]
    description: str
    data: bytes
    plan: Plan | None = None
    error: dict[str, object] | None = None  # fatal: row and fault phrase
    headers: list[str] | None = None  # the header as written, for the spelling coverage check
    raw_contains: dict[int, list[str]] | None = None
    header_line: int | None = None

    def manifest(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "file": self.file,
            "feed": self.feed,
            "covers": self.covers,
            "description": self.description,
        }
        if self.error is not None:
            entry["outcome"] = "fatal"
            entry["error"] = self.error
            return entry
        assert self.plan is not None
        entry["outcome"] = "rows"
        if self.header_line is not None:
            entry["header_line"] = self.header_line
        entry["accepted"] = len(self.plan.accepted)
        entry["accepted_lines"] = sorted(self.plan.accepted)
        values = {line: typed for line, typed in sorted(self.plan.accepted.items()) if typed}
        if values:
            entry["values"] = values
        entry["quarantined"] = [
            {"line": line, "reason": reason}
            for line, reason in sorted(self.plan.quarantined.items())
        ]
        if self.raw_contains:
            entry["raw_contains"] = self.raw_contains
        if self.headers:
            entry["headers"] = self.headers
        return entry


def header_plan(feed: str, columns: list[str], headers: list[str]) -> Plan:
    plan = Plan(columns)
    plan.add(headers)
    return plan


# --------------------------------------------------------------------------- the cases
def spelling_cases() -> list[Case]:
    """Every header spelling of every feed: as written, without diacritics, odd case and order."""
    cases = []
    for feed, spellings in HEADERS.items():
        # every spelling once: the notices name the firm in the most ways
        variants = {"decisions": 2, "changes": 5}.get(feed, 3)
        for variant in range(variants):
            columns = list(spellings)
            if variant == 1:
                random.Random(f"{feed}-order").shuffle(columns)
            elif variant in (2, 4):
                columns.reverse()
            headers = []
            for column in columns:
                options = spellings[column]
                if feed == "decisions" and variant == 1:
                    written = column.upper() if column != "note" else "Ghi_chu"
                else:
                    written = options[min(variant, len(options) - 1)]
                if variant in (1, 3) and feed != "decisions":
                    written = strip_marks(written).upper()
                elif variant in (2, 4):
                    written = f" {written.lower().replace(' ', '_')} "
                headers.append(written)
            plan = header_plan(feed, columns, headers)
            for i in range(3):
                written, typed = ROWS[feed](i + 3 * variant)
                plan.good(written, typed)
            style = ["as written, with diacritics, in the contract's order",
                     "without diacritics, upper case, shuffled order",
                     "lower case, underscores for spaces, padded, reversed order",
                     "the fourth spellings, without diacritics, upper case, in order",
                     "the fifth spellings, lower case, underscores, padded, reversed"][variant]  # fmt: skip
            if feed == "decisions" and variant == 1:
                style = "the canonical column names, upper case, shuffled order"
            newline = "\r\n" if variant == 0 else "\n"
            cases.append(
                Case(
                    file=f"{feed}_headers_{variant + 1}.csv",
                    feed=feed,
                    covers=["header spellings", "any case", "any column order", "UTF-8"]
                    + (["no diacritics"] if variant == 1 else []),
                    description=f"{feed} header spellings #{variant + 1}: {style}",
                    data=encode(csv_text(plan.records, newline=newline), "utf-8"),
                    plan=plan,
                    headers=headers,
                )
            )
    return cases


def tax_columns(*names: str) -> list[str]:
    return list(names)


def simple_plan(feed: str, columns: list[str], variant: int = 0) -> Plan:
    headers = [HEADERS[feed][c][variant] if c else "" for c in columns]
    return header_plan(feed, columns, headers)


def tax_basic(plan: Plan, first: int, count: int) -> None:
    for i in range(first, first + count):
        written, typed = tax_row(i)
        plan.good(written, typed)


def roll_basic(plan: Plan, first: int, count: int) -> None:
    for i in range(first, first + count):
        written, typed = roll_row(i)
        plan.good(written, typed)


TAX_SHORT = ["tax_code", "name", "address", "registered_on", "status", "pit_employees", "pit_wage_bill"]  # fmt: skip
ROLL_SHORT = ["unit_code", "name", "tax_code", "status", "insured_employees", "wage_bill", "arrears"]  # fmt: skip


def extra_columns_case() -> Case:
    columns = ["", "tax_code", "name", "", "", "status"]
    headers = ["STT", "Mã số thuế", "Tên người nộp thuế", "Ghi chú nội bộ", "Cột lạ", "TTHAI"]
    plan = header_plan("tax", columns, headers)
    for i in range(3):
        written, typed = tax_row(i)
        plan.good(written, typed)
        plan.records[-1][0] = str(i + 1)
        plan.records[-1][3] = ["khách hàng cũ", "", "đã kiểm tra"][i]
        plan.records[-1][4] = f"giá trị {i}"
    return Case(
        file="tax_extra_columns.csv",
        feed="tax",
        covers=["unknown extra columns kept in raw"],
        description="STT, an internal note and an unknown column next to the tax feed's own",
        data=encode(csv_text(plan.records), "utf-8"),
        plan=plan,
        raw_contains={
            2: ['"STT": "1"', '"Ghi chú nội bộ": "khách hàng cũ"', '"Cột lạ": "giá trị 0"'],
            4: ['"Ghi chú nội bộ": "đã kiểm tra"'],
        },
    )


def encoding_cases() -> list[Case]:
    cases = []
    for file, encoding, covers, description in [
        ("roll_utf8_bom.csv", "utf-8-sig", ["UTF-8 BOM"], "the roll saved by Excel as UTF-8 with a BOM"),
        ("roll_cp1258.csv", "cp1258", ["Windows-1258 (cp1258) with combining tone marks"],
         "the roll in Windows-1258: base letters and combining tone marks, as the agency's system writes"),
    ]:  # fmt: skip
        plan = simple_plan("roll", ROLL_SHORT)
        roll_basic(plan, 0, 4)
        data = encode(csv_text(plan.records, newline="\r\n"), encoding)
        if encoding == "cp1258":
            assert any(b in data for b in (b"\xcc", b"\xec", b"\xd2", b"\xde", b"\xf2"))
        cases.append(Case(file, "roll", covers, description, data, plan))
    plan = simple_plan("registry", ["enterprise_code", "name", "legal_form", "representative",
                                    "founded_on", "status", "declared_employees"], variant=1)  # fmt: skip
    for i in range(3):
        written, typed = registry_row(i)
        plan.good(written, typed)
    cases.append(
        Case(
            "registry_utf16.csv",
            "registry",
            ["UTF-16 CSV", "tab separated"],
            'Excel\'s "Unicode text": UTF-16 little-endian with a BOM, tab separated',
            encode(csv_text(plan.records, delimiter="\t", newline="\r\n"), "utf-16"),
            plan,
        )
    )
    # two exports glued together: UTF-8 rows, then rows in Windows-1258
    plan = simple_plan("roll", ROLL_SHORT)
    roll_basic(plan, 0, 5)
    head = csv_text(plan.records[:4])
    tail = csv_text(plan.records[4:])
    cases.append(
        Case(
            "roll_mixed_encodings.csv",
            "roll",
            ["mixed encodings (UTF-8 and Windows-1258 in one file)"],
            "a UTF-8 export with rows of a Windows-1258 export appended to it",
            encode(head, "utf-8") + encode(tail, "cp1258"),
            plan,
        )
    )
    # one undecodable byte in one row of a UTF-8 file
    plan = simple_plan("tax", TAX_SHORT)
    tax_basic(plan, 0, 2)
    broken_line = plan.bad(tax_row(2)[0], "unreadable characters")
    tax_basic(plan, 3, 2)
    lines = csv_text(plan.records).encode("utf-8").split(b"\n")
    lines[broken_line - 1] = lines[broken_line - 1].replace(b"C", b"C\xff", 1)
    cases.append(
        Case(
            "tax_utf8_bad_byte.csv",
            "tax",
            ["a damaged byte in a UTF-8 file"],
            "a UTF-8 file with one byte that is not UTF-8 in one row: only that row is bad",
            b"\n".join(lines),
            plan,
        )
    )
    return cases


def semicolon_case() -> Case:
    plan = Plan(TAX_SHORT)
    plan.add(["DANH SÁCH NGƯỜI NỘP THUẾ, QUÝ 3/2025"])
    plan.add([])
    plan.add([HEADERS["tax"][c][0] for c in TAX_SHORT])
    tax_basic(plan, 0, 4)
    return Case(
        "tax_semicolon.csv",
        "tax",
        ["semicolon CSV", "title line above the header"],
        "semicolon separated (a European Excel), below a title line that has a comma in it",
        encode(csv_text(plan.records, delimiter=";", newline="\r\n"), "utf-8-sig"),
        plan,
        header_line=3,
    )


def title_block_case() -> Case:
    columns = ["unit_code", "name", "tax_code", "joined_on", "status", "insured_employees",
               "wage_bill", "arrears", "reminded_on"]  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.append(["BẢO HIỂM XÃ HỘI TỈNH ĐỒNG THÁP"])
    sheet.append(["DANH SÁCH ĐƠN VỊ THAM GIA BHXH, BHYT, BHTN"])
    sheet.append(["Quý 3 năm 2025"])
    sheet.append([])
    sheet.append(["Mã\nđơn vị", "Tên đơn vị", "MST", "Ngày tham gia", "Trạng thái",
                  "Số LĐ tham gia", "Tổng quỹ lương", "Số nợ", "Ngày đôn đốc"])  # fmt: skip
    for cell in ("A1:I1", "A2:I2", "A3:I3"):
        sheet.merge_cells(cell)
    plan = Plan(columns)
    for _ in range(5):
        plan.add([])
    code_a, code_b = ZERO_CODES[0], ZERO_CODES[1]
    rows = [
        (["TZ0101A", "Công ty TNHH Hiệp Phát", int(code_a), 45000, "Đang đóng", 25, 125000000, 0, None],
         {"unit_code": "TZ0101A", "tax_code": code_a, "joined_on": "2023-03-15", "insured_employees": 25,
          "wage_bill": 125000000, "arrears": 0}),
        (["TZ0102B", "Công ty CP Thủy sản Cửu Long", f"{code_b[1:]}-001", datetime(2019, 7, 1), "Đang đóng",
          "30", "1.500.000.000", "48.000.000", 45900.0],
         {"tax_code": f"{code_b}-001", "joined_on": "2019-07-01", "wage_bill": 1500000000,
          "arrears": 48000000, "reminded_on": "2025-08-31"}),
        (["TZ0103C", "HTX Nông sản Tân Phước", float(CODES[3]), "15/01/2020", "Tạm dừng đóng", 9.0,
          40000000.0, 51200000, "2025-08-15"],
         {"tax_code": CODES[3], "joined_on": "2020-01-15", "insured_employees": 9, "reminded_on": "2025-08-15"}),
        (["TZ0104D", "Công ty TNHH MTV Phú Thịnh", CODES[4], "44197", "Đang đóng", 40, 200000000, 0, None],
         {"joined_on": "2021-01-01"}),
    ]  # fmt: skip
    for cells, typed in rows:
        sheet.append(cells)
        plan.add(cells)
        plan.accepted[plan.line] = typed
    return Case(
        "roll_title_block.xlsx",
        "roll",
        [
            "xlsx with title block",
            "dates as Excel serials",
            "tax codes that lost their leading zero",
            "thousands separators",
        ],  # fmt: skip
        "a workbook with a 3-row merged title block and a blank row above a wrapped header; dates"
        " as serial numbers (int, float, text), real dates and text; tax codes as numbers",
        workbook_bytes(book),
        plan,
        header_line=5,
    )


def merged_cells_case() -> Case:
    book = Workbook()
    sheet = book.active
    header = ["STT", "MSDN", "Tên DN", "Loại hình", "Địa chỉ trụ sở", "Ngày thành lập",
              "Tình trạng pháp lý", "Số lao động dự kiến"]  # fmt: skip
    sheet.append(["DANH SÁCH DOANH NGHIỆP THÀNH LẬP MỚI"])
    sheet.append(["Kỳ báo cáo: quý 3/2025"])
    sheet.append([])
    sheet.append(header)
    sheet.merge_cells("A1:H1")
    sheet.merge_cells("A2:H2")
    plan = Plan(["", "enterprise_code", "name", "legal_form", "address", "founded_on", "status",
                 "declared_employees"])  # fmt: skip
    for _ in range(4):
        plan.add([])
    sheet.append(["I. THÀNH PHỐ MỸ THO"])  # a section heading merged across the table
    sheet.merge_cells("A5:H5")
    plan.bad([], "no value in the feed's columns")
    rows = [
        [1, CODES[10], "Công ty TNHH Hiệp Phát", "Công ty TNHH một thành viên", ADDRESSES[0], "2020-01-10",
         "Đang hoạt động", 20],
        [2, CODES[11], "Công ty cổ phần Tân Hải", None, ADDRESSES[1], "2024-02-20", "Đang hoạt động", 10],
        [3, CODES[12], "Công ty TNHH Thương mại và Dịch vụ Xuất nhập khẩu Ưu Việt", None, ADDRESSES[2],
         "2018-05-01", "Tạm ngừng kinh doanh", 5],
    ]  # fmt: skip
    for cells in rows:
        sheet.append(cells)
        plan.add(cells)
    sheet.merge_cells("D6:D7")  # one legal form for two firms
    sheet.merge_cells("C8:D8")  # a long name spread over the next (empty) column
    plan.accepted[6] = {"enterprise_code": CODES[10], "legal_form": "Công ty TNHH một thành viên"}
    plan.accepted[7] = {"enterprise_code": CODES[11], "legal_form": "Công ty TNHH một thành viên"}
    plan.accepted[8] = {"enterprise_code": CODES[12], "legal_form": None, "status": "suspended"}
    sheet.append(["Tổng cộng", None, None, None, None, None, None, 35])
    sheet.merge_cells("A9:C9")
    plan.bad([], "total row")
    return Case(
        "registry_merged_cells.xlsx",
        "registry",
        ["xlsx with merged cells", "xlsx with title block", "total row at the bottom"],
        "merged title rows, a merged section heading, a legal form merged down over two firms, a name"
        " merged across the next column, and a merged 'Tổng cộng' total row",
        workbook_bytes(book),
        plan,
        header_line=4,
    )


def trailing_columns_case() -> Case:
    columns = ["unit_code", "name", "tax_code", "status", "", "", ""]
    plan = header_plan(
        "roll", columns, ["Mã đơn vị", "Tên đơn vị", "MST", "Trạng thái", "", "", ""]
    )
    roll_basic(plan, 0, 2)
    line = plan.good(*roll_row(2))
    plan.records[line - 1][6] = "ghi chú lạc cột"
    roll_basic(plan, 3, 1)
    return Case(
        "roll_trailing_empty_columns.csv",
        "roll",
        ["trailing empty columns"],
        "every line ends in empty columns (one row has a stray note in one of them, kept in raw)",
        encode(csv_text(plan.records), "utf-8"),
        plan,
        raw_contains={line: ['"__unnamed__": ["ghi chú lạc cột"]']},
    )


def bad_codes_case() -> Case:
    plan = simple_plan("tax", TAX_SHORT)
    tax_basic(plan, 0, 1)
    row, _ = tax_row(1)
    plan.bad({**row, "tax_code": ""}, "tax_code: blank")
    plan.bad({**row, "tax_code": "   "}, "tax_code: blank")
    plan.bad({**tax_row(2)[0], "tax_code": wrong_check_digit(CODES[2])}, "check digit")
    plan.bad({**tax_row(3)[0], "tax_code": CODES[3][:7] + "AB"}, "not a tax code")
    plan.bad({**tax_row(4)[0], "tax_code": CODES[4][:8]}, "not a tax code")
    plan.bad({**tax_row(5)[0], "tax_code": CODES[5] + "-01"}, "not a tax code")
    plan.bad({**tax_row(6)[0], "tax_code": "không có"}, "not a tax code")
    written, typed = tax_row(7)
    plan.good({**written, "tax_code": f"{CODES[7][:4]} {CODES[7][4:7]}.{CODES[7][7:]}"}, typed)
    written, typed = tax_row(8)
    plan.good({**written, "tax_code": f"{CODES[8]}-001"}, {**typed, "tax_code": f"{CODES[8]}-001"})
    written, typed = tax_row(9)
    plan.good({**written, "tax_code": f"{CODES[9]}-000"}, typed)
    return Case(
        "tax_bad_codes.csv",
        "tax",
        ["blank tax code", "invalid tax code"],
        "blank, whitespace, wrong check digit, letters, too short, a two-digit branch suffix and"
        " words in the tax code column; spaced, dotted, -001 and -000 codes are good",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )


def duplicates_case() -> Case:
    plan = simple_plan("tax", TAX_SHORT)
    first, _ = tax_row(0)
    second, _ = tax_row(1)
    third, typed = tax_row(2, code=ZERO_CODES[0])
    tax_basic(plan, 0, 2)
    plan.good(third, typed)
    plan.bad(first, "duplicate of row 1")
    plan.bad({**second, "name": "Công ty TNHH Hiệp Phát (tên cũ)"}, "already on row 2")
    plan.bad(
        {**third, "tax_code": ZERO_CODES[0][1:], "address": "Địa chỉ khác"}, "already on row 3"
    )
    tax_basic(plan, 3, 1)
    return Case(
        "tax_duplicates.csv",
        "tax",
        ["the same firm twice (exact duplicate)", "the same firm twice (same key, other content)"],
        "an exact copy of row 1, row 2's code with another name, row 3's code written without"
        " its leading zero and another address",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )


def repeated_header_case() -> Case:
    plan = simple_plan("roll", ROLL_SHORT)
    roll_basic(plan, 0, 2)
    plan.bad(plan.records[0], "repeated header row")
    roll_basic(plan, 2, 2)
    plan.bad([HEADERS["roll"][c][-1].upper() for c in ROLL_SHORT], "repeated header row")
    roll_basic(plan, 4, 1)
    return Case(
        "roll_repeated_header.csv",
        "roll",
        ["header row repeated mid-file"],
        "two pages of an export pasted together (the header again), and once more in other spellings",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )


def total_row_cases() -> list[Case]:
    plan = simple_plan("roll", ROLL_SHORT)
    roll_basic(plan, 0, 3)
    plan.bad(
        {"name": "Tổng công ty Lương thực miền Nam", "status": "Đang đóng"}, "unit_code: blank"
    )
    plan.bad(
        {"name": "Tổng cộng", "insured_employees": "33", "wage_bill": "165,000,000"}, "total row"
    )
    case_a = Case(
        "roll_total_row.csv",
        "roll",
        ["total row at the bottom"],
        "a 'Tổng cộng' row under the data; a corporation ('Tổng công ty ...') without a code is a"
        " blank code, not a total",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )
    plan = header_plan("tax", ["", *TAX_SHORT], ["STT", *[HEADERS["tax"][c][1] for c in TAX_SHORT]])
    for i in range(3):
        written, typed = tax_row(i)
        plan.good(written, typed)
        plan.records[-1][0] = str(i + 1)
    plan.bad(["Cộng", "", "", "", "", "", "24", "2.250.000.000"], "total row")
    case_b = Case(
        "tax_total_row_in_stt.csv",
        "tax",
        ["total row at the bottom"],
        "the total's label ('Cộng') sits in the STT column, which is not one of the feed's",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )
    return [case_a, case_b]


def cut_off_cases() -> list[Case]:
    cases = []
    plan = simple_plan("tax", TAX_SHORT)
    tax_basic(plan, 0, 3)
    plan.bad(tax_row(3)[0], "cut off")
    text = csv_text(plan.records)
    cut = text[: text.rindex(NAMES[3][:8]) + 5]
    cases.append(
        Case(
            "tax_cut_off.csv",
            "tax",
            ["file cut off mid-row"],
            "the transfer stopped in the middle of the last row's name",
            encode(cut, "utf-8"),
            plan,
        )
    )
    plan = simple_plan("tax", TAX_SHORT)
    tax_basic(plan, 0, 2)
    plan.bad(tax_row(2)[0], "cut off")
    text = csv_text(plan.records)
    cut = text[: text.rindex(",") - 3]
    cases.append(
        Case(
            "tax_nul_padded.csv",
            "tax",
            ["file cut off mid-row", "NUL padding after a crash"],
            "cut off mid-row, the rest of the file's block filled with NUL bytes",
            encode(cut, "utf-8") + b"\x00" * 200,
            plan,
        )
    )
    plan = simple_plan("roll", ROLL_SHORT)
    roll_basic(plan, 0, 3)
    row, _ = roll_row(3)
    plan.bad({**row, "name": "Công ty TNHH Thương mại Ưu Việt"}, "cut off")
    data = encode(csv_text(plan.records), "utf-8")
    cut_at = data.rindex("Ư".encode()) + 1  # between the two bytes of the letter
    cases.append(
        Case(
            "roll_utf8_cut_mid_letter.csv",
            "roll",
            ["file cut off mid-row", "UTF-8 cut inside a letter"],
            "a UTF-8 file cut between the two bytes of 'Ư' in the last row",
            data[:cut_at],
            plan,
        )
    )
    plan = simple_plan("roll", ["unit_code", "name", "address", "status"])
    roll_basic(plan, 0, 2)
    row, _ = roll_row(2)
    plan.bad({**row, "address": "Số 12, đường Lê Lợi\nPhường Mỹ Tho"}, "cut off")
    text = csv_text(plan.records)
    cut = text[: text.rindex("Lê Lợi") + 6]
    cases.append(
        Case(
            "roll_cut_in_quoted_cell.csv",
            "roll",
            ["file cut off mid-row", "cut inside a quoted cell"],
            "cut inside a quoted two-line address: the quote is never closed",
            encode(cut, "utf-8"),
            plan,
        )
    )
    return cases


def quote_cases() -> list[Case]:
    plan = simple_plan("roll", ["unit_code", "name", "address", "status", "insured_employees"])
    roll_basic(plan, 0, 1)
    written, typed = roll_row(1)
    plan.good({**written, "address": "Số 12, đường Lê Lợi\nPhường Mỹ Tho\nTỉnh Đồng Tháp"}, typed)
    roll_basic(plan, 2, 1)
    text = csv_text(plan.records)
    multiline = Case(
        "roll_multiline_cell.csv",
        "roll",
        ["a quoted cell over several lines"],
        "an address typed with Alt+Enter: one quoted cell over three lines (the line numbers"
        " count records)",
        encode(text, "utf-8"),
        plan,
        raw_contains={3: ["Phường Mỹ Tho"]},
    )
    plan = simple_plan("roll", ["unit_code", "name", "address", "status", "insured_employees"])
    roll_basic(plan, 0, 1)
    written, typed = roll_row(1)
    plan.good(
        {**written, "name": '"Công ty TNHH Hiệp Phát'}, {**typed, "name": '"Công ty TNHH Hiệp Phát'}
    )
    roll_basic(plan, 2, 2)
    written, typed = roll_row(4)
    plan.good({**written, "name": 'Công ty "Ánh Dương'}, {**typed, "name": 'Công ty "Ánh Dương'})
    roll_basic(plan, 5, 2)
    text = csv_text(plan.records).replace('"""Công ty TNHH Hiệp Phát"', '"Công ty TNHH Hiệp Phát')
    text = text.replace('"Công ty ""Ánh Dương"', 'Công ty "Ánh Dương')
    stray = Case(
        "roll_stray_quote.csv",
        "roll",
        ["an unbalanced quote in a row"],
        "a name opening a quote it never closes, and a quote in the middle of a name: neither"
        " swallows the rows after it",
        encode(text, "utf-8"),
        plan,
    )
    return [multiline, stray]


def fatal_cases() -> list[Case]:
    cases = []
    roll_file = simple_plan("roll", ROLL_SHORT)
    roll_basic(roll_file, 0, 3)
    cases.append(
        Case(
            "tax_82_2025Q3.csv",
            "tax",
            ["wrong file in the wrong slot"],
            "the roll, named and landed as the tax file",
            encode(csv_text(roll_file.records), "utf-8"),
            error={"row": 1, "fault": ["no header row of the 'tax' feed", "'roll'"]},
        )
    )
    tax_file = simple_plan("tax", TAX_SHORT)
    tax_basic(tax_file, 0, 3)
    cases.append(
        Case(
            "roll_82_2025Q3.csv",
            "roll",
            ["wrong file in the wrong slot"],
            "the tax file, named and landed as the roll",
            encode(csv_text(tax_file.records), "utf-8"),
            error={"row": 1, "fault": ["no header row of the 'roll' feed", "unit_code", "'tax'"]},
        )
    )
    cases.append(
        Case(
            "tax_empty.csv", "tax", ["empty file"], "zero bytes", b"", error={"row": None, "fault": ["the file is empty"]}
        )
    )  # fmt: skip
    cases.append(
        Case(
            "roll_blank_lines.csv",
            "roll",
            ["empty file"],
            "a BOM and blank lines, nothing else",
            encode("\r\n \r\n,,,\r\n", "utf-8-sig"),
            error={"row": None, "fault": ["the file is empty"]},
        )
    )
    text = csv_text(tax_file.records)
    cases.append(
        Case(
            "registry_not_a_spreadsheet.xlsx",
            "registry",
            ["not a spreadsheet (.xlsx that is really text)"],
            "a CSV renamed to .xlsx",
            encode(text, "utf-8"),
            error={"row": None, "fault": ["not an .xlsx workbook", "text"]},
        )
    )
    cases.append(
        Case(
            "tax_old_excel.xlsx",
            "tax",
            ["not a spreadsheet (an old .xls renamed .xlsx)"],
            "the signature of an Excel 97-2003 (.xls) file under an .xlsx name",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 2,
            error={"row": None, "fault": ["Excel 97-2003"]},
        )
    )
    book = Workbook()
    book.active.append(["Mã đơn vị", "Tên đơn vị"])
    for i in range(50):
        book.active.append([f"TZ{i:04d}", NAMES[i % len(NAMES)]])
    whole = workbook_bytes(book)
    cases.append(
        Case(
            "roll_broken_workbook.xlsx",
            "roll",
            ["not a spreadsheet (a workbook cut off)"],
            "a workbook whose zip was cut in half",
            whole[: len(whole) // 2],
            error={"row": None, "fault": ["not a readable .xlsx workbook"]},
        )
    )
    noise = random.Random(20251001)
    garbage = bytes(noise.randrange(256) for _ in range(700))
    cases.append(
        Case(
            "roll_binary_garbage.csv",
            "roll",
            ["binary garbage .csv"],
            "700 random bytes named .csv",
            garbage,
            error={"row": 1, "fault": ["not a text file"]},
        )
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH ĐƠN VỊ THAM GIA BHXH"])
    sheet.append([])
    sheet.append(["Mã ĐV", "Tên đơn vị", "MST", "Trạng thái"])
    sheet.append(["TZ0001A", NAMES[0], CODES[0], "Đang đóng"])
    cases.append(
        Case(
            "registry_82_2025Q3.xlsx",
            "registry",
            ["wrong file in the wrong slot"],
            "a roll workbook landed as the registry",
            workbook_bytes(book),
            error={"row": 3, "fault": ["no header row of the 'registry' feed", "'roll'"]},
        )
    )
    return cases


def header_only_case() -> Case:
    plan = simple_plan("roll", ROLL_SHORT)
    return Case(
        "roll_header_only.csv",
        "roll",
        ["header-only file"],
        "a header and nothing else (a change file with no changes): read, no rows",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )


def dates_case() -> Case:
    plan = simple_plan("tax", ["tax_code", "name", "registered_on", "status_since", "status"])
    forms = [
        ("15/01/2020", "2020-01-15"),
        ("2020-01-15", "2020-01-15"),
        ("15-01-2020", "2020-01-15"),
        ("43845", "2020-01-15"),  # an Excel serial written out as text
        ("43845.0", "2020-01-15"),
        ("5/3/2021", "2021-03-05"),
        ("2021-03-05 00:00:00", "2021-03-05"),
        ("05/03/2021 08:30", "2021-03-05"),
        ("2021-03-05T08:30:00", "2021-03-05"),
        ("2021-03-05T01:30:00Z", "2021-03-05"),
        ("05.03.2021", "2021-03-05"),
    ]
    for i, (written, iso) in enumerate(forms):
        row, typed = tax_row(i)
        plan.good(
            {**row, "registered_on": written, "status_since": ""},
            {"tax_code": typed["tax_code"], "registered_on": iso, "status_since": None},
        )
    plan.bad(
        {**tax_row(10)[0], "registered_on": "31/02/2020"},
        "registered_on: '31/02/2020' is not a date",
    )
    plan.bad(
        {**tax_row(11)[0], "registered_on": "hôm qua"}, "registered_on: 'hôm qua' is not a date"
    )
    plan.bad({**tax_row(12)[0], "status_since": "2020-13-01"}, "status_since:")
    return Case(
        "tax_dates.csv",
        "tax",
        ["dates in all forms", "Excel serial dates"],
        "dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, serials, d/m/yyyy, with a time, ISO with T, dotted;"
        " the 31st of February, words and month 13 are bad",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )


def amounts_case() -> Case:
    columns = ["unit_code", "name", "insured_employees", "wage_bill", "due", "paid", "arrears"]
    plan = simple_plan("roll", columns)
    forms = [
        ("1.234.000", 1234000),
        ("1,234,000", 1234000),
        ("1 234 000", 1234000),
        ("1234000", 1234000),
        ("1.234.000đ", 1234000),
        ("1.234.000,00", 1234000),
        ("1,234,000.00", 1234000),
        ("1234000.0", 1234000),
    ]
    for i, (written, value) in enumerate(forms):
        row, typed = roll_row(i)
        plan.good(
            {**row, "wage_bill": written, "due": "", "paid": "", "arrears": "0"},
            {"unit_code": typed["unit_code"], "wage_bill": value, "due": None, "arrears": 0},
        )
    plan.bad({**roll_row(8)[0], "wage_bill": "12,5"}, "wage_bill: '12,5' is not a whole number")
    plan.bad({**roll_row(9)[0], "arrears": "(500.000)"}, "arrears: negative arrears")
    plan.bad({**roll_row(10)[0], "insured_employees": "mười"}, "insured_employees:")
    return Case(
        "roll_amounts.csv",
        "roll",
        ["thousands separators"],
        "money with '.', ',' and spaces as thousands separators, a currency sign, decimals of"
        " zero; a fraction, a negative in brackets and a number in words are bad",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )


def lost_zero_cases() -> list[Case]:
    plan = simple_plan("tax", TAX_SHORT)
    forms = [
        (ZERO_CODES[0][1:], ZERO_CODES[0]),
        (ZERO_CODES[1][1:] + ".0", ZERO_CODES[1]),
        (ZERO_CODES[2][1:] + "-002", ZERO_CODES[2] + "-002"),
        (ZERO_CODES[3][1:] + "003", ZERO_CODES[3] + "-003"),
        (ZERO_CODES[4], ZERO_CODES[4]),
    ]
    for i, (written, normal) in enumerate(forms):
        row, typed = tax_row(i)
        plan.good({**row, "tax_code": written}, {"tax_code": normal, "name": typed["name"]})
    plan.bad({**tax_row(5)[0], "tax_code": "1.00233E+08"}, "tax_code")
    csv_case = Case(
        "tax_lost_leading_zero.csv",
        "tax",
        ["tax codes that lost their leading zero"],
        "codes of nine digits, nine digits and '.0', nine digits and a branch suffix, twelve"
        " digits without the dash; a code Excel wrote in scientific notation is bad",
        encode(csv_text(plan.records), "utf-8"),
        plan,
    )
    book = Workbook()
    sheet = book.active
    columns = ["tax_code", "name", "registered_on", "pit_employees", "pit_wage_bill"]
    sheet.append(["MST", "Tên NNT", "Ngày đăng ký thuế", "Số LĐ QTT", "Tổng tiền lương"])
    plan = Plan(columns)
    plan.add([])
    rows = [
        ([int(ZERO_CODES[0]), NAMES[0], datetime(2020, 1, 15), 25, 1500000000],
         {"tax_code": ZERO_CODES[0], "registered_on": "2020-01-15", "pit_wage_bill": 1500000000}),
        ([float(ZERO_CODES[1]), NAMES[1], 43845, 12.0, 600000000.0],
         {"tax_code": ZERO_CODES[1], "registered_on": "2020-01-15", "pit_employees": 12}),
        ([int(CODES[0]), NAMES[2], "15/01/2020", "7", "1.200.000"],
         {"tax_code": CODES[0], "pit_wage_bill": 1200000}),
    ]  # fmt: skip
    for cells, typed in rows:
        sheet.append(cells)
        plan.add(cells)
        plan.accepted[plan.line] = typed
    sheet.append([int(CODES[1]), NAMES[3], 45000.5, 3.5, None])
    plan.add([])
    plan.quarantined[plan.line] = "pit_employees: 3.5 is not a whole number"
    xlsx_case = Case(
        "tax_numbers.xlsx",
        "tax",
        ["tax codes that lost their leading zero", "dates as Excel serials", "xlsx numbers"],
        "a workbook with codes, dates and money as numbers (ints and floats) and as text",
        workbook_bytes(book),
        plan,
        header_line=1,
    )
    return [csv_case, xlsx_case]


def jsonl_case() -> Case:
    records: list[str] = []
    plan = Plan([])
    for i in range(2):
        row, typed = registry_row(i)
        records.append(json.dumps({"MSDN": row["enterprise_code"], "Tên DN": row["name"],
                                   "Ngày thành lập": row["founded_on"], "Tình trạng pháp lý": row["status"],
                                   "Số lao động dự kiến": int(row["declared_employees"])},
                                  ensure_ascii=False))  # fmt: skip
        plan.accepted[len(records)] = typed
    records.append('{"MSDN": "' + CODES[12] + '", "Tên DN": "Công ty TNHH Ưu Việt", "Ngày thành')
    plan.quarantined[len(records)] = "not JSON"
    records.append('["' + CODES[13] + '", "Công ty mảng"]')
    plan.quarantined[len(records)] = "not a JSON object"
    records.append("")
    row, typed = registry_row(4)
    records.append(json.dumps({"enterprise_code": int(row["enterprise_code"]), "name": row["name"],
                               "status": row["status"], "founded_on": row["founded_on"],
                               "extra_field": {"nested": True}}, ensure_ascii=False))  # fmt: skip
    plan.accepted[len(records)] = {k: typed[k] for k in ("enterprise_code", "status", "founded_on")}
    row, _ = registry_row(5)
    records.append('{"MSDN": "' + row["enterprise_code"] + '", "Tên DN": "Công ty TNHH Đức')
    plan.quarantined[len(records)] = "cut off"
    return Case(
        "registry_api.jsonl",
        "registry",
        ["JSON lines with a broken line", "file cut off mid-row"],
        "JSON lines from the API: a broken line, an array instead of an object, a blank line,"
        " canonical names and a number for a code, and a last line cut off",
        "\n".join(records).encode("utf-8"),
        plan,
        raw_contains={6: ['"extra_field"']},
    )


def decisions_case() -> Case:
    plan = simple_plan("decisions", ["case_id", "decision", "note", "inspector", "decided_on"])
    for i in range(4):
        plan.good(*decisions_row(i))
    row, typed = decisions_row(4)
    plan.good({**row, "decision": "đang kiểm tra"}, {**typed, "decision": "in_progress"})
    plan.bad({**decisions_row(5)[0], "decision": "chưa rõ"}, "not a known decision status")
    plan.bad({**decisions_row(6)[0], "decision": ""}, "decision: blank")
    plan.bad({**decisions_row(7)[0], "case_id": ""}, "case_id: blank")
    return Case(
        "decisions_returned.csv",
        "decisions",
        ["decision labels", "blank required cells"],
        "a returned workbook saved as CSV: Vietnamese labels, an unknown label, a blank decision"
        " and a blank case id",
        encode(csv_text(plan.records), "utf-8-sig"),
        plan,
    )


def all_cases() -> list[Case]:
    cases = [
        *spelling_cases(),
        extra_columns_case(),
        *encoding_cases(),
        semicolon_case(),
        title_block_case(),
        merged_cells_case(),
        trailing_columns_case(),
        bad_codes_case(),
        duplicates_case(),
        repeated_header_case(),
        *total_row_cases(),
        *cut_off_cases(),
        *quote_cases(),
        header_only_case(),
        dates_case(),
        amounts_case(),
        *lost_zero_cases(),
        jsonl_case(),
        decisions_case(),
        *fatal_cases(),
    ]
    names = [case.file for case in cases]
    assert len(names) == len(set(names)), "two cases share a file name"
    return cases


def build(folder: Path) -> tuple[dict[str, bytes], str]:
    """The corpus files (name -> bytes) and the manifest text; nothing is written."""
    cases = all_cases()
    files = {case.file: case.data for case in cases}
    header = (
        "# The corpus of bad feed files: written by make_corpus.py, checked by\n"
        "# tests/unit/feeds/test_corpus.py. Do not edit: change make_corpus.py and rerun it.\n"
        "# outcome rows: every line listed in accepted_lines is accepted (with these typed\n"
        "#   values), every line in quarantined is quarantined with a reason containing the\n"
        "#   phrase, and nothing else is read. Lines are the file's records (sheet rows in xlsx).\n"
        "# outcome fatal: reading raises FeedFileError naming the file, this row (or none) and a\n"
        "#   fault containing every phrase.\n"
    )
    body = yaml.safe_dump(
        {"cases": [case.manifest() for case in cases]},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return files, header + body


def main(argv: list[str]) -> int:
    files, manifest = build(FILES)
    if "--check" in argv:
        stale = [n for n, data in files.items() if (FILES / n).read_bytes() != data]
        if MANIFEST.read_text(encoding="utf-8") != manifest:
            stale.append(MANIFEST.name)
        print("\n".join(stale) or "corpus up to date")
        return 1 if stale else 0
    FILES.mkdir(exist_ok=True)
    for old in FILES.iterdir():
        if old.name not in files:
            old.unlink()
    for name, data in files.items():
        (FILES / name).write_bytes(data)
    MANIFEST.write_text(manifest, encoding="utf-8")
    print(f"{len(files)} files in {FILES}, manifest {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
