"""Staged feed rows of one quarter and province into ``firm`` and ``employer_unit`` rows.

Pure functions on DataFrames. The tax and registry feeds are merged by tax code (the enterprise
code is the tax code, Decree 01/2021 Art. 8): the tax side wins for tax status and finalisation
figures, the registry side for legal form, founding date and declared employees.
"""

from __future__ import annotations

import pandas as pd

from reconcile.text import tax_code as tax_codes
from reconcile.values import is_missing, none_for_missing
from reconcile.warehouse import schema

FIRM_COLUMNS = schema.columns_of(schema.firm, first=schema.PARTITION)
UNIT_COLUMNS = schema.columns_of(schema.employer_unit, first=schema.PARTITION)


def _root(code: str) -> str:
    """The 10-digit root of a staged (so well-formed) tax code."""
    parsed = tax_codes.parse(code)
    if parsed is None:
        raise ValueError(f"not a tax code: {code!r}")
    return parsed.root


def _latest_per_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per key; a later-landed file (a correction) wins over an earlier one."""
    if frame.empty:
        return frame
    ordered = frame.sort_values(["landed_at", "row_number"], kind="stable")
    return ordered.drop_duplicates(subset=[key], keep="last")


def build_firms(
    tax: pd.DataFrame, registry: pd.DataFrame, quarter: str, province: str
) -> pd.DataFrame:
    tax = _latest_per_key(tax, "tax_code")
    registry = _latest_per_key(registry.rename(columns={"enterprise_code": "tax_code"}), "tax_code")
    tax_side = pd.DataFrame(
        {
            "tax_code": tax.get("tax_code"),
            "name_tax": tax.get("name"),
            "address_tax": tax.get("address"),
            "industry_tax": tax.get("industry"),
            "tax_status": tax.get("status"),
            "tax_status_since": tax.get("status_since"),
            "registered_on": tax.get("registered_on"),
            "pit_employees": tax.get("pit_employees"),
            "pit_wage_bill": tax.get("pit_wage_bill"),
        }
    )
    registry_side = pd.DataFrame(
        {
            "tax_code": registry.get("tax_code"),
            "name_registry": registry.get("name"),
            "address_registry": registry.get("address"),
            "industry_registry": registry.get("industry"),
            "legal_form": registry.get("legal_form"),
            "registry_status": registry.get("status"),
            "registry_status_since": registry.get("status_since"),
            "founded_on": registry.get("founded_on"),
            "declared_employees": registry.get("declared_employees"),
            "representative": registry.get("representative"),
        }
    )
    tax_side["in_tax"] = True
    registry_side["in_registry"] = True
    merged = tax_side.merge(registry_side, on="tax_code", how="outer")
    if merged.empty:
        return pd.DataFrame(columns=FIRM_COLUMNS)
    merged["in_tax"] = merged["in_tax"].eq(True)
    merged["in_registry"] = merged["in_registry"].eq(True)
    merged["name"] = merged["name_registry"].combine_first(merged["name_tax"])
    merged["address"] = merged["address_registry"].combine_first(merged["address_tax"])
    merged["industry"] = merged["industry_tax"].combine_first(merged["industry_registry"])
    starts = merged[["registered_on", "founded_on"]].astype(object)
    merged["started_on"] = [
        min((d for d in pair if not is_missing(d)), default=None)
        for pair in starts.itertuples(index=False)
    ]
    merged["root"] = merged["tax_code"].map(_root)
    merged["quarter"] = quarter
    merged["province"] = province
    merged = none_for_missing(merged)
    return merged[FIRM_COLUMNS].sort_values("tax_code").reset_index(drop=True)


def build_units(roll: pd.DataFrame, quarter: str, province: str) -> pd.DataFrame:
    roll = _latest_per_key(roll, "unit_code")
    if roll.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    units = roll.copy()
    units["tax_code_raw"] = units["tax_code"]
    units["tax_code"] = units["tax_code_raw"].map(tax_codes.normalise)
    units["quarter"] = quarter
    units["province"] = province
    units = none_for_missing(units)
    units = none_for_missing(units.reindex(columns=UNIT_COLUMNS))
    return units.sort_values("unit_code").reset_index(drop=True)
