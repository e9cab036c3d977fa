"""One quarter, every step, in order, without a scheduler: what the DAG does, task by task.

One partner's bad file stops nothing else: a file that cannot be used is refused as a file
(``feed_file`` says why) and the others are ingested; a province whose step fails, or whose
feeds are not whole, is reported and the other provinces publish. The summary is always
written; what needs a person is in ``summary["problems"]``, and the command line exits non-zero
for it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from reconcile import steps
from reconcile.feeds.errors import FeedFileError
from reconcile.quarter import Quarter
from reconcile.settings import Settings

log = logging.getLogger(__name__)


def run_quarter(
    settings: Settings, quarter: Quarter, run_id: str, provinces: list[str] | None = None
) -> dict[str, Any]:
    started = time.perf_counter()
    steps.start_run(settings, quarter, run_id)
    try:
        landing = steps.land(settings, quarter)
        for number, file_id in enumerate(landing["to_ingest"], start=1):
            log.info("ingesting file %d of %d", number, len(landing["to_ingest"]))
            try:
                steps.ingest(settings, file_id)
            except FeedFileError as exc:
                log.error("file refused, the others go on: %s", exc)
        published, failed = [], []
        for province in provinces or landing["provinces"]:
            try:
                steps.load(settings, quarter, province)
                steps.link(settings, quarter, province)
                steps.apply_rules(settings, quarter, province)
                published.append(steps.publish(settings, quarter, province))
            except Exception as exc:  # one province's failure is reported, the others go on
                log.exception("province %s failed; the other provinces go on", province)
                failed.append(f"province {province} failed: {type(exc).__name__}: {exc}")
        summary = steps.summarise(settings, quarter, run_id, landing, published, failed)
    except BaseException as exc:
        steps.end_run(settings, run_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    log.info("quarter %s done in %.1f s", quarter, time.perf_counter() - started)
    return summary
