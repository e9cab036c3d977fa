"""The synthetic world of one province: firms that live through the configured quarters.

A population of firms is drawn for the first quarter (registered over the past decades, with
their statuses, sizes, wages and registration with BHXH) and then moved forward a quarter at a
time: some firms change status, new ones register, some register late with BHXH, some units fall
into arrears and others settle. Everything is drawn from random streams seeded by
``(seed, province, ...)``, so a province's world does not depend on the other provinces.

``ProvinceWorld.advance(quarter)`` returns a ``Snapshot``: per firm and per unit, the canonical
values the feeds will show at the quarter's end. Presentation (header spellings, label
spellings, encodings, file faults) is the writers' business.
"""

from __future__ import annotations

import bisect
import calendar
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from reconcile.quarter import Quarter
from reconcile.text.admin_units import OldCommune
from reconcile.text.tax_code import WEIGHTS
from reconcile_dev.synth import names
from reconcile_dev.synth.config import SynthConfig
from reconcile_dev.synth.draws import pick as _pick
from reconcile_dev.synth.noise import (
    HARD_ADDRESS_KINDS,
    HARD_NAME_KINDS,
    hard_name,
    mistype_digit,
    noisy_name,
    ward_district,
)
from reconcile_dev.synth.reference import Geography, commune_weight, wage_floor

# --- life states and how they show on the tax and registry sides ---------------------------
ACTIVE, SUSPENDED, NOT_AT_ADDRESS, CLOSING, BANKRUPTING, REVOKED, CLOSED, MOVED, VERIFY = (
    "active", "suspended", "not_at_address", "closing", "bankrupting", "revoked", "closed", "moved", "verify",
)  # fmt: skip
CLOSED_STATES = frozenset({NOT_AT_ADDRESS, CLOSING, BANKRUPTING, REVOKED, CLOSED})
INITIAL_SHARES = (
    (ACTIVE, 0.74), (SUSPENDED, 0.07), (NOT_AT_ADDRESS, 0.04), (CLOSING, 0.03), (BANKRUPTING, 0.005),
    (REVOKED, 0.015), (CLOSED, 0.08), (MOVED, 0.01), (VERIFY, 0.01),
)  # fmt: skip
TRANSITIONS: dict[str, tuple[tuple[str, float], ...]] = {
    ACTIVE: ((SUSPENDED, 0.012), (NOT_AT_ADDRESS, 0.004), (CLOSING, 0.005), (BANKRUPTING, 0.0005),
             (REVOKED, 0.002), (CLOSED, 0.003), (MOVED, 0.001), (VERIFY, 0.002)),
    SUSPENDED: ((ACTIVE, 0.15), (CLOSING, 0.05), (CLOSED, 0.05)),
    NOT_AT_ADDRESS: ((REVOKED, 0.10), (ACTIVE, 0.05), (CLOSED, 0.05)),
    CLOSING: ((CLOSED, 0.30),),
    BANKRUPTING: ((CLOSED, 0.15),),
    REVOKED: ((CLOSED, 0.10),),
    VERIFY: ((ACTIVE, 0.40), (NOT_AT_ADDRESS, 0.20)),
    MOVED: (),
    CLOSED: (),
}  # fmt: skip
# Canonical statuses of statuses.yaml per life state: (tax, [(registry, share), ...]).
SIDE_STATUSES: dict[str, tuple[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]] = {
    ACTIVE: ((("active", 1.0),), (("active", 0.98), ("suspended", 0.02))),
    SUSPENDED: ((("suspended", 1.0),), (("suspended", 0.95), ("active", 0.05))),
    NOT_AT_ADDRESS: ((("not_at_address", 1.0),), (("not_at_address", 0.7), ("active", 0.3))),
    CLOSING: ((("closing", 1.0),), (("dissolving", 0.8), ("active", 0.2))),
    BANKRUPTING: ((("awaiting_bankruptcy", 1.0),), (("bankrupting", 1.0),)),
    REVOKED: ((("closing", 0.5), ("not_at_address", 0.5)), (("revoked", 1.0),)),
    CLOSED: ((("closed", 1.0),), (("dissolved", 1.0),)),
    MOVED: ((("moved", 1.0),), (("active", 1.0),)),
    VERIFY: ((("awaiting_verification", 1.0),), (("active", 1.0),)),
}

BIRTH_RATE = 0.025  # new registrations per quarter, share of living firms
BRANCH_SHARE = 0.10
NEAR_DUPLICATE_SHARE = 0.05
ORPHAN_SHARE = 0.03  # roll units with no firm in the feeds (schools, communes, households)
MEAN_AGE_DAYS = 2200
MAX_AGE_DAYS = 25 * 365
SHORT_ARREARS_SETTLE = 0.8
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAYMENT_CYCLES = (("Hàng tháng", 0.85), ("3 tháng", 0.10), ("6 tháng", 0.05))


