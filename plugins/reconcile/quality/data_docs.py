"""Great Expectations Data Docs for a quarter: the human-readable record of every validation.

Each file's validation result is kept as JSON when it is ingested (``data/validations``); the
site is built once per quarter from those results, in one process, so that mapped ingestion
tasks on different workers need not share a GX store.

GX puts a result's unexpected values into its tables as raw HTML (a roll's unit code
``<svg/onload=...>`` would run in the reader's browser), while the text it renders through
string templates (expectation parameters, exception messages) it escapes itself. So each
result's ``result`` part, where the feed's values are, is HTML-escaped here before GX sees it
(:func:`neutral_result`), and nothing else is, so that no text is escaped twice.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from reconcile.feeds.spec import specs
from reconcile.publish.neutral import escape_strings
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame

log = logging.getLogger(__name__)

SITE = "reconcile"


def data_docs_folder(settings: Settings, quarter: Quarter) -> Path:
    return settings.output_dir / str(quarter) / "data_docs"


def neutral_result(raw: dict[str, Any]) -> dict[str, Any]:
    """A saved validation result whose feed values (each expectation's ``result``: unexpected
    values and their counts, observed values) are HTML-escaped; the rest as it was."""
    results = []
    for item in raw.get("results", []):
        if isinstance(item, dict) and isinstance(item.get("result"), dict):
            item = {**item, "result": escape_strings(item["result"])}
        results.append(item)
    return {**raw, "results": results}


def build_data_docs(settings: Settings, quarter: Quarter) -> Path | None:
    """Build the quarter's Data Docs site; the path of its index, or None with nothing to show."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResultSchema,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    # importing it also sets GX's logging and analytics off
    from reconcile.quality.expectations import load_suite

    with get_engine(settings.warehouse_url).connect() as conn:
        files = read_frame(conn, t.feed_file, quarter=str(quarter), status="loaded")
    results = []
    for item in files.itertuples(index=False):
        path = settings.data_dir / "validations" / f"{item.file_id}.json"
        if path.is_file():
            results.append((item, neutral_result(json.loads(path.read_text(encoding="utf-8")))))
    if not results:
        return None
    site = data_docs_folder(settings, quarter)
    shutil.rmtree(site, ignore_errors=True)
    context = gx.get_context(mode="ephemeral")
    context.add_data_docs_site(
        site_name=SITE,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    for feed in sorted(specs()):
        body = load_suite(settings.expectations_dir, feed)
        context.suites.add_or_update(
            gx.ExpectationSuite(
                name=body["name"], expectations=body["expectations"], meta=body.get("meta")
            )
        )
    schema = ExpectationSuiteValidationResultSchema()
    for item, raw in results:
        result = schema.load(raw)
        suite_name = f"{item.feed}_feed"
        result.suite_name = suite_name
        key = ValidationResultIdentifier(
            ExpectationSuiteIdentifier(suite_name),
            RunIdentifier(run_name=f"{item.province}-{item.file_name}", run_time=item.landed_at),
            f"{item.province}-{item.file_id[:12]}",
        )
        context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=[SITE])
    index = site / "index.html"
    log.info("Data Docs for %s: %d validation(s) at %s", quarter, len(results), index)
    return index
