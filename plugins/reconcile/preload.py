"""The modules a task process would otherwise import itself, imported once by its parent.

Airflow 3 runs a task in a process forked from the worker (``supervise`` forks on Linux), and
Celery's pool processes are forked from the worker's main process: what the main process has
imported, every task inherits. Great Expectations alone costs about 3 s to import
(docs/benchmarks.md), paid by every ingest and summarise task unless it is imported here.
``reconcile.airflow.celery_config`` calls ``preload()`` when a Celery worker starts;
``bench pipeline --start-method forkserver`` hands ``MODULES`` to its forkserver.
"""

from __future__ import annotations

import importlib
import logging
import os
import time

log = logging.getLogger(__name__)

# Heaviest first: a module that fails to import does not stop the others.
MODULES = ("great_expectations", "reconcile.steps", "reconcile.quality.data_docs")


def preload(modules: tuple[str, ...] = MODULES) -> dict[str, float]:
    """Import ``modules``; returns the seconds each took. A failure is logged, never raised:
    a task that needs the module imports it itself (and says so, ``expectations.gx``)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    took: dict[str, float] = {}
    for name in modules:
        started = time.perf_counter()
        try:
            importlib.import_module(name)
        except Exception:  # the task will import it and fail there, with its own traceback
            log.warning(
                "could not preload %s; tasks will import it themselves", name, exc_info=True
            )
            continue
        took[name] = time.perf_counter() - started
    log.info(
        "preloaded for tasks: %s",
        ", ".join(f"{name} {seconds:.1f} s" for name, seconds in took.items()),
    )
    return took
