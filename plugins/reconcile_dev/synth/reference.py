"""Reference tables the generator draws from: administrative units, tax prefixes, feed headers,
status vocabularies and wage floors.

Read straight from the package's data files (the CSVs under ``text/data`` and the YAML under
``feeds/data``) so that the generator depends on nothing but the data; the text helpers of the
pipeline are deliberately not used, which keeps generated test data independent of the code it
tests. Only the model is shared: an old commune is the runtime's ``admin_units.OldCommune``.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property, lru_cache

from reconcile.feeds.spec import specs
from reconcile.quarter import Quarter
from reconcile.rules.catalog import wage_floor_table, wage_region_of_commune
from reconcile.settings import load_yaml, package_data
from reconcile.text.admin_units import OldCommune

MERGER_DAY = date(2025, 7, 1)
MERGER_QUARTER = Quarter(2025, 3)

# Regional minimum wages, VND a month, by the day they came into force (DOMAIN.md). The first
# row (Decree 38/2022) only serves quarters before 2024Q3.
# The dated floors the rules judge by (rules/data/wage_floors.csv), so that truth and rules agree.
WAGE_FLOORS: tuple[tuple[date, tuple[int, int, int, int]], ...] = tuple(wage_floor_table())
EMPLOYER_RATE_PERMILLE = 215
EMPLOYEE_RATE_PERMILLE = 105
TOTAL_RATE_PERCENT = 32  # employer 21.5 % + employee 10.5 %

# Centrally-run cities (new codes): urban wards are region I there.

_TYPE_CASE = {"thị trấn": "Thị trấn", "thành phố": "Thành phố", "thị xã": "Thị xã"}


def _type(text: str) -> str:
    return _TYPE_CASE.get(text.strip().lower(), text.strip())


@lru_cache(maxsize=1024)
def wage_floor(quarter: Quarter, region: int) -> int:
    """The regional floor in force on the quarter's last day (floors change on quarter starts)."""
    floors = WAGE_FLOORS[0][1]
    for since, values in WAGE_FLOORS:
        if since <= quarter.last_day:
            floors = values
    return floors[region - 1]


