"""Vietnamese addresses: street part, commune, district, province, and the new codes they mean.

An address written before 1/7/2025 has a district ("Xã Mỹ Phong, TP Mỹ Tho, Tỉnh Tiền Giang");
one written after it has only ward and province ("Phường Mỹ Phong, Tỉnh Đồng Tháp"). Both must
land on the same NEW province and commune codes for matching and for the inspectors' lists, so
:func:`parse_address` reads either shape, in any spelling (abbreviated, no diacritics, all
capitals, parts separated by commas or dashes), and maps old communes through the merger table.
The words that introduce each part are data (``data/address_terms.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, TypeVar

import yaml

from reconcile.text import admin_units as au
from reconcile.text.unicode import fold, nfc, repair_legacy, strip_diacritics

__all__ = ["Address", "parse_address"]

_DATA = resources.files("reconcile.text") / "data"
_WORD = re.compile(r"[^\W_]+")
_SEPARATORS = re.compile(r"\s*[,;|\n\r\t]+\s*")
_DASH = re.compile(r"\s*[-–—]+\s*")
_GLUED = re.compile(r"^(p|f|q|phường|phuong|quận|quan|kp|ấp|ap|tổ|to|khóm|khom)(\d+[a-z]?)$")
_COUNTRY = {"viet nam", "vietnam", "vn"}
_Unit = TypeVar("_Unit", au.Commune, au.OldCommune)


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


@dataclass(frozen=True)
class _Word:
    accented: str
    folded: str
    dotted: bool = False
    glued: bool = False


@dataclass(frozen=True)
class _Term:
    accented: tuple[str, ...]
    folded: tuple[str, ...]
    kind: str  # commune, district, city, province, street
    type: str | None
    abbreviation: bool

    @property
    def has_diacritics(self) -> bool:
        return self.accented != self.folded


@dataclass
class _Item:
    kind: str  # plain, street, commune, district, city, province
    type: str | None = None
    words: list[_Word] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The folded name: what is compared."""
        return " ".join(w.folded for w in self.words)

    @property
    def written(self) -> str:
        """The name in lower case with its diacritics: what tells "Minh Quán" from "Minh Quân"."""
        return " ".join(w.accented for w in self.words)


@cache
def _terms() -> dict[str, tuple[_Term, ...]]:
    """Address terms indexed by their first folded word, longest first."""
    with (_DATA / "address_terms.yaml").open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    terms: list[_Term] = []
    for unit in spec["units"]:
        terms.append(
            _make_term(unit["text"], unit["level"], unit["type"], unit.get("abbreviation"))
        )
    for text in spec["street"]:
        terms.append(_make_term(str(text), "street", None, False))
    index: dict[str, list[_Term]] = {}
    for term in terms:
        index.setdefault(term.folded[0], []).append(term)
    return {
        k: tuple(sorted(v, key=lambda t: len(t.folded), reverse=True)) for k, v in index.items()
    }


def _make_term(text: str, kind: str, type_: str | None, abbreviation: Any) -> _Term:
    accented = tuple(_WORD.findall(nfc(text).lower()))
    folded = tuple(strip_diacritics(w) for w in accented)
    return _Term(accented, folded, kind, type_, bool(abbreviation))


def _segments(text: str) -> list[str]:
    """Parts of the address: split on commas, semicolons, and dashes not inside numbers."""
    parts: list[str] = []
    for chunk in _SEPARATORS.split(text):
        start = 0
        for m in _DASH.finditer(chunk):
            before, after = chunk[: m.start()], chunk[m.end() :]
            if before[-1:].isdigit() and after[:1].isdigit():
                continue  # "12-14 Lê Lợi" is one house number
            parts.append(chunk[start : m.start()])
            start = m.end()
        parts.append(chunk[start:])
    parts = [p.strip() for p in parts if p.strip()]
    return _join_split_provinces(parts)


@lru_cache(maxsize=1 << 16)
def _province_named(text: str) -> str | None:
    """The new province a part of an address names; a bare number there is a house or a ward."""
    return None if fold(text).replace(" ", "").isdigit() else au.province_code_by_name(text)


