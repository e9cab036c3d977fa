"""``python -m reconcile``: the pipeline from the command line, the same steps as the DAG."""

from __future__ import annotations

import argparse
import logging
import sys

from reconcile.cli import arrivals, db, files, run
from reconcile.cli.common import EXIT_INCOMPLETE
from reconcile.cli.run import format_summary
from reconcile.errors import QuarterIncomplete, ReconcileError

__all__ = ["EXIT_INCOMPLETE", "build_parser", "format_summary", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reconcile", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    run.add_commands(sub)
    files.add_commands(sub)
    db.add_commands(sub)
    arrivals.add_commands(sub)
    # The development commands (synth, evaluate, bench) live in reconcile_dev, which the DAGs
    # never import: only the command line reaches it, when it builds its parser.
    from reconcile_dev.cli import add_commands as add_development_commands

    add_development_commands(sub)
    # imported here: fastapi is loaded only by the command that serves
    from reconcile.web.serve import add_serve_command

    add_serve_command(sub)
    return parser


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
