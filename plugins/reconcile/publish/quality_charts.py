"""The data-quality report's charts: which figures each chart draws, in which colours, with
which words (``labels.yaml``, ``report: charts/series/coverage``); :mod:`svg_charts` draws them.

Each chart also carries its totals in ``data-*`` attributes (tests read them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from reconcile.publish.number_format import fmt_int, fmt_money_short, fmt_pct
from reconcile.publish.quality_figures import (
    TAX_CODE_DEFECTS,
    TAX_CODE_NOTES,
    CoverageBar,
    Figures,
    TrendSeries,
)
from reconcile.publish.quality_words import report_words
from reconcile.publish.svg_charts import hbar_chart, line_chart, stacked_chart

__all__ = ["COLORS", "charts"]

Formatter = Callable[[float | None], str]

COLORS = {
    "accepted": "#2e7d32",
    "quarantined": "#c62828",
    "exact": "#1565c0",
    "exact_parent": "#64b5f6",
    "fuzzy": "#7e57c2",
    "confirmed": "#00897b",
    "review": "#f9a825",
    "none": "#9e9e9e",
    "bar": "#1565c0",
    "money": "#ad1457",
    "defect": "#e65100",
    "note": "#78909c",
    "employing": "#546e7a",
    "linked": "#64b5f6",
    "paying": "#2e7d32",
}


def charts(f: Figures) -> dict[str, Markup]:
    """Every chart of the page, by the name the template places it under."""
    out = {
        "feed_rows": _feed_rows(f),
        "reasons": _reasons(f),
        "tax_codes": _tax_codes(f),
        "links": _links(f),
        "coverage": _coverage(f),
        "findings": _findings(f),
    }
    out.update(_trend(f))
    return out


def _bars(name: str, chart_id: str, items: list[dict[str, Any]], **options: Any) -> Markup:
    """Horizontal bars titled by ``report: charts: <name>``; numbers as integers unless told."""
    words = report_words()["charts"]
    options.setdefault("fmt", fmt_int)
    return hbar_chart(chart_id, words[name], items, empty=words["empty"], **options)


def _stacked(
    name: str,
    chart_id: str,
    rows: list[dict[str, Any]],
    segments: list[tuple[str, str, str]],
    **options: Any,
) -> Markup:
    """Stacked bars titled by ``report: charts: <name>``, numbers as integers."""
    words = report_words()["charts"]
    return stacked_chart(
        chart_id, words[name], rows, segments, fmt=fmt_int, empty=words["empty"], **options
    )


def _feed_rows(f: Figures) -> Markup:
    words, totals = report_words(), f["feed_totals"]
    series = words["series"]
    return _stacked(
        "feed_rows",
        "chart-feed-rows",
        [
            {
                "key": x["feed"],
                "label": x["label"],
                "values": {"accepted": x["rows_accepted"], "quarantined": x["rows_quarantined"]},
            }
            for x in f["feeds"]
        ],
        [
            ("accepted", series["rows_accepted"], COLORS["accepted"]),
            ("quarantined", series["rows_quarantined"], COLORS["quarantined"]),
        ],
        attrs={
            "total-received": totals["rows_read"],
            "total-accepted": totals["rows_accepted"],
            "total-quarantined": totals["rows_quarantined"],
        },
    )


def _reasons(f: Figures) -> Markup:
    words, reasons = report_words(), f["reasons"]
    return _bars(
        "reasons",
        "chart-quarantine-reasons",
        [
            {
                "key": f"{r['feed']}:{r['reason']}",
                "label": words["reason_of_feed"].format(reason=r["reason"], feed=r["feed_label"]),
                "value": r["rows"],
                "attrs": {"feed": r["feed"], "reason": r["reason"]},
            }
            for r in reasons["top"]
        ],
        attrs={"total-reason-rows": reasons["total"], "reasons-shown": len(reasons["top"])},
        color=COLORS["quarantined"],
        label_width=400,
    )


def _tax_codes(f: Figures) -> Markup:
    words, tax = report_words(), f["tax_codes"]
    keys = (*TAX_CODE_DEFECTS, *TAX_CODE_NOTES)
    return _bars(
        "tax_codes",
        "chart-roll-tax-codes",
        [
            {
                "key": k,
                "label": words["roll_tax_codes"][k],
                "value": tax.get(k, 0),
                "color": COLORS["defect"] if k in TAX_CODE_DEFECTS else COLORS["note"],
            }
            for k in keys
        ],
        attrs={
            "units": tax.get("units", 0),
            "defects": sum(tax.get(k, 0) for k in TAX_CODE_DEFECTS),
            **{k.replace("_", "-"): tax.get(k, 0) for k in keys},
        },
        color=COLORS["defect"],
        label_width=380,
    )


def _links(f: Figures) -> Markup:
    links = f["links"]
    return _stacked(
        "links",
        "chart-links-by-method",
        [
            {"key": p["province"], "label": p["name"], "values": p["counts"]}
            for p in f["links_by_province"]
        ],
        [(x["kind"], x["label"], COLORS.get(x["kind"], COLORS["bar"])) for x in links["by_kind"]],
        attrs={
            "units": links["units"],
            "linked": links["linked"],
            "review": links["review"],
            "unlinked": links["none"],
            **{f"method-{x['kind'].replace('_', '-')}": x["units"] for x in links["by_kind"]},
        },
    )


# the coverage chart's bars: (figure, colour)
_COVERAGE_BARS: tuple[tuple[CoverageBar, str], ...] = (
    ("employing_firms", "employing"),
    ("employing_linked", "linked"),
    ("employing_paying", "paying"),
    ("paying_units", "paying"),
)


def _coverage(f: Figures) -> Markup:
    words, cover = report_words(), f["coverage"]
    return _bars(
        "coverage",
        "chart-coverage",
        [
            {
                "key": key,
                "label": words["coverage"][key],
                "value": cover[key],
                "color": COLORS[color],
            }
            for key, color in _COVERAGE_BARS
        ],
        attrs={
            "employing-firms": cover["employing_firms"],
            "employing-linked": cover["employing_linked"],
            "employing-paying": cover["employing_paying"],
            "paying-units": cover["paying_units"],
            "employing-not-paying": cover["employing_not_paying"],
        },
        label_width=320,
    )


def _findings(f: Figures) -> Markup:
    findings = f["findings"]
    return _bars(
        "findings",
        "chart-findings-money",
        [
            {
                "key": r["rule"],
                "label": r["title"],
                "value": r["money"],
                "attrs": {"findings": r["findings"]},
            }
            for r in findings["rules"]
            if r["inspection"]
        ],
        attrs={
            "findings": findings["findings"],
            "data-fixes": findings["data_fixes"],
            "money-at-stake": findings["money"],
        },
        fmt=fmt_money_short,
        color=COLORS["money"],
        label_width=420,
    )


# the trend charts: (name, chart id, series as (key, colour), how a value reads, percent axis)
_TRENDS: tuple[tuple[str, str, tuple[tuple[TrendSeries, str], ...], Formatter, bool], ...] = (
    ("trend_rows", "chart-trend-rows",
     (("rows_accepted", "accepted"), ("rows_quarantined", "quarantined")), fmt_int, False),
    ("trend_quality", "chart-trend-quality",
     (("quarantine_share", "quarantined"), ("tax_code_defect_share", "defect")), fmt_pct, True),
    ("trend_links", "chart-trend-links",
     (("share_linked", "exact"), ("share_paying", "paying")), fmt_pct, True),
    ("trend_money", "chart-trend-money", (("money", "money"),), fmt_money_short, False),
)  # fmt: skip


def _trend(f: Figures) -> dict[str, Markup]:
    words, trend, quarters = report_words(), f["trend"], f["quarters"]
    return {
        name: line_chart(
            chart_id,
            words["charts"][name],
            quarters,
            [
                (key, words["series"][key], COLORS[color], [t[key] for t in trend])
                for key, color in series
            ],
            attrs={"quarters": len(quarters)},
            fmt=fmt,
            percent=percent,
        )
        for name, chart_id, series, fmt, percent in _TRENDS
    }
