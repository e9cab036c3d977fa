"""The whole pipeline's benchmark: every step of the DAG, each task in its own fresh process.

An Airflow worker runs each task instance in a process of its own, so what limits a
deployment is the peak memory of its largest *task*, not of the whole run. Here every task
runs in a process spawned for it alone (a pool of ``workers`` processes, one task per process,
like a Celery worker with that concurrency), and the process reports the step's wall time and
its own peak resident memory (``ru_maxrss``).

Stages run one after the other (every ingest, then every load, then every link, ...) so each
has a clean wall time. The DAG chains a province's load, link, rules and publish instead, so
a province can start linking while another is still loading: its overall wall time can be a
little shorter than the sum of the stages here.

Generating the feeds is preparation and is timed apart. The warehouse must hold nothing of
the quarter yet: landing registers files by content hash, so a second run into the same
warehouse would skip every file and measure nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconcile.preload import MODULES as PRELOAD
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile_dev.bench.link import province_codes

log = logging.getLogger(__name__)

QUARTER = "2025Q3"
# The DAG's steps in the order it runs them; "land" is start_run and land in one task.
STAGES = ("land", "ingest", "load", "link", "rules", "publish", "summarise")
COUNTED_TABLES = ("firm", "employer_unit", "link", "finding")
START_METHODS = ("spawn", "forkserver")
# ``--size``: (firms, provinces); a province is the national size's share of one (82)
PIPELINE_SIZES = {"national": (1_000_000, "all"), "province": (29_412, "82")}


# ---------------------------------------------------------------- one task, in its own process
def run_task(
    stage: str, settings: Settings, quarter: str, key: str, context: dict[str, Any]
) -> dict[str, Any]:
    """One task of the DAG, as an Airflow worker runs it: called in a process spawned for it.

    Returns the step's own wall time (imports and process start-up excluded, they are in the
    stage's wall time) and the process's peak resident memory, imports included, in MB.
    """
    from reconcile import steps

    q = Quarter.parse(quarter)
    started = time.perf_counter()
    if stage == "land":
        steps.start_run(settings, q, context["run_id"])
        result: Any = steps.land(settings, q)
    elif stage == "ingest":
        result = steps.ingest(settings, key)
    elif stage == "load":
        result = steps.load(settings, q, key)
    elif stage == "link":
        result = steps.link(settings, q, key)
    elif stage == "rules":
        result = steps.apply_rules(settings, q, key)
    elif stage == "publish":
        result = steps.publish(settings, q, key)
    elif stage == "summarise":
        # as the DAG calls it: the landing summary, the published files found on disk
        result = steps.summarise(settings, q, context["run_id"], context["landing"])
    else:
        raise ValueError(f"unknown stage {stage}")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return {"seconds": seconds, "peak_mb": peak_mb, "result": result}


# ---------------------------------------------------------------- the figures
@dataclass
class StageFigures:
    """One stage: its tasks' times and peaks, and the stage's own wall time."""

    stage: str
    wall_seconds: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)  # task key -> step wall time
    peak_mb: dict[str, float] = field(default_factory=dict)  # task key -> process peak

    @property
    def tasks(self) -> int:
        return len(self.seconds)

    @property
    def summed_seconds(self) -> float:
        return sum(self.seconds.values())

    @property
    def slowest(self) -> tuple[str, float]:
        key = max(self.seconds, key=self.seconds.__getitem__)
        return key, self.seconds[key]

    @property
    def largest(self) -> tuple[str, float]:
        key = max(self.peak_mb, key=self.peak_mb.__getitem__)
        return key, self.peak_mb[key]

    def as_dict(self) -> dict[str, Any]:
        slowest, largest = self.slowest, self.largest
        return {
            "stage": self.stage,
            "tasks": self.tasks,
            "wall_seconds": round(self.wall_seconds, 2),
            "summed_task_seconds": round(self.summed_seconds, 2),
            "slowest_task": {"task": slowest[0], "seconds": round(slowest[1], 2)},
            "largest_task": {"task": largest[0], "peak_mb": round(largest[1], 1)},
            "tasks_detail": {
                k: {"seconds": round(s, 2), "peak_mb": round(self.peak_mb[k], 1)}
                for k, s in self.seconds.items()
            },
        }


@dataclass
class PipelineBench:
    """Everything the report prints, and what ``--json`` writes."""

    quarter: str
    provinces: list[str]
    warehouse: str  # the URL without its password
    workers: int
    start_method: str
    seed: int
    memory_limit_gb: float
    generated: dict[str, Any] | None  # the generator's figures; None when feeds were reused
    files: int = 0
    feed_rows: int = 0  # rows the pipeline read from the files
    rows_accepted: int = 0
    rows_quarantined: int = 0
    firms: int = 0
    units: int = 0
    stages: list[StageFigures] = field(default_factory=list)
    wall_seconds: float = 0.0
    warehouse_rows: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)  # what summarise returned

    def stage(self, name: str) -> StageFigures:
        return next(s for s in self.stages if s.stage == name)

    @property
    def largest_task(self) -> tuple[str, str, float]:
        stage = max(self.stages, key=lambda s: s.largest[1])
        key, mb = stage.largest
        return stage.stage, key, mb

    @property
    def within_limit(self) -> bool:
        return self.largest_task[2] <= self.memory_limit_gb * 1024

    def as_dict(self) -> dict[str, Any]:
        stage, key, mb = self.largest_task
        out = {k: v for k, v in asdict(self).items() if k not in ("stages", "summary")}
        out["stages"] = [s.as_dict() for s in self.stages]
        out["largest_task"] = {"stage": stage, "task": key, "peak_mb": round(mb, 1)}
        out["within_memory_limit"] = self.within_limit
        out["wall_seconds"] = round(self.wall_seconds, 2)
        return out


def _task_label(stage: str, key: str, file_names: dict[str, str]) -> str:
    """A task as a person recognises it: the file's name for an ingest, else the province."""
    if stage == "ingest":
        return file_names.get(key, key[:12])
    return key


