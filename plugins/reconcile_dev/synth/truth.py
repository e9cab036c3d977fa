"""What the rules should find: the definitions of rules.yaml applied to the records as written.

The expected findings are computed from a quarter's snapshot (the canonical values the files
carry), leaving out the records a file fault makes unreadable (a blank or broken key), so they
are what a correct pipeline can find (see ``DEFINITIONS``). ROLL_TAX_CODE_FIX looks at the roll's
tax code as finally written (after file faults): ``roll_codes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconcile.text.tax_code import parse
from reconcile_dev.synth.reference import wage_floor
from reconcile_dev.synth.world import Snapshot, overdue_days

ACTIVE_TAX = frozenset({"active", "household_active"})  # 00 04
STOPPED_UNIT = frozenset({"paused", "closed", "closing"})
WAGE_GAP_RATIO = 2.0
WAGE_GAP_MIN_MONTHLY = 20_000_000

CLOSED_TAX = frozenset(
    {"closed", "closing", "not_at_address", "awaiting_bankruptcy"}
)  # 01 03 06 07
CLOSED_REGISTRY = frozenset({"dissolved", "revoked", "bankrupting", "dissolving", "not_at_address"})

DEFINITIONS = {
    "NOT_REGISTERED": "tax status 00 and registry 'Đang hoạt động'; max(pit_employees, declared_employees) >= 1; "
    "no roll unit; quarter last day - min(registered_on, founded_on) > 90 days",
    "NOT_REGISTERED_LATE": "as NOT_REGISTERED but 31-90 days (0-30 days: no finding)",
    "CLOSED_FIRM_ON_ROLL": "tax status 01/03/06/07 or registry dissolved/revoked/bankrupting/dissolving/"
    "not_at_address, and its unit is 'Đang đóng' or has insured_employees > 0 or arrears > 0",
    "ARREARS_EVASION": "arrears > 0, arrears_months m: oldest unpaid month = quarter's last month - m + 1, "
    "due the last day of the next month; quarter last day - due date > 60 days; reminded_on set",
    "ARREARS_LATE": "as ARREARS_EVASION with reminded_on blank",
    "UNDER_REGISTERED": "tax status 00, unit 'Đang đóng', pit_employees not blank and insured_employees < pit_employees",
    "WAGE_BELOW_FLOOR": "unit 'Đang đóng', insured_employees > 0 and wage_bill < insured_employees x the regional "
    "floor in force at the quarter's end (wage_region of firms.csv / units.csv)",
    "STOPPED_PAYING": "tax status 00/04, pit_employees >= 1, and its unit is 'Tạm dừng đóng', 'Chấm dứt' or "
    "'Chờ chốt sổ', or has insured_employees = 0",
    "WAGE_GAP": "tax status 00/04, unit 'Đang đóng', pit_wage_bill not blank, pit_wage_bill / 12 > 2.0 x wage_bill "
    "and pit_wage_bill / 12 - wage_bill >= 20,000,000",
    "ROLL_TAX_CODE_FIX": "a unit with a firm (links.csv) whose roll tax code as written is blank, invalid once "
    "normalised (spaces, dots, a lost leading zero, -000; check digit), or valid but not its firm's code "
    "(except a -NNN code whose root is the firm's own 10-digit code); orphan units: none",
}


def roll_code_defect(written: str | None, firm_code: str) -> str | None:
    """What is wrong with a unit's roll tax code for its firm: blank, invalid, different or None."""
    code = parse(written) if written else None
    if code is None:
        return "blank" if not written else "invalid"
    if not code.is_valid:
        return "invalid"
    if code.text == firm_code or (code.suffix is not None and code.root == firm_code):
        return None
    return "different"


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    tax_code: str
    unit_code: str
    firm: int | None = None  # index into the snapshot's firms
    unit: int | None = None  # index into the snapshot's units


