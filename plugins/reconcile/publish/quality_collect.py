"""The data-quality report's figures for one quarter (all provinces, or one), from the
warehouse.

Every figure comes from a named query in ``sql/report_*.sql`` (bound ``:quarter`` and
``:province``, portable SQLite/PostgreSQL), run through :func:`run_query`; the rows are shaped
into typed figures by :mod:`quality_shapes`. A query reads the report's quarter and the ones
before it, so that the trend needs no query of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconcile import __version__
from reconcile.publish import quality_shapes as shape
from reconcile.publish.quality_figures import (
    COMPLETENESS_FEEDS,
    FEED_COUNTS,
    TAX_CODE_DEFECTS,
    TAX_CODE_NOTES,
    TREND_QUARTERS,
    BlockedProvince,
    Figures,
)
from reconcile.publish.quality_words import report_words
from reconcile.quarter import Quarter
from reconcile.warehouse.queries import run_query

__all__ = ["collect"]


def collect(
    conn: Any,
    sql_dir: Path,
    quarter: Quarter,
    province: str | None = None,
    options: dict[str, Any] | None = None,
) -> Figures:
    """Every figure of the report, as plain numbers and labels (what the page draws)."""
    q = str(quarter)

    def query(name: str) -> list[dict[str, Any]]:
        return run_query(conn, sql_dir, f"report_{name}", quarter=q, province=province)

    def by_quarter(name: str) -> dict[str, dict[str, int]]:
        return {
            r["quarter"]: {k: shape.to_int(v) for k, v in r.items() if k != "quarter"}
            for r in query(name)
        }

    quarters = [r["quarter"] for r in query("quarters")]
    if q not in quarters:
        quarters.append(q)
    quarters = sorted(quarters)[-TREND_QUARTERS:]
    feed_rows = query("feed_rows")
    feeds = shape.feeds(feed_rows, q)
    links_rows = query("links")
    tax_rows = by_quarter("roll_tax_codes")
    coverage_rows = by_quarter("coverage_firms")
    units_rows = query("units_by_status")
    finding_rows = query("findings")
    case_rows = query("cases")

    figures: Figures = {
        "quarter": q,
        "province": province,
        "province_name": shape.province_name(province) if province else None,
        "quarters": quarters,
        "generated_at": datetime.now(UTC).astimezone().strftime("%d/%m/%Y %H:%M"),
        "version": __version__,
        "feeds": feeds,
        "feed_totals": {key: sum(f[key] for f in feeds) for key in FEED_COUNTS},
        "reasons": shape.reasons(query("quarantine_reasons")),
        "completeness": shape.completeness(query("completeness"), COMPLETENESS_FEEDS, q),
        "tax_codes": tax_rows.get(
            q, dict.fromkeys(("units", "valid", *TAX_CODE_DEFECTS, *TAX_CODE_NOTES), 0)
        ),
        "links": shape.links(links_rows, q),
        "links_by_province": shape.links_by_province(links_rows, q),
        "communes": shape.communes(query("unit_addresses")),
        "coverage": shape.coverage(coverage_rows.get(q, {}), units_rows, q),
        "findings": shape.findings(finding_rows, q, options),
        "cases": {r["status"]: shape.to_int(r["cases"]) for r in case_rows if r["quarter"] == q},
    }
    figures["blocked"] = blocked(conn, q, province, options)
    covered = [province] if province else [p["province"] for p in figures["links_by_province"]]
    targets = report_words().get("targets", {})
    figures["targets"] = [line for code in covered for line in targets.get(code, [])]
    figures["trend"] = shape.trend(
        quarters, feed_rows, links_rows, tax_rows, coverage_rows, units_rows, finding_rows
    )
    return figures


def blocked(
    conn: Any, q: str, province: str | None, options: dict[str, Any] | None
) -> list[BlockedProvince]:
    """Provinces that could not be judged this quarter (a required feed missing or refused),
    each with its gaps in words: shown first, so that no reader takes them for "no cases"."""
    from reconcile.warehouse.readiness import quarter_readiness

    return [
        {
            "province": code,
            "name": shape.province_name(code),
            "gaps": [gap.describe_vi() for gap in state.gaps],
        }
        for code, state in quarter_readiness(conn, q, options, province).items()
        if state.blocked
    ]
