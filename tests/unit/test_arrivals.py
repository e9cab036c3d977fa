"""The chase of the partners' feeds: which quarter is due on which day, which (province, feed)
has no file, and the task that fails, naming the partner and the province, so that the data
team is e-mailed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reconcile.arrivals import FeedsMissing, check_arrivals, due_day, quarter_due
from reconcile.errors import ConfigError
from reconcile.quarter import Quarter

OPTIONS = {"provinces": ["82", "86"], "required_feeds": ["tax", "registry", "roll"]}


def land(root: Path, quarter: str, province: str, *names: str) -> None:
    folder = root / quarter / province
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"x")


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2025, 10, 4), None),  # before the due day
        (date(2025, 10, 5), "2025Q3"),
        (date(2025, 10, 31), "2025Q3"),
        (date(2025, 11, 1), None),  # the month after: the quarterly run has had its turn
        (date(2026, 1, 20), "2025Q4"),  # across the year
        (date(2025, 8, 10), None),  # a quarter's middle month
    ],
)
def test_the_quarter_due_on_a_day(day: date, due: str | None) -> None:
    found = quarter_due(day, 5)
    assert (str(found) if found else None) == due


@pytest.mark.parametrize("wrong", [0, 29, "5", True, 5.5])
def test_a_due_day_that_is_no_day_of_every_month_is_refused(wrong: object) -> None:
    with pytest.raises(ConfigError, match="feeds_due_day"):
        due_day({"feeds_due_day": wrong})
    assert due_day({}) == 5 and due_day({"feeds_due_day": 28}) == 28


def test_each_missing_feed_is_named_with_its_partner_and_province(tmp_path: Path) -> None:
    land(tmp_path, "2025Q3", "82", "tax_82_2025Q3.csv", "registry_82_2025Q3.xlsx")
    land(tmp_path, "2025Q3", "86", "tax_86.csv", "registry_86.csv", "roll_86.xlsx")
    land(tmp_path, "2025Q2", "82", "roll_82_2025Q2.xlsx")  # last quarter's roll is not this one
    check = check_arrivals(OPTIONS, tmp_path, date(2025, 10, 6))
    assert check is not None and str(check.quarter) == "2025Q3"
    assert check.due == date(2025, 10, 5)
    assert [(m.province, m.feed) for m in check.missing] == [("82", "roll")]
    assert check.missing_provinces == ["82"]
    message = str(FeedsMissing(check))
    for said in ("2025Q3", "05/10/2025", "province 82", "roll", "Danh sách đơn vị BHXH",
                 str(tmp_path / "2025Q3")):  # fmt: skip
        assert said in message, said
    assert "86" not in message


def test_a_province_with_no_folder_misses_every_feed(tmp_path: Path) -> None:
    land(tmp_path, "2025Q3", "86", "tax_86.csv", "registry_86.csv", "roll_86.xlsx")
    check = check_arrivals(OPTIONS, tmp_path, date(2025, 10, 6))
    assert check is not None
    assert [(m.province, m.feed) for m in check.missing] == [
        ("82", "tax"), ("82", "registry"), ("82", "roll")
    ]  # fmt: skip
    assert {m.partner for m in check.missing} == {
        "Thuế (Cục Thuế)", "Đăng ký kinh doanh (Sở KH&ĐT)", "Danh sách đơn vị BHXH"
    }  # fmt: skip


def test_all_in_or_outside_the_window(tmp_path: Path) -> None:
    for province in ("82", "86"):
        land(tmp_path, "2025Q3", province, f"tax_{province}.csv", f"registry_{province}.csv",
             f"roll_{province}.xlsx")  # fmt: skip
    check = check_arrivals(OPTIONS, tmp_path, date(2025, 10, 6))
    assert check is not None and check.missing == ()
    assert check_arrivals(OPTIONS, tmp_path, date(2025, 10, 2)) is None
    # a quarter named: checked whatever the day
    named = check_arrivals(OPTIONS, tmp_path, date(2025, 12, 2), Quarter.parse("2025Q4"))
    assert named is not None and len(named.missing) == 6


def test_without_configured_provinces_those_that_sent_files_are_chased(tmp_path: Path) -> None:
    options = {**OPTIONS, "provinces": []}
    land(tmp_path, "2025Q2", "01", "roll_01.xlsx")  # sent last quarter, nothing yet this one
    land(tmp_path, "2025Q3", "82", "tax_82.csv", "registry_82.csv", "roll_82.xlsx")
    check = check_arrivals(options, tmp_path, date(2025, 10, 6))
    assert check is not None and check.provinces == ("01", "82")
    assert {m.province for m in check.missing} == {"01"}
    # nobody configured and nothing ever landed: nobody to chase is a configuration error
    with pytest.raises(ConfigError, match="set provinces"):
        check_arrivals(options, tmp_path / "empty", date(2025, 10, 6))


def test_the_task_fails_naming_partner_province_and_quarter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from reconcile.airflow.tasks import chase_missing_feeds

    land(tmp_path, "2025Q3", "82", "tax_82.csv", "registry_82.csv")
    land(tmp_path, "2025Q3", "86", "tax_86.csv", "registry_86.csv", "roll_86.xlsx")
    config = tmp_path / "reconcile.yaml"
    config.write_text("provinces: ['82', '86']\nfeeds_due_day: 3\n", encoding="utf-8")
    monkeypatch.setenv("RECONCILE_CONFIG", str(config))
    monkeypatch.setenv("RECONCILE_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("RECONCILE_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    context: dict = {"params": {"day": "2025-10-03"}}
    with pytest.raises(AirflowFailException, match=r"province 82: roll \(Danh sách đơn vị BHXH\)"):
        chase_missing_feeds(context)
    # what the failure e-mail's subject and body read
    assert context["province"] == "82" and context["quarter"] == "2025Q3"
    assert "2025Q3" in context["alert"]
    # the day before the due day: nothing chased, the task succeeds
    early = chase_missing_feeds({"params": {"day": "2025-10-02"}})
    assert "no quarter" in early["note"]


def test_the_command_line_lists_what_is_missing_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconcile import cli

    monkeypatch.delenv("RECONCILE_CONFIG", raising=False)
    land(tmp_path, "2025Q3", "82", "tax_82.csv", "registry_82.csv")
    land(tmp_path, "2025Q3", "86", "tax_86.csv", "registry_86.csv", "roll_86.xlsx")
    argv = ["arrivals", "--landing", str(tmp_path)]
    assert cli.main([*argv, "--day", "2025-10-06"]) == 3
    out = capsys.readouterr().out
    assert "quarter 2025Q3, due 05/10/2025" in out
    assert "82: missing roll (Danh sách đơn vị BHXH)" in out and "86: all in" in out
    assert cli.main([*argv, "--day", "2025-10-02"]) == 0
    assert "no quarter's feeds are due" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        cli.main([*argv, "--day", "06/10/2025"])
    assert usage.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err
