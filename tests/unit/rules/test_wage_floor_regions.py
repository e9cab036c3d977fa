"""WAGE_BELOW_FLOOR for every paying unit, linked or not, and no accusation from the
illustrative table of wage regions (rules/data/wage_regions.csv)."""

from __future__ import annotations

import pandas as pd
import pytest

from reconcile.match import LINK_COLUMNS
from reconcile.quarter import Quarter
from reconcile.rules.catalog import contributions, rules, wage_floor
from reconcile.rules.findings import find
from reconcile.rules.regions import wage_region
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS

Q3 = Quarter.parse("2025Q3")
CATALOG = rules()
ILLUSTRATIVE = contributions()
GAZETTED = {**ILLUSTRATIVE, "reference_wage_regions": "gazetted"}
MY_THO = "Số 5 đường 30/4, Phường Mỹ Tho, Tỉnh Đồng Tháp"
REGION_IV = wage_floor(4, Q3.last_day)


def _unit(wage_bill: int, insured: int = 10, **values) -> dict:
    row = dict.fromkeys(UNIT_COLUMNS)
    row.update(quarter="2025Q3", province="82", unit_code="TZ7", name="CTY TNHH AN BÌNH", status="paying",
               insured_employees=insured, wage_bill=wage_bill, arrears=0, arrears_months=0, address=MY_THO)  # fmt: skip
    row.update(values)
    return row


def _run(unit_row: dict, terms: dict) -> pd.DataFrame:
    """One unit, no firm and no link: the rules that need no firm still judge it."""
    return find(pd.DataFrame(columns=FIRM_COLUMNS), pd.DataFrame([unit_row], columns=UNIT_COLUMNS),
                pd.DataFrame(columns=LINK_COLUMNS), Q3, "82", CATALOG, terms)  # fmt: skip


def _own_floor() -> tuple[int, int]:
    region, source = wage_region([MY_THO], "82", 3)
    assert source == "address" and region < 4  # a ward above region IV in the table
    return region, wage_floor(region, Q3.last_day)


def test_the_shipped_table_is_marked_illustrative() -> None:
    assert ILLUSTRATIVE["reference_wage_regions"] == "illustrative"
    from reconcile.settings import package_data

    with open(package_data("rules/data/wage_regions.csv"), encoding="utf-8") as handle:
        assert "ILLUSTRATIVE" in handle.readline()


def test_an_unlinked_unit_paying_below_the_floor_is_flagged() -> None:
    result = _run(_unit(10 * REGION_IV - 500_000), ILLUSTRATIVE)
    row = result[result["rule"] == "WAGE_BELOW_FLOOR"].iloc[0]
    assert row["unit_code"] == "TZ7" and row["tax_code"] is None
    assert row["evidence"]["employer_link"] == "unlinked"
    assert row["money_at_stake"] == round(500_000 * 0.32 * 3)
    assert _run(_unit(10 * REGION_IV - 500_000, status="paused"), ILLUSTRATIVE).empty


def test_illustrative_table_below_region_iv_is_the_rule_by_the_lowest_floor() -> None:
    region, _ = _own_floor()
    result = _run(_unit(10 * REGION_IV - 1_000), ILLUSTRATIVE)
    assert list(result["rule"]) == ["WAGE_BELOW_FLOOR"]
    evidence = result.iloc[0]["evidence"]
    assert (evidence["wage_region"], evidence["regional_floor"]) == (4, REGION_IV)
    assert evidence["table_wage_region"] == region
    assert "bảng minh họa" in evidence["regions_table"]


def test_illustrative_table_between_region_iv_and_its_region_is_only_a_lead() -> None:
    region, own = _own_floor()
    wage_bill = 10 * REGION_IV + (10 * own - 10 * REGION_IV) // 2
    result = _run(_unit(wage_bill), ILLUSTRATIVE)
    assert list(result["rule"]) == ["WAGE_BELOW_FLOOR_LEAD"]
    row = result.iloc[0]
    assert row["severity"] < CATALOG["WAGE_BELOW_FLOOR"].severity and row["money_at_stake"] == 0
    assert (
        row["evidence"]["regions_table"]
        == "vùng lương theo bảng minh họa, chưa phải danh mục chính thức"
    )
    assert row["evidence"]["money_if_region_confirmed"] == round((10 * own - wage_bill) * 0.32 * 3)
    assert "bảng minh họa" in CATALOG["WAGE_BELOW_FLOOR_LEAD"].title
    # one case with the full rule: when the gazetted table comes, the lead becomes the rule
    assert row["case_id"] == "WAGE_BELOW_FLOOR-TZ7"


@pytest.mark.parametrize("below_iv", [True, False])
def test_gazetted_table_judges_by_the_communes_own_region(below_iv: bool) -> None:
    region, own = _own_floor()
    wage_bill = 10 * REGION_IV - 1_000 if below_iv else 10 * own - 1_000
    result = _run(_unit(wage_bill), GAZETTED)
    assert list(result["rule"]) == ["WAGE_BELOW_FLOOR"]
    evidence = result.iloc[0]["evidence"]
    assert (evidence["wage_region"], evidence["regional_floor"]) == (region, own)
    assert result.iloc[0]["money_at_stake"] == round((10 * own - wage_bill) * 0.32 * 3)
    assert _run(_unit(10 * own), GAZETTED).empty
