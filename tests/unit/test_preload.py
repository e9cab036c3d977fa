"""A Celery worker imports Great Expectations and the steps once (reconcile.airflow.celery_config);
the scheduler, which imports the same settings to send work, does not pay for it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        cwd=ROOT, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"},
        timeout=300, check=False,
    )  # fmt: skip


def test_the_worker_settings_are_airflows_and_importing_them_imports_nothing_heavy() -> None:
    done = run_python("""
        import sys
        from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
        from celery.signals import worker_init
        from reconcile.airflow import celery_config
        assert celery_config.CELERY_CONFIG == DEFAULT_CELERY_CONFIG
        assert "great_expectations" not in sys.modules
        assert "reconcile.steps" not in sys.modules
        receivers = [ref() for _, ref in worker_init.receivers]
        assert celery_config.preload_task_imports in receivers, receivers
        print("ok")
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


def test_a_starting_worker_imports_what_tasks_would_and_a_task_then_does_not_import_gx() -> None:
    done = run_python("""
        import logging, sys
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
        from reconcile.airflow import celery_config
        celery_config.preload_task_imports(sender=None)
        from reconcile.preload import MODULES
        missing = [name for name in MODULES if name not in sys.modules]
        assert not missing, missing
        from reconcile.quality import expectations
        expectations.gx()
        print("done")
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "preloaded for tasks: great_expectations" in done.stdout
    assert "imported Great Expectations in this task" not in done.stdout
    assert done.stdout.strip().endswith("done")


def test_a_task_that_imports_gx_itself_says_so() -> None:
    done = run_python("""
        import logging, sys
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
        from reconcile.quality import expectations
        assert "great_expectations" not in sys.modules
        assert expectations.gx().__name__ == "great_expectations"
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "imported Great Expectations in this task" in done.stdout


def test_a_module_that_cannot_be_imported_is_skipped_with_a_warning() -> None:
    done = run_python("""
        import logging, sys
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
        from reconcile.preload import preload
        took = preload(("no_such_module_here", "json"))
        assert list(took) == ["json"], took
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "could not preload no_such_module_here" in done.stdout