# ---------------------------------------------------------------- running the stages
def _run_stage(
    stage: str,
    keys: list[str],
    settings: Settings,
    quarter: str,
    context: dict[str, Any],
    workers: int,
    label: Callable[[str], str],
    start_method: str = "spawn",
) -> tuple[StageFigures, dict[str, Any]]:
    """Every task of one stage in fresh spawned processes, ``workers`` at a time; the stage's
    figures and each task's result by key. A failed task fails the benchmark (as the DAG's
    run would fail), with the task named."""
    figures = StageFigures(stage)
    results: dict[str, Any] = {}
    report_every = max(1, len(keys) // 10)
    started = time.perf_counter()
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(keys))),
        mp_context=_context(start_method),
        max_tasks_per_child=1,
    )
    with pool:
        pending: dict[Future[dict[str, Any]], str] = {
            pool.submit(run_task, stage, settings, quarter, key, context): key for key in keys
        }
        done_count = 0
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                key = pending.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:
                    for other in pending:
                        other.cancel()
                    raise RuntimeError(f"{stage} task {label(key)} failed: {exc}") from exc
                name = label(key)
                figures.seconds[name] = outcome["seconds"]
                figures.peak_mb[name] = outcome["peak_mb"]
                results[key] = outcome["result"]
                done_count += 1
                if len(keys) > 1 and (done_count % report_every == 0 or done_count == len(keys)):
                    log.info(
                        "%s: %d of %d tasks done (%.0f s)",
                        stage,
                        done_count,
                        len(keys),
                        time.perf_counter() - started,
                    )
    figures.wall_seconds = time.perf_counter() - started
    log.info("%s: %d task(s) in %.1f s", stage, len(keys), figures.wall_seconds)
    return figures, results


def _context(start_method: str) -> Any:
    """The multiprocessing context tasks start in: ``spawn`` (each task imports everything,
    as an Airflow task process does) or ``forkserver`` (forked from a process that imported
    the heavy modules once: faster, used by the test; peaks then include those modules)."""
    if start_method not in START_METHODS:
        raise ValueError(f"start method {start_method!r}: one of {', '.join(START_METHODS)}")
    context = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        context.set_forkserver_preload(list(PRELOAD))
    return context


def _warehouse_rows(url: str, quarter: str) -> dict[str, int]:
    """Rows of the quarter in the tables the report counts, straight from the warehouse."""
    from sqlalchemy import func, select

    from reconcile.warehouse import schema as t
    from reconcile.warehouse.engine import get_engine

    out = {}
    with get_engine(url).connect() as conn:
        for name in COUNTED_TABLES:
            table = getattr(t, name)
            count = conn.execute(
                select(func.count()).select_from(table).where(table.c.quarter == quarter)
            ).scalar_one()
            out[name] = int(count)
    return out


