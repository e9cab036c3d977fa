"""Numbers as a Vietnamese reader writes them: dots between thousands, a decimal comma, and
money in the words of a glance ("7,2 tỷ"); the words come from ``labels.yaml``."""

from __future__ import annotations

from reconcile.publish.quality_words import report_words

__all__ = ["fmt_int", "fmt_money_short", "fmt_pct"]

MISSING = "—"  # a figure that cannot be computed (a share of nothing)


def fmt_int(value: int | float | None) -> str:
    """1234567 -> "1.234.567" (Vietnamese groups thousands with dots)."""
    if value is None:
        return MISSING
    return f"{int(round(value)):,}".replace(",", ".")


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """0.125 -> "12,5%" (decimal comma)."""
    if value is None:
        return MISSING
    return f"{value * 100:.{digits}f}".replace(".", ",") + "%"


def fmt_money_short(value: int | float | None) -> str:
    """Money in words a reader takes in at a glance: "7,2 tỷ", "328,8 triệu"."""
    if value is None:
        return MISSING
    words = report_words()["money_short"]
    for size, key in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(value) >= size:
            return f"{value / size:.1f}".replace(".", ",") + f" {words[key]}"
    return fmt_int(value)
