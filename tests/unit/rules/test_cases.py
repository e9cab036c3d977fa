from __future__ import annotations

import pandas as pd

from reconcile.quarter import Quarter
from reconcile.rules.cases import case_rows, case_statuses


def test_case_status_from_history() -> None:
    frame = case_statuses({"A", "B", "C"}, previous_quarter={"A", "D"}, earlier={"B"},
                          quarter=Quarter.parse("2025Q3"), province="82")  # fmt: skip
    assert dict(zip(frame["case_id"], frame["status"], strict=True)) == {
        "A": "persisting", "B": "reopened", "C": "new", "D": "resolved",
    }  # fmt: skip


def test_case_rows_keep_first_and_last_seen() -> None:
    history = pd.DataFrame(
        [
            ("2025Q1", "ARREARS-TZ1", "82", None, "TZ1"),
            ("2025Q3", "ARREARS-TZ1", "82", "0100233488", "TZ1"),
        ],
        columns=["quarter", "case_id", "province", "tax_code", "unit_code"],
    )
    row = case_rows(history).iloc[0]
    assert (row["kind"], row["first_seen"], row["last_seen"], row["tax_code"]) == (
        "ARREARS",
        "2025Q1",
        "2025Q3",
        "0100233488",
    )
