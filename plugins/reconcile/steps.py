"""The pipeline's steps, each a function the DAG's tasks and the CLI call alike.

Every step reads and writes the warehouse for one partition (a quarter, a province, a file)
inside one transaction and returns a small JSON-ready summary (what XCom carries). Rerunning
a step replaces its partition and gives the same rows.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from reconcile import __version__
from reconcile.errors import ConfigError, NothingToLand, QuarterIncomplete
from reconcile.feeds.cleaning import clean
from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.limits import FeedLimits
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import FEEDS, specs
from reconcile.history import store as history_store
from reconcile.history.timeline import firm_as_of
from reconcile.landing import (
    CHANGES,
    IncomingFile,
    LandingZone,
    LocalLandingZone,
    copy_verified,
    sha256_of,
)
from reconcile.match import link_partition
from reconcile.publish import atomic, workbook
from reconcile.publish.blocked import write_blocked_workbook
from reconcile.publish.groups import commune_namer
from reconcile.publish.labels import labels
from reconcile.publish.quality_report import build_quality_report
from reconcile.publish.quarantine_csv import write_quarantine_csv
from reconcile.quality.data_docs import build_data_docs
from reconcile.quality.expectations import load_suite, validate_frame
from reconcile.quality.quarantine import split_rows, too_many_bad_rows, written_headers
from reconcile.quarter import Quarter
from reconcile.rules import cases as case_logic
from reconcile.rules import decisions as decision_logic
from reconcile.rules.catalog import contributions, rules
from reconcile.rules.findings import find, recount
from reconcile.settings import Settings
from reconcile.warehouse import feed_files, locks
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.partitions import build_firms, build_units
from reconcile.warehouse.queries import run_query
from reconcile.warehouse.store import read_frame, records, replace_partition

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- land
def land_files(
    settings: Settings, conn: Any, incoming: list[IncomingFile], refused: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Register each file by content hash and keep a copy of each new one: (landed, skipped as
    seen before, ignored for a name that names no feed). ``refused`` gains the files that
    could not be read. Shared by the quarter's ``land`` and the change notices'."""
    new, skipped, unknown = [], [], []
    for item in incoming:
        if item.feed is None:
            unknown.append(item.name)
            log.warning(
                "ignored %s: its name does not start with a feed (%s)", item.name, ", ".join(FEEDS)
            )
            continue
        try:
            file_id = sha256_of(item.path)
        except OSError as exc:  # swapped for a link or a FIFO since it was listed
            refused.append(f"{item.quarter}/{item.province}/{item.name}: {exc.strerror}")
            log.warning("not landed: %s/%s: %s", item.province, item.name, exc.strerror)
            continue
        seen = conn.execute(
            select(t.feed_file.c.file_id, t.feed_file.c.status).where(
                t.feed_file.c.file_id == file_id
            )
        ).first()
        if seen is not None:
            skipped.append({"file": item.name, "file_id": file_id, "status": seen.status})
            continue
        try:
            stored = _keep_copy(settings, item, file_id)
        except OSError as exc:  # changed or swapped between hashing and copying
            refused.append(f"{item.quarter}/{item.province}/{item.name}: {exc.strerror}")
            log.warning("not landed: %s/%s: %s", item.province, item.name, exc.strerror)
            continue
        replaced = _replace_earlier(conn, item, item.quarter, file_id)
        conn.execute(
            t.feed_file.insert().values(
                file_id=file_id, quarter=item.quarter, province=item.province, feed=item.feed,
                file_name=item.name, stored_path=str(stored), size_bytes=stored.stat().st_size,
                landed_at=_now(), status="landed",
                message=f"replaces {', '.join(replaced)}" if replaced else None,
            )
        )  # fmt: skip
        new.append({"file": item.name, "file_id": file_id, "feed": item.feed,
                    "province": item.province, "replaces": replaced})  # fmt: skip
    return new, skipped, unknown


