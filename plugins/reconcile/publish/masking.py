"""Personal data (representatives, phone and ID numbers) masked in what is published.

A name keeps its initials ("Nguyễn Văn An" -> "N. V. A."), enough for an inspector to tell two
people apart on a page, not enough to identify one. Numbers keep their last three digits.
Which columns are personal comes from the feed spec (``personal: true``) and, for columns a
partner added on its own, from words in the header.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reconcile.feeds.spec import specs
from reconcile.text.unicode import fold

_PERSONAL_HEADER_WORDS = ("dien thoai", "dtdd", "cccd", "cmnd", "can cuoc", "dinh danh", "ho chieu",
                          "email", "dai dien", "giam doc", "chu doanh nghiep", "ke toan")  # fmt: skip
_LONG_NUMBER = re.compile(r"\d[\d .\-]{7,}\d")


def mask_name(value: str) -> str:
    return " ".join(f"{word[0]}." for word in str(value).split() if word)


def mask_number(value: str) -> str:
    digits = re.sub(r"\D", "", str(value))
    return "*" * max(len(digits) - 3, 0) + digits[-3:]


def personal_columns(feed: str) -> set[str]:
    return {c.name for c in specs()[feed].columns.values() if c.personal}


def is_personal_header(header: str) -> bool:
    folded = fold(header)
    return any(word in folded for word in _PERSONAL_HEADER_WORDS)


def mask_value(value: Any) -> Any:
    if value in (None, ""):
        return value
    text = str(value)
    return mask_number(text) if _LONG_NUMBER.fullmatch(text.strip()) else mask_name(text)


def mask_raw_record(raw: str, feed: str) -> str:
    """A quarantined row's raw JSON with its personal fields masked."""
    record = json.loads(raw)
    personal = personal_columns(feed)
    for key, value in record.items():
        if key in personal or (isinstance(key, str) and is_personal_header(key)):
            record[key] = mask_value(value)
    return json.dumps(record, ensure_ascii=False)
