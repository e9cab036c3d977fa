"""Benchmarks that print their figures (never timed tests: these machines are shared and noisy)."""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from pathlib import Path

from reconcile.quarter import Quarter


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def bench_synth(firms: int, provinces: str, seed: int, workers: int, folder: Path | None) -> str:
    """Generate one quarter of ``firms`` firms spread over the provinces; report time and memory."""
    from reconcile.text.admin_units import provinces as all_provinces
    from reconcile_dev.synth import SynthConfig, generate

    codes = (
        tuple(p.code for p in all_provinces())
        if provinces == "all"
        else tuple(provinces.split(","))
    )
    per_province = -(-firms // len(codes))
    config = SynthConfig(
        quarters=(Quarter.parse("2025Q3"),), provinces=codes, firms=per_province, seed=seed
    )
    target = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="reconcile-bench-"))
    try:
        started = time.perf_counter()
        result = generate(config, target / "landing", target / "truth", workers=workers)
        elapsed = time.perf_counter() - started
        own, child = peak_memory_mb()
        feeds, truth = _folder_size_mb(target / "landing"), _folder_size_mb(target / "truth")
    finally:
        if folder is None:
            shutil.rmtree(target, ignore_errors=True)
    rows = sum(result.counts.values())
    return "\n".join(
        [
            f"synth benchmark: {len(codes)} province(s) x {per_province:,} firms, one quarter, seed {seed}, {workers} worker(s)",
            f"  firms {result.firms:,}   units {result.units:,}   feed rows {rows:,}",
            f"  wall time {elapsed:,.1f} s   ({result.firms / elapsed:,.0f} firms/s)",
            f"  peak memory: this process {own:,.0f} MB, largest worker {child:,.0f} MB",
            f"  written: feeds {feeds:,.0f} MB, truth {truth:,.0f} MB",
        ]
    )
