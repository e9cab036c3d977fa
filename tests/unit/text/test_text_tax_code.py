"""Tax codes (MST): the real codes in DOMAIN.md validate; dirty spellings normalise."""

from __future__ import annotations

import pytest

from reconcile.text import tax_code

REAL = [
    "0100233488",
    "0314409058",
    "0100112437",
    "0312687878",
    "0316764844",
    "2000109850",
    "2000261622",
    "2000108818",
    "1900346700",
    "2000497145",
]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_validate(code):
    assert tax_code.is_valid_root(code)
    assert tax_code.normalise(code) == code
    assert tax_code.check_digit(code[:9]) == int(code[9])


@pytest.mark.parametrize("code", REAL)
def test_a_changed_check_digit_is_caught(code):
    wrong = code[:9] + str((int(code[9]) + 1) % 10)
    assert not tax_code.is_valid_root(wrong)
    assert tax_code.normalise(wrong) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0312 687 878", "0312687878"),
        ("0312.687.878", "0312687878"),
        (" 0312687878 ", "0312687878"),
        ("0312687878\u00a0", "0312687878"),
        ("312687878", "0312687878"),  # Excel dropped the leading zero
        (312687878, "0312687878"),
        (312687878.0, "0312687878"),
        ("0312687878-000", "0312687878"),
        ("0312687878-001", "0312687878-001"),
        ("0312687878001", "0312687878-001"),  # 13 digits without the dash
        ("312687878001", "0312687878-001"),  # ... and without the leading zero
        ("0312 687 878 - 002", "0312687878-002"),
        ("2000109850", "2000109850"),
        ("1900.346.700", "1900346700"),
    ],
)
def test_dirty_forms_normalise(raw, expected):
    assert tax_code.normalise(raw) == expected


def test_float_written_as_text():
    assert tax_code.normalise("312687878.0") == "0312687878"


@pytest.mark.parametrize(
    "raw",
    [None, "", "   ", float("nan"), "abc", "0312687879", "0300000000", "03126878", "0312687878-01"],
)
def test_not_a_valid_code(raw):
    assert tax_code.normalise(raw) is None


def test_root_of_a_dependent_unit_is_its_parent():
    assert tax_code.root_of("0312687878-001") == "0312687878"
    assert tax_code.root_of("0312687878001") == "0312687878"
    assert tax_code.root_of("bad") is None


def test_parse_keeps_what_it_cannot_read():
    parsed = tax_code.parse("03-12")
    assert parsed is not None and not parsed.is_valid
    assert str(tax_code.parse("0312687878-001")) == "0312687878-001"


def test_make_valid_builds_codes_that_validate():
    made = [tax_code.make_valid("82", serial) for serial in range(1, 200)]
    assert sum(code is None for code in made) > 0  # some serials have no check digit
    assert all(tax_code.is_valid_root(code) for code in made if code is not None)
    assert tax_code.make_valid("20", 10985) == "2000109850"


def test_check_digit_needs_nine_digits():
    with pytest.raises(ValueError):
        tax_code.check_digit("12345678")
