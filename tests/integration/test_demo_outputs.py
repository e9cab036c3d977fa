"""`make demo` publishes the same workbooks and CSVs, byte for byte, as when the digest was
recorded: reshaping the code (issue 18) must not change what inspectors and managers receive.

The demo runs for real (the three DAGs through `airflow dags test`, as the README's first
command), in a folder of its own (`make demo VAR=...`). Its published .xlsx and .csv files are
hashed and compared with `tests/data/demo_outputs.sha256`. When an output changes on purpose,
record the new digest and say why in the commit:

    RECORD_DEMO_OUTPUTS=1 .venv/bin/python -m pytest tests/integration/test_demo_outputs.py
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "data" / "demo_outputs.sha256"
PUBLISHED = ("*.xlsx", "*.csv")

pytestmark = pytest.mark.slow


def digests(output: Path) -> dict[str, str]:
    """sha256 of every published workbook and CSV under ``output``, by path relative to it."""
    files = sorted({path for pattern in PUBLISHED for path in output.rglob(pattern)})
    return {path.relative_to(output).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in files}  # fmt: skip


def read_recorded() -> dict[str, str]:
    lines = RECORDED.read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split(None, 1) for line in lines if line)}


def test_make_demo_publishes_the_recorded_workbooks_and_csvs(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("RECONCILE_", "AIRFLOW"))}  # fmt: skip
    done = subprocess.run(["make", "--no-print-directory", "demo", f"VAR={tmp_path}"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    found = digests(tmp_path / "output")
    assert any(name.endswith(".xlsx") for name in found) and any(
        name.endswith(".csv") for name in found
    ), sorted(found)
    if os.environ.get("RECORD_DEMO_OUTPUTS"):
        RECORDED.write_text("".join(f"{digest}  {name}\n" for name, digest in found.items()),
                            encoding="utf-8")  # fmt: skip
        pytest.skip(f"recorded {len(found)} digests in {RECORDED.relative_to(ROOT)}")
    recorded = read_recorded()
    assert sorted(found) == sorted(recorded), "the demo publishes other files than recorded"
    changed = [name for name in found if found[name] != recorded[name]]
    assert not changed, f"these outputs of the demo changed: {changed}"
