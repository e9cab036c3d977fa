"""Celery settings for the workers: Airflow's own, plus the task imports done once a worker.

Set ``AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=reconcile.airflow.celery_config.CELERY_CONFIG``
(the compose file does). The scheduler and API server import this module too, to send work:
they only copy the defaults and register a signal handler, nothing heavy. When a worker starts
(``worker_init``, in its main process, before its pool processes are forked), the handler
imports what tasks would otherwise import one by one (``reconcile.preload``): every task
process, forked from a pool process, inherits it. That takes Great Expectations' 3 s import out
of every ingest and summarise task (docs/benchmarks.md, "Great Expectations once a worker").
"""

from __future__ import annotations

from typing import Any

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from celery.signals import worker_init

CELERY_CONFIG: dict[str, Any] = dict(DEFAULT_CELERY_CONFIG)


@worker_init.connect
def preload_task_imports(**_: Any) -> None:
    from reconcile.preload import preload

    preload()
