"""Where things are and which thresholds apply: read once from the environment and YAML.

Every path and URL has a default that works on a fresh checkout (everything under ``var/``),
and an environment variable that a deployment sets:

====================================  ===============================================
``RECONCILE_HOME``                     project root (default: two levels above this package)
``RECONCILE_LANDING_DIR``              where partner files arrive, ``<quarter>/<province>/<feed>*``
``RECONCILE_DATA_DIR``                 landed copies of files and validation results
``RECONCILE_OUTPUT_DIR``               published workbooks, reports and summaries
``RECONCILE_WAREHOUSE_URL``            SQLAlchemy URL of the warehouse (default: SQLite file)
``RECONCILE_WAREHOUSE_CONN_ID``        Airflow connection to use instead, inside Airflow
``RECONCILE_CONFIG``                   a YAML file whose keys override the packaged defaults
====================================  ===============================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent

DEFAULTS: dict[str, Any] = {
    # A file whose share of quarantined rows is above this fails its step (after quarantining).
    "max_bad_row_share": 0.5,
    # The province(s) a provincial agency runs for when none is given (new codes, 2025).
    "provinces": [],
    # Inspectors' workbook: one sheet per this address level (commune or district).
    "workbook_group_by": "commune",
    # An inspector's "not subject" keeps that case out of the workbook for this many quarters.
    "not_subject_quarters": 4,
    "mask_personal_data": True,
    # Quarantine CSV: values of columns the feed spec does not know are masked as personal data
    # (only when mask_personal_data is on); false shows them, except where the header reads as
    # personal (phone, ID number, representative...).
    "mask_unknown_columns": True,
    "rules": {},
    # A province is judged only with a loaded file of each of these feeds; missing or refused,
    # it is published as blocked (docs/operations.md).
    "required_feeds": ["tax", "registry", "roll"],
    # A run still marked running after this many hours is taken as killed (marked abandoned).
    "stale_run_hours": 12,
    # The weekly outreach list: firms registered in this many days before its Monday.
    "outreach_lookback_days": 60,
    # Whose history a quarter's snapshot refreshes: "new_and_noticed" (firms some change
    # notice is about, and firms started in the last 90 days) or "all" (every firm).
    "history_from_snapshots": "new_and_noticed",
    # Who is e-mailed when a task fails for good, a feed is late or a run passes its deadline:
    # {to: [...], from_email, smtp_conn_id, run_deadline_minutes} (reconcile/airflow/alerts.py);
    # no "to", no e-mail.
    "alerts": {},
    # The partners' files of a quarter are due by this day of the month after it closes
    # (reconcile/arrivals.py; the feed_arrivals DAG chases them from then on).
    "feeds_due_day": 5,
    # Great Expectations' own Data Docs (English, need CDNs to show results) beside the quality
    # report, which shows each file's validation itself: an optional extra (docs/ingestion.md).
    "data_docs": False,
    # What one partner file may hold (file size, rows, cell length, a workbook's cells and
    # inflated size): see reconcile.feeds.limits.FeedLimits for the keys and their defaults.
    "limits": {},
}


def project_home() -> Path:
    return Path(os.environ.get("RECONCILE_HOME", PACKAGE_DIR.parents[1])).resolve()


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    data_dir: Path
    output_dir: Path
    warehouse_url: str
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from the environment; keyword arguments win (used by the CLI and tests)."""
        home = project_home()
        var = home / "var"
        env = os.environ
        options = dict(DEFAULTS)
        config_file = env.get("RECONCILE_CONFIG")
        if config_file:
            options = _deep_merge(options, load_yaml(Path(config_file)))
            _check_provinces(options, config_file)
        values: dict[str, Any] = {
            "home": home,
            "landing_dir": Path(env.get("RECONCILE_LANDING_DIR", var / "landing")),
            "data_dir": Path(env.get("RECONCILE_DATA_DIR", var / "data")),
            "output_dir": Path(env.get("RECONCILE_OUTPUT_DIR", var / "output")),
            "warehouse_url": env.get("RECONCILE_WAREHOUSE_URL")
            or f"sqlite:///{var / 'warehouse.db'}",
            "options": options,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("landing_dir", "data_dir", "output_dir"):
            values[key] = Path(values[key]).resolve()
        return cls(**values)

    @property
    def expectations_dir(self) -> Path:
        return self.home / "expectations"

    @property
    def sql_dir(self) -> Path:
        return self.home / "sql"


def _check_provinces(options: dict[str, Any], source: str) -> None:
    """The configuration's province codes (``provinces``, ``partner_api.provinces``) are the 34
    in force since 1/7/2025: a misspelt or old code stops the run with what to write."""
    from reconcile.errors import ConfigError, UsageError
    from reconcile.text.admin_units import check_province

    places = {"provinces": options.get("provinces") or []}
    places["partner_api.provinces"] = (options.get("partner_api") or {}).get("provinces") or []
    for key, codes in places.items():
        for code in codes:
            try:
                check_province(code)
            except UsageError as exc:
                raise ConfigError(f"{source}: {key}: {exc}") from None


@cache
def load_yaml(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def load_yaml_list(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list at the top level")
    return [str(item) for item in data]


def package_data(relative: str) -> Path:
    """A data file shipped inside the package (reference tables, rule catalogue, feed spec)."""
    return PACKAGE_DIR / relative
