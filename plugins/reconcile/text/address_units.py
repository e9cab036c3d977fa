"""The units an address's names denote: commune and district names indexed in the 2025 units
and the old ones, and the NEW commune codes a commune name means (through the merger table,
within its district when the district is known)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TypeVar

from reconcile.text import admin_units as au
from reconcile.text.address_parts import _Item
from reconcile.text.unicode import fold, nfc

_Unit = TypeVar("_Unit", au.Commune, au.OldCommune)


@cache
def _new_by_name() -> dict[tuple[str, str], tuple[au.Commune, ...]]:
    index: dict[tuple[str, str], list[au.Commune]] = {}
    for province in au.provinces():
        for commune in au.communes(province.code):
            index.setdefault((province.code, au.unit_name_key(commune.name)), []).append(commune)
    return {k: tuple(v) for k, v in index.items()}


@cache
def _old_by_name() -> dict[tuple[str, str], tuple[au.OldCommune, ...]]:
    index: dict[tuple[str, str], list[au.OldCommune]] = {}
    for commune in au.old_communes():
        key = (commune.province_code, au.unit_name_key(commune.name))
        index.setdefault(key, []).append(commune)
    return {k: tuple(v) for k, v in index.items()}


@cache
def _districts() -> dict[str, set[str]]:
    """Folded district name -> the OLD province codes that have a district of that name."""
    index: dict[str, set[str]] = {}
    for commune in au.old_communes():
        index.setdefault(au.unit_name_key(commune.district_name), set()).add(commune.province_code)
    return index


def _old_codes(province_code: str | None, province_text: str | None) -> list[list[str]]:
    """OLD province codes to search, narrowest first: the one named, then all of the new one."""
    tiers: list[list[str]] = []
    named = au.old_province_code_by_name(province_text) if province_text else None
    if named is not None and (
        province_code is None or au.new_province_of_old(named) == province_code
    ):
        tiers.append([named])
    if province_code is not None:
        tiers.append(list(au.old_province_codes_of_new(province_code)))
    return tiers


def _is_commune_name(name: str, province_code: str | None, old_codes: list[str]) -> bool:
    key = au.unit_name_key(name)
    if province_code is not None and (province_code, key) in _new_by_name():
        return True
    return any((code, key) in _old_by_name() for code in old_codes)


def _is_district_name(name: str, old_codes: list[str]) -> bool:
    return bool(_districts().get(au.unit_name_key(name), set()) & set(old_codes))


def _infer_province(district: _Item | None) -> str | None:
    """The new province of a district name found in only one old province ("Quận Gò Vấp")."""
    if district is None:
        return None
    olds = _districts().get(au.unit_name_key(district.name), set())
    news = {au.new_province_of_old(code) for code in olds}
    return news.pop() if len(news) == 1 else None


def _type_ok(table_type: str, wanted: str | None) -> bool:
    return wanted is None or fold(table_type) == wanted


def _as_written(found: Sequence[_Unit], commune: _Item) -> Sequence[_Unit]:
    """Of communes whose names fold alike ("Minh Quán", "Minh Quân"), the one written, if any."""
    if len(found) < 2:
        return found
    exact = [c for c in found if " ".join(nfc(c.name).lower().split()) == commune.written]
    return exact or found


def _commune_codes(
    commune: _Item,
    district: _Item | None,
    province_code: str | None,
    tiers: list[list[str]],
    old_first: bool,
) -> tuple[str, ...]:
    key = au.unit_name_key(commune.name)

    def new_codes() -> list[str]:
        if province_code is None:
            return []
        found = _new_by_name().get((province_code, key), ())
        typed = [c for c in found if _type_ok(c.type, commune.type)]
        return [c.code for c in _as_written(typed or found, commune)]

    def old_codes() -> list[str]:
        for tier in tiers:
            found = [c for code in tier for c in _old_by_name().get((code, key), ())]
            if not found:
                continue
            typed = [c for c in found if _type_ok(c.type, commune.type)]
            found = typed or found
            if district is not None and _is_district_name(district.name, tier):
                # a known district: the commune must be in it (Quận 3 has no Phường 7 since
                # 2020, and the Phường 7 of other districts are other places)
                dkey = au.unit_name_key(district.name)
                in_district = [c for c in found if au.unit_name_key(c.district_name) == dkey]
                typed_d = [c for c in in_district if _type_ok(c.district_type, district.type)]
                found = typed_d or in_district
            return [code for c in _as_written(found, commune) for code in c.new_commune_codes]
        return []

    order = (old_codes, new_codes) if old_first else (new_codes, old_codes)
    for lookup in order:
        codes = lookup()
        if codes:
            return tuple(dict.fromkeys(codes))
    return ()


def _is_old_only_name(province_text: str | None, province_code: str | None) -> bool:
    """A province name that disappeared in 2025 ("Tiền Giang", "Bến Tre")."""
    if not province_text or province_code is None:
        return False
    old = au.old_province_code_by_name(province_text)
    if old is None:
        return False
    old_name = next(p.name for p in au.old_provinces() if p.code == old)
    new_name = next(p.name for p in au.provinces() if p.code == province_code)
    return au.unit_name_key(old_name) != au.unit_name_key(new_name)
