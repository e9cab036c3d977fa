"""The development tools (``reconcile_dev``: the generator, evaluation, the benchmarks) stay out of
what Airflow runs: importing the DAGs, and what a worker preloads for its tasks, loads none of
them, and nothing under ``plugins/reconcile`` imports them but the command line's hook."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "plugins" / "reconcile"
DEV = "reconcile_dev"
# The one runtime module allowed to import the development package: the CLI adds its commands.
CLI_HOOK = Path("cli/__init__.py")

IMPORT_DAGS = """
    import importlib.util, json, sys
    from pathlib import Path

    from reconcile.preload import MODULES

    for path in sorted(Path(sys.argv[1]).glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"dag_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    for name in ("reconcile.airflow.tasks", *MODULES):
        __import__(name)
    print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "reconcile_dev")))
"""


def dev_modules_loaded_by_dags(dags: Path, tmp_path: Path) -> list[str]:
    """The ``reconcile_dev`` modules in ``sys.modules`` of a fresh interpreter that imported
    every DAG file in ``dags``, the task functions and the worker's preloaded modules."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(dags)]),
        "AIRFLOW_HOME": str(tmp_path / "airflow_home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(IMPORT_DAGS), str(dags)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def runtime_modules_importing_dev(package: Path) -> list[Path]:
    """The modules under ``package`` that import ``reconcile_dev``, the CLI hook aside."""
    return sorted(
        path.relative_to(package)
        for path in package.rglob("*.py")
        if path.relative_to(package) != CLI_HOOK
        and any(name.split(".")[0] == DEV for name in imports_of(path))
    )


def test_importing_the_dags_loads_no_development_module(tmp_path: Path) -> None:
    assert sorted((ROOT / "dags").glob("*.py")), "no DAG files found"
    assert dev_modules_loaded_by_dags(ROOT / "dags", tmp_path) == []


def test_no_runtime_module_imports_the_development_package_but_the_cli() -> None:
    assert runtime_modules_importing_dev(RUNTIME) == []
    assert DEV in {name.split(".")[0] for name in imports_of(RUNTIME / CLI_HOOK)}


def test_the_checks_catch_a_dag_or_a_module_that_imports_the_development_package(
    tmp_path: Path,
) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "careless.py").write_text("from reconcile_dev.evaluation import score\n")
    assert "reconcile_dev.evaluation" in dev_modules_loaded_by_dags(dags, tmp_path)

    package = tmp_path / "reconcile"
    (package / "match").mkdir(parents=True)
    (package / "match" / "careless.py").write_text(
        "def f():\n    import reconcile_dev.synth\n    return reconcile_dev.synth\n"
    )
    (package / "fine.py").write_text("from reconcile.quarter import Quarter\n")
    assert runtime_modules_importing_dev(package) == [Path("match/careless.py")]


@pytest.mark.parametrize("command", ["synth", "evaluate", "bench"])
def test_the_development_commands_keep_their_names(command: str) -> None:
    from reconcile.cli import build_parser

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([command, "--help"])
    assert exited.value.code == 0
