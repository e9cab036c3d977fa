"""The agency's configuration as a typed, validated model (reconcile.config): a misspelt key or
a wrong type in the file named by RECONCILE_CONFIG stops the run with a ConfigError naming the
file, the dotted key, what is wrong and, for a misspelt key, the nearest valid one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconcile.config import AgencyConfig, load_config
from reconcile.errors import ConfigError
from reconcile.feeds.limits import FeedLimits
from reconcile.match.options import matching_options
from reconcile.rules.catalog import contributions, rules
from reconcile.settings import DEFAULTS, Settings

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "config" / "reconcile.example.yaml"


def _settings_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Settings:
    config = tmp_path / "reconcile.yaml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("RECONCILE_CONFIG", str(config))
    return Settings.from_env()


@pytest.mark.parametrize(
    ("text", "key", "nearest"),
    [
        ("max_bad_row_shar: 0.2\n", "max_bad_row_shar", "max_bad_row_share"),
        ("matching:\n  blocking:\n    max_blok_size: 30\n", "matching.blocking.max_blok_size",
         "max_block_size"),
        ("rules:\n  NOT_REGISTERED:\n    thresholds: {grace_dayz: 90}\n",
         "rules.NOT_REGISTERED.thresholds.grace_dayz", "grace_days"),
        ("rules:\n  NOT_REGISTRED:\n    severity: 2\n", "rules.NOT_REGISTRED", "NOT_REGISTERED"),
        ("limits:\n  max_rowz: 10\n", "limits.max_rowz", "max_rows"),
        ("alerts:\n  too: [a@b.vn]\n", "alerts.too", "to"),
        ("rules:\n  defaults:\n    months_at_stake_capp: 6\n",
         "rules.defaults.months_at_stake_capp", "months_at_stake_cap"),
    ],
)  # fmt: skip
def test_a_misspelt_key_is_refused_naming_file_key_and_nearest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, key: str, nearest: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _settings_from(tmp_path, monkeypatch, text)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'reconcile.yaml'}: {key}: unknown key")
    assert f"(did you mean {nearest!r}?)" in message
    assert not caught.value.retryable


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("max_bad_row_share: '0.2'\n", "max_bad_row_share"),
        ("limits:\n  max_rows: '2000'\n", "limits.max_rows"),
        ("matching:\n  bands: {link: high}\n", "matching.bands.link"),
        ("rules:\n  WAGE_GAP:\n    thresholds: {ratio: '3'}\n", "rules.WAGE_GAP.thresholds.ratio"),
        ("rules:\n  WAGE_GAP:\n    severity: '2'\n", "rules.WAGE_GAP.severity"),
        ("feeds_due_day: 31\n", "feeds_due_day"),
        ("workbook_group_by: ward\n", "workbook_group_by"),
        ("mask_personal_data: 'no'\n", "mask_personal_data"),
        ("required_feeds: [tax, rol]\n", "required_feeds"),
    ],
)
def test_a_wrong_type_or_value_is_refused_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _settings_from(tmp_path, monkeypatch, text)
    assert str(caught.value).startswith(f"{tmp_path / 'reconcile.yaml'}: {key}: ")


def test_every_fault_of_the_file_is_named_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError) as caught:
        _settings_from(tmp_path, monkeypatch, "stale_run_hours: twelve\nlimits: {max_row: 1}\n")
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["stale_run_hours", "limits.max_row"]


def test_the_example_config_validates_and_changes_no_default() -> None:
    config = load_config(EXAMPLE)
    assert config.limits == FeedLimits()
    assert config.model_dump() == AgencyConfig().model_dump() == DEFAULTS


def test_the_file_is_laid_over_the_defaults_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings_from(
        tmp_path,
        monkeypatch,
        "provinces: [82]\nlimits: {max_rows: 1.0e+6}\n"
        "rules:\n  NOT_REGISTERED:\n    thresholds: {grace_days: 90}\n"
        "  defaults: {reference_wage_regions: gazetted}\n"
        "matching:\n  blocking: {max_block_size: 30}\n"
        "  model: {tax_code_priors: {equal: {m: 0.5, u: 0.001}}}\n",
    )
    options, config = settings.options, settings.config
    assert options["provinces"] == ["82"] and config.provinces == ["82"]  # two digits
    assert config.limits == FeedLimits(max_rows=1_000_000)
    assert FeedLimits.from_options(options) == config.limits
    # a threshold given is laid over the catalogue's, key by key
    assert rules(options["rules"])["NOT_REGISTERED"].thresholds == {
        "registration_days": 30,
        "grace_days": 90,
        "min_employees": 1,
    }
    assert rules(options["rules"]) == rules({"NOT_REGISTERED": {"thresholds": {"grace_days": 90}}})
    assert contributions(options["rules"])["reference_wage_regions"] == "gazetted"
    assert contributions(options["rules"])["default_wage_region"] == 3
    # matching: a section given is laid over the default key by key, a value inside replaces
    assert options["matching"]["blocking"]["max_block_size"] == 30
    assert options["matching"]["blocking"]["keys_per_record"] == 4
    assert options["matching"]["model"]["tax_code_priors"] == {"equal": {"m": 0.5, "u": 0.001}}
    assert matching_options(options["matching"]) == options["matching"]


def test_options_given_in_code_are_checked_when_read() -> None:
    settings = Settings(
        ROOT, ROOT, ROOT, ROOT, "sqlite://", options={**DEFAULTS, "limits": {"max_rowz": 10}}
    )
    with pytest.raises(ConfigError, match=r"^limits\.max_rowz: unknown key .*'max_rows'"):
        _ = settings.config
    assert Settings(ROOT, ROOT, ROOT, ROOT, "sqlite://").config == AgencyConfig()


def test_the_example_is_the_documented_shape() -> None:
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert set(example) <= set(AgencyConfig.model_fields)
