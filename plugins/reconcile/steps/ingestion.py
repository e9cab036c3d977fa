"""``ingest``: read, clean and validate one landed file; stage its good rows, quarantine the rest.

A fault of the file refuses the file (``failed``, with the reason) and nothing else; a fault of
the disk, the warehouse or the configuration fails the step, never the file.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from reconcile.errors import ConfigError
from reconcile.feeds.cleaning import clean
from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits import FeedLimits
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile.quality.expectations import load_suite, validate_frame
from reconcile.quality.quarantine import split_rows, too_many_bad_rows, written_headers
from reconcile.rules import decisions as decision_logic
from reconcile.settings import Settings
from reconcile.warehouse import feed_files
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import records, replace_partition

log = logging.getLogger(__name__)


def ingest(settings: Settings, file_id: str) -> dict[str, Any]:
    """Read, clean and validate one landed file; stage its good rows, quarantine the others."""
    engine = get_engine(settings.warehouse_url)
    with engine.connect() as conn:
        row = feed_files.get(conn, file_id)
    if row is None:
        raise ValueError(f"no landed file with id {file_id}")
    spec = specs()[row.feed]
    # the configuration's faults are not the file's: they fail the step, never the file
    try:
        limits = FeedLimits.from_options(settings.options)
    except ValueError as exc:
        raise ConfigError(f"the configuration (RECONCILE_CONFIG): {exc}") from exc
    suite = load_suite(settings.expectations_dir, spec.name)
    try:
        table = read_table(Path(row.stored_path), spec, display_name=row.file_name, limits=limits)
        frame = clean(table, spec)
        undecided = 0
        if spec.skip_rows_without:
            blank = frame[spec.skip_rows_without].isna() & (frame["reasons"].map(len) == 0)
            undecided = int(blank.sum())
            frame = frame[~blank].reset_index(drop=True)
        columns = [c for c in frame.columns if c not in ("raw", "reasons", "line")]
        candidates = frame[frame["reasons"].map(len) == 0].reset_index()
        about = {
            "file_name": row.file_name,
            "feed": spec.name,
            "province": row.province,
            "header_line": table.header_line,
            "headers": written_headers(table),
        }
        outcome = validate_frame(
            candidates[columns], suite, row.file_name, lines=list(candidates["line"]), about=about
        )
        if outcome.table_failures:
            raise FeedFileError(row.file_name, "; ".join(outcome.table_failures))
        for position, reasons in outcome.row_reasons.items():
            index = candidates.at[position, "index"]
            frame.at[index, "reasons"] = [*frame.at[index, "reasons"], *reasons]
    except FeedFileError as exc:
        _refuse(engine, file_id, str(exc))
        raise
    except (OSError, SQLAlchemyError):
        raise  # the disk or the warehouse, not the file: a retry may pass
    except Exception as exc:  # a fault in the file's bytes that no check foresaw
        error = FeedFileError(
            row.file_name,
            f"could not be read ({type(exc).__name__}: {exc}); the file is set aside, the other "
            "files go on; please report it to the data team with the file",
        )
        _refuse(engine, file_id, str(error))
        raise error from exc
    if spec.name == "decisions":
        _quarantine_other_provinces_cases(engine, frame, row.province)
    accepted, rejected = split_rows(frame)
    _save_validation(settings, file_id, outcome.result)
    base = {"file_id": file_id, "quarter": row.quarter, "province": row.province}
    with engine.begin() as conn:
        staged = accepted.assign(**base)
        replace_partition(
            conn, t.staged[spec.name], {"file_id": file_id}, records(staged, t.staged[spec.name])
        )
        quarantined = rejected.assign(**base, feed=spec.name)
        quarantined["reasons"] = quarantined["reasons"].map(" | ".join)
        replace_partition(
            conn, t.quarantine, {"file_id": file_id}, records(quarantined, t.quarantine)
        )
        read = feed_files.ReadCounts(
            table.encoding, table.header_line, len(frame) + undecided, len(accepted), len(rejected)
        )
        feed_files.mark_loaded(conn, row, read)
    summary = {
        "file": row.file_name,
        "feed": spec.name,
        "province": row.province,
        "rows_read": len(frame) + undecided,
        "rows_accepted": len(accepted),
        "rows_quarantined": len(rejected),
        "rows_without_decision": undecided,
    }
    log.info(
        "ingested %(file)s: %(rows_accepted)d accepted, %(rows_quarantined)d quarantined", summary
    )
    limit = float(settings.options["max_bad_row_share"])
    if too_many_bad_rows(len(rejected), len(frame), limit):
        message = _too_many_message(row.file_name, rejected, len(frame), limit)
        _refuse(engine, file_id, message)
        raise FeedFileError(row.file_name, message)
    return summary


def _refuse(engine: Any, file_id: str, message: str) -> None:
    """The file is quarantined as a file: ``failed``, with the reason, and read no more."""
    with engine.begin() as conn:
        feed_files.mark_failed(conn, file_id, message)
    log.error("file refused: %s", message)


def _quarantine_other_provinces_cases(engine: Any, frame: pd.DataFrame, province: str) -> None:
    """A returned decision whose case is not this province's gets a reason (and is quarantined)."""
    ids = sorted({c for c in frame["case_id"] if isinstance(c, str) and c})
    units = sorted({u for u in map(decision_logic.link_unit, ids) if u})
    with engine.connect() as conn:
        known_cases = (
            set(
                conn.execute(
                    select(t.case.c.case_id).where(
                        t.case.c.province == province, t.case.c.case_id.in_(ids)
                    )
                ).scalars()
            )
            if ids
            else set()
        )
        known_units = (
            set(
                conn.execute(
                    select(t.employer_unit.c.unit_code)
                    .where(
                        t.employer_unit.c.province == province,
                        t.employer_unit.c.unit_code.in_(units),
                    )
                    .distinct()
                ).scalars()
            )
            if units
            else set()
        )
    for index, case_id in frame["case_id"].items():
        reason = decision_logic.unknown_case_reason(case_id, province, known_cases, known_units)
        if reason:
            frame.at[index, "reasons"] = [*frame.at[index, "reasons"], reason]


def _too_many_message(name: str, rejected: pd.DataFrame, total: int, limit: float) -> str:
    reasons = Counter(reason for reasons in rejected["reasons"] for reason in reasons)
    worst = "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common(3))
    rows = ", ".join(str(n) for n in rejected["row_number"].head(5))
    return (
        f"{len(rejected)} of {total} rows quarantined, more than the limit of {limit:.0%}; "
        f"worst reasons: {worst}; example rows: {rows}"
    )


def _save_validation(settings: Settings, file_id: str, result: dict[str, Any]) -> None:
    folder = settings.data_dir / "validations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{file_id}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
