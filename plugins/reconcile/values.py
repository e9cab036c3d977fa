"""Missing values, one definition: a frame's blank cell is None, NaN, ``pd.NA`` or ``pd.NaT``.

pandas writes a blank cell as whichever of these the column's dtype holds, and the warehouse,
the rules and the matcher each want plain ``None``. These helpers say "missing" once; whether
an empty string also counts as missing is the caller's business (a feed's cell: yes; a value
already cleaned: no), so it is decided where they are called, not here.
"""

from __future__ import annotations

from typing import TypeVar

import pandas as pd

T = TypeVar("T")


def is_missing(value: object) -> bool:
    """Whether ``value`` is None, a float NaN (numpy's included), ``pd.NA`` or ``pd.NaT``."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return value is pd.NaT or value is pd.NA


def present(value: T) -> T | None:
    """``value``, or None when it is missing (:func:`is_missing`)."""
    return None if is_missing(value) else value


def text_or_none(value: object) -> str | None:
    """``str(value)``, or None when it is missing; an empty string stays an empty string."""
    return None if is_missing(value) else str(value)


def none_for_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as object columns with None in every missing cell (what the warehouse writes)."""
    return frame.astype(object).where(frame.notna(), None)


__all__ = ["is_missing", "none_for_missing", "present", "text_or_none"]
