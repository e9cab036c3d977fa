"""Reading generated files back for the synth tests, independently of the pipeline's readers.

The generator records each file's presentation in ``config.json`` (columns in written order,
encoding, delimiter, title rows, date and number formats): the tests use it to read the files
directly, so they check what was written rather than what the pipeline makes of it.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import yaml

from reconcile.quarter import Quarter
from reconcile_dev.synth import SynthConfig, SynthResult, generate

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "plugins" / "reconcile"
EXCEL_EPOCH = date(1899, 12, 30)
FEEDS = (("tax", "csv"), ("registry", "xlsx"), ("roll", "csv"))
# Regional floors as DOMAIN.md gives them, typed in again here on purpose.
FLOORS = (
    (date(2024, 7, 1), (4_960_000, 4_410_000, 3_860_000, 3_450_000)),
    (date(2026, 1, 1), (5_310_000, 4_730_000, 4_140_000, 3_700_000)),
)


def floor_at(day: date, region: int) -> int:
    value = None
    for since, values in FLOORS:
        if since <= day:
            value = values[region - 1]
    assert value is not None, f"no floor for {day}"
    return value


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "".join(c for c in text.lower() if c.isalnum())


@cache
def spec() -> dict:
    return yaml.safe_load((PACKAGE / "feeds" / "data" / "spec.yaml").read_text(encoding="utf-8"))


@cache
def statuses() -> dict[str, dict[str, str]]:
    """Vocabulary -> exact spelling -> canonical status."""
    raw = yaml.safe_load((PACKAGE / "feeds" / "data" / "statuses.yaml").read_text(encoding="utf-8"))
    return {
        v: {nfc(str(s)): k for k, spellings in body.items() for s in spellings}
        for v, body in raw.items()
    }


@cache
def admin_csv(name: str) -> list[dict[str, str]]:
    with open(
        PACKAGE / "text" / "data" / "admin_units" / name, encoding="utf-8", newline=""
    ) as handle:
        return list(csv.DictReader(handle))


def last_day(quarter: str) -> date:
    year, number = int(quarter[:4]), int(quarter[-1])
    month = 3 * number
    return date(year, month, calendar.monthrange(year, month)[1])


def overdue(quarter: str, months: int) -> int:
    end = last_day(quarter)
    oldest = end.year * 12 + end.month - 1 - (months - 1)
    due_year, due_month0 = divmod(oldest + 1, 12)
    due = date(due_year, due_month0 + 1, calendar.monthrange(due_year, due_month0 + 1)[1])
    return (end - due).days


@dataclass
class Written:
    """One landing file read back: header cells and data rows (row number, canonical -> cell)."""

    path: Path
    plan: dict
    headers: list[str]
    rows: list[tuple[int, dict[str, object]]]
    raw: bytes


_READ: dict[str, Written] = {}


def read_written(path: Path, plan: dict) -> Written:
    """Read (once per test session) a landing file written with ``plan``."""
    if str(path) not in _READ:
        _READ[str(path)] = _read(path, plan)
    return _READ[str(path)]


def _read(path: Path, plan: dict) -> Written:
    columns = plan["columns"]
    raw = path.read_bytes()
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        lines = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        title = len(plan["title_rows"])
        header = [str(c) for c in lines[title][: len(columns)]]
        body = lines[title + 1 :]
    else:
        encoding = plan["encoding"]
        text = raw.decode(
            "cp1258"
            if encoding == "cp1258"
            else "utf-8-sig"
            if encoding == "utf-8-sig"
            else "utf-8"
        )
        if encoding == "utf-8":
            assert not raw.startswith(b"\xef\xbb\xbf")
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=plan["delimiter"]))
        header, body = lines[0], lines[1:]
    rows = []
    for number, cells in enumerate(body, start=1):
        cells = list(cells) + [None] * (len(columns) - len(cells))
        rows.append((number, dict(zip(columns, cells[: len(columns)], strict=True))))
    return Written(path, plan, header, rows, raw)


def text_of(cell: object) -> str:
    if cell is None:
        return ""
    return nfc(str(cell))


def as_date(cell: object, plan: dict) -> date | None:
    if cell in (None, ""):
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, int | float):
        return EXCEL_EPOCH + timedelta(days=int(cell))
    return datetime.strptime(str(cell), plan["date_format"]).date()


def as_int(cell: object) -> int | None:
    if cell in (None, ""):
        return None
    if isinstance(cell, int | float):
        return int(cell)
    return int(str(cell).replace(".", "").replace(",", ""))


@dataclass
class Partition:
    quarter: str
    province: str
    landing: Path
    truth: Path
    meta: dict

    def table(self, name: str) -> list[dict[str, str]]:
        with open(self.truth / name, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def file(self, feed: str) -> Written:
        ext = dict(FEEDS)[feed]
        name = f"{feed}_{self.province}_{self.quarter}.{ext}"
        return read_written(self.landing / name, self.meta["files"][name])

    def faults(self, feed: str) -> dict[int, dict[str, str]]:
        ext = dict(FEEDS)[feed]
        name = f"{feed}_{self.province}_{self.quarter}.{ext}"
        return {int(f["row"]): f for f in self.table("file_faults.csv") if f["file"] == name}


def partitions(landing: Path, truth: Path) -> list[Partition]:
    out = []
    for meta_path in sorted(truth.glob("*/*/config.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        q, p = meta["quarter"], meta["province"]
        out.append(Partition(q, p, landing / q / p, meta_path.parent, meta))
    return out


def tree_bytes(*roots: Path) -> dict[str, bytes]:
    return {
        f"{i}/{p.relative_to(root)}": p.read_bytes()
        for i, root in enumerate(roots)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@dataclass
class Generated:
    config: SynthConfig
    result: SynthResult
    landing: Path
    truth: Path

    @property
    def partitions(self) -> list[Partition]:
        return partitions(self.landing, self.truth)


def make(root: Path, config: SynthConfig) -> Generated:
    landing, truth = root / "landing", root / "truth"
    return Generated(config, generate(config, landing, truth), landing, truth)


def quarters(*texts: str) -> tuple[Quarter, ...]:
    return tuple(Quarter.parse(t) for t in texts)