@cache
def _read_csv(relative: str) -> list[dict[str, str]]:
    with open(package_data(relative), encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


@dataclass(frozen=True)
class OldProvince:
    code: str
    name: str
    type: str
    prefix: str  # tax-office prefix


@dataclass(frozen=True)
class NewCommune:
    code: str
    name: str
    type: str
    region: int  # regional minimum-wage zone (illustrative, see ``_region``)


@dataclass(frozen=True)
class Geography:
    """One new (post-2025) province with everything it was made of."""

    code: str
    name: str
    type: str
    index: int  # position among the 34 provinces (gives unit-code prefixes)
    old_provinces: tuple[OldProvince, ...]
    # The runtime's model of an old commune, as the generator reads it: its type and its
    # district's spelt in the usual case ("Thị trấn"), its new communes only those of this
    # province (a commune split across provinces is drawn here with its part in this one).
    old_communes: tuple[OldCommune, ...]
    communes: dict[str, NewCommune]
    districts: tuple[tuple[str, str, str, str], ...]  # (old province, code, name, type)
    district_positions: dict[tuple[str, str], int]

    @property
    def southern(self) -> bool:
        return int(self.code) >= 66

    def old_province(self, commune: OldCommune) -> OldProvince:
        """The old province a commune was in, with its tax-office prefix."""
        return self._old_province_by_code[commune.province_code]

    @cached_property
    def _old_province_by_code(self) -> dict[str, OldProvince]:
        return {p.code: p for p in self.old_provinces}

    def district_index(self, commune: OldCommune) -> int:
        return self.district_positions[(commune.province_code, commune.district_code)]

    def address(self, street: str, commune: OldCommune, new_code: str, old: bool) -> str:
        """Before the merger: street, commune, district, old province; after: street, commune, province."""
        head = f"{street}, " if street else ""  # a real address may have no street part
        if old:
            p = self.old_province(commune)
            return (
                f"{head}{commune.type} {commune.name}, {commune.district_type} "
                f"{commune.district_name}, {p.type} {p.name}"
            )
        new = self.communes[new_code]
        return f"{head}{new.type} {new.name}, {self.type} {self.name}"

    def parse_address(self, text: str) -> tuple[str, OldCommune, str] | None:
        """(street, old commune, new commune code) of an address written in either shape
        ("..., Phường 1, Thành phố Cao Lãnh, Tỉnh Đồng Tháp" or "..., Phường Mỹ Tho, Tỉnh
        Đồng Tháp"), or None when no commune of this province is named in it."""
        parts = [" ".join(p.split()) for p in unicodedata.normalize("NFC", text).split(",")]
        olds, news = _address_index(self)
        for i in range(len(parts) - 1):
            here, after = parts[i].casefold(), parts[i + 1].casefold()
            commune = olds.get((here, after))
            if commune is not None:
                return ", ".join(parts[:i]), commune, commune.new_commune_codes[0]
            found = news.get((here, after))
            if found is not None:
                return ", ".join(parts[:i]), found[0], found[1]
        return None


_ADDRESS_INDEX: dict[str, tuple[dict, dict]] = {}


def _address_index(geo: Geography) -> tuple[dict, dict]:
    """(commune, district) and (new commune, province) as written, case-folded -> commune."""
    if geo.code in _ADDRESS_INDEX:
        return _ADDRESS_INDEX[geo.code]
    olds: dict[tuple[str, str], OldCommune] = {}
    news: dict[tuple[str, str], tuple[OldCommune, str]] = {}
    province = f"{geo.type} {geo.name}".casefold()
    for c in geo.old_communes:
        key = (f"{c.type} {c.name}".casefold(), f"{c.district_type} {c.district_name}".casefold())
        olds.setdefault(key, c)
        for code in c.new_commune_codes:
            new = geo.communes[code]
            news.setdefault((f"{new.type} {new.name}".casefold(), province), (c, code))
    _ADDRESS_INDEX[geo.code] = (olds, news)
    return olds, news


def commune_weight(commune: OldCommune) -> float:
    """How often firms are drawn in a commune, relative: wards and towns hold more of them."""
    return {"Phường": 3.0, "Thị trấn": 2.0}.get(commune.type, 1.0)


def _region(province_code: str, commune_code: str, commune_type: str) -> int:
    """The commune's wage zone, from the table the rules read (illustrative, see
    ``tools/derive_wage_regions.py``), so that generated truth and the rules agree."""
    return wage_region_of_commune(commune_code) or 3


@cache
def provinces() -> dict[str, tuple[str, str]]:
    """New province code -> (name, type), in file order."""
    return {
        r["code"]: (r["name"], _type(r["type"]))
        for r in _read_csv("text/data/admin_units/provinces.csv")
    }


@cache
def geography(province: str) -> Geography:
    table = provinces()
    if province not in table:
        raise ValueError(
            f"unknown new province code {province!r} (expected one of {', '.join(table)})"
        )
    name, ptype = table[province]
    prefixes = {
        r["old_province_code"]: r["prefix"] for r in _read_csv("text/data/tax_office_prefixes.csv")
    }
    olds = tuple(
        OldProvince(r["code"], r["name"], _type(r["type"]), prefixes[r["code"]])
        for r in _read_csv("text/data/admin_units/old_provinces.csv")
        if r["new_province_code"] == province
    )
    by_code = {p.code: p for p in olds}
    communes = {
        r["code"]: NewCommune(
            r["code"], r["name"], _type(r["type"]), _region(province, r["code"], _type(r["type"]))
        )
        for r in _read_csv("text/data/admin_units/communes.csv")
        if r["province_code"] == province
    }
    old_communes = []
    districts: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for r in _read_csv("text/data/admin_units/old_communes.csv"):
        old = by_code.get(r["province_code"])
        if old is None:
            continue
        new_codes = tuple(c for c in r["new_commune_codes"].split("|") if c in communes)
        if not new_codes:
            continue
        dtype = _type(r["district_type"])
        old_communes.append(
            OldCommune(
                r["code"],
                r["name"],
                _type(r["type"]),
                r["district_code"],
                r["district_name"],
                dtype,
                old.code,
                new_codes,
            )
        )
        districts.setdefault(
            (old.code, r["district_code"]),
            (old.code, r["district_code"], r["district_name"], dtype),
        )
    index = list(table).index(province)
    district_list = tuple(districts.values())
    positions = {(p, c): i for i, (p, c, _, _) in enumerate(district_list)}
    return Geography(
        province, name, ptype, index, olds, tuple(old_communes), communes, district_list, positions
    )


@cache
def header_spellings() -> dict[str, dict[str, tuple[str, ...]]]:
    """Feed -> canonical column -> header spellings (the first is the usual one)."""
    return {
        feed: {c.name: c.headers or (c.name,) for c in spec.columns.values()}
        for feed, spec in specs().items()
    }


@cache
def column_kinds() -> dict[str, dict[str, str]]:
    return {feed: {c.name: c.kind for c in spec.columns.values()} for feed, spec in specs().items()}


@cache
def required_columns() -> dict[str, tuple[str, ...]]:
    return {feed: spec.required for feed, spec in specs().items()}


@cache
def status_labels() -> dict[str, dict[str, tuple[str, ...]]]:
    """Vocabulary -> canonical status -> its spellings (for tax: the code first, then labels)."""
    raw = load_yaml(package_data("feeds/data/statuses.yaml"))
    return {
        vocab: {k: tuple(str(s) for s in v) for k, v in body.items()} for vocab, body in raw.items()
    }


def tax_code_of_status(canonical: str) -> str:
    return status_labels()["tax"][canonical][0]
