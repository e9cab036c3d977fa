"""``bench peers`` on a tiny province: both linkers scored and the ratio printed, when the bench
environment has Splink (``make bench-env``); otherwise a plain skip that says how to install it.

CI does not install Splink: the skip is an ordinary ``pytest.skip`` (tests/conftest.py turns
into failures under CI only the skips of its PostgreSQL and Redis fixtures, and tests/browser.py
those of a missing browser), so the suite stays green there. Without Splink the command itself
must still fail plainly and say how to install it: that test always runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconcile.cli import main
from reconcile_dev.bench.peers import BenchEnvMissing, bench_python, splink_versions


def _splink_or_skip() -> None:
    try:
        splink_versions(bench_python())
    except BenchEnvMissing as exc:
        pytest.skip(f"Splink is not installed for bench peers: {exc}")


@pytest.mark.slow
def test_bench_peers_scores_both_and_prints_the_ratio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _splink_or_skip()
    out = tmp_path / "peers.json"
    argv = ["bench", "peers", "--firms", "300", "--provinces", "1", "--seed", "5"]
    assert main([*argv, "--workers", "1", "--peer-timeout", "300", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "this project" in printed and "Splink 5" in printed
    assert "throughput (Splink's time / ours)" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["splink"]["status"] == "done" and result["splink"]["splink"].startswith("5.")
    ours, peer = result["ours"]["scores"]["all"], result["splink"]["scores"]["all"]
    assert ours["expected"] == peer["expected"] > 0  # the same truth for both
    assert ours["f1"] > 0.5 and peer["f1"] > 0.5
    assert result["ratios"]["throughput"] > 0 and result["ours"]["peak_mb"] > 0
    assert result["splink"]["peak_mb"] > 0


def test_bench_peers_without_splink_says_how_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-venv" / "bin" / "python"
    assert main(["bench", "peers", "--firms", "300", "--bench-python", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "make bench-env" in err and "requirements-bench.txt" in err and str(missing) in err
