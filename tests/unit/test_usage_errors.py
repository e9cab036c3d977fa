"""Bad input a person gives is an error that says what to write, never a traceback or an
empty run: quarters in one syntax, province codes among the 34, a quarter with nothing landed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconcile.cli import main
from reconcile.errors import ConfigError, UsageError
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.text.admin_units import check_province


@pytest.mark.parametrize("written", ["2025Q3", "2025q3", " 2025Q3 "])
def test_one_syntax_for_a_quarter(written: str) -> None:
    assert str(Quarter.parse(written)) == "2025Q3"


@pytest.mark.parametrize("written", ["2025Q5", "q3-2025", "2025-Q3", "Q3 2025", "", "25Q3"])
def test_anything_else_is_refused_with_the_way_to_write_it(written: str) -> None:
    with pytest.raises(UsageError, match="like 2025Q3"):
        Quarter.parse(written)


def test_province_codes_are_the_34_and_old_codes_are_named() -> None:
    assert check_province("82") == "82" and check_province(1) == "01"  # YAML's [1]
    with pytest.raises(UsageError, match=r"87 is the old code of Đồng Tháp.*use 82"):
        check_province("87")
    with pytest.raises(UsageError, match="not a province code: '99'.*34 two-digit codes"):
        check_province("99")
    with pytest.raises(UsageError, match="not a province code: 'HN'"):
        check_province("HN")


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["run", "--quarter", "2025Q5"], "not a quarter: '2025Q5'"),
        (["run", "--quarter", "2025-Q3"], "like 2025Q3"),
        (["run", "--quarter", "2025Q3", "--province", "99"], "not a province code: '99'"),
        (["run", "--quarter", "2025Q3", "--province", "HN"], "not a province code: 'HN'"),
        (["files", "list", "--quarter", "q3-2025"], "not a quarter"),
        (["synth", "--quarters", "2025Q3", "--provinces", "82,87"], "old code of Đồng Tháp"),
    ],
)
def test_usage_mistakes_are_argparse_errors(argv: list[str], said: str, capsys) -> None:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_a_quarter_with_nothing_landed_fails_naming_the_folder(tmp_path: Path, capsys) -> None:
    landing = tmp_path / "landing"
    code = main(["run", "--quarter", "2025Q3", "--landing", str(landing), "--output",
                 str(tmp_path / "out"), "--data", str(tmp_path / "data"), "--warehouse",
                 f"sqlite:///{tmp_path / 'w.db'}"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert f"{landing}/2025Q3 does not exist" in err and "Traceback" not in err
    (landing / "2025Q3" / "82").mkdir(parents=True)
    (landing / "2025Q3" / "82" / "notes.txt").write_text("not a feed", encoding="utf-8")
    again = main(["run", "--quarter", "2025Q3", "--landing", str(landing), "--output",
                  str(tmp_path / "out"), "--data", str(tmp_path / "data"), "--warehouse",
                  f"sqlite:///{tmp_path / 'w.db'}"])  # fmt: skip
    assert again == 1
    assert "holds no file of any feed (notes.txt" in capsys.readouterr().err
    assert not (tmp_path / "out" / "2025Q3").exists()  # nothing published as "no cases"


def test_a_configured_old_province_code_stops_with_the_key(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "reconcile.yaml"
    config.write_text("partner_api:\n  provinces: ['83']\n", encoding="utf-8")
    monkeypatch.setenv("RECONCILE_CONFIG", str(config))
    with pytest.raises(ConfigError, match=r"partner_api\.provinces: 83 is the old code of Bến Tre"):
        Settings.from_env()
