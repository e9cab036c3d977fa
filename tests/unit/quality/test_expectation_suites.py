"""A feed's suite: the contract's required columns first, then what ``expectations/`` adds.

The suite's order is the order of a quarantined row's reasons (in the quarantine CSVs and the
bad-file corpus), so it is pinned here whole, beside the rule it follows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconcile.feeds.spec import FEEDS, specs
from reconcile.quality.expectations import load_suite
from reconcile.settings import Settings

EXPECTATIONS = Settings.from_env().expectations_dir
EXISTS, FILLED = "expect_column_to_exist", "expect_column_values_to_not_be_null"

# (type, column) of every expectation in order: what the hand-written suites held
ORDER = {
    "tax": [
        ("to_exist", "tax_code"), ("to_exist", "name"), ("not_be_null", "tax_code"),
        ("match_regex", "tax_code"), ("be_in_set", "tax_code_valid"), ("not_be_null", "name"),
        ("be_unique", "tax_code"), ("be_between", "pit_employees"),
        ("be_between", "pit_wage_bill"),
    ],
    "registry": [
        ("to_exist", "enterprise_code"), ("to_exist", "name"),
        ("not_be_null", "enterprise_code"), ("match_regex", "enterprise_code"),
        ("be_in_set", "enterprise_code_valid"), ("not_be_null", "name"),
        ("be_unique", "enterprise_code"), ("be_between", "declared_employees"),
    ],
    "roll": [
        ("to_exist", "unit_code"), ("to_exist", "name"), ("not_be_null", "unit_code"),
        ("match_regex", "unit_code"), ("not_be_null", "name"), ("be_unique", "unit_code"),
        ("be_between", "insured_employees"), ("be_between", "wage_bill"), ("be_between", "due"),
        ("be_between", "paid"), ("be_between", "arrears"), ("be_between", "arrears_months"),
    ],
    "changes": [
        ("to_exist", "notice_id"), ("to_exist", "change_kind"), ("to_exist", "effective_on"),
        ("to_exist", "tax_code"), ("not_be_null", "notice_id"), ("not_be_null", "change_kind"),
        ("not_be_null", "effective_on"), ("not_be_null", "tax_code"),
        ("match_regex", "tax_code"), ("be_in_set", "tax_code_valid"),
        ("be_between", "declared_employees"),
    ],
    "decisions": [
        ("to_exist", "case_id"), ("not_be_null", "case_id"), ("not_be_null", "decision"),
    ],
}  # fmt: skip


def _short(item: dict) -> tuple[str, str]:
    kind = item["type"].removeprefix("expect_column_").removeprefix("values_to_")
    return kind, item["kwargs"]["column"]


@pytest.mark.parametrize("feed", FEEDS)
def test_the_suite_keeps_its_order(feed: str) -> None:
    suite = load_suite(EXPECTATIONS, feed)
    assert suite["name"] == f"{feed}_feed"
    assert [_short(item) for item in suite["expectations"]] == ORDER[feed]


@pytest.mark.parametrize("feed", FEEDS)
def test_every_required_column_is_expected_to_exist_then_to_be_filled(feed: str) -> None:
    required = specs()[feed].required
    expectations = load_suite(EXPECTATIONS, feed)["expectations"]
    exists = [e["kwargs"]["column"] for e in expectations if e["type"] == EXISTS]
    filled = [e["kwargs"]["column"] for e in expectations if e["type"] == FILLED]
    # the existence checks come first, in the contract's order
    assert [_short(e)[1] for e in expectations[: len(exists)]] == exists
    assert exists == [c for c in required if c in exists]
    assert set(required) - set(exists) <= ({"decision"} if feed == "decisions" else set())
    assert filled == list(required)
    first_filled = next(i for i, e in enumerate(expectations) if e["type"] == FILLED)
    assert first_filled == len(exists)


@pytest.mark.parametrize("feed", FEEDS)
def test_the_reasons_keep_their_wording(feed: str) -> None:
    for item in load_suite(EXPECTATIONS, feed)["expectations"]:
        column, reason = item["kwargs"]["column"], item["meta"]["reason"]
        if item["type"] == EXISTS:
            assert reason == f"column {column} missing"
        elif item["type"] == FILLED:
            assert reason == f"{column}: blank (required)"


@pytest.mark.parametrize("feed", FEEDS)
def test_the_files_hold_only_what_the_contract_cannot_say(feed: str) -> None:
    body = json.loads((EXPECTATIONS / f"{feed}.json").read_text(encoding="utf-8"))
    held = [
        *body.get("expectations", ()),
        *(e for v in body.get("after_not_null", {}).values() for e in v),
    ]
    assert not [e for e in held if e["type"] in (EXISTS, FILLED)]
    assert set(body) <= {"not_checked_to_exist", "after_not_null", "expectations", "meta"}


def test_a_check_of_a_column_the_contract_does_not_require_is_refused(tmp_path: Path) -> None:
    (tmp_path / "roll.json").write_text(
        json.dumps({"after_not_null": {"address": []}, "expectations": []}), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="address not a required column of roll"):
        load_suite(tmp_path, "roll")
