"""The agency's data-quality report: one self-contained HTML page per quarter (or province).

What the partners sent and what the warehouse made of it, for the quarter and its trend over
the earlier quarters in the warehouse: rows received, accepted and quarantined per feed and the
main reasons; how complete the key fields are; tax-code defects in the employer roll; how units
were linked (by method, province and commune); active firms with employees against units
paying; and the findings by rule with the money at stake.

This module is the entry point; the report is made in three parts, each its own module:

- figures: :mod:`quality_collect` runs the ``sql/report_*.sql`` queries and
  :mod:`quality_shapes` shapes their rows into the typed figures of :mod:`quality_figures`;
- charts: :mod:`quality_charts` picks what each chart shows, :mod:`svg_charts` draws it;
- page: :mod:`quality_page` renders ``publish/data/quality_report.html.j2``.

Every word shown comes from ``labels.yaml`` (``report:``, :mod:`quality_words`). Each chart,
table and key figure carries its numbers in ``data-*`` attributes (and an ``id``), so that
tests and other tools read the same numbers a reader sees. The page is written to a temporary
file and renamed onto its name, so a reader never opens half a page.
"""

from __future__ import annotations

from pathlib import Path

from reconcile.publish.atomic import write_text
from reconcile.publish.data_attrs import data_attrs as _data_attrs  # noqa: F401  (tests use it)
from reconcile.publish.layout import OutputLayout
from reconcile.publish.number_format import fmt_int, fmt_money_short, fmt_pct
from reconcile.publish.quality_collect import collect
from reconcile.publish.quality_page import render
from reconcile.publish.quality_reasons import reason_label
from reconcile.quality.results import file_results
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.schema import feed_file
from reconcile.warehouse.store import read_frame

__all__ = [
    "build_quality_report",
    "collect",
    "fmt_int",
    "fmt_money_short",
    "fmt_pct",
    "reason_label",
    "render",
    "report_path",
]


def report_path(settings: Settings, quarter: Quarter | str, province: str | None = None) -> Path:
    """``<output>/<quarter>/quality_<quarter>.html``, or ``<output>/<quarter>/<province>/
    quality_<province>_<quarter>.html`` for one province (beside that province's workbook):
    named by :class:`OutputLayout`, like every published file."""
    return OutputLayout(settings, quarter).quality_report(province)


def build_quality_report(
    settings: Settings, quarter: Quarter | str, province: str | None = None
) -> Path:
    """Write the quarter's data-quality report (all provinces, or one) and return its path."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(str(quarter))
    engine = get_engine(settings.warehouse_url)
    with engine.connect() as conn:
        figures = collect(conn, settings.sql_dir, quarter, province, settings.options)
        scope = {"quarter": str(quarter), **({"province": province} if province else {})}
        files = read_frame(conn, feed_file, **scope)
    figures["validations"] = file_results(settings.data_dir / "validations", files)
    page = render(figures)
    path = report_path(settings, quarter, province)
    return write_text(path, page, encoding="utf-8")
