"""Run a feed's Great Expectations suite on a cleaned frame and turn failures into row reasons.

Suites are data (``expectations/<feed>.json``); each expectation's ``meta.reason`` is the
sentence a quarantined row carries. Row-level expectations name the failing rows
(``unexpected_index_list``); a failing table-level expectation makes the file unusable.
GX is imported lazily: it costs seconds, and DAG parsing must not pay it.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass
class ValidationOutcome:
    success: bool
    row_reasons: dict[int, list[str]]  # frame index -> reasons
    table_failures: list[str]
    result: dict[str, Any]  # the GX validation result, JSON-ready
    statistics: dict[str, Any]


def load_suite(expectations_dir: Path, feed: str) -> dict[str, Any]:
    path = expectations_dir / f"{feed}.json"
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _context() -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    except Exception:  # older/newer GX shapes: progress bars are cosmetic
        log.debug("could not switch GX progress bars off", exc_info=True)
    return context


def validate_frame(frame: pd.DataFrame, suite_json: dict[str, Any], name: str) -> ValidationOutcome:
    """Validate ``frame`` (a clean RangeIndex is required) with the suite; map failures to rows."""
    import great_expectations as gx

    context = _context()
    suite_name = f"{suite_json['name']}::{name}"
    body = {k: v for k, v in suite_json.items() if k in ("expectations", "meta")}
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite_name, **body))
    source = context.data_sources.add_or_update_pandas(name="feeds")
    asset_name = f"frame_{abs(hash(suite_name))}"
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(name=asset_name)
    definition = asset.add_batch_definition_whole_dataframe(f"batch_{len(asset.batch_definitions)}")
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "COMPLETE"})

    reasons: dict[int, list[str]] = {}
    table_failures: list[str] = []
    meta_by_id = {e.id: e.meta or {} for e in suite.expectations}
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        meta = meta_by_id.get(config.id, config.meta or {}) or {}
        reason = meta.get("reason") or f"{config.type} on {config.kwargs.get('column', 'table')}"
        indexes = item.result.get("unexpected_index_list") if item.result else None
        if indexes is None:
            table_failures.append(reason)
            continue
        for index in indexes:
            position = index if isinstance(index, int) else index.get("index")
            reasons.setdefault(int(position), []).append(reason)
    context.suites.delete(suite_name)
    return ValidationOutcome(
        success=bool(result.success),
        row_reasons=reasons,
        table_failures=table_failures,
        result=result.to_json_dict(),
        statistics=dict(result.statistics),
    )
