"""Cleaning's quick paths (issue 17) decide exactly as the slow ones they stand in for."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest

from reconcile.feeds.cleaning import _DATE_FORMATS, CellError, _is_header_again, parse_date
from reconcile.feeds.readers import canonical_of
from reconcile.feeds.spec import specs


def _by_strptime(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


DAYS = ["0", "1", "01", "9", "29", "30", "31", "32", "00", "001", "١"]
MONTHS = ["0", "1", "02", "12", "13", "00"]
YEARS = ["2024", "2023", "1900", "0000", "24", "99999"]


@pytest.mark.parametrize("separator", ["/", "-", ".", "-/"])
def test_the_quick_date_shapes_read_as_strptime_reads_them(separator: str) -> None:
    for day, month, year in itertools.product(DAYS, MONTHS, YEARS):
        a, b = (separator, separator) if len(separator) == 1 else tuple(separator)
        for text in (f"{day}{a}{month}{b}{year}", f"{year}{a}{month}{b}{day}"):
            expected = _by_strptime(text)
            try:
                got = parse_date(text)
            except CellError:
                got = None
            assert got == expected, text


def test_a_repeated_header_is_found_from_its_key_and_required_columns() -> None:
    spec = specs()["tax"]
    canonical = canonical_of(spec)
    first = (spec.key, *spec.required)
    header = {"tax_code": "MST", "name": "Tên NNT", "status": "Trạng thái", "address": None}
    assert _is_header_again(header, first, canonical)
    data = {"tax_code": "0100233488", "name": "Công ty A", "status": "Trạng thái"}
    assert not _is_header_again(data, first, canonical)
    one = {"tax_code": "MST", "name": "Công ty A", "status": "00", "address": "Hà Nội"}
    assert not _is_header_again(one, first, canonical)  # one header word is not a header row
