"""Landed files and their states.

A file's life (``feed_file.status``, the ``FileStatus`` type), each move a function here::

    (new bytes) ──land: record_landed─────────────────────────────────► landed
    landed ───────ingest: mark_loaded─────────────────────────────────► loaded
    landed, loaded ──ingest refuses it as a file: mark_failed─────────► failed
                     (unreadable, over a limit, too many bad rows)
    any of them ──a corrected file of the same name: replace_earlier──► replaced
    any of them ──``reconcile files reject``: reject──────────────────► rejected
    failed ───────``reconcile files retry``: retry────────────────────► landed

Only ``landed`` files are ingested by a run: a ``failed`` file is not read again on every rerun
(the same bytes give the same fault) until a person retries it, replaces it or rejects it.

What a province's files lack for its quarter, judged on these states, is ``readiness.py``'s.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd
from sqlalchemy import Connection, Select, select, update

from reconcile.errors import UnknownFile
from reconcile.warehouse import schema as t
from reconcile.warehouse.store import read_frame

log = logging.getLogger(__name__)

# every status written to ``feed_file.status`` (schema.py's column comment names the same five)
FileStatus = Literal["landed", "loaded", "failed", "replaced", "rejected"]
SET_ASIDE: tuple[FileStatus, ...] = ("replaced", "rejected")  # no longer loaded, never blocking
CHANGES = "changes"  # the change notices' feed: the enterprise_changes DAG's, no quarter's
_file = t.feed_file.c  # the columns of ``feed_file``


@dataclass(frozen=True)
class FeedFile:
    """A landed file as ``ingest`` reads it: what it is, where its copy is, and its state."""

    file_id: str
    quarter: str
    province: str
    feed: str
    file_name: str
    stored_path: str
    status: FileStatus
    message: str | None


@dataclass(frozen=True)
class ReadCounts:
    """What reading a file found, kept on its ``feed_file`` row when it is loaded."""

    encoding: str | None  # the text encoding detected; None for a workbook
    header_line: int
    rows_read: int
    rows_accepted: int
    rows_quarantined: int


def provinces_with_files(conn: Connection, quarter: str) -> list[str]:
    """The provinces with a quarterly file (of any status) this quarter, in code order."""
    return sorted(
        conn.execute(
            select(_file.province).where(_file.quarter == quarter, _file.feed != CHANGES).distinct()
        ).scalars()
    )


def has_quarterly_files(conn: Connection, quarter: str) -> bool:
    """Whether any quarterly file (of any status) was ever landed for the quarter."""
    found = conn.execute(
        select(_file.file_id).where(_file.quarter == quarter, _file.feed != CHANGES).limit(1)
    ).first()
    return found is not None


def to_ingest(conn: Connection, quarter: str | None, feed: str | None = None) -> list[str]:
    """Ids of the files still to ingest (``landed``), in the order they arrived: the quarter's
    feeds (change notices are the ``enterprise_changes`` DAG's), or with ``feed`` that feed's
    files of every quarter (``quarter`` None) or of one."""
    query = select(_file.file_id).where(_file.status == "landed")
    if quarter is not None:
        query = query.where(_file.quarter == quarter)
    query = query.where(_file.feed == feed if feed else _file.feed != CHANGES)
    return list(conn.execute(query.order_by(_file.landed_at, _file.file_id)).scalars())


def get(conn: Connection, file_id: str) -> FeedFile | None:
    """The landed file with this id, or None."""
    row = conn.execute(
        select(*(_file[name] for name in FeedFile.__dataclass_fields__)).where(
            _file.file_id == file_id
        )
    ).first()
    return FeedFile(*row) if row is not None else None


def status_of(conn: Connection, file_id: str) -> FileStatus | None:
    """The state of the file with these bytes, or None when they were never landed."""
    return conn.execute(select(_file.status).where(_file.file_id == file_id)).scalar()


def replace_earlier(
    conn: Connection, file_id: str, quarter: str, province: str, feed: str, file_name: str
) -> list[str]:
    """A file landed again under the same name, with other bytes, is a correction: the earlier
    versions still in play are marked ``replaced`` (their rows no longer load), each saying
    which file replaced it. Returns their ids, for the new file's own note."""
    same_name = select(_file.file_id).where(
        _file.quarter == quarter,
        _file.province == province,
        _file.feed == feed,
        _file.file_name == file_name,
        _file.status.not_in(SET_ASIDE),
    )
    earlier = list(conn.execute(same_name).scalars())
    for old_id in earlier:
        note = f"replaced by {file_id} (a corrected {file_name}) on {_now():%Y-%m-%d}"
        _set_status(conn, old_id, "replaced", message=note)
        log.info(
            "%s: a corrected version replaces the one landed before (%s)", file_name, old_id[:12]
        )
    return earlier


def record_landed(
    conn: Connection,
    file_id: str,
    quarter: str,
    province: str,
    feed: str,
    file_name: str,
    stored_path: Path,
    replaces: list[str],
) -> None:
    """A new file, its copy kept at ``stored_path``: ``landed``, to be ingested by the next run."""
    conn.execute(
        t.feed_file.insert().values(
            file_id=file_id,
            quarter=quarter,
            province=province,
            feed=feed,
            file_name=file_name,
            stored_path=str(stored_path),
            size_bytes=stored_path.stat().st_size,
            landed_at=_now(),
            status="landed",
            message=f"replaces {', '.join(replaces)}" if replaces else None,
        )
    )


def mark_loaded(conn: Connection, file: FeedFile, read: ReadCounts) -> None:
    """The file was read and its rows staged: ``loaded``, with what was read of it."""
    conn.execute(
        update(t.feed_file)
        .where(_file.file_id == file.file_id)
        .values(
            status="loaded",
            **asdict(read),
            # a failure's message goes; a correction's note of what it replaced stays
            message=file.message if (file.message or "").startswith("replaces ") else None,
            loaded_at=_now(),
        )
    )


def mark_failed(conn: Connection, file_id: str, message: str) -> None:
    """The file is refused as a file (unreadable, over a limit, too many bad rows): read no
    more until a person retries, replaces or rejects it."""
    _set_status(conn, file_id, "failed", message=message)


def loaded_among(conn: Connection, file_ids: list[str]) -> list[str]:
    """Those of ``file_ids`` that are ``loaded``."""
    if not file_ids:
        return []
    return list(
        conn.execute(
            select(_file.file_id).where(_file.file_id.in_(file_ids), _file.status == "loaded")
        ).scalars()
    )


def staged_rows(feed: str, quarter: str, province: str) -> Select:
    """The partition's staged rows of ``feed`` from its ``loaded`` files only (a replaced,
    rejected or failed file's rows stay staged but count no more), with each file's
    ``landed_at``."""
    staged = t.staged[feed]
    return (
        select(staged, _file.landed_at)
        .join(t.feed_file, _file.file_id == staged.c.file_id)
        .where(
            staged.c.quarter == quarter,
            staged.c.province == province,
            _file.status == "loaded",
        )
    )


def files_frame(conn: Connection, quarter: str, province: str | None = None) -> pd.DataFrame:
    """Every ``feed_file`` row of the quarter (or of one province's quarter), as a frame."""
    return read_frame(
        conn, t.feed_file, quarter=quarter, **({"province": province} if province else {})
    )


def _set_status(conn: Connection, file_id: str, status: FileStatus, message: str | None) -> None:
    conn.execute(
        update(t.feed_file).where(_file.file_id == file_id).values(status=status, message=message)
    )


def _now() -> datetime:
    return datetime.now(UTC)


def file_name_of(conn: Connection, file_id: str) -> str | None:
    return conn.execute(select(_file.file_name).where(_file.file_id == file_id)).scalar()


def find(conn: Connection, prefix: str) -> dict[str, object]:
    """The one landed file whose id starts with ``prefix`` (at least 6 characters)."""
    prefix = prefix.strip().lower()
    if len(prefix) < 6 or any(c not in "0123456789abcdef" for c in prefix):
        raise UnknownFile(
            f"{prefix!r} is not a file id: give at least the first 6 hex digits, as "
            "`python -m reconcile files list` shows them"
        )
    rows = (
        conn.execute(select(t.feed_file).where(_file.file_id.startswith(prefix))).mappings().all()
    )
    if not rows:
        raise UnknownFile(f"no landed file has an id starting {prefix!r}")
    if len(rows) > 1:
        raise UnknownFile(f"{len(rows)} files have ids starting {prefix!r}: give more digits")
    return dict(rows[0])


def reject(conn: Connection, prefix: str, reason: str, by: str) -> dict[str, object]:
    """Set a file aside for good: its rows no longer load and it no longer blocks its province."""
    row = find(conn, prefix)
    if row["status"] == "rejected":
        return row
    note = f"rejected by {by} on {datetime.now(UTC):%Y-%m-%d}: {reason}"
    if row.get("message"):
        note += f" (was {row['status']}: {row['message']})"
    _set_status(conn, str(row["file_id"]), "rejected", message=note)
    return {**row, "status": "rejected", "message": note}


def retry(conn: Connection, prefix: str) -> dict[str, object]:
    """Read a failed (or rejected) file again on the next run, say after a limit was raised."""
    row = find(conn, prefix)
    if row["status"] not in ("failed", "rejected"):
        raise UnknownFile(
            f"{row['file_name']} is {row['status']}, not failed or rejected: nothing to retry"
        )
    _set_status(conn, str(row["file_id"]), "landed", message=None)
    return {**row, "status": "landed", "message": None}
