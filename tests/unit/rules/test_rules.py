"""Rules on hand-built frames: each threshold on both sides of its edge."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from reconcile.match import LINK_COLUMNS
from reconcile.quarter import Quarter
from reconcile.rules import money
from reconcile.rules.catalog import contributions, rules, wage_floor
from reconcile.rules.findings import find, oldest_unpaid_due_date
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS

Q3 = Quarter.parse("2025Q3")
CATALOG = rules()
TERMS = contributions()
GAZETTED = {**TERMS, "reference_wage_regions": "gazetted"}


def firm(code: str, **values) -> dict:
    row = dict.fromkeys(FIRM_COLUMNS)
    row.update(quarter="2025Q3", province="82", tax_code=code, root=code[:10], name=f"Firm {code}",
               tax_status="active", registry_status="active", in_tax=True, in_registry=True)  # fmt: skip
    row.update(values)
    return row


def unit(code: str, **values) -> dict:
    row = dict.fromkeys(UNIT_COLUMNS)
    row.update(quarter="2025Q3", province="82", unit_code=code, name=f"Unit {code}", status="paying",
               insured_employees=5, wage_bill=5 * 6_000_000, arrears=0, arrears_months=0)  # fmt: skip
    row.update(values)
    return row


def run(firms: list[dict], units: list[dict], links: list[tuple[str, str]] = (),
        terms: dict | None = None) -> pd.DataFrame:  # fmt: skip
    link_frame = pd.DataFrame(
        [
            {
                "quarter": "2025Q3",
                "province": "82",
                "unit_code": u,
                "tax_code": c,
                "method": "exact",
                "weight": 1.0,
                "band": "link",
                "evidence": {},
            }
            for u, c in links
        ],  # fmt: skip
        columns=LINK_COLUMNS,
    )
    return find(pd.DataFrame(firms, columns=FIRM_COLUMNS), pd.DataFrame(units, columns=UNIT_COLUMNS),
                link_frame, Q3, "82", CATALOG, terms or TERMS)  # fmt: skip


@pytest.mark.parametrize(
    ("days_before_quarter_end", "expected"),
    [
        (30, set()),
        (31, {"NOT_REGISTERED_LATE"}),
        (90, {"NOT_REGISTERED_LATE"}),
        (91, {"NOT_REGISTERED"}),
    ],
)
def test_unregistered_firm_windows_of_articles_28_and_39(
    days_before_quarter_end: int, expected: set
) -> None:
    started = Q3.last_day - timedelta(days=days_before_quarter_end)
    result = run([firm("0100233488", started_on=started, pit_employees=3)], [])
    assert set(result["rule"]) == expected


@pytest.mark.parametrize(
    "values",
    [
        {"pit_employees": 0, "declared_employees": None},
        {"tax_status": "suspended"},
        {"registry_status": "dissolved"},
        {"started_on": None},
    ],  # fmt: skip
)
def test_no_unregistered_finding_without_employees_or_activity(values: dict) -> None:
    base = {"started_on": date(2020, 1, 1), "pit_employees": 4}
    assert run([firm("0100233488", **{**base, **values})], []).empty


def test_a_linked_firm_is_not_unregistered() -> None:
    result = run(
        [firm("0100233488", started_on=date(2020, 1, 1), pit_employees=4)],
        [unit("TZ1")],
        [("TZ1", "0100233488")],
    )
    assert not {"NOT_REGISTERED", "NOT_REGISTERED_LATE"} & set(result["rule"])


@pytest.mark.parametrize(
    ("months", "reminded", "expected"),
    [
        (3, date(2025, 9, 1), set()),
        (4, date(2025, 9, 1), {"ARREARS_EVASION"}),
        (4, None, {"ARREARS_LATE"}),
        (6, date(2025, 10, 5), {"ARREARS_LATE"}),
    ],  # a reminder after quarter end does not count yet  # fmt: skip
)
def test_arrears_past_60_days_with_and_without_a_reminder(
    months: int, reminded: date | None, expected: set
) -> None:
    result = run([], [unit("TZ1", arrears=1_000_000, arrears_months=months, reminded_on=reminded)])
    assert set(result["rule"]) == expected


def test_oldest_unpaid_month_and_its_due_date() -> None:
    assert oldest_unpaid_due_date(Q3, 1) == (date(2025, 9, 1), date(2025, 10, 31))
    assert oldest_unpaid_due_date(Q3, 4) == (date(2025, 6, 1), date(2025, 7, 31))
    assert oldest_unpaid_due_date(Quarter.parse("2025Q1"), 4) == (
        date(2024, 12, 1),
        date(2025, 1, 31),
    )


@pytest.mark.parametrize(
    ("unit_values", "flagged"),
    [
        ({"status": "paying", "insured_employees": 0}, True),
        ({"status": "closed", "insured_employees": 2}, True),
        ({"status": "closed", "insured_employees": 0, "arrears": 10}, True),
        ({"status": "closed", "insured_employees": 0, "arrears": 0}, False),
    ],  # fmt: skip
)
def test_closed_firm_still_on_the_roll(unit_values: dict, flagged: bool) -> None:
    result = run(
        [firm("0100233488", tax_status="closed")],
        [unit("TZ1", **unit_values)],
        [("TZ1", "0100233488")],
    )
    assert ("CLOSED_FIRM_ON_ROLL" in set(result["rule"])) is flagged


def test_findings_carry_law_evidence_and_a_stable_case_id() -> None:
    result = run([firm("0100233488", started_on=date(2024, 1, 1), pit_employees=3)], [])
    row = result.iloc[0]
    assert row["case_id"] == "UNREGISTERED-0100233488"
    assert row["legal_basis"] == "Luật BHXH 41/2024/QH15, Điều 39 khoản 1 điểm a"
    assert row["evidence"]["days_active_at_quarter_end"] == (Q3.last_day - date(2024, 1, 1)).days


def test_wage_floors_by_date_and_region() -> None:
    assert wage_floor(1, date(2025, 9, 30)) == 4_960_000
    assert wage_floor(4, date(2025, 12, 31)) == 3_450_000
    assert wage_floor(1, date(2026, 1, 1)) == 5_310_000
    assert wage_floor(2, date(2024, 6, 30)) == 4_160_000
    with pytest.raises(ValueError, match="no regional minimum wage"):
        wage_floor(1, date(2022, 6, 30))


def test_money_at_stake_by_hand() -> None:
    # 3 employees x 3,860,000 (region III, 2025) x 32 % x 2 months (31..60 days overdue)
    assert money.unregistered(3, 45, Q3, TERMS) == round(3 * 3_860_000 * 0.32 * 2)
    # capped at 12 months
    assert money.unregistered(1, 1000, Q3, TERMS) == round(3_860_000 * 0.32 * 12)
    # 10,000,000 owed 92 days past due: + 0.03 % a day
    assert money.arrears_with_interest(10_000_000, 92, TERMS) == 10_276_000


# Phường Mỹ Tho (82) is a ward: region 2 or 3 in the illustrative table; the test reads the table.
MY_THO = "Số 5 đường 30/4, Phường Mỹ Tho, Tỉnh Đồng Tháp"


def _region_floor(address: str) -> tuple[int, int]:
    from reconcile.rules.regions import wage_region

    region, source = wage_region([address], "82", 3)
    assert source == "address"
    return region, wage_floor(region, Q3.last_day)


def test_under_registered_against_the_tax_finalisation_and_its_money() -> None:
    region, floor = _region_floor(MY_THO)
    firm_row = firm("0100233488", pit_employees=12, address=MY_THO)
    result = run(
        [firm_row],
        [unit("TZ1", insured_employees=8, wage_bill=8 * 7_000_000)],
        [("TZ1", "0100233488")],
    )
    row = result[result["rule"] == "UNDER_REGISTERED"].iloc[0]
    assert row["evidence"]["missing_employees"] == 4
    # 4 missing x max(floor, 7,000,000 average insured wage) x 32 % x 3 months
    assert row["money_at_stake"] == round(4 * max(floor, 7_000_000) * 0.32 * 3)
    equal = run(
        [firm("0100233488", pit_employees=8, address=MY_THO)],
        [unit("TZ1", insured_employees=8)],
        [("TZ1", "0100233488")],
    )
    assert "UNDER_REGISTERED" not in set(equal["rule"])


def test_salary_base_below_the_regional_floor_of_the_firms_commune() -> None:
    # the full rule, by the commune's own region: an agency that installed the gazetted table
    region, floor = _region_floor(MY_THO)
    low = unit("TZ1", insured_employees=10, wage_bill=10 * floor - 1_000_000)
    result = run([firm("0100233488", address=MY_THO)], [low], [("TZ1", "0100233488")], GAZETTED)
    row = result[result["rule"] == "WAGE_BELOW_FLOOR"].iloc[0]
    assert (row["evidence"]["wage_region"], row["evidence"]["regional_floor"]) == (region, floor)
    assert row["money_at_stake"] == round(1_000_000 * 0.32 * 3)
    fine = unit("TZ1", insured_employees=10, wage_bill=10 * floor)
    assert "WAGE_BELOW_FLOOR" not in set(
        run([firm("0100233488", address=MY_THO)], [fine], [("TZ1", "0100233488")], GAZETTED)["rule"]
    )


def test_wage_gap_and_stopped_paying() -> None:
    rich = firm("0100233488", pit_employees=20, pit_wage_bill=12 * 300_000_000, address=MY_THO)
    result = run(
        [rich],
        [unit("TZ1", insured_employees=20, wage_bill=20 * 6_000_000)],
        [("TZ1", "0100233488")],
    )
    gap = result[result["rule"] == "WAGE_GAP"].iloc[0]
    assert gap["money_at_stake"] == round((300_000_000 - 120_000_000) * 0.32 * 3)
    paused = unit("TZ1", status="paused", insured_employees=0, wage_bill=0)
    result = run(
        [firm("0100233488", pit_employees=6, address=MY_THO)], [paused], [("TZ1", "0100233488")]
    )
    stopped = result[result["rule"] == "STOPPED_PAYING"].iloc[0]
    _, floor = _region_floor(MY_THO)
    assert stopped["money_at_stake"] == round(6 * floor * 0.32 * 3)


def test_roll_tax_code_fixes_for_linked_units_only() -> None:
    firms_ = [firm("0100233488"), firm("0314409058")]
    units_ = [unit("TZ1", tax_code_raw=None, tax_code=None), unit("TZ2", tax_code_raw="0100233489", tax_code=None),
              unit("TZ3", tax_code_raw="0312687878", tax_code="0312687878"), unit("TZ4", tax_code_raw=None, tax_code=None)]  # fmt: skip
    result = run(
        firms_, units_, [("TZ1", "0100233488"), ("TZ2", "0314409058"), ("TZ3", "0314409058")]
    )
    fixes = result[result["rule"] == "ROLL_TAX_CODE_FIX"]
    assert {
        (u, e["defect"]) for u, e in zip(fixes["unit_code"], fixes["evidence"], strict=True)
    } == {("TZ1", "blank"), ("TZ2", "invalid"), ("TZ3", "different")}
    assert set(fixes["money_at_stake"]) == {0} and set(fixes["severity"]) == {0}
