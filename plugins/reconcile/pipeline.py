"""One quarter, every step, in order, without a scheduler: what the DAG does, task by task."""

from __future__ import annotations

import logging
import time
from typing import Any

from reconcile import steps
from reconcile.quarter import Quarter
from reconcile.settings import Settings

log = logging.getLogger(__name__)


def run_quarter(
    settings: Settings, quarter: Quarter, run_id: str, provinces: list[str] | None = None
) -> dict[str, Any]:
    started = time.perf_counter()
    steps.start_run(settings, quarter, run_id)
    landing = steps.land(settings, quarter)
    for number, file_id in enumerate(landing["to_ingest"], start=1):
        log.info("ingesting file %d of %d", number, len(landing["to_ingest"]))
        steps.ingest(settings, file_id)
    published = []
    for province in provinces or landing["provinces"]:
        steps.load(settings, quarter, province)
        steps.link(settings, quarter, province)
        steps.apply_rules(settings, quarter, province)
        published.append(steps.publish(settings, quarter, province))
    summary = steps.summarise(settings, quarter, run_id, landing, published)
    log.info("quarter %s done in %.1f s", quarter, time.perf_counter() - started)
    return summary
