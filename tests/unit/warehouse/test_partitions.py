from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from reconcile.warehouse.partitions import build_firms, build_units

EARLY, LATE = datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 10, 2, tzinfo=UTC)


def test_tax_and_registry_merge_by_code_and_a_correction_wins() -> None:
    tax = pd.DataFrame(
        [
            {"tax_code": "0100233488", "name": "CTY A (thuế)", "status": "active", "registered_on": date(2020, 3, 1),
             "pit_employees": 5, "landed_at": EARLY, "row_number": 1},
            {"tax_code": "0100233488", "name": "CTY A (thuế, sửa)", "status": "active", "registered_on": date(2020, 3, 1),
             "pit_employees": 7, "landed_at": LATE, "row_number": 1},
            {"tax_code": "0314409058", "name": "Chỉ bên thuế", "status": "closed", "registered_on": None,
             "pit_employees": None, "landed_at": EARLY, "row_number": 2},
        ]
    )  # fmt: skip
    registry = pd.DataFrame(
        [
            {"enterprise_code": "0100233488", "name": "Công ty A", "status": "active", "founded_on": date(2020, 2, 1),
             "declared_employees": 3, "legal_form": "Công ty TNHH", "landed_at": EARLY, "row_number": 1},
            {"enterprise_code": "0100112437", "name": "Chỉ bên ĐKKD", "status": "dissolved", "founded_on": None,
             "declared_employees": None, "legal_form": None, "landed_at": EARLY, "row_number": 2},
        ]
    )  # fmt: skip
    firms = build_firms(tax, registry, "2025Q3", "82").set_index("tax_code")
    assert list(firms.index) == ["0100112437", "0100233488", "0314409058"]
    a = firms.loc["0100233488"]
    assert (a["name"], a["pit_employees"], a["declared_employees"]) == ("Công ty A", 7, 3)
    assert a["started_on"] == date(2020, 2, 1)  # the earlier of registration and founding
    assert (a["in_tax"], a["in_registry"]) == (True, True)
    assert (firms.loc["0314409058", "in_registry"], firms.loc["0100112437", "in_tax"]) == (
        False,
        False,
    )
    assert (
        firms.loc["0100112437", "registry_status"] == "dissolved"
        and firms.loc["0100112437", "tax_status"] is None
    )


def test_units_keep_the_written_code_and_a_normalised_valid_one() -> None:
    roll = pd.DataFrame(
        [
            {
                "unit_code": "TZ1",
                "name": "A",
                "tax_code": "100233488",
                "landed_at": EARLY,
                "row_number": 1,
            },
            {
                "unit_code": "TZ2",
                "name": "B",
                "tax_code": "0100233489",
                "landed_at": EARLY,
                "row_number": 2,
            },
            {
                "unit_code": "TZ3",
                "name": "C",
                "tax_code": None,
                "landed_at": EARLY,
                "row_number": 3,
            },
        ]
    )
    units = build_units(roll, "2025Q3", "82").set_index("unit_code")
    assert (
        units.loc["TZ1", "tax_code"] == "0100233488"
        and units.loc["TZ1", "tax_code_raw"] == "100233488"
    )
    assert units.loc["TZ2", "tax_code"] is None and units.loc["TZ2", "tax_code_raw"] == "0100233489"
    assert units.loc["TZ3", "tax_code"] is None
