"""Vietnamese tax codes (mã số thuế, MST): normalise what clerks and Excel did to them, validate.

A code is 10 digits (an enterprise) or 10 digits plus a ``-NNN`` suffix (a dependent unit).
Digit 10 is a check digit over digits 1-9 with the weights below; a remainder giving 10 makes
the code invalid. Normalising never invents digits except the single leading zero that Excel
drops when it reads a code as a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_SEPARATORS = re.compile(r"[\s.\u00a0_/]+")


def check_digit(first_nine: str) -> int | None:
    """The check digit of nine digits, or None when no digit can make them valid."""
    if len(first_nine) != 9 or not (first_nine.isascii() and first_nine.isdigit()):
        raise ValueError(f"need nine digits, got {first_nine!r}")
    value = 10 - sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True)) % 11
    if value == 10:
        return None
    return value


@dataclass(frozen=True)
class TaxCode:
    """A normalised tax code: its 10-digit root and, for a dependent unit, a 3-digit suffix."""

    root: str
    suffix: str | None = None

    @property
    def text(self) -> str:
        return f"{self.root}-{self.suffix}" if self.suffix else self.root

    @property
    def is_valid(self) -> bool:
        return is_valid_root(self.root) and (self.suffix is None or self.suffix != "000")

    def __str__(self) -> str:
        return self.text


def is_valid_root(root: str) -> bool:
    if len(root) != 10 or not (root.isascii() and root.isdigit()) or root[2:9] == "0000000":
        return False
    expected = check_digit(root[:9])
    return expected is not None and expected == int(root[9])


def parse(raw: object) -> TaxCode | None:
    """Read a tax code as written in a feed; None when nothing code-like is there.

    Accepts spaces, dots, a lost leading zero (9 digits, or 12 with a suffix), ``-000`` (read as
    no suffix), and the 13-digit form without its dash. The result may still be invalid:
    check ``is_valid``.
    """
    if raw is None:
        return None
    if isinstance(raw, float):
        if raw != raw:  # NaN
            return None
        raw = f"{raw:.0f}"
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]  # a code Excel turned into a float and back into text
    text = _SEPARATORS.sub("", text)
    if not text:
        return None
    if "-" in text:
        root, _, suffix = text.partition("-")
        suffix = suffix.replace("-", "")
    elif len(text) in (12, 13) and text.isdigit():
        root, suffix = text[:-3], text[-3:]
    else:
        root, suffix = text, None
    if not root.isdigit() or (suffix is not None and (not suffix.isdigit() or len(suffix) != 3)):
        return TaxCode(text)
    if len(root) == 9:
        root = "0" + root
    if suffix == "000":
        suffix = None
    return TaxCode(root, suffix)


def normalise(raw: object) -> str | None:
    """The canonical text (``0312345678`` or ``0312345678-001``) of a valid code, else None."""
    code = parse(raw)
    return code.text if code is not None and code.is_valid else None


def root_of(raw: object) -> str | None:
    """The 10-digit root of a valid code (a dependent unit's parent), else None."""
    code = parse(raw)
    return code.root if code is not None and code.is_valid else None


def make_valid(prefix: str, serial: int) -> str | None:
    """A valid 10-digit code from a 2-digit province prefix and a 7-digit serial, if one exists."""
    first_nine = f"{prefix}{serial:07d}"
    digit = check_digit(first_nine)
    return None if digit is None else f"{first_nine}{digit}"
