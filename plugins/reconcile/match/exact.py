"""Exact links on the normalised tax code.

A unit whose roll tax code equals a firm's links to it. A dependent unit (``-NNN``) links to
its own firm when the feeds carry it, else to its parent (the 10-digit root), marked
``exact_parent`` so that an inspector knows the link is to the head office. One firm may
carry several units (branches registered separately); a unit carries at most one firm.
"""

from __future__ import annotations

import pandas as pd

LINK_COLUMNS = [
    "quarter",
    "province",
    "unit_code",
    "tax_code",
    "method",
    "weight",
    "band",
    "evidence",
]


def exact_links(firms: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Links for every unit whose valid tax code names a firm of the partition."""
    if firms.empty or units.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    known = set(firms["tax_code"])
    rows = []
    for unit in units.itertuples(index=False):
        code = unit.tax_code
        if not isinstance(code, str):  # None, or NaN from a pandas string column
            continue
        if code in known:
            method, target = "exact", code
        elif "-" in code and code.split("-")[0] in known:
            method, target = "exact_parent", code.split("-")[0]
        else:
            continue
        rows.append(
            {
                "quarter": unit.quarter,
                "province": unit.province,
                "unit_code": unit.unit_code,
                "tax_code": target,
                "method": method,
                "weight": 1.0,
                "band": "link",
                "evidence": {
                    "roll_tax_code": unit.tax_code_raw,
                    "normalised": code,
                    "firm_tax_code": target,
                },
            }
        )
    return pd.DataFrame(rows, columns=LINK_COLUMNS)
