"""The pipeline's steps, each a function the DAG's tasks and the CLI call alike.

Every step reads and writes the warehouse for one partition (a quarter, a province, a file)
inside one transaction and returns a small JSON-ready summary (what XCom carries). Rerunning
a step replaces its partition and gives the same rows.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, select, update

from reconcile import __version__
from reconcile.feeds.cleaning import clean
from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile.landing import IncomingFile, LandingZone, LocalLandingZone, sha256_of
from reconcile.match import link_partition
from reconcile.publish import workbook
from reconcile.publish.groups import commune_namer
from reconcile.publish.masking import mask_raw_record
from reconcile.publish.quality_report import build_quality_report
from reconcile.quality.data_docs import build_data_docs
from reconcile.quality.expectations import load_suite, validate_frame
from reconcile.quality.quarantine import split_rows, too_many_bad_rows
from reconcile.quarter import Quarter
from reconcile.rules import cases as case_logic
from reconcile.rules import decisions as decision_logic
from reconcile.rules.catalog import contributions, rules
from reconcile.rules.findings import find
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.partitions import build_firms, build_units
from reconcile.warehouse.queries import run_query
from reconcile.warehouse.store import insert_rows, read_frame, records, replace_partition

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- land
def land(settings: Settings, quarter: Quarter, zone: LandingZone | None = None) -> dict[str, Any]:
    """Register every file of the quarter by content hash; keep a copy of each new one.

    Returns the ids of the files still to ingest (new, or landed earlier but not loaded) and
    the provinces that have files. A file whose bytes were seen before is skipped.
    """
    zone = zone or LocalLandingZone(settings.landing_dir)
    incoming = zone.list_files(quarter)
    engine = get_engine(settings.warehouse_url)
    new, skipped, unknown = [], [], []
    with engine.begin() as conn:
        for item in incoming:
            if item.feed is None:
                unknown.append(item.name)
                log.warning(
                    "ignored %s: its name does not start with a feed (tax, registry, roll, decisions)",
                    item.name,
                )
                continue
            file_id = sha256_of(item.path)
            seen = conn.execute(
                select(t.feed_file.c.file_id, t.feed_file.c.status).where(
                    t.feed_file.c.file_id == file_id
                )
            ).first()
            if seen is not None:
                skipped.append({"file": item.name, "file_id": file_id, "status": seen.status})
                continue
            stored = _keep_copy(settings, item, file_id)
            replaced = _replace_earlier(conn, item, str(quarter), file_id)
            conn.execute(
                t.feed_file.insert().values(
                    file_id=file_id,
                    quarter=str(quarter),
                    province=item.province,
                    feed=item.feed,
                    file_name=item.name,
                    stored_path=str(stored),
                    size_bytes=stored.stat().st_size,
                    landed_at=_now(),
                    status="landed",
                    message=f"replaces {', '.join(replaced)}" if replaced else None,
                )  # fmt: skip
            )
            new.append(
                {
                    "file": item.name,
                    "file_id": file_id,
                    "feed": item.feed,
                    "province": item.province,
                    "replaces": replaced,
                }
            )
        pending = conn.execute(
            select(t.feed_file.c.file_id)
            .where(t.feed_file.c.quarter == str(quarter), t.feed_file.c.status.in_(("landed", "failed")))
            .order_by(t.feed_file.c.landed_at, t.feed_file.c.file_id)
        ).scalars().all()  # fmt: skip
        provinces = conn.execute(
            select(t.feed_file.c.province).where(t.feed_file.c.quarter == str(quarter)).distinct()
        ).scalars().all()  # fmt: skip
    log.info(
        "landed %d new file(s) for %s, skipped %d seen before", len(new), quarter, len(skipped)
    )
    return {
        "quarter": str(quarter),
        "landed": new,
        "skipped": skipped,
        "ignored": unknown,
        "to_ingest": list(pending),
        "provinces": sorted(provinces),
    }


def _replace_earlier(conn: Any, item: IncomingFile, quarter: str, file_id: str) -> list[str]:
    """A file landed again under the same name, with other bytes, is a correction: the earlier
    version is marked ``replaced`` (its rows no longer load) and both record the replacement."""
    earlier = conn.execute(
        select(t.feed_file.c.file_id).where(
            t.feed_file.c.quarter == quarter, t.feed_file.c.province == item.province,
            t.feed_file.c.feed == item.feed, t.feed_file.c.file_name == item.name,
            t.feed_file.c.status != "replaced",
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
    shutil.copyfile(item.path, target)
    return target


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
    try:
        table = read_table(Path(row["stored_path"]), spec, display_name=row["file_name"])
        frame = clean(table, spec)
        undecided = 0
        if spec.skip_rows_without:
            blank = frame[spec.skip_rows_without].isna() & (frame["reasons"].map(len) == 0)
            undecided = int(blank.sum())
            frame = frame[~blank].reset_index(drop=True)
        columns = [c for c in frame.columns if c not in ("raw", "reasons", "line")]
        candidates = frame[frame["reasons"].map(len) == 0].reset_index()
        outcome = validate_frame(
            candidates[columns], load_suite(settings.expectations_dir, spec.name), row["file_name"]
        )
        if outcome.table_failures:
            raise FeedFileError(row["file_name"], "; ".join(outcome.table_failures))
        for position, reasons in outcome.row_reasons.items():
            index = candidates.at[position, "index"]
            frame.at[index, "reasons"] = [*frame.at[index, "reasons"], *reasons]
    except FeedFileError as exc:
        _mark_failed(engine, file_id, str(exc))
        raise
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
        _mark_failed(engine, file_id, message)
        raise FeedFileError(row["file_name"], message)
    return summary


def _mark_failed(engine: Any, file_id: str, message: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(t.feed_file)
            .where(t.feed_file.c.file_id == file_id)
            .values(status="failed", message=message)
        )


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
        decided = _store_decisions(conn, _staged(conn, "decisions", quarter, province), quarter)
    log.info("loaded %s/%s: %d firms, %d employer units", quarter, province, len(firms), len(units))
    return {"province": province, "firms": len(firms), "units": len(units), "decisions": decided}


def _store_decisions(conn: Any, staged: pd.DataFrame, quarter: Quarter) -> int:
    """Inspectors' decisions landed this quarter into ``decision``, one per case and day.

    A decision without a date takes the day its file was landed; the same case decided twice
    on one day keeps the later file's word. Replacing by (case, day) keeps reruns idempotent.
    """
    if staged.empty:
        return 0
    frame = staged.copy()
    landed_day = frame["landed_at"].map(
        lambda moment: moment.date() if hasattr(moment, "date") else moment
    )
    frame["decided_on"] = frame["decided_on"].where(frame["decided_on"].notna(), landed_day)
    frame = frame.sort_values(["landed_at", "row_number"]).drop_duplicates(
        ["case_id", "decided_on"], keep="last"
    )
    frame["quarter"] = str(quarter)
    for case_id, decided_on in zip(frame["case_id"], frame["decided_on"], strict=True):
        conn.execute(
            delete(t.decision).where(
                t.decision.c.case_id == case_id, t.decision.c.decided_on == decided_on
            )
        )
    insert_rows(conn, t.decision, records(frame, t.decision))
    return len(frame)


# ---------------------------------------------------------------- link
def link(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    """Link the partition's units to its firms: exact tax codes, then fuzzy name and address."""
    engine = get_engine(settings.warehouse_url)
    partition = {"quarter": str(quarter), "province": province}
    with engine.begin() as conn:
        firms = read_frame(conn, t.firm, **partition)
        units = read_frame(conn, t.employer_unit, **partition)
        last = decision_logic.latest(read_frame(conn, t.decision), quarter)
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
        firms = read_frame(conn, t.firm, **partition)
        units = read_frame(conn, t.employer_unit, **partition)
        links = read_frame(conn, t.link, **partition)
        findings = find(firms, units, links, quarter, province, catalog, terms)
        last = decision_logic.latest(read_frame(conn, t.decision), quarter)
        quiet = decision_logic.suppressed(
            last, quarter, int(settings.options.get("not_subject_quarters", 4))
        )
        suppressed = int(findings["case_id"].isin(quiet).sum()) if not findings.empty else 0
        findings = findings[~findings["case_id"].isin(quiet)] if suppressed else findings
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
            "money_at_stake": int(findings["money_at_stake"].sum()) if not findings.empty else 0}  # fmt: skip


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
    """The inspectors' workbook and CSV of the partition's open cases, and its quarantine CSV."""
    engine = get_engine(settings.warehouse_url)
    catalog = rules(settings.options.get("rules"))
    partition = {"quarter": str(quarter), "province": province}
    with engine.connect() as conn:
        findings = read_frame(conn, t.finding, **partition)
        statuses = read_frame(conn, t.case_status, **partition)
        links = read_frame(conn, t.link, **partition)
        quarantined = read_frame(conn, t.quarantine, **partition)
        files = read_frame(conn, t.feed_file, **partition)
        units = read_frame(conn, t.employer_unit, **partition)
        firms = read_frame(conn, t.firm, **partition)
        last = decision_logic.latest(read_frame(conn, t.decision), quarter)
    group_of = (
        commune_namer(province)
        if settings.options.get("workbook_group_by", "commune") == "commune"
        else None
    )
    rows = workbook.case_rows(findings, statuses, links, catalog, firms, decision_logic.carried(last),
                              mask=bool(settings.options.get("mask_personal_data", True)), group_of=group_of)  # fmt: skip
    review = workbook.review_rows(links, units, firms)
    folder = output_folder(settings, quarter, province)
    stem = f"{province}_{quarter}"
    overview = {
        "Quý": str(quarter),
        "Tỉnh (mã mới)": province,
        "Số hồ sơ": len(rows),
        "Số cặp cần xem xét liên kết": len(review),
        "Tổng số tiền ước tính (VND)": int(rows["money_at_stake"].sum()) if not rows.empty else 0,
        **{f"Quy tắc {rule}": count for rule, count in sorted(Counter(rows["rule"]).items())},
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
    quarantine_path = folder / f"quarantine_{stem}.csv"
    if not quarantined.empty:
        names = dict(zip(files["file_id"], files["file_name"], strict=True))
        quarantined = quarantined.assign(file=quarantined["file_id"].map(names))
        quarantined = quarantined.sort_values(["file", "row_number"])
    if settings.options.get("mask_personal_data", True) and not quarantined.empty:
        quarantined["raw"] = [
            mask_raw_record(raw, feed)
            for raw, feed in zip(quarantined["raw"], quarantined["feed"], strict=True)
        ]
    columns = ["file", "feed", "row_number", "line", "reasons", "raw"]
    quarantined.reindex(columns=columns).to_csv(quarantine_path, index=False, encoding="utf-8-sig")
    return {"province": province, "cases": len(rows), "review": len(review), "workbook": str(xlsx), "csv": str(csv_path),
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
            "csv": str(folder / f"cases_{stem}.csv"),
            "quarantine": str(folder / f"quarantine_{stem}.csv"),
        })  # fmt: skip
    return found


