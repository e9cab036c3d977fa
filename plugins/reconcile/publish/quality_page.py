"""The data-quality report's page: the figures and charts put into
``publish/data/quality_report.html.j2`` (Jinja, autoescaped).

The page opens offline: no external URL, no script; CSS and SVG are inline. Text from the feeds
(quarantine reasons quote the cells they refused) is always escaped: the template autoescapes,
and the markup built in Python (charts, ``data-*`` attributes) escapes every value it puts in.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from reconcile.publish.data_attrs import data_attrs
from reconcile.publish.labels import labels
from reconcile.publish.number_format import fmt_int, fmt_money_short, fmt_pct
from reconcile.publish.quality_charts import charts
from reconcile.publish.quality_figures import (
    LINK_KINDS,
    TAX_CODE_DEFECTS,
    TAX_CODE_NOTES,
    TREND_QUARTERS,
    Figures,
)
from reconcile.publish.quality_words import report_words
from reconcile.settings import package_data

__all__ = ["render"]

TEMPLATE = "quality_report.html.j2"


def fill(words: str, **values: Any) -> Markup:
    """A sentence of ``labels.yaml`` with its ``{name}`` placeholders filled: the words escaped,
    and every value too unless it is markup built by the template (a number in ``<strong>``)."""
    return escape(words).format(**values)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(package_data("publish/data"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(n=fmt_int, pct=fmt_pct, money=fmt_money_short, data=data_attrs, fill=fill)
    return env


def render(figures: Figures) -> str:
    """The page: Vietnamese, self-contained (inline CSS and SVG, no script, no link out)."""
    template = _environment().get_template(TEMPLATE)
    return template.render(
        f=figures,
        charts=charts(figures),
        words=report_words(),
        link_kinds=LINK_KINDS,
        tax_defects=TAX_CODE_DEFECTS,
        tax_notes=TAX_CODE_NOTES,
        trend_quarters=TREND_QUARTERS,
        case_labels=labels()["case_status"],
    )
