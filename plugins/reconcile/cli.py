"""``python -m reconcile``: the pipeline from the command line, the same steps as the DAG."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from reconcile.errors import QuarterIncomplete, ReconcileError, UsageError
from reconcile.quarter import LOCAL_TZ, Quarter
from reconcile.settings import Settings
from reconcile.text.admin_units import check_province

EXIT_INCOMPLETE = 3  # the run finished and published, but a file was refused or a province blocked


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        landing_dir=getattr(args, "landing", None),
        output_dir=getattr(args, "output", None),
        data_dir=getattr(args, "data", None),
        warehouse_url=getattr(args, "warehouse", None),
    )


def _add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--landing",
        type=Path,
        help="landing folder (default: RECONCILE_LANDING_DIR or var/landing)",
    )
    parser.add_argument(
        "--output", type=Path, help="output folder (default: RECONCILE_OUTPUT_DIR or var/output)"
    )
    parser.add_argument(
        "--data", type=Path, help="landed copies and validation results (default: var/data)"
    )
    parser.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: RECONCILE_WAREHOUSE_URL or var/warehouse.db)"
    )


def format_summary(summary: dict[str, Any]) -> str:
    """The run summary as a person reads it at the end of a run."""
    lines = [f"Quarter {summary['quarter']}  (run {summary['run_id']})"]
    files = summary["files"]
    lines.append(
        f"Files: {files['landed_now']} landed now, {files['skipped_seen_before']} skipped (seen before), "
        f"{files['in_warehouse']} in the warehouse"
        + (f", FAILED: {', '.join(files['failed'])}" if files["failed"] else "")
    )
    lines.append("Rows per feed:          accepted  quarantined")
    for feed, counts in sorted(summary["feeds"].items()):
        lines.append(f"  {feed:<20} {counts['rows_accepted']:>9}  {counts['rows_quarantined']:>11}")
    lines.append(f"Firms: {summary['firms']}   employer units: {summary['employer_units']}")
    links = ", ".join(f"{k} {v}" for k, v in summary["links_by_method"].items()) or "none"
    lines.append(f"Links by method: {links}; units not linked: {summary['unlinked_units']}")
    lines.append("Findings by rule:")
    for rule, count in summary["findings_by_rule"].items():
        lines.append(f"  {rule:<24} {count:>6}")
    cases = ", ".join(f"{k} {v}" for k, v in summary["cases_by_status"].items()) or "none"
    lines.append(f"Cases: {cases}")
    lines.append("Published:")
    for item in summary["published"]:
        paths = (item["workbook"], item.get("csv"), item["quarantine"])
        lines.extend(f"  {path}" for path in paths if path)
    if summary.get("data_docs"):
        lines.append(
            f"  {summary['data_docs']}  (validation results, Great Expectations Data Docs)"
        )
    for province, state in sorted(summary.get("provinces", {}).items()):
        if state.get("quality_report"):
            lines.append(f"  {state['quality_report']}  (data-quality report, {province})")
    if summary.get("quality_report"):
        lines.append(f"  {summary['quality_report']}  (data-quality report, all provinces)")
    lines.append(f"  {summary['summary_path']}")
    blocked = {p: s for p, s in summary.get("provinces", {}).items() if s["status"] == "blocked"}
    for province, state in blocked.items():
        lines.append(f"Province {province} BLOCKED, no cases published: {state['why']}")
    if summary.get("problems"):
        lines.append("NEEDS ATTENTION (see docs/operations.md, 'Getting past a bad file'):")
        lines.extend(f"  - {problem}" for problem in summary["problems"])
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    from reconcile.pipeline import run_quarter

    settings = _settings(args)
    run_id = args.run_id or f"cli__{datetime.now(UTC):%Y%m%dT%H%M%S}"
    summary = run_quarter(settings, Quarter.parse(args.quarter), run_id, args.province or None)
    print(format_summary(summary))
    if summary.get("problems"):
        print(
            f"quarter {summary['quarter']} is incomplete: {len(summary['problems'])} problem(s) "
            "above; everything else was published",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE
    return 0


def cmd_files(args: argparse.Namespace) -> int:
    """List a quarter's landed files, or set one aside (reject) or read it again (retry)."""
    from reconcile.errors import UnknownFile
    from reconcile.warehouse import feed_files
    from reconcile.warehouse import schema as t
    from reconcile.warehouse.engine import get_engine
    from reconcile.warehouse.store import read_frame

    engine = get_engine(_settings(args).warehouse_url)
    if args.action == "list":
        with engine.connect() as conn:
            filters = {"quarter": str(Quarter.parse(args.quarter))}
            if args.province:
                filters["province"] = args.province
            files = read_frame(conn, t.feed_file, **filters)
        if files.empty:
            print(f"no files landed for {filters}")
            return 0
        for item in files.sort_values(["province", "feed", "file_name"]).itertuples():
            print(
                f"{item.file_id[:12]}  {item.province}  {item.feed:<9} {item.status:<8} "
                f"{item.file_name}" + (f"\n              {item.message}" if item.message else "")
            )
        return 0
    try:
        with engine.begin() as conn:
            if args.action == "reject":
                row = feed_files.reject(conn, args.file_id, args.reason, args.by)
            else:
                row = feed_files.retry(conn, args.file_id)
    except UnknownFile as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{row['file_name']} ({row['file_id'][:12]}, {row['quarter']}/{row['province']}) is now "
        f"{row['status']}; run the quarter again to apply it"
    )
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from reconcile.publish.layout import OutputLayout

    settings = _settings(args)
    path = OutputLayout(settings, Quarter.parse(args.quarter)).summary_json
    if not path.exists():
        print(f"no summary for {args.quarter} at {path}: run the quarter first", file=sys.stderr)
        return 1
    print(format_summary(json.loads(path.read_text(encoding="utf-8"))))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from reconcile.synth import SynthConfig, generate, noise_profile
    from reconcile.synth.real_names import load_names

    settings = _settings(args)
    quarters = tuple(Quarter.parse(q) for q in args.quarters)
    config = SynthConfig(
        quarters=quarters,
        provinces=tuple(args.provinces),
        firms=args.firms,
        seed=args.seed,
        noise=noise_profile(args.noise),
        names=load_names(args.names) if args.names else (),
        notices=args.notices,
    )
    truth = args.truth or settings.home / "var" / "truth"
    result = generate(config, settings.landing_dir, truth, workers=args.workers)
    print(
        f"Generated {result.firms} firm-quarters and {result.units} unit-quarters in {result.elapsed:.1f} s"
        f" (noise profile {args.noise}"
        + (f", {len(config.names)} real names from {args.names})" if args.names else ")")
    )
    print(f"Feeds in {settings.landing_dir} (rows written):")
    for (feed, quarter, province), rows in sorted(result.counts.items()):
        print(f"  {quarter} {province} {feed:<9} {rows:>9}")
    if config.notices:
        days = [p for p in result.files if p.parent.parent.name == "changes"]
        print(f"Change notices in {settings.landing_dir / 'changes'}: {len(days)} day files")
    print(f"Ground truth in {truth} (never read by the pipeline); planted findings:")
    for (rule, quarter, province), count in sorted(result.findings.items()):
        print(f"  {quarter} {province} {rule:<22} {count:>6}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from reconcile.evaluation import evaluate, format_evaluation

    settings = _settings(args)
    truth = args.truth or settings.home / "var" / "truth"
    result = evaluate(
        settings.warehouse_url, truth, Quarter.parse(args.quarter), args.province or None
    )
    if args.noise and result["noise_profile"] != args.noise:
        print(
            f"The ground truth in {truth} was generated with the {result['noise_profile']} noise "
            f"profile, not {args.noise}",
            file=sys.stderr,
        )
        return 2
    print(format_evaluation(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"Written to {args.json}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from reconcile.bench import bench_synth

    print(bench_synth(args.firms, args.provinces, args.seed, args.workers, args.folder))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """The warehouse's schema version: upgrade it, say where it is, or draft a migration."""
    from reconcile.warehouse import migrate

    if args.action == "revision":
        path = migrate.new_revision(args.message, args.warehouse)
        print(f"new migration {path}: read it and edit it before committing it")
        return 0
    from reconcile.warehouse.engine import make_engine

    url = _warehouse_of_db_command(args)
    print(f"warehouse {migrate.warehouse_url_shown(url)}")
    engine = make_engine(url)
    try:
        if args.action == "upgrade":
            before = migrate.current_revision(engine)
            applied = migrate.upgrade(engine)
            if before is None and applied == migrate.revisions():
                print(f"new warehouse: created at {applied[-1]} (head)")
            else:
                for revision in applied:
                    print(f"applied {revision}")
            if not applied:
                print(f"warehouse already at {migrate.head_revision()}")
            return 0
        current = migrate.current_revision(engine)
        head = migrate.head_revision()
        if current == head:
            print(f"at {current} (head)")
        elif current is None:
            print(f"no version (empty, or made before migrations); head is {head}: run db upgrade")
        elif current in migrate.revisions():
            print(f"at {current}, behind head {head}: run db upgrade")
        else:
            print(f"at {current}, unknown to this code (head {head}): made by a newer version")
        return 0
    finally:
        engine.dispose()


def _warehouse_of_db_command(args: argparse.Namespace) -> str:
    """``--warehouse``; else the Airflow connection named by RECONCILE_WAREHOUSE_CONN_ID (as the
    DAG's tasks take it: compose's airflow-init must migrate the warehouse the tasks will use);
    else RECONCILE_WAREHOUSE_URL or the bundled SQLite file."""
    if getattr(args, "warehouse", None):
        return str(args.warehouse)
    if os.environ.get("RECONCILE_WAREHOUSE_CONN_ID"):
        from reconcile.airflow.hooks import warehouse_url_from_connection

        url = warehouse_url_from_connection()
        if url:
            return url
    return _settings(args).warehouse_url


def cmd_arrivals(args: argparse.Namespace) -> int:
    """Which partner feeds have not arrived (the feed_arrivals DAG's check, by hand)."""
    from reconcile.arrivals import check_arrivals, due_day

    settings = _settings(args)
    day = args.day or datetime.now(LOCAL_TZ).date()
    quarter = Quarter.parse(args.quarter) if args.quarter else None
    check = check_arrivals(settings.options, settings.landing_dir, day, quarter)
    if check is None:
        print(
            f"{day:%d/%m/%Y}: no quarter's feeds are due (they are due from day "
            f"{due_day(settings.options)} of the month after a quarter); "
            "give --quarter to check one anyway"
        )
        return 0
    print(f"quarter {check.quarter}, due {check.due:%d/%m/%Y}, looked in {check.folder}")
    for province in check.provinces:
        missing = [m for m in check.missing if m.province == province]
        said = ", ".join(f"{m.feed} ({m.partner})" for m in missing) or "all in"
        print(f"  {province}: {'missing ' if missing else ''}{said}")
    return EXIT_INCOMPLETE if check.missing else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reconcile", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run", help="run one quarter, every step (land, ingest, load, link, rules, publish)"
    )
    run.add_argument("--quarter", required=True, type=quarter_arg, help="the quarter, e.g. 2025Q3")
    run.add_argument(
        "--province",
        action="append",
        type=province_arg,
        help="only this province (new code); repeatable",
    )
    run.add_argument("--run-id", help="an id for the run record (default: cli__<timestamp>)")
    _add_location_options(run)
    run.set_defaults(func=cmd_run)

    summary = sub.add_parser("summary", help="print the summary of a quarter already run")
    summary.add_argument("--quarter", required=True, type=quarter_arg)
    _add_location_options(summary)
    summary.set_defaults(func=cmd_summary)

    files = sub.add_parser(
        "files",
        help="landed files: list them, reject one (set it aside), or retry one (read it again)",
    )
    files_sub = files.add_subparsers(dest="action", required=True)
    files_list = files_sub.add_parser("list", help="a quarter's files with their status")
    files_list.add_argument("--quarter", required=True, type=quarter_arg)
    files_list.add_argument("--province", type=province_arg, help="only this province")
    _add_location_options(files_list)
    files_reject = files_sub.add_parser(
        "reject",
        help="set a file aside for good: its rows no longer load and it no longer blocks its "
        "province (when the partner will not send a corrected file of the same name)",
    )
    files_reject.add_argument("file_id", help="the file's id, or its first 6+ hex digits")
    files_reject.add_argument("--reason", required=True, help="why, kept with the file")
    files_reject.add_argument(
        "--by", default=os.environ.get("USER", "unknown"), help="who (default: $USER)"
    )
    _add_location_options(files_reject)
    files_retry = files_sub.add_parser(
        "retry",
        help="read a failed or rejected file again on the next run (after a limit was raised)",
    )
    files_retry.add_argument("file_id", help="the file's id, or its first 6+ hex digits")
    _add_location_options(files_retry)
    files.set_defaults(func=cmd_files)

    db = sub.add_parser(
        "db", help="the warehouse's schema version (docs/migrations.md): upgrade, current, revision"
    )
    db_sub = db.add_subparsers(dest="action", required=True)
    db_upgrade = db_sub.add_parser(
        "upgrade", help="bring the warehouse to this code's schema (creates a new one)"
    )
    db_upgrade.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: RECONCILE_WAREHOUSE_URL or var/warehouse.db)"
    )
    db_current = db_sub.add_parser("current", help="the warehouse's revision and this code's head")
    db_current.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: RECONCILE_WAREHOUSE_URL or var/warehouse.db)"
    )
    db_revision = db_sub.add_parser(
        "revision",
        help="draft the next migration from schema.py's changes (autogenerate), for developers",
    )
    db_revision.add_argument("-m", "--message", required=True, help="what the migration does")
    db_revision.add_argument(
        "--warehouse",
        help="compare against this database (empty, or at head) instead of a scratch SQLite "
        "file; PostgreSQL also sees comment changes",
    )
    db.set_defaults(func=cmd_db)

    arrivals = sub.add_parser(
        "arrivals",
        help="which partner feeds have not arrived by their due day (exit 3 if any is missing)",
    )
    arrivals.add_argument("--day", type=day_arg, help="as of this day, YYYY-MM-DD (default: today)")
    arrivals.add_argument("--quarter", type=quarter_arg, help="this quarter (default: the one due)")
    _add_location_options(arrivals)
    arrivals.set_defaults(func=cmd_arrivals)

    synth = sub.add_parser("synth", help="generate realistic feeds with ground truth")
    synth.add_argument(
        "--quarters",
        required=True,
        type=comma_list(quarter_arg),
        help="comma-separated consecutive quarters, e.g. 2025Q2,2025Q3",
    )
    synth.add_argument(
        "--provinces",
        default=["82"],
        type=comma_list(province_arg),
        help="comma-separated new province codes (default 82)",
    )
    synth.add_argument("--firms", type=int, default=2000, help="firms per province (default 2000)")
    synth.add_argument("--seed", type=int, default=42)
    synth.add_argument(
        "--truth",
        type=Path,
        help="ground-truth folder (default var/truth; never read by the pipeline)",
    )
    synth.add_argument(
        "--workers", type=int, default=1, help="provinces generated in parallel processes"
    )
    synth.add_argument(
        "--noise",
        choices=("default", "hard"),
        default="default",
        help="the roll's noise: default, or hard (how rolls go wrong in practice: VNI text, "
        "forms no table lists, words dropped, old communes, a quarter without tax code)",
    )
    synth.add_argument(
        "--names",
        type=Path,
        help="CSV of real registered names (columns name, address[, legal_form]) the firms "
        "take instead of invented ones",
    )
    synth.add_argument(
        "--notices",
        action="store_true",
        help="also write the quarters' daily change notices under <landing>/changes/",
    )
    _add_location_options(synth)
    synth.set_defaults(func=cmd_synth)

    evaluate = sub.add_parser(
        "evaluate", help="compare the warehouse with the generator's ground truth"
    )
    evaluate.add_argument("--quarter", required=True, type=quarter_arg)
    evaluate.add_argument(
        "--province", action="append", type=province_arg, help="only this province; repeatable"
    )
    evaluate.add_argument("--truth", type=Path, help="ground-truth folder (default var/truth)")
    evaluate.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    evaluate.add_argument(
        "--noise",
        choices=("default", "hard"),
        help="refuse to score unless the truth was generated with this noise profile "
        "(the profile is always reported)",
    )
    _add_location_options(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    bench = sub.add_parser("bench", help="benchmarks that print their figures")
    bench_sub = bench.add_subparsers(dest="bench", required=True)
    from reconcile.web.bench import add_bench_web_command

    add_bench_web_command(bench_sub)
    from reconcile.history.bench import add_bench_changes_command

    add_bench_changes_command(bench_sub)
    synth_bench = bench_sub.add_parser("synth", help="time and peak memory to generate feeds")
    synth_bench.add_argument(
        "--firms", type=int, default=1_000_000, help="firms in all (default 1,000,000)"
    )
    synth_bench.add_argument(
        "--provinces", default="all", help="'all' (the 34) or comma-separated codes"
    )
    synth_bench.add_argument("--seed", type=int, default=42)
    synth_bench.add_argument("--workers", type=int, default=2)
    synth_bench.add_argument(
        "--folder", type=Path, help="where to write (default: a temporary folder, removed)"
    )
    synth_bench.set_defaults(func=cmd_bench)

    def cmd_bench_link(args: argparse.Namespace) -> int:
        from reconcile.bench_link import main

        return main(args)

    link_bench = bench_sub.add_parser(
        "link", help="time, peak memory and quality of linking generated firms to units"
    )
    link_bench.add_argument(
        "--size",
        choices=("province", "national"),
        default="province",
        help="province: 50,000 firms in 82; national: 1,000,000 firms in the 34, a third of "
        "the roll without a usable tax code (default province)",
    )
    link_bench.add_argument("--firms", type=int, help="firms in all (default: the size's)")
    link_bench.add_argument(
        "--provinces", help="'all' (the 34) or comma-separated codes (default: the size's)"
    )
    link_bench.add_argument("--seed", type=int, default=42)
    link_bench.add_argument("--workers", type=int, default=2)
    link_bench.add_argument(
        "--noise",
        choices=("default", "hard"),
        default="default",
        help="the generator's noise profile (default: the size's own rates; hard: "
        "NoiseRates.hard() at any size)",
    )
    link_bench.add_argument(
        "--folder", type=Path, help="where to write (default: a temporary folder, removed)"
    )
    link_bench.set_defaults(func=cmd_bench_link)

    def cmd_bench_pipeline(args: argparse.Namespace) -> int:
        from reconcile.bench_pipeline import main

        return main(args)

    pipeline_bench = bench_sub.add_parser(
        "pipeline",
        help="every step of the DAG on a generated quarter, each task in its own process: "
        "wall time per stage and peak memory per task",
    )
    pipeline_bench.add_argument(
        "--size",
        choices=("national", "province"),  # bench_pipeline.PIPELINE_SIZES
        default="national",
        help="national: 1,000,000 firms in the 34 provinces; province: 29,412 firms in 82 "
        "(default national)",
    )
    pipeline_bench.add_argument("--firms", type=int, help="firms in all (default: the size's)")
    pipeline_bench.add_argument(
        "--provinces", help="'all' (the 34) or comma-separated codes (default: the size's)"
    )
    pipeline_bench.add_argument("--seed", type=int, default=42)
    pipeline_bench.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processes running tasks at once, like a Celery worker's concurrency (default 2; "
        "1 on SQLite); also the generator's",
    )
    pipeline_bench.add_argument(
        "--folder",
        type=Path,
        help="where the feeds and the run's files go (default: a temporary folder, removed)",
    )
    pipeline_bench.add_argument(
        "--reuse",
        action="store_true",
        help="with --folder: use the feeds already generated there instead of generating",
    )
    pipeline_bench.add_argument(
        "--warehouse-url",
        help="SQLAlchemy URL of an empty warehouse (default: RECONCILE_WAREHOUSE_URL or "
        "var/warehouse.db); PostgreSQL for real figures",
    )
    pipeline_bench.add_argument(
        "--memory-limit-gb",
        type=float,
        default=8.0,
        help="peak memory a task may reach (default 8)",
    )
    pipeline_bench.add_argument(
        "--start-method",
        choices=("spawn", "forkserver"),
        default="spawn",
        help="how task processes start: spawn (each imports everything itself; default) or "
        "forkserver (forked from a process that imported GX and the steps once, as a Celery "
        "worker with reconcile.airflow.celery_config forks them)",
    )
    pipeline_bench.add_argument("--json", type=Path, help="also write the figures to this file")
    pipeline_bench.set_defaults(func=cmd_bench_pipeline)

    def cmd_bench_peers(args: argparse.Namespace) -> int:
        from reconcile.bench_peers import main

        return main(args)

    peers_bench = bench_sub.add_parser(
        "peers",
        help="the same generated provinces linked by this project and by Splink 5 (in "
        ".venv-bench: make bench-env), each scored against the truth: time, peak memory, "
        "precision, recall, F1 and the ratios",
    )
    peers_bench.add_argument(
        "--firms", type=int, default=20_000, help="firms in all (default 20,000)"
    )
    peers_bench.add_argument(
        "--provinces", type=int, default=2, help="how many provinces, 82 and 86 first (default 2)"
    )
    peers_bench.add_argument("--codes", help="comma-separated province codes (instead of a count)")
    peers_bench.add_argument("--seed", type=int, default=42)
    peers_bench.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processes linking provinces, DuckDB's threads for Splink, and the generator's "
        "(default 2)",
    )
    peers_bench.add_argument(
        "--folder", type=Path, help="where to write (default: a temporary folder, removed)"
    )
    peers_bench.add_argument(
        "--bench-python",
        type=Path,
        help="the Python with Splink and DuckDB (default: RECONCILE_BENCH_PYTHON or "
        ".venv-bench/bin/python)",
    )
    peers_bench.add_argument(
        "--threshold",
        type=float,
        default=0.9,
        help="Splink's match probability for a link (default 0.9)",
    )
    peers_bench.add_argument(
        "--max-pairs",
        type=float,
        default=1e7,
        help="pairs Splink samples to estimate u (default 1e7)",
    )
    peers_bench.add_argument(
        "--peer-timeout",
        type=float,
        default=900.0,
        help="seconds after which Splink is stopped and reported unfinished (default 900)",
    )
    peers_bench.add_argument(
        "--peer-memory-gb",
        type=float,
        help="resident memory past which Splink is stopped (default 60%% of RAM, 16 at most)",
    )
    peers_bench.add_argument(
        "--peer-blocking",
        choices=("word-pairs", "words"),
        default="word-pairs",
        help="Splink's candidate pairs besides the tax code: province and a word of the name's "
        "core with a letter of the next (word-pairs, default) or a word alone (words)",
    )
    peers_bench.add_argument("--json", type=Path, help="also write the figures to this file")
    peers_bench.set_defaults(func=cmd_bench_peers)
    # imported here: fastapi is loaded only by the command that serves
    from reconcile.web.serve import add_serve_command

    add_serve_command(sub)
    return parser


def quarter_arg(text: str) -> str:
    """A quarter as the command line takes it: ``Quarter.parse``'s one syntax, or a usage
    error (exit 2) that says how to write it."""
    try:
        return str(Quarter.parse(text))
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def day_arg(text: str) -> date:
    """A day, YYYY-MM-DD, or a usage error (exit 2) that says how to write it."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day: {text!r}: write it YYYY-MM-DD") from None


def province_arg(text: str) -> str:
    try:
        return check_province(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def comma_list(convert: Callable[[str], str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        return [convert(item) for item in text.split(",") if item.strip()]

    return parse


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except ReconcileError as exc:  # said plainly, without a traceback: the message says what to do
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INCOMPLETE if isinstance(exc, QuarterIncomplete) else 1
