"""``files``: a quarter's landed files listed, one set aside (reject) or read again (retry)."""

from __future__ import annotations

import argparse
import os
import sys

from reconcile.cli.common import (
    Subcommands,
    add_location_options,
    province_arg,
    quarter_arg,
    settings_of,
)
from reconcile.quarter import Quarter


def cmd_files(args: argparse.Namespace) -> int:
    """List a quarter's landed files, or set one aside (reject) or read it again (retry)."""
    from reconcile.errors import UnknownFile
    from reconcile.warehouse import feed_files
    from reconcile.warehouse import schema as t
    from reconcile.warehouse.engine import get_engine
    from reconcile.warehouse.store import read_frame

    engine = get_engine(settings_of(args).warehouse_url)
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
        f"{row['file_name']} ({str(row['file_id'])[:12]}, {row['quarter']}/{row['province']}) is now "
        f"{row['status']}; run the quarter again to apply it"
    )
    return 0


def add_commands(sub: Subcommands) -> None:
    files = sub.add_parser(
        "files",
        help="landed files: list them, reject one (set it aside), or retry one (read it again)",
    )
    files_sub = files.add_subparsers(dest="action", required=True)
    files_list = files_sub.add_parser("list", help="a quarter's files with their status")
    files_list.add_argument("--quarter", required=True, type=quarter_arg)
    files_list.add_argument("--province", type=province_arg, help="only this province")
    add_location_options(files_list)
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
    add_location_options(files_reject)
    files_retry = files_sub.add_parser(
        "retry",
        help="read a failed or rejected file again on the next run (after a limit was raised)",
    )
    files_retry.add_argument("file_id", help="the file's id, or its first 6+ hex digits")
    add_location_options(files_retry)
    files.set_defaults(func=cmd_files)