def findings(
    snap: Snapshot,
    hidden_tax: Iterable[int] = (),
    hidden_registry: Iterable[int] = (),
    hidden_units: Iterable[int] = (),
    roll_codes: Mapping[int, object] | None = None,
) -> list[Finding]:
    """Every expected finding of the quarter; ``hidden_*`` are records a reader cannot use,
    ``roll_codes`` the roll's tax codes as written where a file fault changed them."""
    hidden_tax, hidden_registry, hidden_units = (
        set(hidden_tax),
        set(hidden_registry),
        set(hidden_units),
    )
    quarter = snap.quarter
    last = quarter.last_day
    out: list[Finding] = []
    for i, view in enumerate(snap.firms):
        firm = view.firm
        tax_ok, registry_ok = i not in hidden_tax, i not in hidden_registry
        unit = view.unit if view.unit is not None and view.unit not in hidden_units else None
        if unit is None:
            if (
                not (tax_ok and registry_ok)
                or view.tax_status != "active"
                or view.registry_status != "active"
            ):
                continue
            if max(view.pit_employees or 0, view.declared_employees or 0) < 1:
                continue
            days = (last - firm.started_on).days
            if days > 90:
                out.append(Finding("NOT_REGISTERED", firm.tax_code, "", i, None))
            elif days > 30:
                out.append(Finding("NOT_REGISTERED_LATE", firm.tax_code, "", i, None))
            continue
        u = snap.units[unit]
        code = u.unit.code
        closed = (tax_ok and view.tax_status in CLOSED_TAX) or (
            registry_ok and view.registry_status in CLOSED_REGISTRY
        )
        if closed and (u.status == "paying" or u.insured > 0 or u.arrears > 0):
            out.append(Finding("CLOSED_FIRM_ON_ROLL", firm.tax_code, code, i, unit))
        if (
            tax_ok
            and view.tax_status == "active"
            and u.status == "paying"
            and view.pit_employees is not None
            and u.insured < view.pit_employees
        ):
            out.append(Finding("UNDER_REGISTERED", firm.tax_code, code, i, unit))
        active = tax_ok and view.tax_status in ACTIVE_TAX
        pit = view.pit_employees
        if active and pit is not None and pit >= 1 and (u.status in STOPPED_UNIT or u.insured == 0):
            out.append(Finding("STOPPED_PAYING", firm.tax_code, code, i, unit))
        wages = view.pit_wage_bill
        if active and u.status == "paying" and wages:
            monthly = wages / 12
            if (
                monthly > WAGE_GAP_RATIO * u.wage_bill
                and monthly - u.wage_bill >= WAGE_GAP_MIN_MONTHLY
            ):
                out.append(Finding("WAGE_GAP", firm.tax_code, code, i, unit))
    for j, u in enumerate(snap.units):
        if j in hidden_units:
            continue
        firm_index = u.unit.firm
        tax_code = snap.firms[firm_index].firm.tax_code if firm_index is not None else ""
        if u.arrears > 0 and u.arrears_months > 0 and overdue_days(quarter, u.arrears_months) > 60:
            reminded = u.reminded_on is not None and u.reminded_on <= last
            out.append(
                Finding(
                    "ARREARS_EVASION" if reminded else "ARREARS_LATE",
                    tax_code,
                    u.unit.code,
                    firm_index,
                    j,
                )
            )
        if (
            u.status == "paying"
            and u.insured > 0
            and u.wage_bill < u.insured * wage_floor(quarter, u.unit.region)
        ):
            out.append(Finding("WAGE_BELOW_FLOOR", tax_code, u.unit.code, firm_index, j))
        if firm_index is not None:
            written = u.unit.tax_code_written or None
            if roll_codes is not None and j in roll_codes:
                written = str(roll_codes[j]) if roll_codes[j] else None
            if roll_code_defect(written, tax_code) is not None:
                out.append(Finding("ROLL_TAX_CODE_FIX", tax_code, u.unit.code, firm_index, j))
    return sorted(out)


def would_be_unregistered(snap: Snapshot, firm_index: int) -> bool:
    """Whether the firm would be flagged NOT_REGISTERED(_LATE) if its unit could not be read."""
    view = snap.firms[firm_index]
    return (
        view.tax_status == "active"
        and view.registry_status == "active"
        and max(view.pit_employees or 0, view.declared_employees or 0) >= 1
        and (snap.quarter.last_day - view.firm.started_on).days > 30
    )