def streams(seed: int, province: str, *tags: int) -> tuple[np.random.Generator, random.Random]:
    """A numpy generator and a ``random.Random`` for one (seed, province, tags) stream."""
    numbers, words = np.random.SeedSequence([seed, int(province), *tags]).spawn(2)
    state = words.generate_state(4, dtype=np.uint64)
    return np.random.default_rng(numbers), random.Random(int.from_bytes(state.tobytes(), "little"))


def quarter_tag(quarter: Quarter) -> int:
    return quarter.year * 10 + quarter.number


@lru_cache(maxsize=4096)
def overdue_days(quarter: Quarter, months: int) -> int:
    """Days past the due date of the oldest unpaid month (last month - m + 1) at quarter end."""
    end = quarter.last_day
    index = end.year * 12 + end.month - 1 - (months - 1) + 1  # the month after the oldest month
    year, month = divmod(index, 12)
    due = date(year, month + 1, calendar.monthrange(year, month + 1)[1])
    return (end - due).days


@lru_cache(maxsize=256)
def min_long_months(quarter: Quarter) -> int:
    months = 1
    while overdue_days(quarter, months) <= 60:
        months += 1
    return months


def wage_bill_of(insured: int, floor: int, factor: float) -> int:
    """Monthly insured wages, whole thousands: at or above the floor when ``factor >= 1``, below it else."""
    amount = insured * floor * factor / 1000
    return (math.ceil(amount) if factor >= 1.0 else math.floor(amount)) * 1000


def _day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


class CodePool:
    """Unused valid tax codes per prefix, drawn in vectorised batches."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.batches: dict[str, list[str]] = {}
        self._weights = np.array(WEIGHTS[2:], dtype=np.int64)

    def take(self, prefix: str) -> str:
        batch = self.batches.get(prefix)
        while True:
            if not batch:
                batch = self._refill(prefix)
                self.batches[prefix] = batch
            code = batch.pop()
            if code not in self.used:
                self.used.add(code)
                return code

    def _refill(self, prefix: str) -> list[str]:
        serials = self.rng.integers(1, 10**7, size=4096)
        digits = (serials[:, None] // 10 ** np.arange(6, -1, -1)) % 10
        head = int(prefix[0]) * WEIGHTS[0] + int(prefix[1]) * WEIGHTS[1]
        check = 10 - (head + digits @ self._weights) % 11
        ok = check != 10
        return [
            f"{prefix}{s:07d}{c}"
            for s, c in zip(serials[ok].tolist(), check[ok].tolist(), strict=True)
        ][::-1]


@dataclass(slots=True)
class Unit:
    code: str
    firm: int | None  # index of the firm, None for a unit with no firm in the feeds
    joined_on: date
    district: int
    name: str
    tax_code_written: str
    noise: tuple[str, ...]
    old_address_noise: bool
    region: int
    status: str = "paying"
    employees: int = 0  # orphans only: their own head count
    wage_factor: float = 1.2
    arrears_months: int = 0
    long_arrears: bool = False
    reminded_on: date | None = None
    last_contribution: int = 0  # monthly contribution when last paying
    problem: str | None = None  # closed firm still on the roll: "open" or "owing"
    stale_insured: int = 0
    stale_wage_bill: int = 0
    address_old: str = ""
    address_new: str = ""
    late_noise: tuple[str, ...] = ()  # kinds that show only from the 2025 merger (old_commune)


@dataclass(slots=True)
class Firm:
    index: int
    tax_code: str
    parent: int | None
    legal_form: str
    legal_label: str
    name: str
    english: str
    short: str
    prefix: str
    trades: tuple[str, ...]
    industry: str
    commune: OldCommune
    new_commune: str
    street: str
    region: int
    representative: str
    payment_cycle: str
    founded_on: date
    registered_on: date
    employees: int
    declared: int | None
    pit_blank: bool
    pit_lag: int  # pit_employees below the head count by this much (compliant firms)
    lag: int | None  # days from start to BHXH registration; None: never (an evader)
    wage_factor: float
    actual_factor: float  # actual pay over insured pay (for the tax side's wage bill)
    under_factor: float | None
    stops: str | None = None  # stopped paying while active: "paused" unit, or "zero" insured
    state: str = ACTIVE
    state_since: date = date(2000, 1, 1)
    tax_status: str = "active"
    registry_status: str = "active"
    suspended_until: date | None = None
    unit: int | None = None  # index into ProvinceWorld.units
    branches: int = 0

    @property
    def started_on(self) -> date:
        return min(self.founded_on, self.registered_on)


@dataclass(slots=True)
class FirmView:
    """A firm as the feeds show it at a quarter's end (canonical values, before presentation)."""

    firm: Firm
    tax_status: str
    registry_status: str
    pit_employees: int | None
    pit_wage_bill: int | None
    declared_employees: int | None
    employees: int  # the truth
    unit: int | None


