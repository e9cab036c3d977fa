"""Cells as written into typed canonical values, each fault kept as a reason for its row.

Cleaning never drops a row. It returns one frame with every data row, typed columns, the raw
record (JSON, every cell as written, unknown columns included) and a list of reasons per row;
validation adds its own reasons and quarantine takes the rows that have any.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache

import pandas as pd

from reconcile.feeds.readers import RawTable, canonical_of
from reconcile.feeds.spec import FeedSpec, vocabularies
from reconcile.text import tax_code as tax_codes
from reconcile.text.unicode import fold, nfc, repair_legacy
from reconcile.values import is_missing

EXCEL_EPOCH = date(1899, 12, 30)
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")
# "Tổng cộng", "Tổng số", "Cộng": a total; "Tổng công ty ..." (a corporation) is not one.
_TOTAL_ROW = re.compile(
    r"^(?:tong cong\b(?! ty\b)|tong so\b|total\b|grand total\b)|^(?:tong|cong|cong so)$"
)
_TIME_OF_DAY = re.compile(
    r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?$"
)
# dd/mm/yyyy, dd-mm-yyyy and yyyy-mm-dd (ASCII digits): exactly what the first three of
# _DATE_FORMATS accept when the day exists, read without strptime
_QUICK_DATE = re.compile(
    r"([0-9]{1,2})([/-])([0-9]{1,2})\2([0-9]{4})|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
)
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_STATUS_CODE = re.compile(r"^(\d{1,2})(?:\s*[-.]\s*\d+)?$")


class CellError(ValueError):
    """A cell that cannot be read as its column's kind."""


def _text(value: object) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.isascii():  # nothing to repair or compose: the usual code, date or amount
        return " ".join(text.split()) or None
    return _tidy(text) or None


@lru_cache(maxsize=1 << 14)
def _tidy(text: str) -> str:
    """Non-ASCII text repaired, composed and single-spaced; cached because a column of labels
    (a legal form, a status, an office) repeats a few values in every row."""
    return " ".join(nfc(repair_legacy(text)).split())


