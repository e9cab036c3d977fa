"""Personal data (representatives, inspectors, phone and ID numbers) masked in what is published.

A name keeps its initials ("Nguyễn Văn An" -> "N. V. A."), enough for an inspector to tell two
people apart on a page, not enough to identify one. Numbers keep their last three digits.

Which columns are personal comes from the feed spec (``personal: true``). A quarantined row's
raw record also holds columns the spec does not know (a partner's own additions, cells beyond
the header, the text of a line that did not parse): nobody has said what those hold, so they
are masked too unless ``mask_unknown_columns`` is switched off, and even then a header that
reads as personal ("Số điện thoại", "CCCD") keeps its column masked. A value that is exactly
its own column's header (a header row repeated mid-file) is not personal data and stays
readable.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reconcile.feeds.spec import FeedSpec, specs
from reconcile.text.unicode import fold

_PERSONAL_HEADER_WORDS = (
    "dien thoai",
    "dtdd",
    "sdt",
    "so dt",
    "cccd",
    "cmnd",
    "can cuoc",
    "dinh danh",
    "ho chieu",
    "email",
    "dai dien",
    "giam doc",
    "chu doanh nghiep",
    "chu so huu",
    "ho va ten",
    "ho ten",
    "ke toan",
    "representative",
    "phone",
    "mobile",
    "owner",
    "passport",
)
_LONG_NUMBER = re.compile(r"\d[\d .\-]{7,}\d")
UNNAMED = "__unnamed__"  # cleaning's key for cells beyond the header (and a bad line's text)
# a line as written: a JSON string (maybe cut off), JSON punctuation, blanks, or a bare word
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?$)|[{}\[\]:,]|\s+|[^\s{}\[\]:,"]+')
_SECOND_HEADER = re.compile(r" \(\d+\)$")
_JSON_WORDS = ("true", "false", "null")  # no one's data, kept as they are

# The workbook's columns that carry a feed column as it was sent: (feed, column) in the spec.
# Whether each is masked is the spec's ``personal`` flag, not a list kept here.
WORKBOOK_SOURCES: dict[str, tuple[str, str]] = {
    "representative": ("registry", "representative"),
    "note": ("decisions", "note"),
    "inspector": ("decisions", "inspector"),
}


def mask_name(value: str) -> str:
    return " ".join(f"{word[0]}." for word in str(value).split() if word)


def mask_number(value: str) -> str:
    digits = re.sub(r"\D", "", str(value))
    return "*" * max(len(digits) - 3, 0) + digits[-3:]


def personal_columns(feed: str) -> set[str]:
    return {c.name for c in specs()[feed].columns.values() if c.personal}


def personal_workbook_columns() -> set[str]:
    """The workbook's columns whose source column the feed spec marks ``personal: true``."""
    return {
        key for key, (feed, column) in WORKBOOK_SOURCES.items() if column in personal_columns(feed)
    }


def is_personal_header(header: str) -> bool:
    folded = fold(header)
    return any(word in folded for word in _PERSONAL_HEADER_WORDS)


def mask_value(value: Any) -> Any:
    if value in (None, ""):
        return value
    text = str(value)
    return mask_number(text) if _LONG_NUMBER.fullmatch(text.strip()) else mask_name(text)


def _mask_any(value: Any) -> Any:
    """Every str and number in ``value`` masked, at any depth (JSON lines nest)."""
    if isinstance(value, dict):
        return {key: _mask_any(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_any(item) for item in value]
    if value is None or isinstance(value, bool):
        return value
    return mask_value(value)


def _is_own_header(value: Any, key: str, spec: FeedSpec) -> bool:
    """True when ``value`` is the header of the column it sits in (a repeated header row):
    for a spec column, one of its spellings; for another column, its header as written."""
    if not isinstance(value, str) or not value.strip():
        return False
    if key in spec.columns:
        return spec.canonical(value) == key
    written = " ".join(value.split())  # as the reader wrote the header: blanks collapsed,
    return written == key or _SECOND_HEADER.sub("", key) == written  # "SĐT (2)" if twice


def _masks(key: str, spec: FeedSpec, mask_unknown: bool) -> bool:
    """Whether values of column ``key`` (a spec name, or a header as written) are masked."""
    if key in spec.columns:
        return spec.columns[key].personal
    return mask_unknown or is_personal_header(key)


def mask_raw_line(line: str, feed: str, mask_unknown: bool = True) -> str:
    """The text of a line that did not parse (JSON cut off, a stray quote), masked word by word.

    The line keeps its shape (braces, quotes, keys, true/false/null) so a partner can still see
    what is wrong with it. A value is treated as belonging to the column its key names; a value
    with no key before it belongs to no known column. Values of personal spec columns are
    masked, and values of unknown columns unless ``mask_unknown`` is False; values of the spec's
    other columns stay readable.
    """
    spec = specs()[feed]
    tokens = _TOKEN.findall(line)
    out: list[str] = []
    column: str | None = None
    for position, token in enumerate(tokens):
        if token in ("{", "}", "[", "]", ":", ",") or token.isspace():
            if token in ("{", ","):
                column = None
            out.append(token)
            continue
        following = next((t for t in tokens[position + 1 :] if not t.isspace()), None)
        if token.startswith('"') and following == ":":  # a key: a header, not personal data
            name = token[1:-1] if token.endswith('"') and len(token) > 1 else token[1:]
            column = spec.canonical(name) or name
            out.append(token)
            continue
        masked = _masks(column, spec, mask_unknown) if column is not None else mask_unknown
        if not masked:
            out.append(token)
        elif token.startswith('"'):
            closed = len(token) > 1 and token.endswith('"') and not token.endswith('\\"')
            inner = token[1:-1] if closed else token[1:]
            if column is not None and _is_own_header(inner, column, spec):
                out.append(token)
            else:
                out.append('"' + str(mask_value(inner)) + ('"' if closed else ""))
        elif token in _JSON_WORDS:
            out.append(token)
        else:
            out.append(str(mask_value(token)))
    return "".join(out)


def mask_raw_record(raw: str, feed: str, mask_unknown: bool = True) -> str:
    """A quarantined row's raw JSON with its personal fields masked.

    Masked: the spec's personal columns; columns the spec does not know (unless
    ``mask_unknown`` is False; a header that reads as personal masks its column regardless);
    the cells beyond the header, where a line that did not parse is kept as written (masked
    word by word by :func:`mask_raw_line`). Kept: the spec's other columns, and any value that
    is its own column's header (a repeated header row is no one's data).
    """
    record = json.loads(raw)
    if not isinstance(record, dict):
        return json.dumps(_mask_any(record), ensure_ascii=False)
    spec = specs()[feed]
    for key, value in record.items():
        if key == UNNAMED:
            items = value if isinstance(value, list) else [value]
            record[key] = [
                mask_raw_line(item, feed, mask_unknown)
                if isinstance(item, str)
                else (_mask_any(item) if mask_unknown else item)
                for item in items
            ]
        elif _masks(str(key), spec, mask_unknown) and not _is_own_header(value, str(key), spec):
            record[key] = _mask_any(value)
    return json.dumps(record, ensure_ascii=False)
