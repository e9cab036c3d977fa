from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reconcile.quarter import Quarter, quarter_closed_before, resolve_quarter


def test_parse_and_bounds() -> None:
    q = Quarter.parse(" 2025q3 ")
    assert (q.year, q.number, str(q)) == (2025, 3, "2025Q3")
    assert q.first_day == date(2025, 7, 1) and q.last_day == date(2025, 9, 30)
    assert Quarter.parse("2024Q4").last_day == date(2024, 12, 31)


@pytest.mark.parametrize("text", ["2025Q5", "2025", "Q3 2025", "", "2025Q0"])
def test_parse_rejects_what_is_not_a_quarter(text: str) -> None:
    with pytest.raises(ValueError, match="not a quarter"):
        Quarter.parse(text)


def test_next_and_previous_cross_years() -> None:
    assert str(Quarter.parse("2025Q4").next()) == "2026Q1"
    assert str(Quarter.parse("2025Q1").previous()) == "2024Q4"
    assert Quarter.parse("2025Q2").next().previous() == Quarter.parse("2025Q2")


def test_the_quarter_just_closed_is_judged_in_vietnamese_time() -> None:
    # 30/9 18:00 UTC is already 1/10 01:00 in Hồ Chí Minh City: Q3 has closed there.
    assert str(quarter_closed_before(datetime(2025, 9, 30, 18, 0, tzinfo=UTC))) == "2025Q3"
    assert str(quarter_closed_before(datetime(2025, 9, 30, 16, 0, tzinfo=UTC))) == "2025Q2"
    assert str(quarter_closed_before(date(2026, 1, 10))) == "2025Q4"


def test_param_wins_then_logical_date_then_a_clear_error() -> None:
    assert str(resolve_quarter("2024Q2", datetime(2025, 10, 10, tzinfo=UTC))) == "2024Q2"
    assert str(resolve_quarter(None, datetime(2025, 10, 10, tzinfo=UTC))) == "2025Q3"
    assert str(resolve_quarter("", datetime(2025, 4, 10, tzinfo=UTC))) == "2025Q1"
    with pytest.raises(ValueError, match="neither a 'quarter' parameter nor a logical date"):
        resolve_quarter(None, None)
