"""``land``: register each file of the quarter by its content hash and keep a copy of it.

A file whose bytes were seen before is skipped; a file landed again under its name with other
bytes replaces the earlier version (``warehouse.feed_files`` keeps the files' states).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from reconcile.errors import NothingToLand
from reconcile.feeds.spec import FEEDS
from reconcile.landing import IncomingFile, LandingZone, LocalLandingZone, copy_verified, sha256_of
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import feed_files
from reconcile.warehouse.engine import get_engine

log = logging.getLogger(__name__)


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
        seen = feed_files.status_of(conn, file_id)
        if seen is not None:
            skipped.append({"file": item.name, "file_id": file_id, "status": seen})
            continue
        try:
            stored = _keep_copy(settings, item, file_id)
        except OSError as exc:  # changed or swapped between hashing and copying
            refused.append(f"{item.quarter}/{item.province}/{item.name}: {exc.strerror}")
            log.warning("not landed: %s/%s: %s", item.province, item.name, exc.strerror)
            continue
        where = (item.quarter, item.province, item.feed, item.name)
        replaced = feed_files.replace_earlier(conn, file_id, *where)
        feed_files.record_landed(conn, file_id, *where, stored_path=stored, replaces=replaced)
        new.append(
            {
                "file": item.name,
                "file_id": file_id,
                "feed": item.feed,
                "province": item.province,
                "replaces": replaced,
            }
        )
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
        provinces = feed_files.provinces_with_files(conn, str(quarter))
    log.info(
        "landed %d new file(s) for %s, skipped %d seen before", len(new), quarter, len(skipped)
    )
    return {
        "quarter": str(quarter),
        "landed": new,
        "skipped": skipped,
        "ignored": unknown + refused,
        "to_ingest": list(pending),
        "provinces": provinces,
    }


def _check_something_landed(
    conn: Any, quarter: Quarter, zone: LandingZone, incoming: list[IncomingFile], unknown: list
) -> None:
    """A quarter with no file of any feed, now or landed before, is an error that names the
    folder looked in: "no cases" must never be read into an empty run."""
    if any(item.feed is not None for item in incoming):
        return
    if feed_files.has_quarterly_files(conn, str(quarter)):
        return
    root = getattr(zone, "root", None)
    folder = f"{root}/{quarter}" if root is not None else f"the landing zone's {quarter}"
    exists = root is not None and (Path(root) / str(quarter)).is_dir()
    found = (
        (
            f"holds no file of any feed ({', '.join(unknown[:3])}{' …' if len(unknown) > 3 else ''} "
            "named no feed)"
            if unknown
            else "holds no file of any feed"
        )
        if exists
        else "does not exist"
    )
    raise NothingToLand(
        f"nothing to land for {quarter}: the landing folder {folder} {found}. The partners' "
        f"files go in {folder}/<province>/ (two-digit new code), named <feed>_<province>_"
        f"{quarter}.<csv|xlsx|jsonl> with feed tax, registry, roll or decisions; is "
        "RECONCILE_LANDING_DIR the right folder, and is the quarter right?"
    )


def _keep_copy(settings: Settings, item: IncomingFile, file_id: str) -> Path:
    folder = settings.data_dir / "landed" / item.quarter / item.province
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{file_id[:16]}_{item.name}"  # item.name passed safe_file_name()
    return copy_verified(item.path, target, file_id)