@dataclass(slots=True)
class UnitView:
    unit: Unit
    status: str  # roll vocabulary: paying / paused / closed / closing
    insured: int
    wage_bill: int
    due: int
    paid: int
    arrears: int
    arrears_months: int
    reminded_on: date | None


@dataclass
class Snapshot:
    quarter: Quarter
    province: str
    firms: list[FirmView] = field(default_factory=list)
    units: list[UnitView] = field(default_factory=list)


class ProvinceWorld:
    def __init__(self, config: SynthConfig, geo: Geography) -> None:
        self.config = config
        self.geo = geo
        self.province = geo.code
        self.firms: list[Firm] = []
        self.units: list[Unit] = []
        self.names: set[str] = set()
        self.unit_codes: set[str] = set()
        base_np, base_py = streams(config.seed, geo.code, 0)
        self.codes = CodePool(base_np)
        weights = np.cumsum([commune_weight(c) for c in geo.old_communes])
        self._cumulative = (weights / weights[-1]).tolist()
        self.places = tuple(sorted({c.name for c in geo.old_communes if not c.name.isdigit()}))
        self.current: Quarter | None = None
        self._base = (base_np, base_py)
        # A stream of its own for the problems added later, so the rest of the world stays put.
        self._plant = streams(config.seed, geo.code, 4)[1]
        self._parents: list[int] = []  # companies that may open branches
        self._named: list[names.FirmName] = []  # names a near-duplicate may copy
        # The hard profile's noise has a stream of its own: with its rates at 0 nothing else
        # moves, so the default profile's files are what they were before it existed.
        self._hard = streams(config.seed, geo.code, 5)[1]
        self._hard_rates = {
            k: getattr(config.noise, k) for k in HARD_NAME_KINDS + HARD_ADDRESS_KINDS
        }
        self._any_hard = any(self._hard_rates.values())
        self._real = list(config.names)  # real registered names, taken in order
        self._real_next = 0

    # --- drawing firms ---------------------------------------------------------------------
    def _commune(self, rng: np.random.Generator, py: random.Random) -> tuple[OldCommune, str]:
        position = min(
            bisect.bisect_right(self._cumulative, py.random()), len(self._cumulative) - 1
        )
        commune = self.geo.old_communes[position]
        return commune, py.choice(commune.new_commune_codes)

    def _employees(self, rng: np.random.Generator, form: str) -> int:
        scale = {"cp": 6.0, "dntn": 1.6, "htx": 2.0, "branch": 3.0}.get(form, 2.6)
        value = scale * (rng.random() ** (-1 / 1.1) - 1)
        return int(min(value, 20000))

    def _new_firm(
        self, start: date, rng: np.random.Generator, py: random.Random, allow_branch: bool
    ) -> Firm:
        problems = self.config.problems
        parents = self._parents
        parent_index: int | None = None
        if allow_branch and parents and py.random() < BRANCH_SHARE:
            parent_index = parents[py.randrange(len(parents))]
            if self.current is not None and self.firms[parent_index].state in CLOSED_STATES:
                parent_index = None  # a closed company opens no branch
        commune, new_code = self._commune(rng, py)
        place = py.choice(self.places) if self.places else commune.name
        if parent_index is not None:
            parent = self.firms[parent_index]
            parent.branches += 1
            tax_code = f"{parent.tax_code}-{parent.branches:03d}"
            the_name = ""
            for _ in range(20):
                where = py.choice((commune.name, commune.district_name, place))
                the_name = names.branch_name(py, parent.name, where)
                if the_name not in self.names:
                    break
            else:
                the_name = f"{names.BRANCH_LABEL} {parent.branches:02d} - {parent.name}"
            fname = names.FirmName(
                the_name,
                f"BRANCH OF {parent.english}",
                "",
                parent.industry,
                names.BRANCH_LABEL,
                parent.trades,
                parent.short,
            )
            form_key, label = "branch", names.BRANCH_LABEL
        else:
            form = py.choices(names.LEGAL_FORMS, [f.share for f in names.LEGAL_FORMS])[0]
            real_street = None
            if self._real_next < len(self._real):
                fname, form, located = self._real_name()
                if located is not None:
                    real_street, commune, new_code = located
            else:
                fname = self._unique_name(py, form)
            tax_code = self.codes.take(self.geo.old_province(commune).prefix)
            form_key, label = form.key, form.label
        self.names.add(fname.name)
        employees = self._employees(rng, form_key)
        employing = employees >= 1
        if employing:
            declared = (
                max(1, round(employees * float(rng.lognormal(0.0, 0.4))))
                if py.random() < 0.9
                else None
            )
        else:
            declared = 0 if py.random() < 0.6 else None
        u = py.random()
        lag: int | None
        if not employing or u < problems.not_registered:
            lag = None
        elif u < problems.not_registered + problems.not_registered_late:
            lag = py.randint(31, 90)
        else:
            lag = py.randint(0, 30)
        # One day for both since 2010 (one enterprise code); before, the tax code came days later.
        registered = start if start.year >= 2010 else start + timedelta(days=py.randint(0, 20))
        representative = (
            fname.brand
            if form_key == "dntn" and len(fname.brand.split()) >= 3
            else names.person_name(py)
        )
        wage_low = py.random() < problems.wage_below_floor
        wage_factor = py.uniform(0.6, 0.95) if wage_low else 1.0 + min(py.expovariate(4.0), 1.5)
        firm = Firm(
            index=len(self.firms),
            tax_code=tax_code,
            parent=parent_index,
            legal_form=form_key,
            legal_label=label,
            name=fname.name,
            english=fname.english,
            short=fname.short,
            prefix=fname.prefix,
            trades=fname.trades,
            industry=fname.industry,
            commune=commune,
            new_commune=new_code,
            street=names.street_part(
                py, commune.type, self.geo.southern, self.places or (commune.name,)
            ),
            region=self.geo.communes[new_code].region,
            representative=representative,
            payment_cycle=_pick(py, PAYMENT_CYCLES),
            founded_on=start,
            registered_on=registered,
            employees=employees,
            declared=declared,
            pit_blank=py.random() < 0.08,
            pit_lag=py.choice((0, 0, 0, 0, 1, 2)) if employees > 3 else 0,
            lag=lag,
            wage_factor=wage_factor,
            actual_factor=py.uniform(1.05, 1.6),
            under_factor=py.uniform(0.3, 0.8) if py.random() < problems.under_registered else None,
            state_since=start,
        )
        if parent_index is None and real_street is not None:
            firm.street = real_street  # the list's own street (drawn above to keep the stream)
        self._plant_later_problems(firm)
        self.firms.append(firm)
        if form_key in ("tnhh_mtv", "tnhh", "cp"):
            parents.append(firm.index)
        return firm

    def _plant_later_problems(self, firm: Firm) -> None:
        """Stopped paying and a wage gap: always three draws a firm, from their own stream."""
        problems, plant = self.config.problems, self._plant
        stops, kind, gap = plant.random(), plant.random(), plant.random()
        if firm.employees < 1:
            return
        if stops < problems.stopped_paying:
            firm.stops = "paused" if kind < 0.7 else "zero"
        if gap < problems.wage_gap:
            # Insured near the floor, paid far more: the tax side's monthly wages at least 2.5x
            # the insured wage bill and 30 million above it, with room for a lagging pit count.
            floor = wage_floor(self.config.quarters[0], firm.region) * firm.wage_factor
            head = firm.employees
            pit = max(head - 2, 1) if head > 3 else head
            need = max(2.5 * head / pit, (30_000_000 / floor + head) / pit)
            firm.actual_factor = need * (1.0 + 0.5 * kind)

    def _real_name(
        self,
    ) -> tuple[names.FirmName, names.LegalForm, tuple[str, OldCommune, str] | None]:
        """The next name of the agency's list, and where it is when its address names a
        commune of this province (else the drawn commune stays). A name already used (the list
        repeats itself) gets " #2", " #3"...: a registry holds no two firms of one name, and
        the truth must tell them apart."""
        real = self._real[self._real_next]
        self._real_next += 1
        fname, form = names.real_firm_name(real.name, real.legal_form)
        number = 2
        while fname.name in self.names:
            fname.name = f"{fname.name.rsplit(' #', 1)[0]} #{number}"
            number += 1
        located = self.geo.parse_address(real.address) if real.address else None
        return fname, form, located

    def _unique_name(self, py: random.Random, form: names.LegalForm) -> names.FirmName:
        if self._named and py.random() < NEAR_DUPLICATE_SHARE:
            base = self._named[py.randrange(len(self._named))]
            candidate = names.near_duplicate(py, base, form)
            if candidate.name not in self.names:
                return candidate
        for attempt in range(50):
            candidate = names.firm_name(py, form, self.places or (self.geo.name,))
            if attempt > 10:  # a crowded province: add a numeral
                candidate.name = f"{candidate.name} {py.randint(2, 999)}"
            if candidate.name not in self.names:
                if form.key != "htx":
                    self._named.append(candidate)
                return candidate
        raise RuntimeError("could not find a unique firm name")

    def _set_state(self, firm: Firm, state: str, since: date, py: random.Random) -> None:
        tax_options, registry_options = SIDE_STATUSES[state]
        firm.state = state
        firm.state_since = since
        firm.tax_status = _pick(py, tax_options)
        firm.registry_status = _pick(py, registry_options)
        if firm.registry_status == "suspended":
            firm.suspended_until = since + timedelta(days=py.randint(90, 365))
        else:
            firm.suspended_until = None

    # --- units -----------------------------------------------------------------------------
    def _unit_code(self, district: int, py: random.Random) -> str:
        k = self.geo.index * 19 + district % 19
        pair = LETTERS[k // 26] + LETTERS[k % 26]
        while True:
            code = f"{pair}{py.randint(0, 9999):04d}{py.choice(LETTERS)}"
            if code not in self.unit_codes:
                self.unit_codes.add(code)
                return code

    def _open_unit(self, firm: Firm, joined: date, py: random.Random) -> None:
        noise = self.config.noise
        kinds = [
            k
            for k in (
                "legal_form",
                "reorder",
                "typo",
                "english_name",
                "upper",
                "no_diacritics",
                "nfd",
            )
            if py.random() < getattr(noise, k)
        ]
        hard = self._draw_hard(firm) if self._any_hard else []
        first: tuple[str, ...] = ()
        start = firm.name
        if hard:
            parent = self.firms[firm.parent].name if firm.parent is not None else ""
            renamed_to = (
                names.brand(self._hard, self.places or (self.geo.name,))[0]
                if "renamed" in hard
                else ""
            )
            place = self._hard.choice(
                tuple(p for p in (firm.commune.name, firm.commune.district_name) if not p.isdigit())
                or (self.geo.name,)
            )
            start, first = hard_name(
                firm.name,
                "first",
                tuple(hard),
                prefix=firm.prefix,
                form=firm.legal_form,
                rng=self._hard,
                renamed_to=renamed_to,
                parent_name=parent,
                place=place,
            )
        name, applied = noisy_name(start, firm.english, firm.prefix, firm.trades, tuple(kinds), py)
        applied = first + applied
        code_kinds: list[str] = []
        written = firm.tax_code
        u = py.random()
        b, t, z, p = (
            noise.tax_code_blank,
            noise.tax_code_typo,
            noise.tax_code_no_zero,
            noise.parent_code,
        )
        if u < b:
            written = ""
            code_kinds.append("tax_code_blank")
        elif u < b + t:
            written = mistype_digit(firm.tax_code[:10], py) + firm.tax_code[10:]
            code_kinds.append("tax_code_typo")
        elif u < b + t + z:  # an interval of its own, so the rate holds among codes with a 0
            if firm.tax_code.startswith("0"):
                written = firm.tax_code[1:]
                code_kinds.append("tax_code_no_zero")
        elif u < b + t + z + p and firm.parent is not None:
            written = self.firms[firm.parent].tax_code
            code_kinds.append("parent_code")
        district = self.geo.district_index(firm.commune)
        unit = Unit(
            code=self._unit_code(district, py),
            firm=firm.index,
            joined_on=joined,
            district=district,
            name=name,
            tax_code_written=written,
            noise=applied + tuple(code_kinds),
            old_address_noise=py.random() < noise.old_address,
            region=firm.region,
            wage_factor=firm.wage_factor,
            address_old=self.geo.address(firm.street, firm.commune, firm.new_commune, True),
            address_new=self.geo.address(firm.street, firm.commune, firm.new_commune, False),
        )
        if self._any_hard:
            self._hard_noise(firm, unit, tuple(hard), code_kinds)
        firm.unit = len(self.units)
        self.units.append(unit)

    def _draw_hard(self, firm: Firm) -> list[str]:
        """The hard kinds drawn for a firm's unit: one draw per kind from the hard stream
        (``branch_tai_place`` is a share of branch units)."""
        rng, rates = self._hard, self._hard_rates
        branch = firm.parent is not None
        return [
            k
            for k in HARD_NAME_KINDS + HARD_ADDRESS_KINDS
            if rng.random() < rates[k] and (k != "branch_tai_place" or branch)
        ]

    def _hard_noise(
        self, firm: Firm, unit: Unit, hard: tuple[str, ...], code_kinds: list[str]
    ) -> None:
        """The hard profile's address kinds on the unit, and its last name kinds (how the text
        is finally written) on top of the default kinds."""
        rng = self._hard
        name, last = hard_name(
            unit.name, "last", hard, prefix=firm.prefix, form=firm.legal_form, rng=rng
        )
        if last and "nfd" in unit.noise and last != ("spaces",):
            unit.noise = tuple(k for k in unit.noise if k != "nfd")  # re-encoded: no NFD left
        address: list[str] = []
        late: list[str] = []
        commune = firm.commune
        if "address_ward_district" in hard:
            text = ward_district(
                commune.type, commune.name, commune.district_type, commune.district_name, rng
            )
            unit.address_old = unit.address_new = text
            unit.old_address_noise = False  # one shape only: nothing left to be old about
            address.append("address_ward_district")
        else:
            if "other_street" in hard:
                street = firm.street
                for _ in range(10):
                    street = names.street_part(
                        rng, commune.type, self.geo.southern, self.places or (commune.name,)
                    )
                    if street != firm.street:
                        break
                if street != firm.street:
                    unit.address_old = self.geo.address(street, commune, firm.new_commune, True)
                    unit.address_new = self.geo.address(street, commune, firm.new_commune, False)
                    address.append("other_street")
            if "old_commune" in hard and not unit.old_address_noise:
                street = unit.address_old.split(f", {commune.type} {commune.name}, ")[0]
                head = f"{street}, " if street and street != unit.address_old else ""
                hybrid = f"{head}{commune.type} {commune.name}, {self.geo.type} {self.geo.name}"
                if hybrid != unit.address_new:  # a commune that kept its name shows nothing
                    unit.address_new = hybrid
                    late.append("old_commune")
        unit.name = name
        unit.noise = (
            unit.noise[: len(unit.noise) - len(code_kinds)]
            + last
            + tuple(code_kinds)
            + tuple(address)
        )
        unit.late_noise = tuple(late)

    def _open_orphan(self, joined: date, rng: np.random.Generator, py: random.Random) -> None:
        commune, new_code = self._commune(rng, py)
        place = (
            commune.name
            if not commune.name.isdigit()
            else py.choice(self.places or (commune.name,))
        )
        name = names.public_body(py, place, commune.type)
        while name in self.names:
            name = f"{name} {py.randint(2, 9)}"
        self.names.add(name)
        district = self.geo.district_index(commune)
        written = (
            self.codes.take(self.geo.old_province(commune).prefix) if py.random() < 0.5 else ""
        )
        street = names.street_part(
            py, commune.type, self.geo.southern, self.places or (commune.name,)
        )
        unit = Unit(
            code=self._unit_code(district, py),
            firm=None,
            joined_on=joined,
            district=district,
            name=name,
            tax_code_written=written,
            noise=(),
            old_address_noise=False,
            region=self.geo.communes[new_code].region,
            employees=max(1, int(rng.lognormal(2.3, 0.8))),
            wage_factor=1.0 + min(py.expovariate(3.0), 1.5),
            address_old=self.geo.address(street, commune, new_code, True),
            address_new=self.geo.address(street, commune, new_code, False),
        )
        self.units.append(unit)

    # --- moving the world ------------------------------------------------------------------
    def advance(self, quarter: Quarter) -> Snapshot:
        rng, py = streams(self.config.seed, self.province, 1, quarter_tag(quarter))
        if self.current is None:
            self._populate(quarter)
        else:
            if quarter != self.current.next():
                raise ValueError(f"the world is at {self.current}; cannot jump to {quarter}")
            self._step(quarter, rng, py)
        self.current = quarter
        self._register(quarter, py)
        self._roll(quarter, py)
        return self._snapshot(quarter, py)

    def _populate(self, quarter: Quarter) -> None:
        rng, py = self._base
        n = self.config.firms
        # Ages: exponential, truncated at MAX_AGE_DAYS (no pile-up at the cap).
        cap = 1 - np.exp(-MAX_AGE_DAYS / MEAN_AGE_DAYS)
        ages = (-MEAN_AGE_DAYS * np.log1p(-rng.random(n) * cap)).astype(int)
        last = quarter.last_day
        starts = sorted(last - timedelta(days=int(a)) for a in ages)
        for start in starts:
            firm = self._new_firm(start, rng, py, allow_branch=True)
            age = (last - start).days
            state = ACTIVE if age < 180 else _pick(py, INITIAL_SHARES)
            since = start if state == ACTIVE else _day_between(py, start + timedelta(days=90), last)
            self._set_state(firm, state, since, py)
            if firm.lag is not None and firm.employees >= 1:
                joined = start + timedelta(days=firm.lag)
                if joined <= last and (state not in CLOSED_STATES or joined < since):
                    self._open_unit(firm, joined, py)
                    if state in CLOSED_STATES:
                        self._close_unit(firm, quarter, py, fresh=True)
        for _ in range(round(n * ORPHAN_SHARE)):
            joined = quarter.last_day - timedelta(days=int(rng.exponential(2500)))
            self._open_orphan(joined, rng, py)
        self._initial_arrears(quarter, py)

    def _initial_arrears(self, quarter: Quarter, py: random.Random) -> None:
        problems = self.config.problems
        long_share = problems.arrears_evasion + problems.arrears_late
        for unit in self.units:
            if unit.status not in ("paying", "paused") or unit.problem:
                continue
            u = py.random()
            if u < long_share:
                self._start_long(unit, quarter, py)
            elif u < long_share + problems.arrears_short:
                self._start_short(unit, quarter, py)

    def _start_long(self, unit: Unit, quarter: Quarter, py: random.Random) -> None:
        problems = self.config.problems
        low = min_long_months(quarter)
        unit.arrears_months = py.randint(low, low + 8)
        unit.long_arrears = True
        total = problems.arrears_evasion + problems.arrears_late
        if total > 0 and py.random() < problems.arrears_evasion / total:
            unit.reminded_on = _day_between(
                py, quarter.last_day - timedelta(days=150), quarter.last_day
            )
        else:
            unit.reminded_on = None

    def _start_short(self, unit: Unit, quarter: Quarter, py: random.Random) -> None:
        """A normal lag of 1-3 months, sometimes already reminded: never a finding."""
        unit.arrears_months = py.randint(1, 3)
        unit.long_arrears = False
        unit.reminded_on = (
            _day_between(py, quarter.first_day, quarter.last_day) if py.random() < 0.2 else None
        )

    def _step(self, quarter: Quarter, rng: np.random.Generator, py: random.Random) -> None:
        first, last = quarter.first_day, quarter.last_day
        for firm in self.firms:
            options = TRANSITIONS[firm.state]
            if options:
                u, acc = py.random(), 0.0
                for state, p in options:
                    acc += p
                    if u < acc:
                        self._set_state(firm, state, _day_between(py, first, last), py)
                        break
            if firm.employees >= 1 and firm.state not in CLOSED_STATES:
                firm.employees = max(
                    1, round(firm.employees * float(np.exp(rng.normal(0.0, 0.06))))
                )
        living = sum(1 for f in self.firms if f.state != CLOSED)
        births = int(rng.binomial(living, BIRTH_RATE))
        starts = sorted(_day_between(py, first, last) for _ in range(births))
        for start in starts:
            firm = self._new_firm(start, rng, py, allow_branch=True)
            self._set_state(firm, ACTIVE, start, py)
        orphans = sum(1 for u in self.units if u.firm is None)
        for _ in range(int(rng.binomial(orphans, 0.02))):
            self._open_orphan(_day_between(py, first, last), rng, py)

    def _register(self, quarter: Quarter, py: random.Random) -> None:
        """Employing firms whose registration day has come get their unit; evaders may give in."""
        last = quarter.last_day
        late = self.config.problems.late_registration
        for firm in self.firms:
            if firm.unit is not None or firm.employees < 1 or firm.state in CLOSED_STATES:
                continue
            if firm.lag is None:
                age = (quarter.first_day - firm.started_on).days
                if (
                    age > 90
                    and firm.state == ACTIVE
                    and quarter != self._first_quarter
                    and py.random() < late
                ):
                    joined = _day_between(py, quarter.first_day, last)
                    firm.lag = (joined - firm.started_on).days
                else:
                    continue
            joined = firm.started_on + timedelta(days=firm.lag)
            if joined <= last:
                self._open_unit(firm, joined, py)

    @property
    def _first_quarter(self) -> Quarter:
        return self.config.quarters[0]

    def _close_unit(self, firm: Firm, quarter: Quarter, py: random.Random, fresh: bool) -> None:
        """The firm has closed: its unit is closed, unless the agency has not caught up."""
        assert firm.unit is not None
        unit = self.units[firm.unit]
        problems = self.config.problems
        if fresh:
            if py.random() < problems.closed_on_roll:
                unit.problem = "open" if py.random() < 0.6 else "owing"
                if unit.problem == "owing" and unit.arrears_months == 0:
                    unit.arrears_months = py.randint(1, 9)
                    unit.long_arrears = unit.arrears_months >= min_long_months(quarter)
                    unit.reminded_on = (
                        _day_between(py, quarter.last_day - timedelta(days=120), quarter.last_day)
                        if py.random() < 0.5
                        else None
                    )
                unit.status = (
                    "paying" if unit.problem == "open" else py.choice(("paused", "closing"))
                )
            else:
                unit.problem = None
                unit.status = "closing" if py.random() < 0.3 else "closed"
                unit.arrears_months, unit.long_arrears, unit.reminded_on = 0, False, None
        elif unit.problem and py.random() < problems.fix_closed_on_roll:
            unit.problem = None
            unit.status = "closed"
            unit.arrears_months, unit.long_arrears, unit.reminded_on = 0, False, None
        elif not unit.problem:
            unit.status = "closed"

    def _roll(self, quarter: Quarter, py: random.Random) -> None:
        """Unit statuses follow their firms; arrears come and go."""
        problems = self.config.problems
        first_quarter = quarter == self._first_quarter
        for firm in self.firms:
            if firm.unit is None:
                continue
            unit = self.units[firm.unit]
            if firm.state in CLOSED_STATES:
                was_open = unit.status in ("paying", "paused") and unit.problem is None
                if not first_quarter or unit.problem is None and was_open:
                    self._close_unit(firm, quarter, py, fresh=was_open)
            else:
                unit.problem = None
                stopped = firm.state == SUSPENDED or firm.stops == "paused"
                unit.status = "paused" if stopped else "paying"
        if first_quarter:
            return
        paying = [i for i, u in enumerate(self.units) if u.status == "paying" and u.problem is None]
        long_share = problems.arrears_evasion + problems.arrears_late
        continuing = 0
        settled: set[int] = set()
        for position, unit in enumerate(self.units):
            if unit.status == "closed" and not unit.problem:
                continue
            if unit.arrears_months > 0:
                settle = problems.settle_arrears if unit.long_arrears else SHORT_ARREARS_SETTLE
                if py.random() < settle and unit.problem != "owing":
                    unit.arrears_months, unit.long_arrears, unit.reminded_on = 0, False, None
                    settled.add(position)
                    continue
                unit.arrears_months += 3
                unit.long_arrears = unit.arrears_months >= min_long_months(quarter)
                if unit.long_arrears and unit.reminded_on is None and py.random() < 0.5:
                    unit.reminded_on = _day_between(py, quarter.first_day, quarter.last_day)
                if unit.long_arrears and unit.status == "paying":
                    continuing += 1
        fresh = [
            self.units[i] for i in paying if self.units[i].arrears_months == 0 and i not in settled
        ]
        need = max(0.0, long_share * len(paying) - continuing)
        p_long = need / len(fresh) if fresh else 0.0
        for unit in fresh:
            u = py.random()
            if u < p_long:
                self._start_long(unit, quarter, py)
            elif u < p_long + problems.arrears_short:
                self._start_short(unit, quarter, py)

    # --- the quarter's view ----------------------------------------------------------------
    def _snapshot(self, quarter: Quarter, py: random.Random) -> Snapshot:
        snap = Snapshot(quarter, self.province)
        last = quarter.last_day
        pit_year_end = date(last.year - 1, 12, 31)
        for firm in self.firms:
            employees = firm.employees if firm.state not in CLOSED_STATES else 0
            if firm.employees < 1:
                pit: int | None = None if firm.pit_blank or py.random() < 0.3 else 0
            elif firm.started_on > pit_year_end or firm.pit_blank:
                pit = None
            else:
                pit = max(0, firm.employees - firm.pit_lag)
            pit_wages = None
            if pit is not None:
                monthly = wage_floor(quarter, firm.region) * firm.wage_factor * firm.actual_factor
                pit_wages = int(pit * monthly * 12) // 1000 * 1000
            snap.firms.append(
                FirmView(
                    firm,
                    firm.tax_status,
                    firm.registry_status,
                    pit,
                    pit_wages,
                    firm.declared,
                    employees,
                    firm.unit,
                )
            )
        for unit in self.units:
            snap.units.append(self._unit_view(unit, quarter))
        return snap

    def _unit_view(self, unit: Unit, quarter: Quarter) -> UnitView:
        firm = self.firms[unit.firm] if unit.firm is not None else None
        floor = wage_floor(quarter, unit.region)
        insured = wage_bill = 0
        if unit.status == "paying":
            head = firm.employees if firm is not None else unit.employees
            if unit.problem == "open":  # a closed firm's unit still declaring its last head count
                insured = unit.stale_insured or max(head, 1)
                wage_bill = unit.stale_wage_bill or wage_bill_of(insured, floor, unit.wage_factor)
            elif firm is not None and firm.stops == "zero" and firm.tax_status == "active":
                insured, wage_bill = 0, 0  # still on the roll as paying, declaring nobody
            else:
                insured = head
                if (
                    firm is not None
                    and firm.under_factor is not None
                    and head >= 2
                    and firm.tax_status == "active"
                ):
                    insured = max(1, min(head - 1, int(head * firm.under_factor)))
                wage_bill = wage_bill_of(insured, floor, unit.wage_factor)
                unit.stale_insured, unit.stale_wage_bill = insured, wage_bill
        monthly = wage_bill * 32 // 100
        if monthly:
            unit.last_contribution = monthly
        due = wage_bill * 96 // 100
        months = unit.arrears_months
        unpaid_now = monthly * min(months, 3)
        paid = max(0, due - unpaid_now)
        arrears = (monthly or unit.last_contribution or floor * 32 // 100) * months if months else 0
        return UnitView(
            unit,
            unit.status,
            insured,
            wage_bill,
            due,
            paid,
            arrears,
            months,
            unit.reminded_on if months else None,
        )