# ---------------------------------------------------------------- run bookkeeping and summary
def start_run(settings: Settings, quarter: Quarter, run_id: str) -> None:
    engine = get_engine(settings.warehouse_url)
    with engine.begin() as conn:
        replace_partition(conn, t.run, {"run_id": run_id}, [
            {"run_id": run_id, "quarter": str(quarter), "started_at": _now(), "status": "running",
             "versions": {"reconcile": __version__}}
        ])  # fmt: skip


def summarise(settings: Settings, quarter: Quarter, run_id: str, landing: dict[str, Any] | None = None,
              published: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
    """The run's summary, from the warehouse (not from task results), written to summary.json."""
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
        findings = {
            r["rule"]: int(r["findings"])
            for r in run_query(conn, settings.sql_dir, "findings_by_rule", quarter=q)
        }
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
            "cases_by_status": dict(sorted(statuses.items())),
            "published": published if published is not None else _published(settings, quarter),
        }
        conn.execute(
            update(t.run)
            .where(t.run.c.run_id == run_id)
            .values(finished_at=_now(), status="success", counts=summary)
        )
    summary["quality_report"] = str(build_quality_report(settings, quarter))
    docs = build_data_docs(settings, quarter)
    summary["data_docs"] = str(docs) if docs else None
    folder = output_folder(settings, quarter)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "summary.json"
    summary["summary_path"] = str(path)
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary
