"""What the matcher compares, computed once per record: parsed name, tax digits, and (lazily)
the parsed address.

Names and addresses repeat (a firm and its unit, a province's communes), so parsing is cached
per distinct string; an address is parsed only when a pair that needs it is compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from reconcile.match.levels import CommuneLevel
from reconcile.match.linked import Linked
from reconcile.match.tokens import distinctive_tokens, join_initials
from reconcile.text import tax_code as tax_codes
from reconcile.text.address import communes_in_either_shape, parse_address
from reconcile.text.legal_forms import parse_name
from reconcile.text.unicode import fold
from reconcile.values import text_or_none

_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
_DIGITS = re.compile(r"\D")
_DEPENDENT = re.compile(
    r"^(chi nhanh|cn|van phong dai dien|vpdd|dia diem kinh doanh|ddkd)\b|\bchi nhanh\b"
)


@dataclass(frozen=True)
class Record:
    key: str  # tax code (firm) or unit code (unit)
    name: str  # the name as written
    core: str  # folded name, legal forms stripped, abbreviations expanded
    tokens: tuple[str, ...]
    legal_forms: frozenset[str]
    dependent: bool  # a branch, representative office or business location
    numerals: frozenset[str]  # the tokens that tell numbered firms apart (II, 257...)
    joined: tuple[str, ...]  # tokens with initials joined (A.T.P -> atp)
    distinct: tuple[str, ...]  # the same without trade words: what names this firm
    squeezed: str  # the joined tokens without spaces: equal when only a space moved
    address: str
    province: str
    tax_code: str | None  # normalised, valid
    tax_digits: str  # the digits as written, for near-matches of invalid codes


@dataclass(frozen=True)
class Place:
    street: str
    commune_codes: frozenset[str]
    province_code: str | None
    either_shape: frozenset[str] = frozenset()  # the commune read in its old or new shape


@lru_cache(maxsize=500_000)
def _name(name: str) -> tuple[Any, ...]:
    parsed = parse_name(name)
    numerals = frozenset(t for t in parsed.tokens if t.isdigit() or t in _ROMAN)
    joined = tuple(join_initials(parsed.tokens))
    distinct = tuple(distinctive_tokens(joined))
    forms = frozenset(parsed.legal_forms)
    return parsed.core, parsed.tokens, forms, parsed.is_dependent_unit, numerals, joined, distinct


@lru_cache(maxsize=500_000)
def _place(address: str, province: str) -> Place:
    if not address:
        return Place("", frozenset(), None)
    parsed = parse_address(address, province)
    return Place(
        parsed.street or "",
        frozenset(parsed.commune_codes),
        parsed.province_code,
        frozenset(communes_in_either_shape(parsed)),
    )


def commune_relation(a: Place, b: Place) -> CommuneLevel | None:
    """How two places' communes relate: ``same`` new commune, ``either_shape`` (the same only
    when one side's commune name is read in its pre-2025 shape), ``different``, or None when
    either is unknown."""
    if not a.commune_codes or not b.commune_codes:
        return None
    if a.commune_codes & b.commune_codes:
        return "same"
    if a.either_shape & b.either_shape:
        return "either_shape"
    return "different"


def place(record: Record) -> Place:
    return _place(record.address, record.province)


def quick_name(name: str | None) -> str:
    """A name folded whole: enough to check an exact link."""
    return fold(name or "")


def reads_as_branch(name: str | None) -> bool:
    """Whether a name reads as a branch: Chi nhánh, CN, VPĐD, địa điểm kinh doanh, or a firm's
    name followed by "tại <place>" (parsed only when asked: few exact links need it)."""
    return bool(_DEPENDENT.search(fold(name or ""))) or _name(name or "")[3]


@dataclass(frozen=True)
class ToMatch:
    """The units and firms left for the fuzzy stages, as records, in the frames' order."""

    units: list[Record]
    firms: list[Record]


def records_to_match(
    units: pd.DataFrame, firm_rows: dict[str, Any], linked: Linked, province: str
) -> ToMatch:
    """The features stage: a record of each unit and firm that no link holds yet."""
    unit_records = [
        unit_record(u, province)
        for u in units.itertuples(index=False)
        if u.unit_code not in linked.units
    ]
    firm_records = [
        firm_record(f, province) for code, f in firm_rows.items() if code not in linked.firms
    ]
    return ToMatch(unit_records, firm_records)


def firm_record(firm: Any, province: str) -> Record:
    """A firm's record, from its row (a namedtuple of the firms frame): its code is valid."""
    return record(
        str(firm.tax_code),
        text_or_none(firm.name),
        text_or_none(firm.address),
        province,
        text_or_none(firm.tax_code),
        text_or_none(firm.tax_code),
    )


def unit_record(unit: Any, province: str) -> Record:
    """A unit's record, from its row (a namedtuple of the units frame): the roll's tax code,
    valid or not, as written."""
    return record(
        str(unit.unit_code),
        text_or_none(unit.name),
        text_or_none(unit.address),
        province,
        text_or_none(unit.tax_code),
        text_or_none(unit.tax_code_raw),
    )


def record(
    key: str,
    name: str | None,
    address: str | None,
    province: str,
    tax_code: str | None,
    raw_tax_code: str | None,
) -> Record:
    core, tokens, forms, dependent, numerals, joined, distinct = _name(name or "")
    digits = _DIGITS.sub("", raw_tax_code or "")
    if len(digits) in (9, 12):
        digits = "0" + digits  # the leading zero Excel drops
    valid = tax_codes.normalise(tax_code) if tax_code else None
    return Record(
        key,
        name or "",
        core,
        tokens,
        forms,
        dependent,
        numerals,
        joined,
        distinct,
        "".join(joined),
        address or "",
        province,
        valid,
        digits,
    )
