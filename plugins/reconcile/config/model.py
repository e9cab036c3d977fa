"""The agency's configuration: the packaged defaults with the YAML named by RECONCILE_CONFIG
over them, one typed, validated model (``AgencyConfig``) per section.

A misspelt key or a value of the wrong type stops the run with ``ConfigError`` naming the
file, the dotted key, what is wrong and, for a misspelt key, the nearest valid one: a key
quietly ignored would leave the default in force while the agency believes it changed.
``Settings.options`` is this model dumped to a plain dict (what most steps read); the
modules that own a section read it typed (``Settings.config``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator

from reconcile.config.matching import MatchingConfig
from reconcile.config.messages import config_error
from reconcile.config.rules import RulesConfig
from reconcile.config.types import Section
from reconcile.feeds.limits_model import FeedLimits

# A run is stopped after 12 hours (the DAG's dagrun_timeout); the deadline warns before that.
DEFAULT_RUN_DEADLINE_MINUTES = 600


def _province(code: Any) -> Any:
    """One of the 34 provinces' codes in force since 1/7/2025, as two digits: a misspelt or
    old code stops the run with what to write (``text.admin_units.check_province``)."""
    from reconcile.errors import UsageError
    from reconcile.text.admin_units import check_province

    try:
        return check_province(code)
    except UsageError as exc:
        raise ValueError(str(exc)) from None


def _feed(name: Any) -> Any:
    from reconcile.feeds.spec import FEEDS

    if name not in FEEDS:
        raise ValueError(f"{name!r} is not a feed; the feeds are {', '.join(FEEDS)}")
    return name


Province = Annotated[str, BeforeValidator(_province)]
Feed = Annotated[str, BeforeValidator(_feed)]


class AlertConfig(Section):
    """``alerts:``: who is e-mailed when a task fails for good, a feed is late or a run passes
    its deadline (``airflow/alerts.py``); no ``to``, no e-mail. A wrong value stops the DAG
    file's import loudly rather than leaving the data team untold."""

    to: tuple[str, ...] = ()  # the addresses (one may be written without a list)
    from_email: str | None = None
    smtp_conn_id: str = "smtp_default"  # an Airflow smtp connection
    # a quarterly run not finished this many minutes after it was queued is reported
    run_deadline_minutes: Annotated[int, Field(ge=1)] = DEFAULT_RUN_DEADLINE_MINUTES

    @field_validator("to", mode="before")
    @classmethod
    def _addresses(cls, value: Any) -> Any:
        to = [value] if isinstance(value, str) else value or []
        if not isinstance(to, list | tuple) or not all(isinstance(a, str) and "@" in a for a in to):
            raise ValueError(f"{to!r} must be a list of e-mail addresses")
        return tuple(to)

    @field_validator("smtp_conn_id", mode="before")
    @classmethod
    def _connection(cls, value: Any) -> Any:
        return value or "smtp_default"

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None) -> AlertConfig:
        """``alerts:`` of the settings' options, checked."""
        section: AlertConfig = validate_section("alerts", (options or {}).get("alerts"))
        return section

    @property
    def on(self) -> bool:
        return bool(self.to)

    def notifier_kwargs(self) -> dict[str, Any]:
        return {
            "to": list(self.to),
            "from_email": self.from_email,
            "smtp_conn_id": self.smtp_conn_id,
        }


class PartnerApi(Section):
    """``partner_api:``: the feeds a partner serves over HTTP (the Airflow connection
    ``reconcile_partner_api``), for which provinces, and whether it serves change notices."""

    feeds: list[Feed] = []
    provinces: list[Province] = []  # none: the top-level ``provinces``
    changes: bool = False


@cache
def default_rules() -> RulesConfig:
    """The packaged catalogue and terms, validated once (a frozen model, shared)."""
    return RulesConfig.model_validate({})


@cache
def default_matching() -> MatchingConfig:
    """The packaged matching options, validated once (a frozen model, shared)."""
    return MatchingConfig.model_validate({})


# keys that may be left empty (``alerts:`` with nothing under it): the default then
_EMPTY_IS_DEFAULT = (
    "provinces",
    "required_feeds",
    "rules",
    "alerts",
    "limits",
    "matching",
    "partner_api",
)


