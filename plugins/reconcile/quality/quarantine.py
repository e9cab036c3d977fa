"""Quarantine: rows with any reason go aside, with the reasons; the rest go on."""

from __future__ import annotations

from typing import Any

import pandas as pd


def split_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted, rejected): a row is rejected when cleaning or validation gave it a reason."""
    bad = frame["reasons"].map(len) > 0
    return frame[~bad].copy(), frame[bad].copy()


def too_many_bad_rows(rejected: int, total: int, limit: float) -> bool:
    """True when the share of quarantined rows is above ``limit`` (an empty file never is)."""
    return total > 0 and rejected / total > limit


def written_headers(table: Any) -> list[list[str]]:
    """The file's columns in the partner's order, as ``[key, header as written]``: ``key`` is
    what the row's raw record is keyed by (the spec's name for a feed column, the header as the
    reader kept it for another). Kept with the file's validation result, so that the quarantine
    file sent back shows the partner's own headers."""
    columns = []
    for position, written in sorted(table.headers.items()):
        key = table.columns.get(position) or table.extra_columns.get(position)
        if key:
            columns.append([key, written])
    return columns
