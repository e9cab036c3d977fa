"""The figures of the data-quality report: what :mod:`quality_collect` computes and the page
draws, one typed shape per part of the page.

Plain dicts at run time (``TypedDict``): the template and tests read them by key, and the
types name every key they may read.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, get_args

TREND_QUARTERS = 8  # the quarter and up to seven before it
TOP_REASONS = 10
FEEDS_ORDER = ("tax", "registry", "roll", "decisions")
COMPLETENESS_FEEDS = ("tax", "registry", "roll")
LINK_KINDS = ("exact", "exact_parent", "fuzzy", "confirmed", "review", "none")
LINKED_KINDS = LINK_KINDS[:4]
TAX_CODE_DEFECTS = ("blank", "invalid", "unknown_to_feeds", "mismatched")
TAX_CODE_NOTES = ("branch_of_linked", "recovered_by_link")

FeedCount = Literal["files", "failed_files", "rows_read", "rows_accepted", "rows_quarantined"]
FEED_COUNTS: tuple[FeedCount, ...] = get_args(FeedCount)
# a trend's series: the figures of a quarter drawn as a line
TrendSeries = Literal[
    "rows_accepted",
    "rows_quarantined",
    "quarantine_share",
    "tax_code_defect_share",
    "share_linked",
    "share_paying",
    "money",
]
# the coverage chart's bars
CoverageBar = Literal["employing_firms", "employing_linked", "employing_paying", "paying_units"]


class FeedFigure(TypedDict):
    """Files and rows of one feed in the quarter."""

    files: int
    failed_files: int
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    feed: str
    label: str
    quarantine_share: float | None


class ReasonFigure(TypedDict):
    feed: str
    feed_label: str
    reason: str
    rows: int


class Reasons(TypedDict):
    """Quarantined rows per reason: a row with two reasons counts for each."""

    top: list[ReasonFigure]
    all: list[ReasonFigure]
    total: int


class FieldFill(TypedDict):
    field: str
    label: str
    filled: int
    share: float | None


class FeedCompleteness(TypedDict):
    feed: str
    label: str
    rows: int
    fields: list[FieldFill]


class LinkKindFigure(TypedDict):
    kind: str
    label: str
    units: int
    share: float | None


class Links(TypedDict):
    units: int
    linked: int
    review: int
    none: int
    share_linked: float | None
    by_kind: list[LinkKindFigure]


class ProvinceLinks(TypedDict):
    province: str
    name: str
    units: int
    counts: dict[str, int]
    linked: int
    share_linked: float | None


class CommuneLinks(TypedDict):
    """Units of one commune, read from their address; ``code`` may be ``ambiguous`` or
    ``unknown`` (``known`` false)."""

    province: str
    code: str
    name: str
    known: bool
    units: int
    linked: int
    review: int
    none: int
    paying: int
    share_linked: float | None


class UnitStatusFigure(TypedDict):
    status: str
    label: str
    units: int
    insured_employees: int


class Coverage(TypedDict):
    """Active firms with employees against employer units paying."""

    firms: int
    active_firms: int
    employing_firms: int
    employees: int
    employing_linked: int
    employing_paying: int
    units: int
    paying_units: int
    insured_employees: int
    employing_not_paying: int
    share_paying: float | None
    share_linked: float | None
    units_by_status: list[UnitStatusFigure]


class RuleFindings(TypedDict):
    rule: str
    title: str
    severity: int
    inspection: bool
    findings: int
    money: int


class Findings(TypedDict):
    """Findings by rule; severity 0 is a data fix for the agency, not an inspection lead."""

    rules: list[RuleFindings]
    findings: int
    data_fixes: int
    money: int


class TrendPoint(TypedDict):
    quarter: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    quarantine_share: float | None
    units: int
    linked: int
    review: int
    share_linked: float | None
    tax_code_defects: int
    tax_code_defect_share: float | None
    employing_firms: int
    employing_paying: int
    share_paying: float | None
    paying_units: int
    findings: int
    data_fixes: int
    money: int


class BlockedProvince(TypedDict):
    """A province not judged this quarter (a required feed missing or refused)."""

    province: str
    name: str
    gaps: list[str]


class Figures(TypedDict, total=False):
    """Every figure of the report (``validations`` added by the entry point)."""

    quarter: str
    province: str | None
    province_name: str | None
    quarters: list[str]
    generated_at: str
    version: str
    feeds: list[FeedFigure]
    feed_totals: dict[str, int]
    reasons: Reasons
    completeness: list[FeedCompleteness]
    tax_codes: dict[str, int]
    links: Links
    links_by_province: list[ProvinceLinks]
    communes: list[CommuneLinks]
    coverage: Coverage
    findings: Findings
    cases: dict[str, int]
    blocked: list[BlockedProvince]
    targets: list[str]
    trend: list[TrendPoint]
    validations: list[Any]
