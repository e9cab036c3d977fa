"""Money counted once per firm: overlapping findings add only what they add (rules/money.py)."""

from __future__ import annotations

import random
from datetime import date
from itertools import combinations, permutations

import pandas as pd
import pytest

from reconcile.match import LINK_COLUMNS
from reconcile.publish.workbook import case_rows
from reconcile.quarter import Quarter
from reconcile.rules import money
from reconcile.rules.catalog import contributions, rules, wage_floor
from reconcile.rules.decisions import history
from reconcile.rules.findings import find
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS

Q3 = Quarter.parse("2025Q3")
CATALOG = rules()
TERMS = contributions()
TAX = "0100233488"


def _firm(**values: object) -> dict:
    row = dict.fromkeys(FIRM_COLUMNS)
    row.update(quarter="2025Q3", province="82", tax_code=TAX, root=TAX, name="Firm", tax_status="active",
               registry_status="active", in_tax=True, in_registry=True)  # fmt: skip
    row.update(values)
    return row


def _unit(code: str, **values: object) -> dict:
    row = dict.fromkeys(UNIT_COLUMNS)
    row.update(quarter="2025Q3", province="82", unit_code=code, name=f"Unit {code}", status="paying",
               insured_employees=0, wage_bill=0, arrears=0, arrears_months=0)  # fmt: skip
    row.update(values)
    return row


def _run(firms: list[dict], units: list[dict], links: list[tuple[str, str]]) -> pd.DataFrame:
    link_frame = pd.DataFrame(
        [{"quarter": "2025Q3", "province": "82", "unit_code": u, "tax_code": c, "method": "exact",
          "weight": 1.0, "band": "link", "evidence": {}} for u, c in links],
        columns=LINK_COLUMNS,
    )  # fmt: skip
    return find(pd.DataFrame(firms, columns=FIRM_COLUMNS), pd.DataFrame(units, columns=UNIT_COLUMNS),
                link_frame, Q3, "82", CATALOG, TERMS)  # fmt: skip


def _frame(items: list[tuple[str, str | None, str | None, int]]) -> pd.DataFrame:
    """(rule, tax_code, unit_code, money_at_stake) -> the columns ``money.counted`` reads."""
    return pd.DataFrame(
        [
            {"rule": rule, "case_id": f"{rule}-{tax or unit}", "tax_code": tax, "unit_code": unit,
             "money_at_stake": amount}
            for rule, tax, unit, amount in items
        ]
    )  # fmt: skip


# ---------------------------------------------------------------- the three overlapping findings
# A paying unit that insures nobody, of a firm with 10 employees on its tax finalisation, who
# earned 960,000,000 VND in the year (80,000,000 a month): the firm is judged three times for
# the same uninsured people.
FLOOR = wage_floor(int(TERMS["default_wage_region"]), Q3.last_day)  # no address: default region
RATE = 0.215 + 0.105
UNDER = round(10 * FLOOR * RATE * 3)  # 10 missing x max(floor, 0 / 0 -> floor) x 32 % x 3
STOPPED = round(10 * FLOOR * RATE * 3)  # 10 tax employees x floor x 32 % x 3
GAP = round((960_000_000 / 12 - 0) * RATE * 3)  # 76,800,000: (80,000,000 - 0) x 32 % x 3
# the missing employees' wages are all inside the tax side's wage bill: the firm owes the gap
FIRM_TOTAL = 76_800_000


def _three() -> pd.DataFrame:
    firm = _firm(pit_employees=10, pit_wage_bill=960_000_000)
    return _run([firm], [_unit("TZ1", tax_code_raw=TAX, tax_code=TAX)], [("TZ1", TAX)])


def test_three_overlapping_findings_of_one_firm_by_hand() -> None:
    assert FLOOR in (3_860_000, 3_450_000, 4_410_000, 4_960_000)
    assert GAP == FIRM_TOTAL > UNDER == STOPPED
    found = _three().set_index("rule")
    assert set(found.index) == {"UNDER_REGISTERED", "WAGE_GAP", "STOPPED_PAYING"}
    own = found["money_at_stake"].to_dict()
    assert own == {"UNDER_REGISTERED": UNDER, "WAGE_GAP": GAP, "STOPPED_PAYING": STOPPED}
    # each finding keeps its own amount; the counted ones sum to the firm's total, once
    assert sum(own.values()) == GAP + 2 * UNDER > FIRM_TOTAL
    assert found["money_counted"].to_dict() == {
        "WAGE_GAP": FIRM_TOTAL,  # the largest keeps its amount
        "UNDER_REGISTERED": 0,  # the same people's wages, already in the gap
        "STOPPED_PAYING": 0,
    }


