"""The quarantine files: what partners read to fix their files, in Vietnamese.

One file per landed file (``quarantine_<file name>.csv``), because that is what a partner
fixes and sends again: each landed file has its own headers (in its own spelling and order),
so each refused row is shown with **one column per field, under the partner's header as
written**, then its line in the partner's file and its reasons in Vietnamese words
(``labels.yaml``, ``quarantine:``). Beside them, ``quarantine_<province>_<quarter>.csv`` lists
every file of the province: its status, its rows, the name of its quarantine file, and for a
file refused as a whole, why.

Published like the workbook: personal data masked (``masking.mask_raw_record``: the spec's
personal columns, columns the spec does not know unless ``mask_unknown`` is off, the text of a
line that did not parse), but never a header row repeated inside the data, which is no one's
data and is shown as written; no field a spreadsheet would run (``neutral.write_csv``); UTF-8
with BOM so that Excel reads the diacritics; each file written whole or not at all.

The headers as written come from the file's validation result (``meta.reconcile.headers``,
kept at ingestion); for a file ingested before they were kept, the spec's first spelling.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from reconcile.feeds.spec import specs
from reconcile.publish import neutral
from reconcile.publish.labels import labels
from reconcile.publish.masking import UNNAMED, mask_raw_record
from reconcile.values import is_missing

log = logging.getLogger(__name__)

INDEX = ("file", "feed", "status", "rows_read", "rows_quarantined", "quarantine_file", "message")
HEADER_ROW = "repeated header row"
_FIELD_PREFIX = re.compile(r"^([a-z_]+): (.*)$", re.DOTALL)


def _words() -> dict[str, Any]:
    return labels()["quarantine"]


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(en, re.DOTALL), vi) for en, vi in _words()["reasons"])


# ---------------------------------------------------------------- headers as written
def file_headers(validations: Path | None, file_id: str) -> list[list[str]]:
    """``[key, header as written]`` of a file, in its order, from its validation result."""
    if validations is None:
        return []
    path = Path(validations) / f"{file_id}.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("meta") or {}
    except (OSError, ValueError):
        return []
    headers = (meta.get("reconcile") or {}).get("headers") or []
    return [[str(key), str(written)] for key, written in headers]


def header_namer(feed: str, headers: list[list[str]]) -> Callable[[str], str]:
    """A raw record's key -> the header the partner reads: as written in the file, else (a
    JSON line's key, a file ingested before headers were kept) the spec's first spelling."""
    written = {key: text for key, text in headers if text}
    spec = specs().get(feed)

    def name(key: str) -> str:
        text = written.get(key)
        if text and not (spec and key in spec.columns and text == key):
            return text
        if spec and key in spec.columns and spec.columns[key].headers:
            return spec.columns[key].headers[0]
        return key

    return name


# ---------------------------------------------------------------- reasons in words
def reason_vi(reason: str, header_of: Callable[[str], str], offset: int | None = None) -> str:
    """One reason in Vietnamese, naming the column by the partner's header and a row by its
    line in the file (``offset`` = line - row number); an unknown reason stays as written."""
    reason = reason.strip()
    match = _FIELD_PREFIX.match(reason)
    field, message = (match.group(1), match.group(2)) if match else (None, reason)
    wording = _translate(message, header_of, offset)
    if wording is None and "; " in message:  # a reader's fault and a long cell, together
        parts = [reason_vi(part, header_of, offset) for part in message.split("; ")]
        wording = "; ".join(parts)
    if wording is None:
        return reason
    if field is None:
        return wording[:1].upper() + wording[1:]
    return f"{header_of(field)}: {wording}"


def _translate(message: str, header_of: Callable[[str], str], offset: int | None) -> str | None:
    for pattern, vi in _patterns():
        found = pattern.fullmatch(message.strip())
        if not found:
            continue
        values = {k: (v or "") for k, v in found.groupdict().items()}
        if "column" in values:
            values["column"] = header_of(values["column"])
        if values.get("row", "").isdigit() and offset is not None:
            values["row"] = str(int(values["row"]) + offset)
        return vi.format(**values)
    return None


def reasons_vi(reasons: str, header_of: Callable[[str], str], offset: int | None = None) -> str:
    """A row's reasons (joined with `` | `` in the warehouse), in words, joined with "; "."""
    parts = [r for r in str(reasons).split(" | ") if r.strip()]
    return "; ".join(reason_vi(r, header_of, offset) for r in parts)


