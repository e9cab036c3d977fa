from __future__ import annotations

import pandas as pd

from reconcile.match.exact import exact_links


def test_exact_own_code_then_parent_code_and_nothing_else() -> None:
    firms = pd.DataFrame({"tax_code": ["0100233488", "0314409058", "0314409058-002"]})
    units = pd.DataFrame(
        {
            "quarter": "2025Q3",
            "province": "82",
            "unit_code": ["U1", "U2", "U3", "U4", "U5"],
            "tax_code_raw": ["100233488", "0314409058-001", "0314409058-002", None, "0312687878"],
            "tax_code": ["0100233488", "0314409058-001", "0314409058-002", None, "0312687878"],
        }
    )
    links = exact_links(firms, units).set_index("unit_code")
    assert links.loc["U1", ["tax_code", "method"]].tolist() == ["0100233488", "exact"]
    assert links.loc["U2", ["tax_code", "method"]].tolist() == ["0314409058", "exact_parent"]
    assert links.loc["U3", ["tax_code", "method"]].tolist() == ["0314409058-002", "exact"]
    assert set(links.index) == {"U1", "U2", "U3"}
    assert links.loc["U1", "evidence"] == {
        "roll_tax_code": "100233488",
        "normalised": "0100233488",
        "firm_tax_code": "0100233488",
    }
