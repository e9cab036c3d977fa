"""A quarter's snapshot as rows of the three feeds, under canonical column names.

Values stay typed (``str``, ``int``, ``date`` or ``None``); label spellings (a tax status as
code or label, synonyms) are chosen here, everything about the file (headers, encodings, date
and number formats, faults) in ``files``.
"""

from __future__ import annotations

import random
from datetime import date

from reconcile.quarter import Quarter
from reconcile.text.admin_units import OldCommune
from reconcile_dev.synth.reference import (
    MERGER_DAY,
    MERGER_QUARTER,
    Geography,
    status_labels,
)
from reconcile_dev.synth.world import Snapshot, UnitView

ROLL_STATUS = {"paying": "paying", "paused": "paused", "closed": "closed", "closing": "closing"}
# Spec columns that are spelled differently from the names used here.
ALIASES = {"stated_province": "province"}


def _label(rng: random.Random, options: tuple[str, ...], first_share: float) -> str:
    if len(options) == 1 or rng.random() < first_share:
        return options[0]
    return rng.choice(options[1:])


def tax_status_text(rng: random.Random, canonical: str) -> str:
    """The tax status as written: the TTHAI code, sometimes a label (current or older wording)."""
    spellings = status_labels()["tax"][canonical]
    if rng.random() < 0.6:
        return spellings[0]
    return _label(rng, spellings[1:], 0.7)


def old_shape(day: date) -> bool:
    return day < MERGER_DAY


def tax_office(geo: Geography, quarter: Quarter, firm_commune: OldCommune, employees: int) -> str:
    if quarter < MERGER_QUARTER:
        if employees >= 200:
            p = geo.old_province(firm_commune)
            return f"Cục Thuế {'thành phố' if p.type == 'Thành phố' else 'tỉnh'} {p.name}"
        return f"Chi cục Thuế khu vực {firm_commune.district_name}"
    kind = "thành phố" if geo.type == "Thành phố" else "tỉnh"
    if employees >= 200:
        return f"Thuế {kind} {geo.name}"
    return f"Thuế cơ sở {geo.district_index(firm_commune) % 9 + 1} {kind} {geo.name}"


def tax_rows(
    snap: Snapshot, geo: Geography, rng: random.Random
) -> list[tuple[int, dict[str, object]]]:
    rows: list[tuple[int, dict[str, object]]] = []
    for i, view in enumerate(snap.firms):
        firm = view.firm
        old = old_shape(firm.registered_on)
        province = geo.old_province(firm.commune).name if old else geo.name
        rows.append(
            (
                i,
                {
                    "tax_code": firm.tax_code,
                    "name": firm.name,
                    "address": geo.address(firm.street, firm.commune, firm.new_commune, old),
                    "province": None if rng.random() < 0.03 else province,
                    "tax_office": tax_office(geo, snap.quarter, firm.commune, firm.employees),
                    "registered_on": firm.registered_on,
                    "status": tax_status_text(rng, view.tax_status),
                    "status_since": firm.state_since,
                    "pit_employees": view.pit_employees,
                    "pit_wage_bill": view.pit_wage_bill,
                    "industry": firm.industry,
                },
            )
        )
    rows.sort(key=lambda r: str(r[1]["tax_code"]))  # tax codes: every row has one
    return rows


def registry_rows(
    snap: Snapshot, geo: Geography, rng: random.Random
) -> list[tuple[int, dict[str, object]]]:
    labels = status_labels()["registry"]
    rows: list[tuple[int, dict[str, object]]] = []
    for i, view in enumerate(snap.firms):
        firm = view.firm
        company = firm.legal_form in ("tnhh_mtv", "tnhh", "cp", "hop_danh")
        rows.append(
            (
                i,
                {
                    "enterprise_code": firm.tax_code,
                    "name": firm.name,
                    "short_name": firm.short if company and rng.random() < 0.4 else None,
                    "foreign_name": firm.english
                    if rng.random() < (0.55 if company else 0.15)
                    else None,
                    "legal_form": firm.legal_label,
                    "address": geo.address(
                        firm.street, firm.commune, firm.new_commune, old_shape(firm.founded_on)
                    ),
                    "representative": firm.representative,
                    "founded_on": firm.founded_on,
                    "status": _label(rng, labels[view.registry_status], 0.85),
                    "status_since": firm.state_since,
                    "suspended_until": firm.suspended_until
                    if view.registry_status == "suspended"
                    else None,
                    "declared_employees": view.declared_employees,
                    "payment_cycle": firm.payment_cycle,
                    "industry": firm.industry,
                },
            )
        )
    rows.sort(key=lambda r: (r[1]["founded_on"], r[1]["enterprise_code"]))
    return rows


def unit_noise(unit_view: UnitView, quarter: Quarter) -> tuple[str, ...]:
    """The unit's noise in ``quarter``: address kinds about the 2025 merger show only from it."""
    unit = unit_view.unit
    if quarter < MERGER_QUARTER:
        return unit.noise
    if unit.old_address_noise:
        return (*unit.noise, "old_address", *unit.late_noise)
    return (*unit.noise, *unit.late_noise) if unit.late_noise else unit.noise


def office(geo: Geography, quarter: Quarter, district: int) -> str:
    _, _, name, dtype = geo.districts[district]
    if quarter < MERGER_QUARTER:
        return f"BHXH {dtype.lower()} {name}"
    return f"BHXH khu vực {name}"


def roll_rows(
    snap: Snapshot, geo: Geography, rng: random.Random
) -> list[tuple[int, dict[str, object]]]:
    labels = status_labels()["roll"]
    quarter = snap.quarter
    rows: list[tuple[int, dict[str, object]]] = []
    for j, view in enumerate(snap.units):
        unit = view.unit
        old = quarter < MERGER_QUARTER or "old_address" in unit_noise(view, quarter)
        rows.append(
            (
                j,
                {
                    "unit_code": unit.code,
                    "name": unit.name,
                    "tax_code": unit.tax_code_written or None,
                    "address": unit.address_old if old else unit.address_new,
                    "office": office(geo, quarter, unit.district),
                    "joined_on": unit.joined_on,
                    "status": _label(rng, labels[ROLL_STATUS[view.status]], 0.9),
                    "insured_employees": view.insured,
                    "wage_bill": view.wage_bill,
                    "due": view.due,
                    "paid": view.paid,
                    "arrears": view.arrears,
                    "arrears_months": view.arrears_months,
                    "reminded_on": view.reminded_on,
                },
            )
        )
    rows.sort(key=lambda r: str(r[1]["unit_code"]))  # unit codes: every row has one
    return rows