def land(settings: Settings, quarter: Quarter, zone: LandingZone | None = None) -> dict[str, Any]:
    """Register every file of the quarter by content hash; keep a copy of each new one.

    Returns the ids of the files still to ingest (new, or landed earlier but not loaded) and
    the provinces that have files. A file whose bytes were seen before is skipped.
    """
    zone = zone or LocalLandingZone(settings.landing_dir)
    incoming = zone.list_files(quarter)
    # entries the zone would not touch (links, FIFOs): reported, never read
    refused = [f"{e.entry}: {e.reason}" for e in getattr(zone, "ignored", [])]
    engine = get_engine(settings.warehouse_url)
    with engine.begin() as conn:
        new, skipped, unknown = land_files(settings, conn, incoming, refused)
        _check_something_landed(conn, quarter, zone, incoming, unknown)
        # a failed file is not read again on every rerun: the same bytes give the same fault;
        # a person retries, replaces or rejects it (warehouse/feed_files.py)
        pending = feed_files.to_ingest(conn, str(quarter))
        provinces = conn.execute(
            select(t.feed_file.c.province).where(
                t.feed_file.c.quarter == str(quarter), t.feed_file.c.feed != CHANGES
            ).distinct()
        ).scalars().all()  # fmt: skip
    log.info(
        "landed %d new file(s) for %s, skipped %d seen before", len(new), quarter, len(skipped)
    )
    return {
        "quarter": str(quarter),
        "landed": new,
        "skipped": skipped,
        "ignored": unknown + refused,
        "to_ingest": list(pending),
        "provinces": sorted(provinces),
    }


def _check_something_landed(
    conn: Any, quarter: Quarter, zone: LandingZone, incoming: list[IncomingFile], unknown: list
) -> None:
    """A quarter with no file of any feed, now or landed before, is an error that names the
    folder looked in: "no cases" must never be read into an empty run."""
    if any(item.feed is not None for item in incoming):
        return
    landed = conn.execute(
        select(t.feed_file.c.file_id)
        .where(t.feed_file.c.quarter == str(quarter), t.feed_file.c.feed != CHANGES)
        .limit(1)
    ).first()
    if landed is not None:
        return
    root = getattr(zone, "root", None)
    folder = f"{root}/{quarter}" if root is not None else f"the landing zone's {quarter}"
    exists = root is not None and (Path(root) / str(quarter)).is_dir()
    found = (
        f"holds no file of any feed ({', '.join(unknown[:3])}{' …' if len(unknown) > 3 else ''} "
        "named no feed)" if unknown else "holds no file of any feed"
    ) if exists else "does not exist"  # fmt: skip
    raise NothingToLand(
        f"nothing to land for {quarter}: the landing folder {folder} {found}. The partners' "
        f"files go in {folder}/<province>/ (two-digit new code), named <feed>_<province>_"
        f"{quarter}.<csv|xlsx|jsonl> with feed tax, registry, roll or decisions; is "
        "RECONCILE_LANDING_DIR the right folder, and is the quarter right?"
    )


def _replace_earlier(conn: Any, item: IncomingFile, quarter: str, file_id: str) -> list[str]:
    """A file landed again under the same name, with other bytes, is a correction: the earlier
    version is marked ``replaced`` (its rows no longer load) and both record the replacement."""
    earlier = conn.execute(
        select(t.feed_file.c.file_id).where(
            t.feed_file.c.quarter == quarter, t.feed_file.c.province == item.province,
            t.feed_file.c.feed == item.feed, t.feed_file.c.file_name == item.name,
            t.feed_file.c.status.not_in(("replaced", "rejected")),
        )
    ).scalars().all()  # fmt: skip
    for old_id in earlier:
        conn.execute(
            update(t.feed_file).where(t.feed_file.c.file_id == old_id).values(
                status="replaced", message=f"replaced by {file_id} (a corrected {item.name}) on {_now():%Y-%m-%d}"
            )
        )  # fmt: skip
        log.info(
            "%s: a corrected version replaces the one landed before (%s)", item.name, old_id[:12]
        )
    return list(earlier)


def _keep_copy(settings: Settings, item: IncomingFile, file_id: str) -> Path:
    folder = settings.data_dir / "landed" / item.quarter / item.province
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{file_id[:16]}_{item.name}"  # item.name passed safe_file_name()
    return copy_verified(item.path, target, file_id)


