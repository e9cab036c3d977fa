"""``bench peers``: the same generated provinces linked by this project and by Splink 5, side by
side, each scored against the generator's truth with the same function.

The feeds are generated and read into each province's ``firm`` and ``employer_unit`` frames as
``bench link`` does (timed apart). This project's side is ``link_partition`` per province in
worker processes, as ``bench link`` runs it; links in band "link" count. Splink's side runs in
its own process with the bench environment's Python (``.venv-bench``, ``make bench-env``: Splink
and DuckDB never enter the runtime), on CSV files of the same frames (unique id, province, tax
code as the roll wrote it, name, address), with an ordinary setup
(``peers_splink.py``); its best firm per unit above the match threshold counts. The
child is stopped past a time limit or a memory limit, and the report says where it was.

Both are scored by ``evaluation.evaluate_links`` over (unit, firm) links; the throughput ratio
is Splink's linking time over ours on the same data (above 1: this project is faster).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconcile.errors import ReconcileError

ROOT = Path(__file__).resolve().parents[3]
SPLINK_SCRIPT = Path(__file__).with_name("peers_splink.py")
# Provinces taken for ``--provinces N``: the Mekong delta first (82 is bench link's province).
PROVINCE_ORDER = ("82", "86", "91", "92", "96", "80", "75", "79", "68", "66")
INSTALL = (
    "install it with `make bench-env` (python3.11 -m venv .venv-bench && "
    ".venv-bench/bin/python -m pip install -r requirements-bench.txt), or name another "
    "Python with Splink 5 and DuckDB by --bench-python or RECONCILE_BENCH_PYTHON"
)


class BenchEnvMissing(ReconcileError):
    """No Python with Splink and DuckDB to run the peer: the message says how to install it."""


def bench_python(explicit: str | Path | None = None) -> Path:
    """The bench environment's Python: ``explicit``, RECONCILE_BENCH_PYTHON, or .venv-bench's."""
    chosen = explicit or os.environ.get("RECONCILE_BENCH_PYTHON")
    return Path(chosen) if chosen else ROOT / ".venv-bench" / "bin" / "python"


def splink_versions(python: Path) -> dict[str, str]:
    """Splink's and DuckDB's versions in ``python``'s environment, or ``BenchEnvMissing``."""
    if not Path(python).exists():
        raise BenchEnvMissing(f"no bench environment: {python} does not exist; {INSTALL}")
    probe = "import duckdb, splink; print(splink.__version__, duckdb.__version__)"
    try:
        done = subprocess.run(
            [str(python), "-c", probe], capture_output=True, text=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BenchEnvMissing(f"{python} does not run ({exc}); {INSTALL}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchEnvMissing(
            f"Splink or DuckDB cannot be imported by {python} ({last}); {INSTALL}"
        )
    splink, duckdb = done.stdout.split()
    return {"splink": splink, "duckdb": duckdb}


def choose_provinces(count: int, codes: str | None) -> tuple[str, ...]:
    if codes:
        return tuple(c.strip().zfill(2) for c in codes.split(",") if c.strip())
    if count < 1:
        raise ValueError("--provinces must be at least 1")
    if count <= len(PROVINCE_ORDER):
        return PROVINCE_ORDER[:count]
    from reconcile.text.admin_units import provinces

    rest = [p.code for p in provinces() if p.code not in PROVINCE_ORDER]
    return (*PROVINCE_ORDER, *rest)[:count]


# ---------------------------------------------------------------- this project's side
def _link_measured(job: tuple[str, Any, Any]) -> tuple[str, float, dict[str, Any], Any, float]:
    """``bench_link``'s one province, with the worker's peak resident memory (MB)."""
    from reconcile_dev.bench.link import _link_one

    code, seconds, stats, links = _link_one(job)
    return code, seconds, stats, links, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def link_ours(parts: dict[str, Any], workers: int) -> dict[str, Any]:
    """Every province through ``link_partition`` in worker processes (as the DAG maps them)."""
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd

    jobs = [(code, part.firms, part.units) for code, part in parts.items()]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        results = list(pool.map(_link_measured, jobs))
    seconds = time.perf_counter() - started
    links = pd.concat([r[3] for r in results], ignore_index=True)
    in_band = links[links["band"] == "link"] if not links.empty else links
    predicted = (
        dict(zip(in_band["unit_code"], in_band["tax_code"], strict=True)) if len(in_band) else {}
    )
    return {
        "seconds": seconds,
        "seconds_summed": sum(r[1] for r in results),
        "peak_mb": max(r[4] for r in results),
        "predicted": predicted,
    }


# ---------------------------------------------------------------- Splink's side
def write_peer_inputs(parts: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """The frames as Splink reads them: firms and units, one CSV each, all provinces."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    firms = pd.concat([p.firms for p in parts.values()], ignore_index=True)
    units = pd.concat([p.units for p in parts.values()], ignore_index=True)
    firms_csv, units_csv = folder / "firms.csv", folder / "units.csv"
    pd.DataFrame(
        {
            "unique_id": firms["tax_code"],
            "province": firms["province"],
            "tax_code": firms["tax_code"],
            "name": firms["name"],
            "address": firms["address"],
        }
    ).to_csv(firms_csv, index=False)
    # the roll's code as written: cleaning it is the peer's own work
    pd.DataFrame(
        {
            "unique_id": units["unit_code"],
            "province": units["province"],
            "tax_code": units["tax_code_raw"],
            "name": units["name"],
            "address": units["address"],
        }
    ).to_csv(units_csv, index=False)
    return firms_csv, units_csv


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        process = psutil.Process(pid)
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total
    except psutil.Error:
        return 0


@dataclass
class PeerRun:
    status: str  # "done", "stopped: time limit", "stopped: memory limit", "failed (exit N)"
    wall_seconds: float  # the child's wall time, from start to exit
    peak_mb: float  # the child's peak resident memory (its own rusage)
    phase: str  # the last phase the child reported
    stats: dict[str, Any] = field(default_factory=dict)
    predicted: dict[str, str] = field(default_factory=dict)
    error: str = ""


def run_splink(
    python: Path,
    firms_csv: Path,
    units_csv: Path,
    folder: Path,
    threads: int,
    seed: int,
    threshold: float,
    timeout: float,
    memory_gb: float,
    max_pairs: float,
    blocking: str = "word-pairs",
) -> PeerRun:
    """The Splink script in its own process, watched: stopped past ``timeout`` seconds or past
    ``memory_gb`` of resident memory, its peak memory read from its own resource usage."""
    out, stats = folder / "splink_links.csv", folder / "splink_stats.json"
    progress, log = folder / "splink_progress.txt", folder / "splink.log"
    for path in (out, stats, progress):
        path.unlink(missing_ok=True)
    command = [
        str(python),
        str(SPLINK_SCRIPT),
        "--firms",
        str(firms_csv),
        "--units",
        str(units_csv),
        "--out",
        str(out),
        "--stats",
        str(stats),
        "--progress",
        str(progress),
        "--threads",
        str(threads),
        "--seed",
        str(seed),
        "--threshold",
        str(threshold),
        "--max-pairs",
        str(max_pairs),
        "--blocking",
        blocking,
    ]
    limit = memory_gb * 1024**3
    status = ""
    with open(log, "w", encoding="utf-8") as handle:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
        while True:
            pid, wait_status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.perf_counter() - started
            if not status and elapsed > timeout:
                status = "stopped: time limit"
            elif not status and _tree_rss(child.pid) > limit:
                status = "stopped: memory limit"
            if status:
                os.kill(child.pid, signal.SIGKILL)
                pid, wait_status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.25)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(wait_status)
    phase = "starting"
    if progress.exists():
        lines = progress.read_text(encoding="utf-8").splitlines()
        phase = lines[-1].split(" ", 1)[1] if lines else "starting"
    run = PeerRun(status or "done", wall, usage.ru_maxrss / 1024, phase)
    if not status and child.returncode != 0:
        run.status = f"failed (exit {child.returncode})"
        run.error = "\n".join(log.read_text(encoding="utf-8").splitlines()[-15:])
    if run.status == "done":
        run.stats = json.loads(stats.read_text(encoding="utf-8"))
        with open(out, encoding="utf-8", newline="") as handle:
            run.predicted = {r["unit_code"]: r["tax_code"] for r in csv.DictReader(handle)}
    return run


# ---------------------------------------------------------------- both, scored the same way
def _scores(parts: dict[str, Any], predicted: dict[str, str]) -> dict[str, Any]:
    from reconcile_dev.bench.link import needs_fuzzy
    from reconcile_dev.evaluation import evaluate_links, score

    truth_links = [link for part in parts.values() for link in part.truth_links]
    unit_noise = {u: n for part in parts.values() for u, n in part.unit_noise.items()}
    fuzzy_units = set().union(*(needs_fuzzy(part) for part in parts.values()))
    expected = {(link["unit_code"], link["tax_code"]) for link in truth_links}
    quality = evaluate_links(truth_links, unit_noise, predicted)
    fuzzy = score(
        (pair for pair in expected if pair[0] in fuzzy_units),
        (pair for pair in predicted.items() if pair[0] in fuzzy_units),
    ).as_dict()
    return {"all": quality["overall"], "needing_fuzzy": fuzzy, "by_noise": quality["by_noise"]}


def _f(value: float | None) -> str:
    return "    - " if value is None else f"{value:6.3f}"


def bench_peers(
    firms: int,
    provinces: tuple[str, ...],
    seed: int = 42,
    workers: int = 2,
    folder: Path | None = None,
    python: Path | None = None,
    threshold: float = 0.9,
    timeout: float = 900.0,
    memory_gb: float | None = None,
    max_pairs: float = 1e7,
    blocking: str = "word-pairs",
) -> dict[str, Any]:
    """Generate, link with both, score both: the figures as a JSON-ready dict (``format_peers``
    prints them). Raises ``BenchEnvMissing`` before generating anything if Splink is missing."""
    import psutil

    from reconcile_dev.bench.link import generate_feeds, read_frames

    python = bench_python(python)
    versions = splink_versions(python)
    if memory_gb is None:  # the machine's RAM less room for this process and the system
        memory_gb = round(min(16.0, 0.6 * psutil.virtual_memory().total / 1024**3), 1)
    provinces = tuple(str(p).zfill(2) for p in provinces)
    target = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="reconcile-bench-peers-"))
    try:
        started = time.perf_counter()
        generate_feeds(firms, provinces, seed, target, workers)
        generating = time.perf_counter() - started
        started = time.perf_counter()
        parts = read_frames(target, provinces, workers)
        reading = time.perf_counter() - started
        started = time.perf_counter()
        firms_csv, units_csv = write_peer_inputs(parts, target / "peers")
        writing = time.perf_counter() - started

        ours = link_ours(parts, workers)
        peer = run_splink(
            python,
            firms_csv,
            units_csv,
            target / "peers",
            workers,
            seed,
            threshold,
            timeout,
            memory_gb,
            max_pairs,
            blocking,
        )
    finally:
        if folder is None:
            shutil.rmtree(target, ignore_errors=True)

    ours_scores = _scores(parts, ours["predicted"])
    peer_seconds = peer.stats.get("linking_seconds") if peer.status == "done" else None
    peer_scores = _scores(parts, peer.predicted) if peer.status == "done" else None
    ratio = peer_seconds / ours["seconds"] if peer_seconds else None
    return {
        "firms": sum(len(p.firms) for p in parts.values()),
        "units": sum(len(p.units) for p in parts.values()),
        "provinces": list(provinces),
        "per_province": -(-firms // len(provinces)),
        "seed": seed,
        "workers": workers,
        "preparing_seconds": {
            "generate": round(generating, 2),
            "read": round(reading, 2),
            "write_peer_csv": round(writing, 2),
        },
        "ours": {
            "seconds": round(ours["seconds"], 2),
            "seconds_summed_over_provinces": round(ours["seconds_summed"], 2),
            "peak_mb": round(ours["peak_mb"]),
            "scores": ours_scores,
        },
        "splink": {
            **versions,
            "python": str(python),
            "status": peer.status,
            "phase": peer.phase,
            "seconds": peer_seconds,
            "process_wall_seconds": round(peer.wall_seconds, 2),
            "peak_mb": round(peer.peak_mb),
            "limits": {"seconds": timeout, "memory_gb": memory_gb},
            "threshold": threshold,
            "max_pairs_u": max_pairs,
            "blocking": blocking,
            "stats": peer.stats,
            "scores": peer_scores,
            "error": peer.error,
        },
        "ratios": {
            "throughput": None if ratio is None else round(ratio, 2),
            "throughput_at_least": (
                round(peer.wall_seconds / ours["seconds"], 2)
                if peer.status.startswith("stopped")
                else None
            ),
            "memory": round(peer.peak_mb / max(ours["peak_mb"], 1), 2),
            "f1_difference": (
                None
                if peer_scores is None
                else round((ours_scores["all"]["f1"] or 0) - (peer_scores["all"]["f1"] or 0), 4)
            ),
        },
    }


def format_peers(result: dict[str, Any]) -> str:
    ours, peer, ratios = result["ours"], result["splink"], result["ratios"]
    prep = result["preparing_seconds"]
    lines = [
        f"peers benchmark: {len(result['provinces'])} province(s) ({', '.join(result['provinces'])})"
        f" x {result['per_province']:,} firms, seed {result['seed']}, {result['workers']} "
        f"worker(s) / DuckDB threads",
        f"  firms {result['firms']:,}   units {result['units']:,}",
        f"  preparing (not measured): generate {prep['generate']:,.1f} s, read and build frames "
        f"{prep['read']:,.1f} s, write Splink's CSV {prep['write_peer_csv']:,.1f} s",
        f"  {'':<30} {'time':>9} {'peak mem.':>10}  {'prec.':>6} {'recall':>6} {'F1':>6}"
        f"  {'fuzzy P':>7} {'fuzzy R':>7} {'fuzzy F1':>8}",
    ]

    def row(name: str, seconds: float | None, mb: float, scores: dict[str, Any] | None) -> str:
        time_text = "-" if seconds is None else f"{seconds:,.1f} s"
        if scores is None:
            tail = ""
        else:
            a, z = scores["all"], scores["needing_fuzzy"]
            tail = (
                f"  {_f(a['precision'])} {_f(a['recall'])} {_f(a['f1'])}"
                f"   {_f(z['precision'])}  {_f(z['recall'])}   {_f(z['f1'])}"
            )
        return f"  {name:<30} {time_text:>9} {mb:>7,.0f} MB{tail}"

    lines.append(row("this project", ours["seconds"], ours["peak_mb"], ours["scores"]))
    label = f"Splink {peer['splink']} (DuckDB {peer['duckdb']})"
    if peer["status"] == "done":
        lines.append(row(label, peer["seconds"], peer["peak_mb"], peer["scores"]))
        s = peer["stats"]["seconds"]
        lines.append(
            f"  Splink by phase: clean {s['clean']:,.1f} s, train {s['train']:,.1f} s (prior "
            f"{s['train_prior']:,.1f}, u {s['train_u']:,.1f}, EM {s['train_em']:,.1f}), predict "
            f"{s['predict']:,.1f} s, best match per unit {s['best_match']:,.1f} s; its process "
            f"{peer['process_wall_seconds']:,.1f} s with import and reading; "
            f"{peer['stats']['pairs_above_threshold']:,} pairs above {peer['threshold']}"
        )
        lines.append(
            f"  ratios: throughput (Splink's time / ours) {ratios['throughput']:.2f}x   "
            f"memory (Splink's / ours) {ratios['memory']:.2f}x   F1 ours - Splink's "
            f"{ratios['f1_difference']:+.4f}"
        )
    elif peer["status"].startswith("stopped"):
        lines.append(
            f"  {label}: stopped after {peer['process_wall_seconds']:,.0f} s at "
            f"{peer['peak_mb'] / 1024:,.1f} GB while {peer['phase']} "
            f"({peer['status'].split(': ', 1)[-1]})"
        )
        lines.append(
            f"  ratios: throughput (Splink's time / ours) at least "
            f"{ratios['throughput_at_least']:.1f}x (Splink unfinished)   memory at least "
            f"{ratios['memory']:.1f}x"
        )
    else:
        lines.append(f"  {label}: {peer['status']} while {peer['phase']}:\n{peer['error']}")
    lines.append(
        f"  Splink's setup: blocking {peer['blocking']}, match probability {peer['threshold']}, "
        f"u from {peer['max_pairs_u']:,.0f} sampled pairs; stopped past "
        f"{peer['limits']['seconds']:,.0f} s or {peer['limits']['memory_gb']:,.1f} GB"
    )
    lines.append(
        "  times: linking only (this project: link_partition over the provinces in worker "
        "processes; Splink: cleaning, training, prediction and best match, in DuckDB)"
    )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """``python -m reconcile bench peers``."""
    result = bench_peers(
        args.firms,
        choose_provinces(args.provinces, args.codes),
        seed=args.seed,
        workers=args.workers,
        folder=args.folder,
        python=args.bench_python,
        threshold=args.threshold,
        timeout=args.peer_timeout,
        memory_gb=args.peer_memory_gb,
        max_pairs=args.max_pairs,
        blocking=args.peer_blocking,
    )
    print(format_peers(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    # stopped at a limit is a figure (Splink did not finish); a failure of the script is not
    status = result["splink"]["status"]
    return 0 if status == "done" or status.startswith("stopped") else 1