def _join_split_provinces(parts: list[str]) -> list[str]:
    """Rejoin a province name that has a dash in it ("Bà Rịa - Vũng Tàu", "Thừa Thiên - Huế")."""
    out: list[str] = []
    for part in parts:
        if out and _province_named(out[-1]) is None:
            joined = f"{out[-1]} {part}"
            if _province_named(joined) is not None:
                out[-1] = joined
                continue
        out.append(part)
    return out


def _words(segment: str) -> list[_Word]:
    low = nfc(segment).lower()
    words: list[_Word] = []
    for m in _WORD.finditer(low):
        token = m.group(0)
        dotted = low[m.end() : m.end() + 1] == "."
        glued = _GLUED.match(token)
        if glued:
            words.append(_Word(glued.group(1), strip_diacritics(glued.group(1)), glued=True))
            token = glued.group(2)
        words.append(_Word(token, strip_diacritics(token), dotted=dotted))
    return words


def _match_term(words: list[_Word], i: int, accents: bool) -> _Term | None:
    for term in _terms().get(words[i].folded, ()):
        n = len(term.folded)
        window = words[i : i + n]
        if len(window) < n:
            continue
        if accents and term.has_diacritics:
            if tuple(w.accented for w in window) != term.accented:
                continue
        elif tuple(w.folded for w in window) != term.folded:
            continue
        if term.abbreviation and not _abbreviation_counts(words, i, n):
            continue
        return term
    return None


def _abbreviation_counts(words: list[_Word], i: int, n: int) -> bool:
    """ "P." , "P7", "P 7" or "P Bến Nghé" at the start of a part: a unit; "Lô P" is not."""
    first = words[i]
    has_next = i + n < len(words)
    if first.dotted or first.glued:
        return has_next
    if has_next and words[i + n].folded.isdigit():
        return True
    return i == 0 and has_next


def _scan(segment: str) -> list[_Item]:
    """The items of one part of the address: leading plain words, then units and street runs."""
    words = _words(segment)
    accents = any(w.accented != w.folded for w in words)
    items: list[_Item] = []
    current = _Item("plain")
    i = 0
    while i < len(words):
        term = _match_term(words, i, accents)
        if (
            term is not None
            and term.abbreviation
            and term.kind != "street"
            and current.kind == "street"
        ):
            term = None  # "Lô F15", "Tổ 3 KP P7": a lot or block number, not a ward
        unit_just_opened = current.kind not in {"plain", "street"} and not current.words
        if term is not None and not unit_just_opened and i + len(term.folded) < len(words):
            if current.words or current.kind != "plain":
                items.append(current)
            current = _Item(term.kind, term.type)
            if term.kind == "street":
                current.words.extend(words[i : i + len(term.folded)])
            i += len(term.folded)
            continue
        current.words.append(words[i])
        i += 1
    if current.words:
        items.append(current)
    return items


@lru_cache(maxsize=1 << 17)
def _scanned(segment: str) -> tuple[tuple[str, str | None, tuple[_Word, ...]], ...]:
    """``_scan`` of a part, kept: the commune, district and province parts of a province's
    addresses repeat thousands of times. Frozen, since the parse changes its items' kinds."""
    return tuple((item.kind, item.type, tuple(item.words)) for item in _scan(segment))


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


# --- name indexes -----------------------------------------------------------------------------


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


def parse_address(text: str, province_hint: str | None = None) -> Address:
    """Take an address apart and find the NEW province and commune codes it denotes.

    ``province_hint`` (a province code or name, e.g. the province of the feed) is used when
    the address itself names no province.
    """
    return _parse(text or "", province_hint)


@lru_cache(maxsize=65536)
def _parse(text: str, province_hint: str | None) -> Address:
    repaired = nfc(repair_legacy(text))
    items = [_Item(kind, type_, list(words)) for segment in _segments(repaired)
             for kind, type_, words in _scanned(segment)]  # fmt: skip
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