def _quarter_already_landed(url: str, quarter: str) -> int:
    from sqlalchemy import func, select

    from reconcile.warehouse import schema as t
    from reconcile.warehouse.engine import get_engine

    with get_engine(url).connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(t.feed_file)
                .where(t.feed_file.c.quarter == quarter)
            ).scalar_one()
        )


def _is_sqlite(url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(url).get_backend_name() == "sqlite"


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _generate(codes: tuple[str, ...], firms: int, seed: int, workers: int, folder: Path) -> Any:
    """One quarter of feeds with the generator's default noise, trouble and problems: the
    files a province really sends, faults included, so ingest quarantines what it would."""
    from reconcile_dev.synth import SynthConfig, generate

    per_province = -(-firms // len(codes))
    config = SynthConfig(
        quarters=(Quarter.parse(QUARTER),), provinces=codes, firms=per_province, seed=seed
    )
    return generate(config, folder / "landing", folder / "truth", workers=workers)


def bench_pipeline(
    firms: int = 1_000_000,
    provinces: str | tuple[str, ...] = "all",
    seed: int = 42,
    workers: int = 2,
    folder: Path | None = None,
    reuse: bool = False,
    warehouse_url: str | None = None,
    memory_limit_gb: float = 8.0,
    start_method: str = "spawn",
) -> PipelineBench:
    """Generate (or reuse) one quarter's feeds, then run the DAG's steps stage by stage, each
    task in a fresh process; the figures. The warehouse must not hold the quarter yet."""
    url = warehouse_url or Settings.from_env().warehouse_url
    codes = province_codes(provinces)
    target = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="reconcile-bench-pipeline-"))
    landing_dir = target / "landing"
    notes = []
    task_workers = workers
    if _is_sqlite(url) and workers > 1:
        task_workers = 1
        notes.append(
            f"SQLite takes one writer at a time: tasks run 1 at a time, not {workers} "
            "(generation still uses the workers); measure on PostgreSQL"
        )
        log.warning("SQLite warehouse: running the tasks one at a time instead of %d", workers)
    landed = _quarter_already_landed(url, QUARTER)
    if landed:
        raise SystemExit(
            f"the warehouse {_safe_url(url)} already holds {landed} file(s) of {QUARTER}: landing "
            "would skip them and measure nothing; give an empty warehouse (--warehouse-url)"
        )
    try:
        generated = None
        preparing = 0.0
        existing = (landing_dir / QUARTER).is_dir() and any((landing_dir / QUARTER).rglob("*.*"))
        if reuse and existing:
            notes.append(f"feeds reused from {landing_dir} (not generated)")
            log.info("reusing the feeds in %s", landing_dir)
        else:
            log.info("generating %s firms over %d province(s)", f"{firms:,}", len(codes))
            started = time.perf_counter()
            result = _generate(codes, firms, seed, workers, target)
            preparing = time.perf_counter() - started
            generated = {
                "seconds": round(preparing, 2),
                "firms": result.firms,
                "units": result.units,
                "rows_written": sum(result.counts.values()),
                "files": len(result.files),
            }
            log.info("generated in %.1f s", preparing)
        # the run's own folders, emptied so that a reused folder starts like a fresh one
        run_dir = target / "run"
        shutil.rmtree(run_dir, ignore_errors=True)
        settings = Settings.from_env(
            landing_dir=landing_dir,
            data_dir=run_dir / "data",
            output_dir=run_dir / "output",
            warehouse_url=url,
        )
        report = PipelineBench(
            quarter=QUARTER,
            provinces=[],
            warehouse=_safe_url(url),
            workers=task_workers,
            start_method=start_method,
            seed=seed,
            memory_limit_gb=memory_limit_gb,
            generated=generated,
            notes=notes,
        )
        run_id = f"bench__{datetime.now(UTC):%Y%m%dT%H%M%S}"
        context: dict[str, Any] = {"run_id": run_id}
        overall = time.perf_counter()

        def stage(name: str, keys: list[str], label: Callable[[str], str] = str) -> dict[str, Any]:
            figures, results = _run_stage(
                name, keys, settings, QUARTER, context, task_workers, label, start_method
            )
            report.stages.append(figures)
            return results

        landing = stage("land", ["all"])["all"]
        context["landing"] = landing
        file_names = {item["file_id"]: item["file"] for item in landing["landed"]}
        report.files = len(landing["landed"])
        report.provinces = list(landing["provinces"])
        ingested = stage(
            "ingest",
            list(landing["to_ingest"]),
            lambda key: _task_label("ingest", key, file_names),
        )
        report.feed_rows = sum(int(r["rows_read"]) for r in ingested.values())
        report.rows_accepted = sum(int(r["rows_accepted"]) for r in ingested.values())
        report.rows_quarantined = sum(int(r["rows_quarantined"]) for r in ingested.values())
        loaded = stage("load", report.provinces)
        report.firms = sum(int(r["firms"]) for r in loaded.values())
        report.units = sum(int(r["units"]) for r in loaded.values())
        for name in ("link", "rules", "publish"):
            stage(name, report.provinces)
        report.summary = stage("summarise", ["quarter"])["quarter"]
        report.wall_seconds = time.perf_counter() - overall
        report.warehouse_rows = _warehouse_rows(url, QUARTER)
    finally:
        if folder is None:
            shutil.rmtree(target, ignore_errors=True)
    return report