# ---------------------------------------------------------------- ingest (read, validate, stage)
def ingest(settings: Settings, file_id: str) -> dict[str, Any]:
    """Read, clean and validate one landed file; stage its good rows, quarantine the others."""
    engine = get_engine(settings.warehouse_url)
    with engine.connect() as conn:
        row = (
            conn.execute(select(t.feed_file).where(t.feed_file.c.file_id == file_id))
            .mappings()
            .first()
        )
    if row is None:
        raise ValueError(f"no landed file with id {file_id}")
    spec = specs()[row["feed"]]
    # the configuration's faults are not the file's: they fail the step, never the file
    try:
        limits = FeedLimits.from_options(settings.options)
    except ValueError as exc:
        raise ConfigError(f"the configuration (RECONCILE_CONFIG): {exc}") from exc
    suite = load_suite(settings.expectations_dir, spec.name)
    try:
        table = read_table(
            Path(row["stored_path"]), spec, display_name=row["file_name"], limits=limits
        )
        frame = clean(table, spec)
        undecided = 0
        if spec.skip_rows_without:
            blank = frame[spec.skip_rows_without].isna() & (frame["reasons"].map(len) == 0)
            undecided = int(blank.sum())
            frame = frame[~blank].reset_index(drop=True)
        columns = [c for c in frame.columns if c not in ("raw", "reasons", "line")]
        candidates = frame[frame["reasons"].map(len) == 0].reset_index()
        about = {"file_name": row["file_name"], "feed": spec.name, "province": row["province"],
                 "header_line": table.header_line, "headers": written_headers(table)}  # fmt: skip
        outcome = validate_frame(candidates[columns], suite, row["file_name"],
                                 lines=list(candidates["line"]), about=about)  # fmt: skip
        if outcome.table_failures:
            raise FeedFileError(row["file_name"], "; ".join(outcome.table_failures))
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
            row["file_name"],
            f"could not be read ({type(exc).__name__}: {exc}); the file is set aside, the other "
            "files go on; please report it to the data team with the file",
        )
        _refuse(engine, file_id, str(error))
        raise error from exc
    if spec.name == "decisions":
        _quarantine_other_provinces_cases(engine, frame, row["province"])
    accepted, rejected = split_rows(frame)
    _save_validation(settings, file_id, outcome.result)
    base = {"file_id": file_id, "quarter": row["quarter"], "province": row["province"]}
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
        conn.execute(
            update(t.feed_file)
            .where(t.feed_file.c.file_id == file_id)
            .values(
                status="loaded",
                encoding=table.encoding,
                header_line=table.header_line,
                rows_read=len(frame) + undecided,
                rows_accepted=len(accepted),
                rows_quarantined=len(rejected),
                # a failure's message goes; a correction's note of what it replaced stays
                message=row["message"] if (row["message"] or "").startswith("replaces ") else None,
                loaded_at=_now(),
            )  # fmt: skip
        )
    summary = {
        "file": row["file_name"], "feed": spec.name, "province": row["province"],
        "rows_read": len(frame) + undecided, "rows_accepted": len(accepted), "rows_quarantined": len(rejected),
        "rows_without_decision": undecided,
    }  # fmt: skip
    log.info(
        "ingested %(file)s: %(rows_accepted)d accepted, %(rows_quarantined)d quarantined", summary
    )
    limit = float(settings.options["max_bad_row_share"])
    if too_many_bad_rows(len(rejected), len(frame), limit):
        message = _too_many_message(row["file_name"], rejected, len(frame), limit)
        _refuse(engine, file_id, message)
        raise FeedFileError(row["file_name"], message)
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
        known_cases = set(
            conn.execute(
                select(t.case.c.case_id).where(t.case.c.province == province, t.case.c.case_id.in_(ids))
            ).scalars()
        ) if ids else set()  # fmt: skip
        known_units = set(
            conn.execute(
                select(t.employer_unit.c.unit_code).where(
                    t.employer_unit.c.province == province, t.employer_unit.c.unit_code.in_(units)
                ).distinct()
            ).scalars()
        ) if units else set()  # fmt: skip
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


# ---------------------------------------------------------------- load
def _staged(conn: Any, feed: str, quarter: Quarter, province: str) -> pd.DataFrame:
    staged = t.staged[feed]
    query = (
        select(staged, t.feed_file.c.landed_at)
        .join(t.feed_file, t.feed_file.c.file_id == staged.c.file_id)
        .where(
            staged.c.quarter == str(quarter),
            staged.c.province == province,
            t.feed_file.c.status == "loaded",
        )
    )
    result = conn.execute(query)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)