class AgencyConfig(Section):
    """The whole configuration: each key below, with its default and what it does."""

    # A file whose share of quarantined rows is above this fails its step (after quarantining).
    max_bad_row_share: Annotated[float, Field(ge=0, le=1)] = 0.5
    # The province(s) a provincial agency runs for when none is given (new codes, 2025).
    provinces: list[Province] = []
    # Inspectors' workbook: one sheet per commune ("commune"), or a single cases sheet ("none").
    workbook_group_by: Literal["commune", "none"] = "commune"
    # An inspector's "not subject" keeps that case out of the workbook for this many quarters.
    not_subject_quarters: Annotated[int, Field(ge=0)] = 4
    # Legal representatives, phone and ID numbers masked in exports.
    mask_personal_data: bool = True
    # Quarantine CSV: values of columns the feed spec does not know are masked as personal data
    # (only when mask_personal_data is on); false shows them, except where the header reads as
    # personal (phone, ID number, representative...).
    mask_unknown_columns: bool = True
    # Severities and thresholds of the rule catalogue, and the contribution terms (``defaults``).
    rules: RulesConfig = Field(default_factory=default_rules)
    # A province is judged only with a loaded file of each of these feeds; missing or refused,
    # it is published as blocked (docs/operations.md).
    required_feeds: list[Feed] = ["tax", "registry", "roll"]
    # A run still marked running after this many hours is taken as killed (marked abandoned).
    stale_run_hours: Annotated[float, Field(gt=0)] = 12
    # The weekly outreach list: firms registered in this many days before its Monday.
    outreach_lookback_days: Annotated[int, Field(ge=1)] = 60
    # Whose history a quarter's snapshot refreshes: "new_and_noticed" (firms some change
    # notice is about, and firms started in the last 90 days) or "all" (every firm).
    history_from_snapshots: Literal["new_and_noticed", "all"] = "new_and_noticed"
    # Who is e-mailed when a task fails for good, a feed is late or a run passes its deadline.
    alerts: AlertConfig = AlertConfig()
    # The partners' files of a quarter are due by this day of the month after it closes
    # (reconcile/arrivals.py; the feed_arrivals DAG chases them from then on).
    feeds_due_day: Annotated[int, Field(ge=1, le=28)] = 5
    # Great Expectations' own Data Docs (English, need CDNs to show results) beside the quality
    # report, which shows each file's validation itself: an optional extra (docs/ingestion.md).
    data_docs: bool = False
    # What one partner file may hold (file size, rows, cell length, a workbook's cells and
    # inflated size): see reconcile.feeds.limits_model.FeedLimits for the keys and defaults.
    limits: FeedLimits = FeedLimits()
    # Linking: blocking limits, comparison levels, priors and bands (match/data/matching.yaml).
    matching: MatchingConfig = Field(default_factory=default_matching)
    # A partner's HTTP API, if any (docs/sources.md).
    partner_api: PartnerApi = PartnerApi()

    @model_validator(mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        return {k: v for k, v in value.items() if not (k in _EMPTY_IS_DEFAULT and v is None)}

    @classmethod
    def from_options(
        cls, options: Mapping[str, Any] | None, source: str | Path | None = None
    ) -> AgencyConfig:
        """``options`` (a YAML file's mapping, or settings' options) over the defaults, checked;
        ``InvalidConfig`` (a ``ConfigError``) names ``source``, the key and what is wrong."""
        try:
            return cls.model_validate(dict(options or {}))
        except ValidationError as exc:
            raise config_error(exc, cls, str(source) if source else None) from None


def validate_section(name: str, value: Any) -> Any:
    """One section (``limits``, ``rules``...) of the configuration, given its value (None:
    the defaults), checked as in the file: errors name the key from the section's name."""
    if value is None:
        return AgencyConfig.model_fields[name].get_default(call_default_factory=True)
    return getattr(AgencyConfig.from_options({name: value}), name)


def load_config(path: Path) -> AgencyConfig:
    """The configuration of the YAML file at ``path`` (RECONCILE_CONFIG)."""
    from reconcile.settings import load_yaml

    try:
        raw = load_yaml(path)
    except ValueError as exc:
        from reconcile.config.types import InvalidConfig

        raise InvalidConfig(str(exc)) from None
    return AgencyConfig.from_options(raw, source=path)


def default_options() -> dict[str, Any]:
    """The packaged defaults as ``Settings.options`` holds them (a fresh dict each time)."""
    return AgencyConfig().model_dump()