@pytest.mark.parametrize("size", [1, 2, 3])
def test_the_firm_total_is_the_same_whichever_findings_and_order(size: int) -> None:
    rows = _three()[["rule", "case_id", "tax_code", "unit_code", "money_at_stake"]]
    by_rule = {r["rule"]: r for r in rows.to_dict("records")}
    for subset in combinations(sorted(by_rule), size):
        # by hand: the gap holds the others; without it, the uninsured employees once
        expected = FIRM_TOTAL if "WAGE_GAP" in subset else UNDER
        for order in permutations(subset):
            frame = pd.DataFrame([by_rule[r] for r in order])
            counted = money.counted(frame)
            assert int(counted.sum()) == expected, order
            shares = dict(zip(frame["rule"], counted, strict=True))
            # the same split whatever the order: the largest, then by rule name on a tie
            first = "WAGE_GAP" if "WAGE_GAP" in subset else min(subset)
            assert shares == {r: (expected if r == first else 0) for r in subset}


def test_the_findings_overlap_in_the_pipeline_only_within_one_firm() -> None:
    other = _firm(tax_code="0314409058", root="0314409058", pit_employees=10,
                  pit_wage_bill=960_000_000)  # fmt: skip
    found = _run(
        [_firm(pit_employees=10, pit_wage_bill=960_000_000), other],
        [_unit("TZ1"), _unit("TZ2")],
        [("TZ1", TAX), ("TZ2", "0314409058")],
    )
    totals = found.groupby("tax_code")["money_counted"].sum().to_dict()
    assert totals == {TAX: FIRM_TOTAL, "0314409058": FIRM_TOTAL}


# ---------------------------------------------------------------- the other families
def test_missing_employees_and_the_insured_below_the_floor_add_up_within_the_gap() -> None:
    # different people: 4 missing (UNDER_REGISTERED) and 8 insured below the floor
    items = [
        ("UNDER_REGISTERED", TAX, "TZ1", 14_000_000),
        ("WAGE_BELOW_FLOOR", TAX, "TZ1", 6_000_000),
    ]
    assert int(money.counted(_frame(items)).sum()) == 20_000_000
    # the tax side's wages hold both: a gap of 25,000,000 is all of it, once
    with_gap = [*items, ("WAGE_GAP", TAX, "TZ1", 25_000_000)]
    counted = money.counted(_frame(with_gap))
    assert list(counted) == [0, 0, 25_000_000]
    # a smaller gap, the largest finding: it keeps its amount; the missing employees are inside
    # it; the insured's shortfall adds what the two together exceed it by
    smaller = [*items, ("WAGE_GAP", TAX, "TZ1", 18_000_000)]
    counted = money.counted(_frame(smaller))
    assert list(counted) == [0, 2_000_000, 18_000_000]
    assert int(counted.sum()) == 20_000_000


def test_arrears_are_separate_and_counted_once_per_unit() -> None:
    items = [
        ("STOPPED_PAYING", TAX, "TZ1", 30_000_000),
        ("ARREARS_EVASION", TAX, "TZ1", 10_276_000),  # 10,000,000 and its interest
        ("CLOSED_FIRM_ON_ROLL", TAX, "TZ1", 10_000_000),  # the same debt of the same unit
        ("ARREARS_LATE", TAX, "TZ2", 5_000_000),  # another unit's debt
    ]
    counted = money.counted(_frame(items))
    assert list(counted) == [30_000_000, 10_276_000, 0, 5_000_000]


def test_units_with_no_firm_are_their_own_subject_and_zero_rules_count_nothing() -> None:
    items = [
        ("WAGE_BELOW_FLOOR", None, "TZ1", 3_000_000),
        ("WAGE_BELOW_FLOOR", None, "TZ2", 4_000_000),
        ("ROLL_TAX_CODE_FIX", TAX, "TZ3", 0),
        ("NOT_REGISTERED_REVIEW", TAX, "TZ3", 0),
    ]
    assert list(money.counted(_frame(items))) == [3_000_000, 4_000_000, 0, 0]


def test_the_split_does_not_depend_on_the_rows_order() -> None:
    generator = random.Random(3)
    rules_ = sorted(money.OVERLAP_FAMILY)
    items = [
        (generator.choice(rules_), generator.choice([TAX, "0314409058", None]),
         generator.choice(["TZ1", "TZ2"]), generator.randrange(0, 50) * 1_000_000)
        for _ in range(30)
    ]  # fmt: skip
    frame = _frame(items)
    frame["case_id"] = [f"{c}-{n}" for n, c in enumerate(frame["case_id"])]
    expected = dict(zip(frame["case_id"], money.counted(frame), strict=True))
    for seed in range(5):
        shuffled = frame.sample(frac=1, random_state=seed)
        got = dict(zip(shuffled["case_id"], money.counted(shuffled), strict=True))
        assert got == expected
    assert all(
        0 <= expected[c] <= a
        for c, a in zip(frame["case_id"], frame["money_at_stake"], strict=True)
    )
    for key, group in frame.groupby(frame["tax_code"].fillna("unit:" + frame["unit_code"])):
        total = money.firm_total(
            zip(group["rule"], group["unit_code"], group["money_at_stake"], strict=True)
        )
        assert sum(expected[c] for c in group["case_id"]) == total, key


