"""One definition of a missing value (``reconcile.values``)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from reconcile.values import is_missing, none_for_missing, present, text_or_none


@pytest.mark.parametrize("value", [None, math.nan, np.float64("nan"), pd.NA, pd.NaT])
def test_blank_cells_are_missing(value: object) -> None:
    assert is_missing(value)
    assert present(value) is None
    assert text_or_none(value) is None


@pytest.mark.parametrize("value", ["", " ", 0, 0.0, False, "nan", date(2025, 1, 1)])
def test_a_value_is_kept_even_an_empty_one(value: object) -> None:
    assert not is_missing(value)
    assert present(value) is value
    assert text_or_none(value) == str(value)


def test_a_frame_has_none_in_every_blank_cell() -> None:
    frame = pd.DataFrame(
        {"n": [1.0, math.nan], "d": [pd.Timestamp("2025-01-01"), pd.NaT], "t": ["a", None]}
    )
    cleaned = none_for_missing(frame)
    assert cleaned.to_dict("list") == {
        "n": [1.0, None],
        "d": [pd.Timestamp("2025-01-01"), None],
        "t": ["a", None],
    }
    assert {str(dtype) for dtype in cleaned.dtypes} == {"object"}
