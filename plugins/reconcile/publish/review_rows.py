"""The review sheet's rows: the doubtful pairs (the review band), most likely first, each under
the case id its decision is read back with."""

from __future__ import annotations

import json

import pandas as pd

from reconcile.publish.explanations import describe_link
from reconcile.publish.workbook_columns import REVIEW_COLUMNS


def link_case_id(unit_code: str, tax_code: str) -> str:
    """The case id of a doubtful link on the review sheet, read back with the decisions."""
    return f"LINK-{unit_code}-{tax_code}"


def review_rows(links: pd.DataFrame, units: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """Doubtful pairs (the review band), for an inspector to confirm or reject, most likely first."""
    review = links[links["band"] == "review"] if not links.empty else links
    unit_by_code = units.set_index("unit_code") if not units.empty else units
    firm_by_code = firms.set_index("tax_code") if not firms.empty else firms
    rows = []
    for item in review.itertuples(index=False):
        evidence = item.evidence if isinstance(item.evidence, dict) else json.loads(item.evidence)
        unit, firm = unit_by_code.loc[item.unit_code], firm_by_code.loc[item.tax_code]
        rows.append(
            {
                "case_id": link_case_id(item.unit_code, item.tax_code),
                "unit_code": item.unit_code,
                "unit_name": unit["name"],
                "unit_address": unit["address"] or "",
                "tax_code": item.tax_code,
                "firm_name": firm["name"],
                "firm_address": firm["address"] or "",
                "explanation": describe_link(item.method, evidence),
                "decision": "",
                "note": "",
                "_weight": item.weight,
            }
        )
    frame = pd.DataFrame(rows, columns=[*(k for k, _, _ in REVIEW_COLUMNS), "_weight"])
    frame = frame.sort_values(["_weight", "unit_code"], ascending=[False, True])
    return frame.drop(columns="_weight").reset_index(drop=True)
