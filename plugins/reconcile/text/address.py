"""Vietnamese addresses: street part, commune, district, province, and the new codes they mean.

An address written before 1/7/2025 has a district ("Xã Mỹ Phong, TP Mỹ Tho, Tỉnh Tiền Giang");
one written after it has only ward and province ("Phường Mỹ Phong, Tỉnh Đồng Tháp"). Both must
land on the same NEW province and commune codes for matching and for the inspectors' lists, so
:func:`parse_address` reads either shape, in any spelling (abbreviated, no diacritics, all
capitals, parts separated by commas or dashes), and maps old communes through the merger table.
The words that introduce each part are data (``data/address_terms.yaml``), read by
``address_parts``; the names are looked up among the units by ``address_units``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reconcile.text import admin_units as au
from reconcile.text.address_parts import _Item, _province_named, _scanned, _segments
from reconcile.text.address_units import (
    _commune_codes,
    _infer_province,
    _is_commune_name,
    _is_district_name,
    _is_old_only_name,
    _new_by_name,
    _old_by_name,
    _old_codes,
    _type_ok,
)
from reconcile.text.unicode import nfc, repair_legacy

__all__ = ["Address", "parse_address"]


_COUNTRY = {"viet nam", "vietnam", "vn"}


@dataclass(frozen=True)
class Address:
    """An address taken apart. Names are folded (lower case, no diacritics), as written.

    ``shape`` is "old" when the address is written in pre-2025 units (it has a district, or
    names a province that no longer exists) and "new" otherwise. ``province_code`` is always
    the NEW code; ``commune_codes`` are the NEW commune codes the address may be in (several
    when an old commune was split; empty when the commune is unknown).
    """

    original: str
    street: str | None
    commune: str | None
    district: str | None
    province: str | None
    shape: str
    province_code: str | None
    commune_codes: tuple[str, ...]
    commune_type: str | None = None
    district_type: str | None = None


def _resolve_cities(items: list[_Item]) -> None:
    """ "Thành phố X" is a district when a province follows, else a province if X is one."""
    for idx, item in enumerate(items):
        if item.kind != "city":
            continue
        later = items[idx + 1 :]
        province_follows = any(
            j.kind == "province"
            or (j.kind in {"plain", "city"} and _province_named(j.name) is not None)
            for j in later
        )
        if not province_follows and _province_named(item.name) is not None:
            item.kind = "province"
        else:
            item.kind = "district"


def _take_province(items: list[_Item]) -> _Item | None:
    while items and items[-1].kind == "plain" and items[-1].name in _COUNTRY:
        items.pop()
    for item in reversed(items):
        if item.kind == "province":
            return item
    if items and items[-1].kind == "plain" and _province_named(items[-1].name):
        items[-1].kind = "province"
        return items[-1]
    last_unit = next((it for it in reversed(items) if it.kind in {"commune", "district"}), None)
    if last_unit is not None and len(last_unit.words) >= 2:  # "Xã Mỹ Phong Tiền Giang"
        for k in range(1, len(last_unit.words)):
            suffix = " ".join(w.folded for w in last_unit.words[k:])
            if _province_named(suffix) is not None:
                province = _Item("province", None, last_unit.words[k:])
                del last_unit.words[k:]
                items.insert(items.index(last_unit) + 1, province)
                return province
    return None


def _rejoin_dashed_names(
    items: list[_Item], province_code: str | None, old_codes: list[str]
) -> None:
    """Rejoin a unit name cut by a dash or a street word ("Văn Miếu - Quốc Tử Giám", "Tam Thôn Hiệp")."""
    if province_code is None:
        return
    i = 0
    while i + 1 < len(items):
        item, following = items[i], items[i + 1]
        if item.kind in {"commune", "district"} and following.kind in {"plain", "street"}:
            joined = f"{item.name} {following.name}"
            if (item.kind == "commune" and _is_commune_name(joined, province_code, old_codes)) or (
                item.kind == "district" and _is_district_name(joined, old_codes)
            ):
                item.words.extend(following.words)
                del items[i + 1]
                continue
        i += 1


def _classify_unlabelled(
    items: list[_Item], province_code: str | None, old_codes: list[str]
) -> None:
    """Give plain parts between the street and the province a level, by the names they match."""
    if province_code is None:
        return
    first_unit = next(
        (i for i, it in enumerate(items) if it.kind in {"commune", "district", "province"}), None
    )
    province_at = next((i for i, it in enumerate(items) if it.kind == "province"), len(items))
    has = {it.kind for it in items}
    if first_unit is not None and first_unit < province_at:
        candidates = [i for i in range(first_unit + 1, len(items)) if items[i].kind == "plain"]
    else:  # nothing labelled: at most commune and district, right before the province
        candidates = []
        for i in range(province_at - 1, -1, -1):
            if items[i].kind != "plain" or len(candidates) == 2:
                break
            candidates.insert(0, i)
    for i in candidates:
        name = items[i].name
        commune_ok = "commune" not in has and _is_commune_name(name, province_code, old_codes)
        district_ok = "district" not in has and _is_district_name(name, old_codes)
        later_candidates = [j for j in candidates if j > i]
        if commune_ok and (not district_ok or later_candidates):
            items[i].kind = "commune"
        elif district_ok:
            items[i].kind = "district"
        elif commune_ok:
            items[i].kind = "commune"
        has.add(items[i].kind)


def communes_in_either_shape(address: Address) -> tuple[str, ...]:
    """The NEW commune codes the address's commune could mean written in either shape.

    Clerks write a pre-2025 commune with the new province and no district ("Xã Bình Thạnh,
    Tỉnh Đồng Tháp" for the old Bình Thạnh of Hồng Ngự, now part of another commune), or
    the reverse. Beside the codes parsed, this adds the new commune of that name in the
    province and the successors of every old commune of that name in the old provinces merged
    into it: a looser reading, for comparing two addresses, not for placing one.
    """
    if not address.commune or address.province_code is None:
        return address.commune_codes
    key = au.unit_name_key(address.commune)
    codes = list(address.commune_codes)
    found = _new_by_name().get((address.province_code, key), ())
    codes += [c.code for c in found if _type_ok(c.type, address.commune_type)]
    for old_province in au.old_province_codes_of_new(address.province_code):
        for commune in _old_by_name().get((old_province, key), ()):
            if _type_ok(commune.type, address.commune_type):
                codes += commune.new_commune_codes
    return tuple(dict.fromkeys(codes))


def parse_address(text: str, province_hint: str | None = None) -> Address:
    """Take an address apart and find the NEW province and commune codes it denotes.

    ``province_hint`` (a province code or name, e.g. the province of the feed) is used when
    the address itself names no province.
    """
    return _parse(text or "", province_hint)


@lru_cache(maxsize=65536)
def _parse(text: str, province_hint: str | None) -> Address:
    repaired = nfc(repair_legacy(text))
    items = [
        _Item(kind, type_, list(words))
        for segment in _segments(repaired)
        for kind, type_, words in _scanned(segment)
    ]
    _resolve_cities(items)
    province = _take_province(items)
    province_code = au.province_code_by_name(province.name) if province else None
    if province_code is None and province_hint:
        province_code = au.province_code_by_name(province_hint)
    province_text = province.name if province else None
    tiers = _old_codes(province_code, province_text)
    _rejoin_dashed_names(items, province_code, tiers[-1] if tiers else [])
    _classify_unlabelled(items, province_code, tiers[-1] if tiers else [])
    commune = next((it for it in items if it.kind == "commune"), None)
    district = next((it for it in items if it.kind == "district"), None)
    if province_code is None:
        province_code = _infer_province(district)
        tiers = _old_codes(province_code, None)
    street = " ".join(it.name for it in items if it.kind in {"plain", "street"} and it.words)
    old = (
        district is not None
        or (commune is not None and commune.type == "thi tran")
        or _is_old_only_name(province_text, province_code)
    )
    codes = _commune_codes(commune, district, province_code, tiers, old) if commune else ()
    return Address(
        original=text,
        street=street or None,
        commune=commune.name if commune and commune.words else None,
        district=district.name if district and district.words else None,
        province=province_text or None,
        shape="old" if old else "new",
        province_code=province_code,
        commune_codes=codes,
        commune_type=commune.type if commune else None,
        district_type=district.type if district else None,
    )
