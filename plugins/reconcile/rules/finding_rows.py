"""One finding as a row: its columns, its case, and the plain values it is built from.

Shared by every rule of ``findings.py`` and ``unregistered.py``. A case id is stable across
quarters (the kind of problem and its subject), which is what lets ``cases.py`` follow it.
"""

from __future__ import annotations

from typing import Any

from reconcile.quarter import Quarter
from reconcile.rules.catalog import Rule
from reconcile.values import present
from reconcile.warehouse import schema

FINDING_COLUMNS = schema.columns_of(schema.finding, first=schema.PARTITION)

ACTIVE_TAX = {"active", "household_active"}
CLOSED_TAX = {"closed", "closing", "not_at_address", "awaiting_bankruptcy"}
CLOSED_REGISTRY = {"revoked", "dissolving", "bankrupting", "dissolved", "not_at_address"}


def int_or_zero(value: Any) -> int:
    """A count or amount cell as an int, 0 when it is blank."""
    value = present(value)
    return int(value) if value is not None else 0


def iso_or_none(value: Any) -> str | None:
    value = present(value)
    return value.isoformat() if value is not None else None


def case_id(rule: Rule, tax_code: str | None, unit_code: str | None) -> str:
    """Stable across quarters: the kind of problem and its subject (tax code or unit code)."""
    subject = tax_code if rule.subject == "firm" else unit_code
    return f"{rule.case_kind}-{subject}"


def finding_row(
    rule: Rule,
    quarter: Quarter,
    province: str,
    tax_code: str | None,
    unit_code: str | None,
    name: str | None,
    address: str | None,
    evidence: dict[str, Any],
    at_stake: int,
) -> dict[str, Any]:
    """One finding; ``money_counted`` is added once the partition's findings are all known."""
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
