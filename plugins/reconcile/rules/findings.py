"""Apply the rules to one quarter's firms, units and links: one finding per rule hit.

Each finding carries its rule, the article of law, the values that triggered it (evidence)
and an estimate of the money at stake (``money.py``). Pure: DataFrames in, a DataFrame out.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from typing import Any

import pandas as pd

from reconcile.quarter import Quarter
from reconcile.rules import money
from reconcile.rules.catalog import Rule

FINDING_COLUMNS = [
    "quarter", "province", "case_id", "rule", "tax_code", "unit_code", "name", "address",
    "severity", "legal_basis", "evidence", "money_at_stake",
]  # fmt: skip

ACTIVE_TAX = {"active", "household_active"}
CLOSED_TAX = {"closed", "closing", "not_at_address", "awaiting_bankruptcy"}
CLOSED_REGISTRY = {"revoked", "dissolving", "bankrupting", "dissolved", "not_at_address"}


def _value(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and value != value) else value


def _int(value: Any) -> int:
    value = _value(value)
    return int(value) if value is not None else 0


def case_id(rule: Rule, tax_code: str | None, unit_code: str | None) -> str:
    """Stable across quarters: the kind of problem and its subject (tax code or unit code)."""
    subject = tax_code if rule.subject == "firm" else unit_code
    return f"{rule.case_kind}-{subject}"


def _finding(rule: Rule, quarter: Quarter, province: str, tax_code: str | None, unit_code: str | None,
             name: str | None, address: str | None, evidence: dict[str, Any], at_stake: int) -> dict[str, Any]:  # fmt: skip
    return {
        "quarter": str(quarter),
        "province": province,
        "case_id": case_id(rule, tax_code, unit_code),
        "rule": rule.code,
        "tax_code": tax_code,
        "unit_code": unit_code,
        "name": name,
        "address": address,
        "severity": rule.severity,
        "legal_basis": rule.legal_basis,
        "evidence": evidence,
        "money_at_stake": int(at_stake),
    }


def _unregistered(firms: pd.DataFrame, linked: set[str], quarter: Quarter, province: str,
                  catalog: dict[str, Rule], terms: dict[str, Any]) -> Iterator[dict[str, Any]]:  # fmt: skip
    evasion, late = catalog["NOT_REGISTERED"], catalog["NOT_REGISTERED_LATE"]
    window = int(evasion.thresholds["registration_days"])
    grace = int(evasion.thresholds["grace_days"])
    minimum = int(evasion.thresholds["min_employees"])
    for firm in firms.itertuples(index=False):
        if firm.tax_code in linked:
            continue
        if _value(firm.tax_status) not in ACTIVE_TAX | {None}:
            continue
        if _value(firm.registry_status) not in {"active", None}:
            continue
        if _value(firm.tax_status) is None and _value(firm.registry_status) is None:
            continue
        employees = max(_int(firm.pit_employees), _int(firm.declared_employees))
        started = _value(firm.started_on)
        if employees < minimum or started is None:
            continue
        days = (quarter.last_day - started).days
        if days <= window:
            continue
        rule = evasion if days > window + grace else late
        evidence = {
            "started_on": started.isoformat(),
            "days_active_at_quarter_end": days,
            "pit_employees": _value(firm.pit_employees),
            "declared_employees": _value(firm.declared_employees),
            "tax_status": _value(firm.tax_status),
            "registry_status": _value(firm.registry_status),
            "employer_unit": None,
        }
        at_stake = money.unregistered(employees, days - window, quarter, terms)
        yield _finding(
            rule,
            quarter,
            province,
            firm.tax_code,
            None,
            firm.name,
            firm.address,
            evidence,
            at_stake,
        )


def _closed_on_roll(firms: pd.DataFrame, units: pd.DataFrame, links: pd.DataFrame, quarter: Quarter,
                    province: str, catalog: dict[str, Rule]) -> Iterator[dict[str, Any]]:  # fmt: skip
    rule = catalog["CLOSED_FIRM_ON_ROLL"]
    firm_by_code = firms.set_index("tax_code")
    unit_by_code = units.set_index("unit_code")
    for link in links[links["band"] == "link"].itertuples(index=False):
        firm = firm_by_code.loc[link.tax_code]
        tax_status, registry_status = _value(firm["tax_status"]), _value(firm["registry_status"])
        if tax_status not in CLOSED_TAX and registry_status not in CLOSED_REGISTRY:
            continue
        unit = unit_by_code.loc[link.unit_code]
        insured, arrears = _int(unit["insured_employees"]), _int(unit["arrears"])
        if not (unit["status"] == "paying" or insured > 0 or arrears > 0):
            continue
        evidence = {
            "tax_status": tax_status,
            "tax_status_since": _iso(firm["tax_status_since"]),
            "registry_status": registry_status,
            "registry_status_since": _iso(firm["registry_status_since"]),
            "unit_status": _value(unit["status"]),
            "insured_employees": insured,
            "arrears": arrears,
            "link_method": link.method,
        }
        yield _finding(rule, quarter, province, link.tax_code, link.unit_code, unit["name"],
                       _value(unit["address"]), evidence, arrears)  # fmt: skip


def oldest_unpaid_due_date(quarter: Quarter, arrears_months: int) -> tuple[date, date]:
    """The oldest unpaid contribution month and its due date (end of the next month, Art. 34(4))."""
    end = quarter.last_day
    index = end.year * 12 + (end.month - 1) - (arrears_months - 1)
    month = date(index // 12, index % 12 + 1, 1)
    due_index = index + 1
    due_year, due_month = due_index // 12, due_index % 12 + 1
    due = date(due_year, due_month, calendar.monthrange(due_year, due_month)[1])
    return month, due


def _arrears(units: pd.DataFrame, links: pd.DataFrame, quarter: Quarter, province: str,
             catalog: dict[str, Rule], terms: dict[str, Any]) -> Iterator[dict[str, Any]]:  # fmt: skip
    evasion, late = catalog["ARREARS_EVASION"], catalog["ARREARS_LATE"]
    linked = (
        dict(zip(links["unit_code"], links["tax_code"], strict=True)) if not links.empty else {}
    )
    for unit in units.itertuples(index=False):
        arrears, months = _int(unit.arrears), _int(unit.arrears_months)
        if arrears <= 0 or months <= 0:
            continue
        month, due = oldest_unpaid_due_date(quarter, months)
        days = (quarter.last_day - due).days
        if days <= int(evasion.thresholds["days_past_due"]):
            continue
        reminded = _value(unit.reminded_on)
        reminded = reminded if reminded is not None and reminded <= quarter.last_day else None
        rule = evasion if reminded is not None else late
        evidence = {
            "arrears": arrears,
            "arrears_months": months,
            "oldest_unpaid_month": month.strftime("%m/%Y"),
            "due_date": due.isoformat(),
            "days_past_due_at_quarter_end": days,
            "reminded_on": reminded.isoformat() if reminded else None,
            "unit_status": _value(unit.status),
        }
        at_stake = money.arrears_with_interest(arrears, days, terms)
        yield _finding(rule, quarter, province, linked.get(unit.unit_code), unit.unit_code, unit.name,
                       _value(unit.address), evidence, at_stake)  # fmt: skip


def _iso(value: Any) -> str | None:
    value = _value(value)
    return value.isoformat() if value is not None else None


def find(firms: pd.DataFrame, units: pd.DataFrame, links: pd.DataFrame, quarter: Quarter,
         province: str, catalog: dict[str, Rule], terms: dict[str, Any]) -> pd.DataFrame:  # fmt: skip
    """Every finding of the partition, sorted by money at stake (largest first), then case."""
    # a firm in the review band is neither linked nor missing: it waits on the review list
    linked_firms = set(links["tax_code"]) if not links.empty else set()
    links = links[links["band"] == "link"] if not links.empty else links
    rows = [
        *_unregistered(firms, linked_firms, quarter, province, catalog, terms),
        *(
            _closed_on_roll(firms, units, links, quarter, province, catalog)
            if not links.empty
            else ()
        ),
        *_arrears(units, links, quarter, province, catalog, terms),
    ]
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    return frame.sort_values(["money_at_stake", "case_id"], ascending=[False, True]).reset_index(
        drop=True
    )