# ---------------------------------------------------------------- one file's rows
def _is_header_text(value: Any, feed: str, written: set[str]) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    spec = specs().get(feed)
    text = " ".join(value.split())
    return text in written or (spec is not None and spec.canonical(text) is not None)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def file_rows(
    rows: pd.DataFrame,
    feed: str,
    headers: list[list[str]],
    mask: bool = True,
    mask_unknown: bool = True,
) -> pd.DataFrame:
    """A file's quarantined rows as the partner reads them: one column per field under its
    header as written, then the line in the file and the reasons in words."""
    words = _words()["columns"]
    header_of = header_namer(feed, headers)
    written = {text for _, text in headers}
    records, keys = [], [key for key, _ in headers]
    for row in rows.sort_values(["line", "row_number"]).itertuples(index=False):
        raw = json.loads(row.raw)
        raw = raw if isinstance(raw, dict) else {UNNAMED: [raw]}
        shown = json.loads(mask_raw_record(row.raw, feed, mask_unknown)) if mask else dict(raw)
        shown = shown if isinstance(shown, dict) else {UNNAMED: [shown]}
        if mask and HEADER_ROW in str(row.reasons):  # a header row is no one's data
            for key, value in raw.items():
                if _is_header_text(value, feed, written):
                    shown[key] = value
        keys += [key for key in shown if key not in keys and key != UNNAMED]
        offset = int(row.line) - int(row.row_number) if pd.notna(row.line) else None
        records.append((shown, row.line, reasons_vi(row.reasons, header_of, offset)))
    unnamed = any(UNNAMED in shown for shown, _, _ in records)
    names: list[str] = []
    for key in keys:
        name, n = header_of(key), 1
        while name in names:
            n += 1
            name = f"{header_of(key)} ({n})"
        names.append(name)
    columns = [*names, *([words["unnamed"]] if unnamed else []), words["line"], words["reasons"]]
    data = []
    for shown, line, reasons in records:
        values = [_cell(shown.get(key)) for key in keys]
        if unnamed:
            extra = shown.get(UNNAMED) or []
            extra = extra if isinstance(extra, list) else [extra]
            values.append(" | ".join(str(_cell(item)) for item in extra))
        values += [int(line) if pd.notna(line) else "", reasons]
        data.append(values)
    return pd.DataFrame(data, columns=columns, dtype=object)


# ---------------------------------------------------------------- the province's files
def quarantine_file_name(file_name: str, taken: set[str]) -> str:
    """``quarantine_<partner's file name without extension>.csv`` (the extension kept in the
    name when two files of the province differ only by it)."""
    stem = Path(file_name).stem
    name = f"quarantine_{stem}.csv"
    if name in taken:
        name = f"quarantine_{Path(file_name).name.replace('.', '_')}.csv"
    taken.add(name)
    return name


def _status_words(status: str) -> str:
    return _words()["status"].get(status, status)


_REFUSAL = re.compile(r"^(?:, row (?P<row>\d+))?: (?P<fault>.*)$", re.DOTALL)


def _refusal(file_name: str, message: Any) -> str:
    """Why a file was refused as a whole ("<file>[, row N]: <fault>"), in words where known."""
    if not isinstance(message, str) or not message:
        return ""
    found = _REFUSAL.match(message[len(file_name) :]) if message.startswith(file_name) else None
    if found is None:
        return reason_vi(message, lambda key: key)
    fault = reason_vi(found.group("fault"), lambda key: key)
    return f"Dòng {found.group('row')}: {fault}" if found.group("row") else fault


def write_quarantine_csv(
    quarantined: pd.DataFrame,
    files: pd.DataFrame,
    path: Path,
    mask: bool = True,
    mask_unknown: bool = True,
    validations: Path | None = None,
) -> Path:
    """Write the province's quarantine files: one per file with refused rows, beside ``path``,
    and at ``path`` the list of the province's files (an empty list, with its header, when the
    province has none). Quarantine files of files no longer listed are removed. Returns
    ``path``."""
    path = Path(path)
    words = _words()["index"]
    index: list[list[Any]] = []
    written: set[str] = set()
    listed = files
    if "status" in files.columns:
        listed = files[~files["status"].isin(["replaced", "rejected"])]
    listed = listed.sort_values("file_name") if not listed.empty else listed
    for item in listed.to_dict("records"):
        rows = (
            quarantined[quarantined["file_id"] == item["file_id"]]
            if not quarantined.empty
            else quarantined
        )
        name = ""
        if not rows.empty:
            feed = str(rows["feed"].iloc[0])
            headers = file_headers(validations, item["file_id"])
            name = quarantine_file_name(str(item["file_name"]), written)
            table = file_rows(rows, feed, headers, mask=mask, mask_unknown=mask_unknown)
            neutral.write_csv(table, path.parent / name)
        status = str(item.get("status") or "loaded")
        index.append(
            [
                item["file_name"],
                labels()["report"]["feeds"].get(item.get("feed"), item.get("feed") or ""),
                _status_words(status),
                _count(item.get("rows_read")),
                len(rows),
                name,
                _refusal(str(item["file_name"]), item.get("message")) if status == "failed" else "",
            ]
        )
    _remove_stale(path, written)
    frame = pd.DataFrame(index, columns=[words[key] for key in INDEX], dtype=object)
    return neutral.write_csv(frame, path)


def _count(value: Any) -> Any:
    return "" if is_missing(value) else int(value)


def _remove_stale(index: Path, written: set[str]) -> None:
    """Quarantine files of an earlier run for files that are gone (replaced, fixed)."""
    if not index.parent.is_dir():
        return
    for old in index.parent.glob("quarantine_*.csv"):
        if old.name != index.name and old.name not in written:
            log.info("removed %s: its file has no quarantined row any more", old.name)
            old.unlink(missing_ok=True)
