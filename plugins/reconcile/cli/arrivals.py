"""``arrivals``: which partner feeds have not arrived (the feed_arrivals DAG's check)."""

from __future__ import annotations

import argparse
from datetime import datetime

from reconcile.cli.common import (
    EXIT_INCOMPLETE,
    Subcommands,
    add_location_options,
    day_arg,
    quarter_arg,
    settings_of,
)
from reconcile.quarter import LOCAL_TZ, Quarter


def cmd_arrivals(args: argparse.Namespace) -> int:
    """Which partner feeds have not arrived (the feed_arrivals DAG's check, by hand)."""
    from reconcile.arrivals import check_arrivals, due_day

    settings = settings_of(args)
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


def add_commands(sub: Subcommands) -> None:
    arrivals = sub.add_parser(
        "arrivals",
        help="which partner feeds have not arrived by their due day (exit 3 if any is missing)",
    )
    arrivals.add_argument("--day", type=day_arg, help="as of this day, YYYY-MM-DD (default: today)")
    arrivals.add_argument("--quarter", type=quarter_arg, help="this quarter (default: the one due)")
    add_location_options(arrivals)
    arrivals.set_defaults(func=cmd_arrivals)