def load(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    """Build the quarter's ``firm`` and ``employer_unit`` partition from the staged rows."""
    engine = get_engine(settings.warehouse_url)
    with engine.begin() as conn:
        firms = build_firms(_staged(conn, "tax", quarter, province), _staged(conn, "registry", quarter, province),
                            str(quarter), province)  # fmt: skip
        units = build_units(_staged(conn, "roll", quarter, province), str(quarter), province)
        partition = {"quarter": str(quarter), "province": province}
        replace_partition(conn, t.firm, partition, records(firms, t.firm))
        replace_partition(conn, t.employer_unit, partition, records(units, t.employer_unit))
        decided = _store_decisions(
            conn, _staged(conn, "decisions", quarter, province), quarter, province
        )
        noticed = _history_to_refresh(conn, firms, quarter, settings.options)
        history_store.rebuild(conn, noticed)
    log.info("loaded %s/%s: %d firms, %d employer units", quarter, province, len(firms), len(units))
    return {"province": province, "firms": len(firms), "units": len(units), "decisions": decided,
            "firms_with_notices": len(noticed)}  # fmt: skip


def _store_decisions(conn: Any, staged: pd.DataFrame, quarter: Quarter, province: str) -> int:
    """The province's decisions landed this quarter into ``decision``: every returned row kept.

    Replaces exactly the rows this step wrote before (the quarter's workbook decisions of this
    province), so a rerun gives the same rows; another province's, and decisions entered on
    the web, are never touched. Which decision counts is decided when reading (``latest``).
    """
    frame = decision_logic.rows_to_store(staged, quarter, province)
    partition = {"quarter": str(quarter), "province": province, "source": "workbook"}
    replace_partition(conn, t.decision, partition, records(frame, t.decision))
    return len(frame)


# ---------------------------------------------------------------- link
def link(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    """Link the partition's units to its firms: exact tax codes, then fuzzy name and address."""
    engine = get_engine(settings.warehouse_url)
    partition = {"quarter": str(quarter), "province": province}
    with engine.begin() as conn:
        firms = read_frame(conn, t.firm, **partition)
        units = read_frame(conn, t.employer_unit, **partition)
        last = decision_logic.latest(read_frame(conn, t.decision, province=province), quarter)
        overrides = decision_logic.link_overrides(last, read_frame(conn, t.case, province=province))
        result = link_partition(firms, units, overrides, options=settings.options.get("matching"))
        replace_partition(conn, t.link, partition, records(result.links, t.link))
    links = result.links
    by_method = (
        dict(Counter(links.loc[links["band"] == "link", "method"])) if not links.empty else {}
    )
    review = int((links["band"] == "review").sum()) if not links.empty else 0
    linked = sum(by_method.values())
    log.info(
        "linked %s/%s: %d of %d units %s, %d for review",
        quarter,
        province,
        linked,
        len(units),
        by_method,
        review,
    )
    return {"province": province, "units": len(units), "links": by_method, "review": review,
            "unlinked_units": len(units) - linked - review, "pairs_scored": result.stats.get("pairs_scored", 0)}  # fmt: skip


# ---------------------------------------------------------------- rules and cases
def apply_rules(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    engine = get_engine(settings.warehouse_url)
    catalog = rules(settings.options.get("rules"))
    terms = contributions(settings.options.get("rules"))
    partition = {"quarter": str(quarter), "province": province}
    with engine.begin() as conn:
        state = _readiness(settings, conn, quarter, province)
        if state.blocked:
            # judged without its roll every firm would look unregistered, without its tax feed
            # every unit unknown: no finding rests on a feed that is not there
            replace_partition(conn, t.finding, partition, [])
            replace_partition(conn, t.case_status, partition, [])
            log.error("rules %s/%s not applied: %s", quarter, province, state.describe())
            return {"province": province, "blocked": [g.as_dict() for g in state.blocking],
                    "findings": {}, "cases": {}, "suppressed": 0, "money_at_stake": 0,
                    "money_counted": 0}  # fmt: skip
        firms = _as_history_tells(conn, read_frame(conn, t.firm, **partition), quarter)
        units = read_frame(conn, t.employer_unit, **partition)
        links = read_frame(conn, t.link, **partition)
        last = decision_logic.latest(read_frame(conn, t.decision, province=province), quarter)
        # the search of the roll never offers again a pair an inspector said is not the same
        overrides = decision_logic.link_overrides(last, read_frame(conn, t.case, province=province))
        findings = find(firms, units, links, quarter, province, catalog, terms, overrides)
        quiet = decision_logic.suppressed(
            last, quarter, int(settings.options.get("not_subject_quarters", 4))
        )
        suppressed = int(findings["case_id"].isin(quiet).sum()) if not findings.empty else 0
        findings = recount(findings[~findings["case_id"].isin(quiet)]) if suppressed else findings
        replace_partition(conn, t.finding, partition, records(findings, t.finding))

        previous, earlier = _earlier_cases(conn, quarter, province)
        statuses = case_logic.case_statuses(
            set(findings["case_id"]),
            previous,
            earlier,
            quarter,
            province,
            closed=decision_logic.resolved(last),
        )
        replace_partition(conn, t.case_status, partition, records(statuses, t.case_status))

        touched = sorted(set(findings["case_id"]) | previous)
        history = _case_history(conn, touched)
        replace_partition(
            conn, t.case, {"case_id": touched}, records(case_logic.case_rows(history), t.case)
        )
    by_rule = dict(Counter(findings["rule"])) if not findings.empty else {}
    by_status = dict(Counter(statuses["status"])) if not statuses.empty else {}
    log.info("rules %s/%s: %d findings %s", quarter, province, len(findings), by_rule)
    return {"province": province, "findings": by_rule, "cases": by_status, "suppressed": suppressed,
            "money_at_stake": int(findings["money_at_stake"].sum()) if not findings.empty else 0,
            "money_counted": int(findings["money_counted"].sum()) if not findings.empty else 0}  # fmt: skip


def _history_to_refresh(
    conn: Any, firms: pd.DataFrame, quarter: Quarter, options: dict[str, Any]
) -> set[str]:
    """The firms whose history takes in this quarter's snapshot: those some change notice is
    about, and those started in the last 90 days (so that a new firm no notice told of still
    reaches the outreach list); ``history_from_snapshots: all`` in the settings takes every
    firm (about 0.15 s per thousand firms more on this machine)."""
    if firms.empty:
        return set()
    codes = list(firms["tax_code"])
    which = options.get("history_from_snapshots", "new_and_noticed")
    if which not in ("new_and_noticed", "all"):
        raise ConfigError(
            f"history_from_snapshots: {which!r} is not one of new_and_noticed, all "
            "(the configuration, RECONCILE_CONFIG)"
        )
    if which == "all":
        return set(codes)
    since = quarter.last_day - timedelta(days=90)
    recent = {
        code
        for code, started in zip(firms["tax_code"], firms["started_on"], strict=True)
        if started is not None and started == started and started >= since
    }
    return history_store.with_notices(conn, codes) | recent


def _as_history_tells(conn: Any, firms: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """The partition's firms with what their change notices told by the quarter's last day
    (``history.timeline.firm_as_of``); firms no notice is about are left as the files say."""
    if firms.empty:
        return firms
    found = history_store.read_periods(conn, list(firms["tax_code"]))
    if not found:
        return firms
    rows = [
        firm_as_of(row, found[row["tax_code"]], quarter.last_day)
        if row["tax_code"] in found
        else row
        for row in firms.to_dict("records")
    ]
    told = pd.DataFrame(rows, dtype=object)
    changed = int(told["status_notice"].notna().sum()) if "status_notice" in told else 0
    log.info(
        "history: %d firm(s) with a history, %d status(es) told by a notice", len(found), changed
    )
    return told.astype(object).where(told.notna(), None)


def _readiness(
    settings: Settings, conn: Any, quarter: Quarter, province: str
) -> feed_files.Readiness:
    return feed_files.readiness(
        conn, str(quarter), province, feed_files.required_feeds(settings.options)
    )


def _earlier_cases(conn: Any, quarter: Quarter, province: str) -> tuple[set[str], set[str]]:
    """The province's cases found last quarter, and those found before it.

    Only ids and quarters are read: the findings' evidence of every earlier quarter would grow
    the task's memory with the warehouse's age.
    """
    rows = conn.execute(
        select(t.finding.c.case_id, t.finding.c.quarter)
        .where(t.finding.c.province == province, t.finding.c.quarter < str(quarter))
        .distinct()
    ).all()
    last = str(quarter.previous())
    return {c for c, q in rows if q == last}, {c for c, q in rows if q < last}


def _case_history(conn: Any, case_ids: list[str]) -> pd.DataFrame:
    """What ``case_rows`` needs of every finding of these cases, in any quarter."""
    columns = ["case_id", "quarter", "province", "tax_code", "unit_code"]
    if not case_ids:
        return pd.DataFrame(columns=columns)
    result = conn.execute(
        select(*(t.finding.c[name] for name in columns)).where(t.finding.c.case_id.in_(case_ids))
    )
    return pd.DataFrame(result.fetchall(), columns=columns, dtype=object)


# ---------------------------------------------------------------- publish
def output_folder(settings: Settings, quarter: Quarter, province: str | None = None) -> Path:
    folder = settings.output_dir / str(quarter)
    return folder / province if province else folder


def publish(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    """The inspectors' workbook and CSV of the partition's open cases, and its quarantine CSV.

    Written under a lock in the warehouse, so two runs of a quarter never interleave a
    province's files (``Locked`` is retryable: the second waits for its turn).
    """
    engine = get_engine(settings.warehouse_url)
    with locks.held(engine, f"publish:{quarter}:{province}"):
        return _publish(settings, engine, quarter, province)


def _publish(settings: Settings, engine: Any, quarter: Quarter, province: str) -> dict[str, Any]:
    catalog = rules(settings.options.get("rules"))
    partition = {"quarter": str(quarter), "province": province}
    with engine.connect() as conn:
        state = _readiness(settings, conn, quarter, province)
        findings = read_frame(conn, t.finding, **partition)
        statuses = read_frame(conn, t.case_status, **partition)
        links = read_frame(conn, t.link, **partition)
        quarantined = read_frame(conn, t.quarantine, **partition)
        files = read_frame(conn, t.feed_file, **partition)
        units = read_frame(conn, t.employer_unit, **partition)
        firms = read_frame(conn, t.firm, **partition)
        decided = read_frame(conn, t.decision, province=province)
        last = decision_logic.latest(decided, quarter)
    group_of = (
        commune_namer(province)
        if settings.options.get("workbook_group_by", "commune") == "commune"
        else None
    )
    rows = workbook.case_rows(findings, statuses, links, catalog, firms, decision_logic.carried(last),
                              mask=bool(settings.options.get("mask_personal_data", True)), group_of=group_of,
                              history=decision_logic.history(decided, quarter))  # fmt: skip
    review = workbook.review_rows(links, units, firms)
    folder = output_folder(settings, quarter, province)
    stem = f"{province}_{quarter}"
    if state.blocked:
        return _publish_blocked(settings, state, folder, stem, quarantined, files)
    words = labels()["export"]  # the web's export writes the same summary sheet
    overview = {
        words["quarter"]: str(quarter),
        words["province"]: province,
        words["cases"]: len(rows),
        words["review"]: len(review),
        words["money"]: int(rows["money_counted"].sum()) if not rows.empty else 0,
        **{
            f"{words['rule_prefix']} {rule}": count
            for rule, count in sorted(Counter(rows["rule"]).items())
        },
        **{f"Cảnh báo {n}": gap.describe_vi() for n, gap in enumerate(state.gaps, start=1)},
    }
    xlsx = workbook.write_workbook(
        rows,
        folder / f"cases_{stem}.xlsx",
        f"Danh sách hồ sơ kiểm tra – {stem}",
        overview,
        review,
        group_sheets=group_of is not None,
    )
    csv_path = workbook.write_csv(rows, folder / f"cases_{stem}.csv")
    quarantine_path = write_quarantine_csv(
        quarantined, files, folder / f"quarantine_{stem}.csv",
        mask=bool(settings.options.get("mask_personal_data", True)),
        mask_unknown=bool(settings.options.get("mask_unknown_columns", True)),
        validations=settings.data_dir / "validations",
    )  # fmt: skip
    return {"province": province, "cases": len(rows), "review": len(review), "workbook": str(xlsx), "csv": str(csv_path),
            "quarantine": str(quarantine_path)}  # fmt: skip


def _publish_blocked(settings: Settings, state: feed_files.Readiness, folder: Path, stem: str,
                     quarantined: pd.DataFrame, files: pd.DataFrame) -> dict[str, Any]:  # fmt: skip
    """A blocked province: a workbook saying why instead of cases; no cases CSV (an old one,
    from a run before the file was refused, is removed: it no longer holds)."""
    xlsx = write_blocked_workbook(
        state, folder / f"cases_{stem}.xlsx", f"Danh sách hồ sơ kiểm tra – {stem}"
    )
    (folder / f"cases_{stem}.csv").unlink(missing_ok=True)
    quarantine_path = write_quarantine_csv(
        quarantined, files, folder / f"quarantine_{stem}.csv",
        mask=bool(settings.options.get("mask_personal_data", True)),
        mask_unknown=bool(settings.options.get("mask_unknown_columns", True)),
        validations=settings.data_dir / "validations",
    )  # fmt: skip
    log.error("province %s blocked, no cases published: %s", state.province, state.describe())
    return {"province": state.province, "blocked": [g.as_dict() for g in state.blocking],
            "cases": 0, "review": 0, "workbook": str(xlsx), "csv": None,
            "quarantine": str(quarantine_path)}  # fmt: skip


def _published(settings: Settings, quarter: Quarter) -> list[dict[str, Any]]:
    """What publish wrote for the quarter, found on disk (the DAG's summary has no task results)."""
    found = []
    base = output_folder(settings, quarter)
    for folder in sorted(p for p in base.glob("[0-9][0-9]") if p.is_dir()):
        stem = f"{folder.name}_{quarter}"
        found.append({
            "province": folder.name,
            "workbook": str(folder / f"cases_{stem}.xlsx"),
            "csv": str(folder / f"cases_{stem}.csv") if (folder / f"cases_{stem}.csv").exists() else None,
            "quarantine": str(folder / f"quarantine_{stem}.csv"),
        })  # fmt: skip
    return found


# ---------------------------------------------------------------- run bookkeeping and summary
def start_run(settings: Settings, quarter: Quarter, run_id: str) -> None:
    """Record the run as ``running``; runs left ``running`` long ago are marked ``abandoned``.

    A run killed with its process never writes its end. Older than ``stale_run_hours`` (the
    longest a quarter may take), it is taken as gone, so that ``run`` never says that a
    quarter is being processed when nothing is.
    """
    engine = get_engine(settings.warehouse_url)
    hours = float(settings.options.get("stale_run_hours", 12))
    cutoff = _now() - timedelta(hours=hours)
    with engine.begin() as conn:
        abandoned = conn.execute(
            update(t.run)
            .where(t.run.c.status == "running", t.run.c.started_at < cutoff, t.run.c.run_id != run_id)
            .values(status="abandoned", finished_at=_now())
        ).rowcount  # fmt: skip
        replace_partition(conn, t.run, {"run_id": run_id}, [
            {"run_id": run_id, "quarter": str(quarter), "started_at": _now(), "status": "running",
             "versions": {"reconcile": __version__}}
        ])  # fmt: skip
    if abandoned:
        log.warning(
            "%d run(s) still marked running after %.0f hours were marked abandoned",
            abandoned,
            hours,
        )


def end_run(settings: Settings, run_id: str, status: str, error: str | None = None) -> None:
    """Record how a run ended when it did not reach its summary (``failed``, with the error)."""
    engine = get_engine(settings.warehouse_url)
    with engine.begin() as conn:
        conn.execute(
            update(t.run)
            .where(t.run.c.run_id == run_id)
            .values(status=status, finished_at=_now(), counts={"error": error} if error else None)
        )


def province_states(settings: Settings, quarter: Quarter) -> dict[str, feed_files.Readiness]:
    """Every province with files this quarter, and what (if anything) it lacks."""
    with get_engine(settings.warehouse_url).connect() as conn:
        return feed_files.quarter_readiness(conn, str(quarter), settings.options)


def verdict(summary: dict[str, Any]) -> dict[str, Any]:
    """``QuarterIncomplete`` when the summary lists problems: raised once everything is written."""
    if summary.get("problems"):
        raise QuarterIncomplete(summary["quarter"], summary["problems"])
    return {"quarter": summary["quarter"], "status": summary.get("status", "success")}


def problems(summary: dict[str, Any]) -> list[str]:
    """What in a run's summary needs a person: refused files, blocked provinces."""
    found = [
        f"{item['file']} (province {item['province']}, {item['feed']}) refused: {item['message']}"
        for item in summary["files"].get("failed_details", [])
    ]
    for province, state in summary.get("provinces", {}).items():
        if state["status"] == "blocked":
            found.append(f"province {province} blocked, no cases published: {state['why']}")
    return found


def summarise(settings: Settings, quarter: Quarter, run_id: str, landing: dict[str, Any] | None = None,
              published: list[dict[str, Any]] | None = None, failures: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """The run's summary, from the warehouse (not from task results), written to summary.json.

    ``problems`` lists what needs a person (refused files, blocked provinces, and the
    ``failures`` the caller saw, such as a province whose step raised); the run is then
    ``incomplete``, not ``success``.
    """
    engine = get_engine(settings.warehouse_url)
    q = str(quarter)
    with engine.begin() as conn:
        files = read_frame(conn, t.feed_file, quarter=q)
        feeds = {
            r["feed"]: {"files": int(r["files"]), "rows_accepted": int(r["rows_accepted"]),
                        "rows_quarantined": int(r["rows_quarantined"])}
            for r in run_query(conn, settings.sql_dir, "feed_rows", quarter=q)
        }  # fmt: skip
        links: Counter[str] = Counter()
        for r in run_query(conn, settings.sql_dir, "links_by_method", quarter=q):
            links[r["method"]] += int(r["links"])
        by_rule = run_query(conn, settings.sql_dir, "findings_by_rule", quarter=q)
        findings = {r["rule"]: int(r["findings"]) for r in by_rule}
        # each missing employee, wage shortfall and unpaid amount once (rules/money.py counted)
        money_counted = sum(int(r["money_counted"] or 0) for r in by_rule)
        statuses = {
            r["status"]: int(r["cases"])
            for r in run_query(conn, settings.sql_dir, "cases_by_status", quarter=q)
        }
        sizes = run_query(conn, settings.sql_dir, "partition_sizes", quarter=q)[0]
        units = int(sizes["employer_units"])
        summary = {
            "quarter": q,
            "run_id": run_id,
            "files": {
                "landed_now": len((landing or {}).get("landed", [])),
                "skipped_seen_before": len((landing or {}).get("skipped", [])),
                "ignored": (landing or {}).get("ignored", []),
                "in_warehouse": len(files),
                "failed": sorted(files.loc[files["status"] == "failed", "file_name"])
                if not files.empty
                else [],
                "failed_details": [
                    {
                        "file": f.file_name,
                        "file_id": f.file_id,
                        "province": f.province,
                        "feed": f.feed,
                        "message": f.message,
                    }
                    for f in files[files["status"] == "failed"]
                    .sort_values("file_name")
                    .itertuples()
                ]
                if not files.empty
                else [],
                "rejected": sorted(files.loc[files["status"] == "rejected", "file_name"])
                if not files.empty
                else [],  # fmt: skip
                "replaced_by_corrections": int((files["status"] == "replaced").sum())
                if not files.empty
                else 0,
            },
            "feeds": feeds,
            "firms": int(sizes["firms"]),
            "employer_units": units,
            "links_by_method": dict(sorted(links.items())),
            "unlinked_units": units - sum(links.values()),
            "findings_by_rule": dict(sorted(findings.items())),
            "money_counted": money_counted,
            "cases_by_status": dict(sorted(statuses.items())),
            "published": published if published is not None else _published(settings, quarter),
            "provinces": {
                province: {
                    "status": "blocked" if state.blocked else "published",
                    "why": state.describe() if state.gaps else None,
                    "gaps": [gap.as_dict() for gap in state.gaps],
                }
                for province, state in province_states(settings, quarter).items()
            },
        }
        summary["problems"] = problems(summary) + list(failures or [])
        status = "incomplete" if summary["problems"] else "success"
        summary["status"] = status
        conn.execute(
            update(t.run)
            .where(t.run.c.run_id == run_id)
            .values(finished_at=_now(), status=status, counts=summary)
        )
    summary["quality_report"] = str(build_quality_report(settings, quarter))
    for province, state in summary["provinces"].items():  # each BHXH tỉnh its own report
        state["quality_report"] = str(build_quality_report(settings, quarter, province))
    # Data Docs load their assets from CDNs: an optional extra (docs/ingestion.md); the
    # validation results are in the quality reports
    docs = build_data_docs(settings, quarter) if settings.options.get("data_docs") else None
    summary["data_docs"] = str(docs) if docs else None
    folder = output_folder(settings, quarter)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "summary.json"
    summary["summary_path"] = str(path)
    atomic.write_text(path, json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary
