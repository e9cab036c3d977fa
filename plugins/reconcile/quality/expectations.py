"""Run a feed's Great Expectations suite on a cleaned frame and turn failures into row reasons.

A feed's suite is its contract's baseline plus data: each required column of
``feeds/data/spec.yaml`` is expected to exist and to be filled (built here, :func:`load_suite`),
and ``expectations/<feed>.json`` holds only what the contract cannot say (formats, check
digits, unique keys, ranges). Each expectation's ``meta.reason`` is the sentence a quarantined
row carries. Row-level expectations name the failing rows (``unexpected_index_list``); a
failing table-level expectation makes the file unusable. GX is imported lazily: it costs
seconds, and DAG parsing must not pay it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from reconcile.feeds.spec import specs

log = logging.getLogger(__name__)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass
class ValidationOutcome:
    success: bool
    row_reasons: dict[int, list[str]]  # frame index -> reasons
    table_failures: list[str]
    result: dict[str, Any]  # the GX validation result, JSON-ready
    statistics: dict[str, Any]


def column_exists(column: str) -> dict[str, Any]:
    """The baseline expectation that a required column is there (fails the file)."""
    return {
        "type": "expect_column_to_exist",
        "kwargs": {"column": column},
        "meta": {"reason": f"column {column} missing"},
    }


def column_filled(column: str) -> dict[str, Any]:
    """The baseline expectation that a required column is filled on every row."""
    return {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": column},
        "meta": {"reason": f"{column}: blank (required)"},
    }


def load_suite(expectations_dir: Path, feed: str) -> dict[str, Any]:
    """The feed's suite: ``name``, ``expectations`` and (if the file has it) ``meta``.

    The order is the order of a row's reasons, so it is fixed: first every required column
    exists (spec order; but those the file lists in ``not_checked_to_exist``), then each
    required column is filled, followed at once by the file's ``after_not_null`` checks of that
    column (its format, its check digit), then the file's other ``expectations``.
    """
    path = expectations_dir / f"{feed}.json"
    with open(path, encoding="utf-8") as handle:
        body = json.load(handle)
    required = specs()[feed].required
    after: dict[str, list[dict[str, Any]]] = body.get("after_not_null", {})
    unchecked = set(body.get("not_checked_to_exist", ()))
    strangers = (set(after) | unchecked) - set(required)
    if strangers:
        raise ValueError(f"{path}: {', '.join(sorted(strangers))} not a required column of {feed}")
    expectations = [column_exists(c) for c in required if c not in unchecked]
    for column in required:
        expectations += [column_filled(column), *after.get(column, ())]
    suite: dict[str, Any] = {
        "name": f"{feed}_feed",
        "expectations": [*expectations, *body.get("expectations", ())],
    }
    if "meta" in body:
        suite["meta"] = body["meta"]
    return suite


def gx() -> Any:
    """Great Expectations, imported here unless the worker preloaded it (``reconcile.preload``);
    a task that pays the import says so, with what it cost."""
    if "great_expectations" not in sys.modules:
        started = time.perf_counter()
        import great_expectations

        log.info(
            "imported Great Expectations in this task (%.1f s): a Celery worker preloads "
            "it with reconcile.airflow.celery_config, docs/deployment.md",
            time.perf_counter() - started,
        )
    import great_expectations

    return great_expectations


@cache
def _context() -> Any:
    context = gx().get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    except Exception:  # older/newer GX shapes: progress bars are cosmetic
        log.debug("could not switch GX progress bars off", exc_info=True)
    return context


def validate_frame(
    frame: pd.DataFrame,
    suite_json: dict[str, Any],
    name: str,
    lines: Sequence[int] | None = None,
    about: dict[str, Any] | None = None,
) -> ValidationOutcome:
    """Validate ``frame`` (a clean RangeIndex is required) with the suite; map failures to rows.

    ``lines`` gives each row's line in the partner's file: the result kept then names the
    failing rows by line (``unexpected_lines``, beside GX's frame positions), which is what
    the report shows. ``about`` (the file's name, feed, headers as written) is kept in the
    result's ``meta["reconcile"]``.
    """
    context = _context()
    suite_name = f"{suite_json['name']}::{name}"
    body = {k: v for k, v in suite_json.items() if k in ("expectations", "meta")}
    suite = context.suites.add_or_update(gx().ExpectationSuite(name=suite_name, **body))
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
    kept = result.to_json_dict()
    if lines is not None:
        _add_lines(kept, list(lines))
    if about is not None:
        kept["meta"] = {**(kept.get("meta") or {}), "reconcile": about}
    return ValidationOutcome(
        success=bool(result.success),
        row_reasons=reasons,
        table_failures=table_failures,
        result=kept,
        statistics=dict(result.statistics),
    )


def _position(index: Any) -> int | None:
    position = index if isinstance(index, int) else (index or {}).get("index")
    return int(position) if position is not None else None


def _add_lines(result: dict[str, Any], lines: list[int]) -> None:
    """Each failing expectation's rows as lines of the file (``unexpected_lines``, and
    ``partial_unexpected_lines`` for GX's first examples)."""
    for item in result.get("results", []):
        found = item.get("result") if isinstance(item, dict) else None
        if not isinstance(found, dict):
            continue
        for source, target in (
            ("unexpected_index_list", "unexpected_lines"),
            ("partial_unexpected_index_list", "partial_unexpected_lines"),
        ):
            if isinstance(found.get(source), list):
                positions = [_position(i) for i in found[source]]
                found[target] = [
                    int(lines[p]) if p is not None and 0 <= p < len(lines) else None
                    for p in positions
                ]
