from __future__ import annotations

from datetime import date, datetime

import pytest

from reconcile.feeds.cleaning import CellError, parse_amount, parse_date, parse_status


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15/01/2020", date(2020, 1, 15)),
        ("2020-01-15", date(2020, 1, 15)),
        ("15-01-2020", date(2020, 1, 15)),
        ("2020-01-15 00:00:00", date(2020, 1, 15)),
        (43845, date(2020, 1, 15)),  # an Excel serial
        ("43845", date(2020, 1, 15)),
        (datetime(2020, 1, 15, 8, 30), date(2020, 1, 15)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_every_listed_form(raw: object, expected: date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2020", "hôm qua", "2020/13/01"])
def test_bad_dates_are_a_cell_error(raw: str) -> None:
    with pytest.raises(CellError):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.500.000.000", 1_500_000_000),
        ("600,000,000", 600_000_000),
        ("4 960 000", 4_960_000),
        (125000000, 125_000_000),
        (12.0, 12),
        ("0", 0),
        ("-5", -5),
        ("12.000đ", 12_000),
        ("", None),
    ],  # fmt: skip
)
def test_amounts_with_thousands_separators(raw: object, expected: int | None) -> None:
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw", ["12,5", "abc", 3.7])
def test_amounts_that_are_not_whole_numbers_are_a_cell_error(raw: object) -> None:
    with pytest.raises(CellError):
        parse_amount(raw)


@pytest.mark.parametrize(
    ("raw", "vocabulary", "expected"),
    [
        ("00", "tax", "active"),
        ("0", "tax", "active"),
        ("03-11", "tax", "closing"),
        ("5", "tax", "suspended"),
        ("NNT đang hoạt động", "tax", "active"),
        ("TAM NGUNG KINH DOANH", "registry", "suspended"),
        ("Đã giải thể", "registry", "dissolved"),
        ("đang đóng", "roll", "paying"),
        ("Chờ chốt sổ", "roll", "closing"),
        ("Không phải đơn vị này", "decision", "not_a_match"),
    ],  # fmt: skip
)
def test_status_codes_and_labels(raw: str, vocabulary: str, expected: str) -> None:
    assert parse_status(raw, vocabulary) == expected


def test_an_unknown_status_is_a_cell_error() -> None:
    with pytest.raises(CellError, match="not a known tax status"):
        parse_status("99", "tax")


def test_a_date_in_the_future_is_a_row_reason(tmp_path) -> None:
    from datetime import date, timedelta

    from reconcile.feeds.cleaning import clean
    from reconcile.feeds.readers import read_table
    from reconcile.feeds.spec import specs

    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    path = tmp_path / "tax.csv"
    path.write_text(
        f"MST,Tên NNT,Ngày cấp MST\n0100233488,Công ty A,{tomorrow}\n0314409058,Công ty B,01/01/2020\n",
        encoding="utf-8",
    )
    frame = clean(read_table(path, specs()["tax"]), specs()["tax"])
    assert frame.loc[0, "reasons"] == [f"registered_on: {tomorrow} is in the future"]
    assert frame.loc[1, "reasons"] == []