def parse_date(value: object) -> date | None:
    """dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, Excel serials and spreadsheet dates."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if is_missing(value):
            return None
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(f"number {value} is not a date")
    text = _text(value)
    if text is None:
        return None
    text = _TIME_OF_DAY.sub("", text)
    if _SERIAL.match(text) and 20000 <= float(text) < 80000:  # an Excel serial written out
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    quick = _QUICK_DATE.fullmatch(text)  # the usual three shapes, without strptime's cost
    if quick:
        day, month, year = quick.group(1, 3, 4) if quick.group(1) else quick.group(7, 6, 5)
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass  # not a day of the calendar: the formats below say so as before
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"{text!r} is not a date (expected dd/mm/yyyy or yyyy-mm-dd)")


def parse_amount(value: object) -> int | None:
    """Whole VND or counts, with '.', ',' or spaces as thousands separators."""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if is_missing(value):
            return None
        if not value.is_integer():
            raise CellError(f"{value} is not a whole number")
        return int(value)
    text = _text(value)
    if text is None:
        return None
    cleaned = re.sub(r"[\s\u00a0]", "", text)
    for unit in ("đồng", "đ", "VNĐ", "VND"):
        cleaned = cleaned.removesuffix(unit)
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("-()")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,0+|\d{1,3}(,\d{3})+\.0+", cleaned):
        cleaned = cleaned[: -len(re.split(r"[.,]", cleaned)[-1]) - 1]  # 1.234.000,00
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", cleaned):
        cleaned = re.sub(r"[.,]", "", cleaned)
    elif re.fullmatch(r"\d+[.,]0+", cleaned):
        cleaned = re.split(r"[.,]", cleaned)[0]
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise CellError(f"{text!r} is not a whole number")
    return -int(cleaned) if negative else int(cleaned)


def parse_status(value: object, vocabulary: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    lookup = vocabularies()[vocabulary]
    code = _STATUS_CODE.match(text)
    if code:
        text = code.group(1).zfill(2)
    canonical = lookup.get(fold(text))
    if canonical is None:
        raise CellError(f"{text!r} is not a known {vocabulary} status")
    return canonical


def _is_header_again(
    cells: dict[str, object], first: tuple[str, ...], canonical: Callable[[object], str | None]
) -> bool:
    """The header written again: most of the row's cells are header spellings. A header row
    always repeats the key's and the required columns' headers (``first``), so those cells are
    looked at first and a data row (nearly all rows) costs two or three look-ups, not one a cell."""
    if not any((value := cells.get(column)) is not None and canonical(value) for column in first):
        return False
    hits = sum(1 for value in cells.values() if value is not None and canonical(value))
    return hits >= max(2, len([v for v in cells.values() if v is not None]) // 2)


def _is_total_row(cells: dict[str, object], row: list[object], spec: FeedSpec) -> bool:
    """A label such as "Tổng cộng" among the row's first cells (the feed's or not: it often
    sits in an STT column), and no key of its own."""
    key_value = cells.get(spec.key)  # a key of its own (nearly every row) settles it first
    if key_value not in (None, "") and not _TOTAL_ROW.match(fold(str(key_value))):
        return False
    texts = []  # the first three non-blank cells, folded (only they can hold the label)
    for v in row:
        if v not in (None, "") and str(v).strip():
            texts.append(fold(str(v)))
            if len(texts) == 3:
                break
    return any(_TOTAL_ROW.match(t) for t in texts)


def _unreadable(raw: dict[str, object]) -> str | None:
    """The first column whose text has control characters or U+FFFD (bytes that did not decode)."""
    texts = [t for v in raw.values() for t in (v if isinstance(v, list) else [v])]
    if not _UNREADABLE.search("\n".join(t for t in texts if isinstance(t, str))):
        return None  # one search for the row ("\n" is not one of the characters looked for)
    for column, value in raw.items():
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and _UNREADABLE.search(t) for t in texts):
            return column
    return None


def _blank_cell(value: object) -> bool:
    return is_missing(value) or str(value).strip() == ""


def clean(table: RawTable, spec: FeedSpec) -> pd.DataFrame:
    """One row per data row: ``row_number``, ``line``, typed columns, ``raw``, ``reasons``."""
    records: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    header_of = canonical_of(spec)
    header_columns = tuple(dict.fromkeys((spec.key, *spec.required)))
    for line, cells in table.rows:
        row_number = line - table.header_line
        by_column = {
            column: cells[position] if position < len(cells) else None
            for position, column in table.columns.items()
        }
        raw = {column: _raw_text(value) for column, value in by_column.items()}
        raw.update(
            {
                header: _raw_text(cells[position])
                for position, header in table.extra_columns.items()
                if position < len(cells) and cells[position] not in (None, "")
            }
        )
        known = set(table.columns) | set(table.extra_columns)
        overflow = [
            _raw_text(c) for i, c in enumerate(cells) if i not in known and c not in (None, "")
        ]
        if overflow:
            raw["__unnamed__"] = overflow
        record: dict[str, object] = {"row_number": row_number, "line": line}
        reasons: list[str] = []
        damaged = _unreadable(raw)
        if line == table.cut_off_line:
            reasons.append("row cut off: the file ends in the middle of it")
        elif line in table.faults:
            reasons.append(table.faults[line])
        elif damaged is not None:
            reasons.append(
                f"unreadable characters in {damaged}: the file is damaged here or mixes encodings"
            )
        elif _is_header_again(by_column, header_columns, header_of):
            reasons.append("repeated header row")
        elif _is_total_row(by_column, cells, spec):
            reasons.append("total row")
        elif all(_blank_cell(v) for v in by_column.values()):
            reasons.append("no value in the feed's columns (a heading or a note, not a data row?)")
        else:
            for column in spec.columns.values():
                value = by_column.get(column.name)
                try:
                    record.update(_convert(column.name, column.kind, column.vocabulary, value))
                except CellError as exc:
                    reasons.append(f"{column.name}: {exc}")
                    record.update(_convert(column.name, column.kind, None, None))
            fingerprint = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
            if fingerprint in seen:
                reasons.append(f"duplicate of row {seen[fingerprint]}")
            else:
                seen[fingerprint] = row_number
        record["raw"] = json.dumps(raw, ensure_ascii=False, default=str)
        record["reasons"] = reasons
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=_frame_columns(spec))
    return _mark_duplicate_keys(frame, spec)


def _raw_text(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _frame_columns(spec: FeedSpec) -> list[str]:
    columns = ["row_number", "line"]
    for column in spec.columns.values():
        columns.append(column.name)
        if column.kind == "tax_code":
            columns.append(f"{column.name}_valid")
    return [*columns, "raw", "reasons"]


def _convert(name: str, kind: str, vocabulary: str | None, value: object) -> dict[str, object]:
    if kind == "tax_code":
        text: str | None
        try:
            parsed = tax_codes.parse(value)
            if parsed is None:
                return {name: None, f"{name}_valid": None}
            text, valid = parsed.text, parsed.is_valid
        except ValueError:  # digits int() cannot read ("²"): not a tax code
            text, valid = _text(value), False
        if (
            valid and text is not None and not text.isascii()
        ):  # other scripts' digits: not a code as written here
            valid = False
        return {name: text, f"{name}_valid": valid}
    if kind == "date":
        day = parse_date(value)
        if day is not None and day > date.today():
            raise CellError(f"{day.strftime('%d/%m/%Y')} is in the future")
        return {name: day}
    if kind in ("money", "count"):
        return {name: parse_amount(value)}
    if kind == "status":
        return {name: parse_status(value, vocabulary) if vocabulary else None}
    if kind == "code":
        text = _text(value)
        return {name: text.replace(" ", "") if text else None}
    return {name: _text(value)}


def _shown_scope(value: object) -> str:
    return value if isinstance(value, str) and value else "blank"


def _mark_duplicate_keys(frame: pd.DataFrame, spec: FeedSpec) -> pd.DataFrame:
    """The same key twice with different content: keep the first, quarantine the others."""
    clean_rows = frame[frame["reasons"].map(len) == 0]
    keyed = clean_rows[clean_rows[spec.key].notna()]
    # a key unique only within a scope (a notice id, per sender): a blank scope is one scope
    groups = [keyed[column].fillna("") for column in spec.key_scope] + [keyed[spec.key]]
    first = keyed.groupby(groups, sort=False)["row_number"].transform("min")
    for index in keyed.index[keyed["row_number"] != first]:
        scope = "".join(f" ({c} {_shown_scope(frame.at[index, c])})" for c in spec.key_scope)
        frame.at[index, "reasons"] = [
            *frame.at[index, "reasons"],
            f"{spec.key} {frame.at[index, spec.key]}{scope} already on row {first[index]}",
        ]
    return frame
