"""Quarantine: rows with any reason go aside, with the reasons; the rest go on."""

from __future__ import annotations

import pandas as pd


def split_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted, rejected): a row is rejected when cleaning or validation gave it a reason."""
    bad = frame["reasons"].map(len) > 0
    return frame[~bad].copy(), frame[bad].copy()


def too_many_bad_rows(rejected: int, total: int, limit: float) -> bool:
    """True when the share of quarantined rows is above ``limit`` (an empty file never is)."""
    return total > 0 and rejected / total > limit
