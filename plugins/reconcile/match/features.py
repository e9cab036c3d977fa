"""What the matcher compares, computed once per record: parsed name, parsed address, tax digits.

Names and addresses repeat (a firm and its unit, a province's communes), so parsing is cached
per distinct string; the matcher parses only the records it needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reconcile.text import tax_code as tax_codes
from reconcile.text.address import parse_address
from reconcile.text.legal_forms import parse_name

_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class Record:
    key: str  # tax code (firm) or unit code (unit)
    name: str  # the name as written
    core: str  # folded name, legal forms stripped, abbreviations expanded
    tokens: tuple[str, ...]
    legal_forms: frozenset[str]
    dependent: bool  # a branch, representative office or business location
    numerals: frozenset[str]  # the tokens that tell numbered firms apart (II, 257...)
    street: str
    commune_codes: frozenset[str]
    province_code: str | None
    tax_code: str | None  # normalised, valid
    tax_digits: str  # the digits as written, for near-matches of invalid codes


@lru_cache(maxsize=500_000)
def _name(name: str) -> tuple[str, tuple[str, ...], frozenset[str], bool, frozenset[str]]:
    parsed = parse_name(name)
    numerals = frozenset(t for t in parsed.tokens if t.isdigit() or t in _ROMAN)
    return (
        parsed.core,
        parsed.tokens,
        frozenset(parsed.legal_forms),
        parsed.is_dependent_unit,
        numerals,
    )


@lru_cache(maxsize=500_000)
def _address(address: str, province: str) -> tuple[str, frozenset[str], str | None]:
    parsed = parse_address(address, province)
    return parsed.street or "", frozenset(parsed.commune_codes), parsed.province_code


def record(key: str, name: str | None, address: str | None, province: str, tax_code: str | None,
           raw_tax_code: str | None) -> Record:  # fmt: skip
    core, tokens, forms, dependent, numerals = _name(name or "")
    street, communes, province_code = (
        _address(address, province) if address else ("", frozenset(), None)
    )
    digits = _DIGITS.sub("", raw_tax_code or "")
    if len(digits) in (9, 12):
        digits = "0" + digits  # the leading zero Excel drops
    valid = tax_codes.normalise(tax_code) if tax_code else None
    return Record(key, name or "", core, tokens, forms, dependent, numerals, street, communes,
                  province_code, valid, digits)  # fmt: skip