# ---------------------------------------------------------------- the workbook's rows
def _statuses(found: pd.DataFrame, reopened: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        [(c, "reopened" if c == reopened else "new") for c in found["case_id"]],
        columns=["case_id", "status"],
    )


def test_a_firms_rows_are_together_and_count_its_money_once() -> None:
    found = pd.concat([_three(), _frame([("ARREARS_LATE", None, "TZ9", 50_000_000)]).assign(
        money_counted=50_000_000, severity=2, legal_basis="Điều 38", evidence=[{}], name="X",
        address=None)], ignore_index=True)  # fmt: skip
    rows = case_rows(found, _statuses(found), pd.DataFrame(), CATALOG)
    assert list(rows["case_id"]) == [
        f"WAGE_GAP-{TAX}", f"UNDER_REGISTERED-{TAX}", "STOPPED_PAYING-TZ1", "ARREARS_LATE-TZ9",
    ]  # fmt: skip
    assert list(rows["money_counted"]) == [FIRM_TOTAL, 0, 0, 50_000_000]
    assert int(rows["money_counted"].sum()) == FIRM_TOTAL + 50_000_000
    gap = rows.iloc[0]
    assert f"UNDER_REGISTERED-{TAX}" in gap["firm_findings"]
    assert "STOPPED_PAYING-TZ1" in gap["firm_findings"]
    assert "Điều 39 khoản 1 điểm a" in gap["firm_findings"]  # their legal basis
    assert (
        "Tổng của doanh nghiệp (mỗi khoản chỉ tính một lần): 76.800.000 ₫" in gap["firm_findings"]
    )
    # the overlapping one says what it alone would recover
    stopped = rows.iloc[2]  # a firm's rows by their share, then severity (3 before 2)
    assert (
        f"Số tiền nếu xét riêng vi phạm này: {STOPPED:,} ₫".replace(",", ".") in stopped["evidence"]
    )
    assert "xét riêng" not in gap["evidence"]
    assert rows.iloc[3]["firm_findings"] == ""


def test_a_reopened_case_carries_its_earlier_decisions_newest_first() -> None:
    found = _three()
    case = f"WAGE_GAP-{TAX}"
    decided = pd.DataFrame(
        [
            ("f1:2", "82", "2025Q4", case, date(2025, 10, 15), "in_progress", "đã làm việc",
             "Trần Thị Tra", "workbook", "f1", 2, pd.Timestamp("2025-10-16", tz="UTC")),
            ("f2:2", "82", "2025Q4", case, date(2025, 10, 20), "resolved", "đã truy thu",
             "Nguyễn Văn Kiểm", "workbook", "f2", 2, pd.Timestamp("2025-10-21", tz="UTC")),
            ("f3:2", "82", "2026Q2", case, date(2026, 4, 2), "confirmed", "sau quý này",
             "Lê Văn Sau", "workbook", "f3", 2, pd.Timestamp("2026-04-03", tz="UTC")),
        ],
        columns=["decision_id", "province", "quarter", "case_id", "decided_on", "decision", "note",
                 "inspector", "source", "file_id", "row_number", "landed_at"],
    )  # fmt: skip
    earlier = history(decided, Quarter.parse("2026Q1"))
    assert [d["decision"] for d in earlier[case]] == ["resolved", "in_progress"]  # none later
    masked = case_rows(found, _statuses(found, case), pd.DataFrame(), CATALOG, history=earlier)
    row = masked[masked["case_id"] == case].iloc[0]
    assert row["case_status"] == "Tái phát"
    assert row["history"] == (
        "20/10/2025: Đã khắc phục (N. V. K.) — đã truy thu\n"
        "15/10/2025: Đang xử lý (T. T. T.) — đã làm việc"
    )
    shown = case_rows(found, _statuses(found, case), pd.DataFrame(), CATALOG, mask=False,
                      history=earlier)  # fmt: skip
    assert (
        shown[shown["case_id"] == case]
        .iloc[0]["history"]
        .startswith("20/10/2025: Đã khắc phục (Nguyễn Văn Kiểm) — đã truy thu")
    )
    others = masked[masked["case_id"] != case]
    assert set(others["history"]) == {""}