# ---------------------------------------------------------------- printing
def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def format_report(report: PipelineBench) -> str:
    """The figures as a person reads them at the end of a run."""
    per_province = report.firms / max(len(report.provinces), 1)
    lines = [
        f"pipeline benchmark: {len(report.provinces)} province(s), one quarter ({report.quarter}), "
        f"seed {report.seed}, {report.workers} worker process(es), one task per process "
        f"({report.start_method})",
        f"  warehouse {report.warehouse}",
    ]
    if report.generated:
        g = report.generated
        lines.append(
            f"  preparing (not a pipeline stage): generated {g['firms']:,} firms, {g['units']:,} units, "
            f"{g['rows_written']:,} rows in {g['files']} files in {g['seconds']:,.1f} s"
        )
    lines += [f"  note: {note}" for note in report.notes]
    lines += [
        f"  firms {report.firms:,} (about {per_province:,.0f} a province)   units {report.units:,}   "
        f"files {report.files:,}   feed rows {report.feed_rows:,} "
        f"({report.rows_accepted:,} accepted, {report.rows_quarantined:,} quarantined)",
        "  stages run one after the other (the DAG chains each province's steps instead, so "
        "its wall time can be a little shorter);",
        "  task time is the step inside its process, stage wall time includes starting the processes",
        f"    {'stage':<10} {'tasks':>5} {'wall':>9} {'summed':>9}  {'slowest task':<28} "
        "largest task peak",
    ]
    for s in report.stages:
        slow_key, slow_s = s.slowest
        big_key, big_mb = s.largest
        lines.append(
            f"    {s.stage:<10} {s.tasks:>5} {s.wall_seconds:>7,.1f} s {s.summed_seconds:>7,.1f} s  "
            f"{_clip(slow_key, 18):<18} {slow_s:>7,.1f} s  {_mb(big_mb):>9} ({_clip(big_key, 18)})"
        )
    stage, key, mb = report.largest_task
    limit_mb = report.memory_limit_gb * 1024
    lines += [
        f"  overall wall time {report.wall_seconds:,.1f} s ({report.wall_seconds / 60:,.1f} min)",
        f"  largest task: {stage} {key}, peak {_mb(mb)}",
        f"  memory limit {report.memory_limit_gb:g} GB a task: "
        + (
            f"OK ({mb / limit_mb:.0%} of the limit)"
            if report.within_limit
            else f"OVER by {_mb(mb - limit_mb)}"
        ),
        "  warehouse rows of the quarter: "
        + ", ".join(f"{name} {count:,}" for name, count in report.warehouse_rows.items()),
    ]
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main(args: argparse.Namespace) -> int:
    """``python -m reconcile bench pipeline``."""
    if args.reuse and not args.folder:
        raise SystemExit("--reuse needs --folder (the folder whose feeds to reuse)")
    report = bench_pipeline(
        firms=args.firms or PIPELINE_SIZES[args.size][0],
        provinces=args.provinces or PIPELINE_SIZES[args.size][1],
        seed=args.seed,
        workers=args.workers,
        folder=args.folder,
        reuse=args.reuse,
        warehouse_url=args.warehouse_url,
        memory_limit_gb=args.memory_limit_gb,
        start_method=args.start_method,
    )
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
        print(f"written to {args.json}")
    return 0 if report.within_limit else 1
