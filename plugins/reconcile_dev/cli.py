"""The development commands of ``python -m reconcile``: ``synth``, ``evaluate`` and ``bench ...``.

The runtime CLI (``reconcile.cli``) adds them when it builds its parser, so that they keep their
names and options (the Makefile, the docs and the tests call them), while nothing the DAGs
import reaches this package."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reconcile.cli.common import (
    Subcommands,
    add_location_options,
    comma_list,
    province_arg,
    quarter_arg,
    settings_of,
)
from reconcile.quarter import Quarter


def cmd_synth(args: argparse.Namespace) -> int:
    from reconcile_dev.synth import SynthConfig, generate, noise_profile
    from reconcile_dev.synth.real_names import load_names

    settings = settings_of(args)
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
    from reconcile_dev.evaluation import evaluate, format_evaluation

    settings = settings_of(args)
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
    from reconcile_dev.bench.synth import bench_synth

    print(bench_synth(args.firms, args.provinces, args.seed, args.workers, args.folder))
    return 0


def add_commands(sub: Subcommands) -> None:
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
    add_location_options(synth)
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
    add_location_options(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    bench = sub.add_parser("bench", help="benchmarks that print their figures")
    bench_sub = bench.add_subparsers(dest="bench", required=True)
    from reconcile_dev.bench.web import add_bench_web_command

    add_bench_web_command(bench_sub)
    from reconcile_dev.bench.changes import add_bench_changes_command

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
        from reconcile_dev.bench.link import main

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
        from reconcile_dev.bench.pipeline import main

        return main(args)

    pipeline_bench = bench_sub.add_parser(
        "pipeline",
        help="every step of the DAG on a generated quarter, each task in its own process: "
        "wall time per stage and peak memory per task",
    )
    pipeline_bench.add_argument(
        "--size",
        choices=("national", "province"),  # bench.pipeline.PIPELINE_SIZES
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
        from reconcile_dev.bench.peers import main

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
