"""A quarantine reason as the data-quality report counts it: Vietnamese, without its values.

Rows refused for the same fault must count together, so a reason loses the values and numbers
it quotes; the field names and the known phrases come from ``labels.yaml`` (``report:``).
"""

from __future__ import annotations

import re

from reconcile.publish.quality_words import report_words

__all__ = ["reason_label"]

_FIELD_PREFIX = re.compile(r"^([a-z_]+):\s*(.*)$", re.DOTALL)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DIGITS = re.compile(r"\d+")


def reason_label(feed: str, reason: str) -> str:
    """One quarantine reason in Vietnamese: "Mã số thuế: sai chữ số kiểm tra (MST không hợp lệ)".

    A phrase not listed keeps its English wording with values and numbers left out, so that
    rows quarantined for the same fault count together.
    """
    words = report_words()
    reason = reason.strip()
    field = None
    message = reason
    match = _FIELD_PREFIX.match(reason)
    if match:
        field, message = match.group(1), match.group(2)
    wording = next((vi for en, vi in words["reasons"].items() if en in message), None)
    if wording is None:
        wording = _DIGITS.sub("N", _QUOTED.sub("…", message))
    if field is None:
        return wording[:1].upper() + wording[1:]
    return words["reason_of_field"].format(field=words["fields"].get(field, field), reason=wording)
