"""Administrative units before and after the 1/7/2025 reorganisation, and their names.

Records written before the merger carry one of 63 provinces, a district and one of 10,047
communes; records after it one of 34 provinces and one of 3,321 communes. Codes were reused
(82 was Tiền Giang and is now Đồng Tháp), so every lookup here says which era a code belongs
to, and everything that resolves a name answers with the NEW province code. The tables are
the compact copies in ``data/admin_units/`` (see ATTRIBUTION.md there).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

from reconcile.text.unicode import fold

__all__ = [
    "Commune",
    "OldCommune",
    "OldProvince",
    "Province",
    "communes",
    "new_communes_of_old",
    "new_province_of_old",
    "old_commune",
    "old_communes",
    "old_province_code_by_name",
    "old_province_codes_of_new",
    "old_provinces",
    "province_code_by_name",
    "provinces",
    "unit_name_key",
]

_DATA = resources.files("reconcile.text") / "data"


@dataclass(frozen=True)
class Province:
    """A province after 1/7/2025 (one of 34)."""

    code: str
    name: str
    type: str


@dataclass(frozen=True)
class OldProvince:
    """A province before 1/7/2025 (one of 63) and the new province it went into."""

    code: str
    name: str
    type: str
    new_province_code: str


@dataclass(frozen=True)
class Commune:
    """A commune-level unit after 1/7/2025 (phường, xã or đặc khu)."""

    code: str
    name: str
    type: str
    province_code: str


@dataclass(frozen=True)
class OldCommune:
    """A commune-level unit in force on 1/3/2025, with its district and its new communes."""

    code: str
    name: str
    type: str
    district_code: str
    district_name: str
    district_type: str
    province_code: str  # OLD province code
    new_commune_codes: tuple[str, ...]

    @property
    def new_province_code(self) -> str:
        return new_province_of_old(self.province_code)


def _read(name: str) -> list[dict[str, str]]:
    text = (_DATA / "admin_units" / name).read_bytes().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@lru_cache(maxsize=1 << 16)
def unit_name_key(name: str) -> str:
    """A unit name as compared: folded, numbers without leading zeros ("Phường 07" -> "7")."""
    return " ".join((w.lstrip("0") or "0") if w.isdigit() else w for w in fold(name).split())


@cache
def provinces() -> tuple[Province, ...]:
    """The 34 provinces after 1/7/2025, by code."""
    return tuple(Province(r["code"], r["name"], r["type"]) for r in _read("provinces.csv"))


@cache
def old_provinces() -> tuple[OldProvince, ...]:
    """The 63 provinces before 1/7/2025, by code, each with its new province code."""
    return tuple(
        OldProvince(r["code"], r["name"], r["type"], r["new_province_code"])
        for r in _read("old_provinces.csv")
    )


@cache
def _communes_by_province() -> dict[str, tuple[Commune, ...]]:
    grouped: dict[str, list[Commune]] = {}
    for r in _read("communes.csv"):
        commune = Commune(r["code"], r["name"], r["type"], r["province_code"])
        grouped.setdefault(commune.province_code, []).append(commune)
    return {code: tuple(group) for code, group in grouped.items()}


def communes(province_code: str) -> tuple[Commune, ...]:
    """The new communes of a NEW province code (empty for an unknown code)."""
    return _communes_by_province().get(province_code, ())


@cache
def _all_old_communes() -> tuple[OldCommune, ...]:
    return tuple(
        OldCommune(
            r["code"],
            r["name"],
            r["type"],
            r["district_code"],
            r["district_name"],
            r["district_type"],
            r["province_code"],
            tuple(c for c in r["new_commune_codes"].split("|") if c),
        )
        for r in _read("old_communes.csv")
    )


@cache
def _old_communes_by_old_province() -> dict[str, tuple[OldCommune, ...]]:
    grouped: dict[str, list[OldCommune]] = {}
    for commune in _all_old_communes():
        grouped.setdefault(commune.province_code, []).append(commune)
    return {code: tuple(group) for code, group in grouped.items()}


@cache
def _old_codes_of_new() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for province in old_provinces():
        grouped.setdefault(province.new_province_code, []).append(province.code)
    return {code: tuple(codes) for code, codes in grouped.items()}


def old_province_codes_of_new(new_code: str) -> tuple[str, ...]:
    """The old province codes merged into a NEW province ("82" -> ("82", "87"))."""
    return _old_codes_of_new().get(new_code, ())


def old_communes(
    new_province_code: str | None = None, old_province_code: str | None = None
) -> tuple[OldCommune, ...]:
    """Old communes, all or those of a NEW province and/or of an OLD province."""
    if old_province_code is not None:
        found: Iterable[OldCommune] = _old_communes_by_old_province().get(old_province_code, ())
    elif new_province_code is not None:
        found = [
            c
            for old in old_province_codes_of_new(new_province_code)
            for c in _old_communes_by_old_province().get(old, ())
        ]
    else:
        return _all_old_communes()
    if new_province_code is not None:
        found = [c for c in found if new_province_of_old(c.province_code) == new_province_code]
    return tuple(found)


@cache
def _new_of_old() -> dict[str, str]:
    return {p.code: p.new_province_code for p in old_provinces()}


def new_province_of_old(old_code: str) -> str:
    """The NEW province an OLD province code went into ("83" Bến Tre -> "86"); KeyError if none."""
    return _new_of_old()[old_code]


@cache
def _old_commune_index() -> dict[str, OldCommune]:
    return {c.code: c for c in _all_old_communes()}


def old_commune(code: str) -> OldCommune | None:
    """The old commune with this code, if there is one."""
    return _old_commune_index().get(code)


def new_communes_of_old(old_commune_code: str) -> tuple[str, ...]:
    """The NEW commune codes an old commune went into (several when it was split)."""
    commune = _old_commune_index().get(old_commune_code)
    return commune.new_commune_codes if commune is not None else ()


# --- province names ---------------------------------------------------------------------------

_PROVINCE_PREFIXES = (("thanh", "pho"), ("tinh",), ("tp",), ("t",))


@cache
def _province_aliases() -> dict[str, str]:
    """Folded province name or alias -> NEW province code (new names, old names, aliases)."""
    names = {key: _new_of_old()[old] for key, old in _old_province_names().items()}
    for new in provinces():
        key = unit_name_key(new.name)
        names[key] = new.code
        names[key.replace(" ", "")] = new.code  # "dak lak" is also written "daklak"
    return names


@cache
def _old_province_names() -> dict[str, str]:
    """Folded OLD province name or alias -> OLD province code."""
    names = {unit_name_key(p.name): p.code for p in old_provinces()}
    with (_DATA / "province_aliases.yaml").open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    for code, aliases in spec["old"].items():
        for alias in aliases:
            names.setdefault(unit_name_key(alias), str(code).zfill(2))
    for key in list(names):
        names.setdefault(key.replace(" ", ""), names[key])
    return names


def _lookup(text: str, table: dict[str, str]) -> str | None:
    words = unit_name_key(text).split()
    for candidate in (words, _strip_prefix(words)):
        joined = " ".join(candidate)
        for form in (joined, joined.replace(" ", "")):
            if form and form in table:
                return table[form]
    return None


@lru_cache(maxsize=4096)
def old_province_code_by_name(text: str | None) -> str | None:
    """The OLD province code a name denotes ("Tỉnh Tiền Giang" -> "82", "Đồng Tháp" -> "87").

    For an address written before the merger: it narrows the old communes to search. A name
    that is only a new province's name gives None.
    """
    return None if text is None else _lookup(str(text), _old_province_names())


def _strip_prefix(words: list[str]) -> list[str]:
    for prefix in _PROVINCE_PREFIXES:
        n = len(prefix)
        if len(words) > n and tuple(words[:n]) == prefix:
            return words[n:]
    return words


@lru_cache(maxsize=4096)
def province_code_by_name(text: str | None) -> str | None:
    """The NEW province code for a province written any way, new or old, or a bare code.

    "TP.HCM", "Tp Hồ Chí Minh", "Hồ Chí Minh" -> "79"; "Tỉnh Tiền Giang" (old 82) -> "82";
    "Bến Tre" (old 83) -> "86"; "82" -> "82"; "87" (an old code only) -> "82". None when the
    text names no province.
    """
    if text is None:
        return None
    key = unit_name_key(str(text))
    if not key:
        return None
    if key.isdigit():
        code = key.zfill(2)
        if any(p.code == code for p in provinces()):
            return code
        return _new_of_old().get(code)
    return _lookup(key, _province_aliases())


def check_province(code: object) -> str:
    """``code`` when it is one of the 34 provinces' codes (since 1/7/2025); else a
    ``UsageError`` that says what it is (an old code: of which province, now part of which)
    and what to write instead."""
    from reconcile.errors import UsageError

    # a YAML list written [1, 82] loses the leading zero: an int is read as the two digits
    text = (
        f"{code:02d}" if isinstance(code, int) and not isinstance(code, bool) else str(code).strip()
    )
    new = {p.code: p for p in provinces()}
    if text in new:
        return text
    old = {o.code: o for o in old_provinces()}
    if text.isdigit() and text.zfill(2) in old:
        was = old[text.zfill(2)]
        now = new[was.new_province_code]
        raise UsageError(
            f"{text} is the old code of {was.name}, which since 1/7/2025 is part of {now.name}: "
            f"use {now.code}"
        )
    raise UsageError(
        f"not a province code: {text!r}: use one of the 34 two-digit codes in force since "
        f"1/7/2025, e.g. 01 ({new['01'].name}), 79 ({new['79'].name}), 82 ({new['82'].name})"
    )
