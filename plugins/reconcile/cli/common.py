"""What every command shares: where the files are, and the argument types that turn a mistyped
quarter, day or province into a usage error (exit 2) that says how to write it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeAlias

from reconcile.errors import UsageError
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.text.admin_units import check_province

EXIT_INCOMPLETE = 3  # the run finished and published, but a file was refused or a province blocked

# What ``add_subparsers`` returns: each command module adds its commands to it.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def settings_of(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        landing_dir=getattr(args, "landing", None),
        output_dir=getattr(args, "output", None),
        data_dir=getattr(args, "data", None),
        warehouse_url=getattr(args, "warehouse", None),
    )


def add_location_options(parser: argparse.ArgumentParser) -> None:
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
