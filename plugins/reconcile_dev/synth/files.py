"""Files as partners send them: header spellings, column order, encodings, title blocks, and
row-level faults (a repeated header, a total row, duplicates, broken or blank keys).

``plan_file`` decides a file's presentation, ``apply_faults`` plants the row-level faults and
says where they landed (the data row number as the pipeline counts it: the N-th row below the
header row), and ``write_csv`` / ``write_xlsx`` stream the rows out. The .xlsx writer is a small
SpreadsheetML writer of its own: it is fast, streams, and is byte-identical for the same input
(fixed document properties and zip-entry timestamps), which openpyxl's writer is not.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from reconcile.text.tax_code import is_valid_root
from reconcile_dev.synth.config import TroubleRates
from reconcile_dev.synth.draws import pick as _pick
from reconcile_dev.synth.names import ascii_fold
from reconcile_dev.synth.noise import to_cp1258
from reconcile_dev.synth.records import ALIASES
from reconcile_dev.synth.reference import column_kinds, header_spellings, required_columns

HEADER = "\x00HEADER"  # marker rows, replaced by the writer
TOTAL = "\x00TOTAL"
TOTAL_LABEL = unicodedata.normalize("NFC", "Tổng cộng")
CODE_COLUMN = {"tax": "tax_code", "registry": "enterprise_code", "roll": "tax_code"}
DATE_FORMATS = (("%d/%m/%Y", 0.7), ("%Y-%m-%d", 0.2), ("%d-%m-%Y", 0.1))
XLSX_DATES = (("date", 0.6), ("text", 0.3), ("serial", 0.1))
FEED_TITLES = {
    "tax": "DANH SÁCH NGƯỜI NỘP THUẾ LÀ DOANH NGHIỆP",
    "registry": "DANH SÁCH DOANH NGHIỆP TRÊN ĐỊA BÀN",
    "roll": "DANH SÁCH ĐƠN VỊ THAM GIA BHXH",
}
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass
class FilePlan:
    feed: str
    name: str
    columns: list[str]  # canonical columns in written order
    headers: list[str]  # the header cells as written
    encoding: str = "utf-8"  # utf-8, utf-8-sig or cp1258 (CSV)
    delimiter: str = ","
    thousands: bool = False
    date_format: str = "%d/%m/%Y"
    date_cells: str = "date"  # .xlsx: date (styled serial), text, serial (plain number)
    title_rows: list[str] = field(default_factory=list)
    header_variant_columns: list[str] = field(default_factory=list)
    header_no_diacritics: bool = False
    header_upper: bool = False
    shuffled: bool = False

    @property
    def header_line(self) -> int:
        return len(self.title_rows) + 1

    def describe(self) -> dict[str, object]:
        return asdict(self)


def plan_file(
    feed: str,
    name: str,
    ext: str,
    period: str,
    place: str,
    trouble: TroubleRates,
    rng: random.Random,
) -> FilePlan:
    spellings = header_spellings()[feed]
    columns = list(spellings)
    shuffled = rng.random() < trouble.shuffled_columns
    if shuffled:
        rng.shuffle(columns)
    variants: list[str] = []
    headers: list[str] = []
    for column in columns:
        # A spelling that is only the canonical name (``province``) is the pipeline's, not a partner's.
        options = tuple(h for h in spellings[column] if h not in spellings) or spellings[column]
        if len(options) > 1 and rng.random() < trouble.header_variant:
            headers.append(rng.choice(options[1:]))
            variants.append(column)
        else:
            headers.append(options[0])
    no_diacritics = rng.random() < trouble.header_no_diacritics
    upper = rng.random() < trouble.header_upper
    if no_diacritics:
        headers = [ascii_fold(h) for h in headers]
    if upper:
        headers = [h.upper() for h in headers]
    plan = FilePlan(
        feed,
        name,
        columns,
        headers,
        shuffled=shuffled,
        header_variant_columns=variants,
        header_no_diacritics=no_diacritics,
        header_upper=upper,
    )
    # Every draw is made whatever the outcome, so that one rate never shifts the other choices.
    draws = [rng.random() for _ in range(6)]
    plan.thousands = draws[0] < trouble.thousands_separators
    plan.date_format = _pick(rng, DATE_FORMATS)
    cells = _pick(rng, XLSX_DATES)
    long_title = rng.random() < 0.7
    if ext == "xlsx":
        plan.date_cells = cells
        if draws[1] < trouble.title_block:
            title = f"{FEED_TITLES[feed]} {place.upper()}"
            plan.title_rows = [title, f"Kỳ: {period}", ""] if long_title else [title, ""]
    else:
        plan.date_cells = "text"
        if feed == "roll" and draws[2] < trouble.cp1258:
            plan.encoding = "cp1258"
        elif draws[3] < trouble.bom:
            plan.encoding = "utf-8-sig"
        plan.delimiter = ";" if draws[4] < trouble.semicolon else ","
    return plan


@dataclass(frozen=True)
class Fault:
    row: int  # 1-based data row below the header row
    fault: str  # repeated_header, total_row, duplicate_row, invalid_tax_code, blank_required
    key: str  # the record's key (tax code or unit code) as it was before the fault, or ""
    column: str = ""


def break_check_digit(code: str, rng: random.Random) -> str:
    root, rest = code[:10], code[10:]
    wrong = rng.choice([d for d in "0123456789" if d != root[9]])
    return root[:9] + wrong + rest


def apply_faults(
    feed: str,
    rows: list[tuple[int, dict[str, object]]],
    safe: Sequence[bool],
    trouble: TroubleRates,
    rng: random.Random,
) -> tuple[list[dict[str, object] | str], list[Fault], set[int]]:
    """Plant row faults; returns the rows to write (with marker rows), the faults and the
    indexes (into the snapshot) of records that a reader cannot use any more."""
    n = len(rows)
    key_column = {"tax": "tax_code", "registry": "enterprise_code", "roll": "unit_code"}[feed]
    code_column = CODE_COLUMN[feed]
    required = [c for c in required_columns()[feed] if c in ("name", key_column)] or ["name"]

    def count(rate: float) -> int:
        return sum(1 for _ in range(n) if rng.random() < rate) if rate > 0 else 0

    candidates = [p for p in range(n) if safe[p]]
    with_code = [
        p
        for p in candidates
        if isinstance(rows[p][1].get(code_column), str)
        and is_valid_root(str(rows[p][1][code_column])[:10])
    ]
    invalid = sorted(rng.sample(with_code, min(count(trouble.invalid_tax_code), len(with_code))))
    taken = set(invalid)
    rest = [p for p in candidates if p not in taken]
    blank = sorted(rng.sample(rest, min(count(trouble.blank_required), len(rest))))
    taken.update(blank)
    others = [p for p in range(n) if p not in taken]
    duplicates = set(rng.sample(others, min(count(trouble.duplicate_row), len(others))))
    headers_after = sorted(
        rng.randrange(1, max(n, 2)) for _ in range(count(trouble.repeated_header))
    )

    hidden: set[int] = set()
    kinds: dict[int, tuple[str, str, str]] = {}
    out_rows: list[dict[str, object]] = []
    for position, (index, record) in enumerate(rows):
        record = dict(record)
        key = str(record.get(key_column) or "")
        if position in taken:
            if position in invalid:
                record[code_column] = break_check_digit(str(record[code_column]), rng)
                kinds[position] = ("invalid_tax_code", key, code_column)
                if feed != "roll":
                    hidden.add(index)
            else:
                column = rng.choice(required)
                record[column] = None
                kinds[position] = ("blank_required", key, column)
                hidden.add(index)
        out_rows.append(record)

    written: list[dict[str, object] | str] = []
    faults: list[Fault] = []
    header_queue = list(headers_after)
    pending_duplicates: list[tuple[int, dict[str, object], str]] = []
    for position, record in enumerate(out_rows):
        while header_queue and header_queue[0] == position:
            header_queue.pop(0)
            written.append(HEADER)
            faults.append(Fault(len(written), "repeated_header", ""))
        written.append(record)
        if position in kinds:
            fault, key, column = kinds[position]
            faults.append(Fault(len(written), fault, key, column))
        if position in duplicates:
            delay = rng.randint(0, 30)
            pending_duplicates.append((position + delay, record, str(record.get(key_column) or "")))
        still: list[tuple[int, dict[str, object], str]] = []
        for due, copy, key in pending_duplicates:
            if due <= position:
                written.append(copy)
                faults.append(Fault(len(written), "duplicate_row", key))
            else:
                still.append((due, copy, key))
        pending_duplicates = still
    for _, copy, key in pending_duplicates:
        written.append(copy)
        faults.append(Fault(len(written), "duplicate_row", key))
    if rng.random() < trouble.total_row:
        written.append(TOTAL)
        faults.append(Fault(len(written), "total_row", ""))
    return written, faults, hidden


def _value(record: dict[str, object], column: str) -> object:
    if column in record:
        return record[column]
    return record.get(ALIASES.get(column, column))


def _totals(plan: FilePlan, rows: Iterable[dict[str, object] | str]) -> dict[str, int]:
    kinds = column_kinds()[plan.feed]
    sums = {c: 0 for c in plan.columns if kinds[c] in ("money", "count")}
    for row in rows:
        if isinstance(row, dict):
            for column in sums:
                value = _value(row, column)
                if isinstance(value, int):
                    sums[column] += value
    return sums


def _label_column(plan: FilePlan) -> str:
    kinds = column_kinds()[plan.feed]
    for column in plan.columns:
        if kinds[column] not in ("money", "count", "date"):
            return column
    return plan.columns[0]


# --- CSV ----------------------------------------------------------------------------------------
def _csv_cell(value: object, kind: str, plan: FilePlan) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        fmt = plan.date_format
        if fmt == "%d/%m/%Y":
            return f"{value.day:02d}/{value.month:02d}/{value.year}"
        if fmt == "%Y-%m-%d":
            return value.isoformat()
        return f"{value.day:02d}-{value.month:02d}-{value.year}"
    if isinstance(value, int) and kind == "money" and plan.thousands:
        return f"{value:,}".replace(",", ".")
    return str(value)


def write_csv(path: Path, plan: FilePlan, rows: list[dict[str, object] | str]) -> None:
    kinds = [column_kinds()[plan.feed][c] for c in plan.columns]
    sums = _totals(plan, rows)
    label = _label_column(plan)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=plan.delimiter, lineterminator="\r\n")

    def flush(handle: io.BufferedWriter) -> None:
        text = buffer.getvalue()
        handle.write(to_cp1258(text) if plan.encoding == "cp1258" else text.encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()

    with open(path, "wb") as handle:
        if plan.encoding == "utf-8-sig":
            handle.write(b"\xef\xbb\xbf")
        writer.writerow(plan.headers)
        for count, row in enumerate(rows, start=1):
            if row == HEADER:
                writer.writerow(plan.headers)
            elif row == TOTAL:
                writer.writerow(
                    [
                        TOTAL_LABEL if c == label else _csv_cell(sums.get(c), k, plan)
                        for c, k in zip(plan.columns, kinds, strict=True)
                    ]
                )
            else:
                assert isinstance(row, dict)
                writer.writerow(
                    [
                        _csv_cell(_value(row, c), k, plan)
                        for c, k in zip(plan.columns, kinds, strict=True)
                    ]
                )
            if count % 5000 == 0:
                flush(handle)
        flush(handle)


# --- XLSX ---------------------------------------------------------------------------------------
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Styles: 0 default, 1 date dd/mm/yyyy, 2 bold (header and title), 3 #,##0.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:creator>{creator}</dc:creator>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
    "</cp:coreProperties>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>"
)
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{chr(c): " " for c in range(32) if c not in (9, 10, 13)},
    }
)


def _column_letters(n: int) -> list[str]:
    letters = []
    for i in range(n):
        name, i = "", i + 1
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        letters.append(name)
    return letters


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    text = text.translate(_ESCAPES)
    space = ' xml:space="preserve"' if text != text.strip() or "  " in text else ""
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _xlsx_cell(ref: str, value: object, kind: str, plan: FilePlan) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        if plan.date_cells == "text":
            return _text_cell(ref, _csv_cell(value, kind, plan))
        serial = (value - EXCEL_EPOCH).days
        return (
            f'<c r="{ref}" s="1"><v>{serial}</v></c>'
            if plan.date_cells == "date"
            else f'<c r="{ref}"><v>{serial}</v></c>'
        )
    if isinstance(value, int) and not isinstance(value, bool):
        style = ' s="3"' if kind == "money" and plan.thousands else ""
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    return _text_cell(ref, str(value))


def write_xlsx(
    path: Path,
    plan: FilePlan,
    rows: list[dict[str, object] | str],
    stamp: datetime,
    sheet: str = "Danh sach",
) -> None:
    kinds = [column_kinds()[plan.feed][c] for c in plan.columns]
    letters = _column_letters(len(plan.columns))
    sums = _totals(plan, rows)
    label = _label_column(plan)
    when = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        info.create_system = 3
        return info

    def header_row(number: int) -> str:
        cells = "".join(
            _text_cell(f"{letters[i]}{number}", h, 2) for i, h in enumerate(plan.headers)
        )
        return f'<row r="{number}">{cells}</row>'

    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        book.writestr(entry("[Content_Types].xml"), _CONTENT_TYPES)
        book.writestr(entry("_rels/.rels"), _ROOT_RELS)
        book.writestr(entry("docProps/app.xml"), _APP)
        title = (plan.title_rows[0] if plan.title_rows else plan.name).translate(_ESCAPES)
        book.writestr(
            entry("docProps/core.xml"),
            _CORE.format(title=title, creator="reconcile.synth", stamp=iso),
        )
        book.writestr(entry("xl/workbook.xml"), _WORKBOOK.format(sheet=sheet))
        book.writestr(entry("xl/_rels/workbook.xml.rels"), _WORKBOOK_RELS)
        book.writestr(entry("xl/styles.xml"), _STYLES)
        with book.open(entry("xl/worksheets/sheet1.xml"), "w") as sheet_out:
            parts: list[str] = [
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            ]
            number = 0
            for text in plan.title_rows:
                number += 1
                cell = _text_cell(f"A{number}", text, 2) if text else ""
                parts.append(f'<row r="{number}">{cell}</row>' if cell else "")
            number += 1
            parts.append(header_row(number))
            for row in rows:
                number += 1
                if row == HEADER:
                    parts.append(header_row(number))
                    continue
                if row == TOTAL:
                    cells = [
                        _text_cell(f"{letters[i]}{number}", TOTAL_LABEL, 2)
                        if c == label
                        else _xlsx_cell(f"{letters[i]}{number}", sums.get(c), k, plan)
                        for i, (c, k) in enumerate(zip(plan.columns, kinds, strict=True))
                    ]
                else:
                    assert isinstance(row, dict)
                    cells = [
                        _xlsx_cell(f"{letters[i]}{number}", _value(row, c), k, plan)
                        for i, (c, k) in enumerate(zip(plan.columns, kinds, strict=True))
                    ]
                parts.append(f'<row r="{number}">{"".join(cells)}</row>')
                if len(parts) >= 2000:
                    sheet_out.write("".join(parts).encode("utf-8"))
                    parts.clear()
            parts.append("</sheetData>")
            if plan.title_rows and plan.title_rows[0]:
                parts.append(
                    f'<mergeCells count="1"><mergeCell ref="A1:{letters[min(len(letters), 8) - 1]}1"/></mergeCells>'
                )
            parts.append("</worksheet>")
            sheet_out.write("".join(parts).encode("utf-8"))
