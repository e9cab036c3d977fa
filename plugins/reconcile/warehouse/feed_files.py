"""Landed files and their states, and what a province lacks for its quarter.

A file's life (``feed_file.status``)::

    landed ──ingest──► loaded
       │                 │
       └──ingest──► failed          (refused as a file: unreadable, over a limit, too many bad rows)
    any of them ──a corrected file of the same name──► replaced
    any of them ──``reconcile files reject``──────────► rejected
    failed ───────``reconcile files retry``───────────► landed

Only ``landed`` files are ingested by a run: a ``failed`` file is not read again on every rerun
(the same bytes give the same fault) until a person retries it, replaces it or rejects it.

A province's findings rest on all of its required feeds (tax, registry, roll by default): a roll
that failed to load would make every firm of the province look unregistered. So a province with
a required feed missing, failed or not yet ingested is *blocked*: its rules are not applied and
its workbook says why, while every other province goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, select, update

from reconcile.errors import UnknownFile
from reconcile.warehouse import schema as t

FileStatus = Literal["landed", "loaded", "failed", "replaced", "rejected"]
GapKind = Literal["missing", "failed", "pending"]
DEFAULT_REQUIRED_FEEDS = ("tax", "registry", "roll")
_SET_ASIDE = ("replaced", "rejected")


@dataclass(frozen=True)
class FeedGap:
    """One reason a province's quarter is not whole: a feed with no file, or a file not loaded."""

    feed: str
    kind: GapKind
    blocking: bool
    file_name: str | None = None
    file_id: str | None = None
    message: str | None = None

    @property
    def fault(self) -> str | None:
        """The message without the file name it starts with (the sentence names it already)."""
        prefix = f"{self.file_name}: "
        message = self.message or ""
        return message[len(prefix) :] if message.startswith(prefix) else self.message

    def describe(self) -> str:
        if self.kind == "missing":
            return f"no {self.feed} file"
        if self.kind == "pending":
            return f"{self.feed} file {self.file_name} not ingested yet"
        return f"{self.feed} file {self.file_name} refused: {self.fault}"

    def describe_vi(self) -> str:
        if self.kind == "missing":
            return f"Chưa nhận được tệp {self.feed}"
        if self.kind == "pending":
            return f"Tệp {self.feed} «{self.file_name}» chưa được đọc"
        return f"Tệp {self.feed} «{self.file_name}» bị từ chối: {self.fault}"

    def as_dict(self) -> dict[str, object]:
        return {
            "feed": self.feed,
            "kind": self.kind,
            "blocking": self.blocking,
            "file": self.file_name,
            "file_id": self.file_id,
            "message": self.message,
        }


@dataclass(frozen=True)
class Readiness:
    """Whether a province's quarter can be judged, and what is in the way if not."""

    quarter: str
    province: str
    gaps: tuple[FeedGap, ...]

    @property
    def blocked(self) -> bool:
        return any(gap.blocking for gap in self.gaps)

    @property
    def blocking(self) -> list[FeedGap]:
        return [gap for gap in self.gaps if gap.blocking]

    def describe(self) -> str:
        return "; ".join(gap.describe() for gap in self.gaps)


def readiness(
    conn: Connection, quarter: str, province: str, required: tuple[str, ...] | list[str]
) -> Readiness:
    """The gaps of one province's quarter: required feeds without a file, files not loaded.

    A failed or not-yet-ingested file of a feed that is not required (inspectors' decisions)
    is a gap too, but not a blocking one: the province is judged and the gap is reported.
    """
    files = conn.execute(
        select(
            t.feed_file.c.file_id,
            t.feed_file.c.feed,
            t.feed_file.c.file_name,
            t.feed_file.c.status,
            t.feed_file.c.message,
        )
        .where(
            t.feed_file.c.quarter == quarter,
            t.feed_file.c.province == province,
            t.feed_file.c.status.not_in(_SET_ASIDE),
        )
        .order_by(t.feed_file.c.feed, t.feed_file.c.file_name)
    ).all()
    gaps: list[FeedGap] = []
    present = {row.feed for row in files}
    for feed in required:
        if feed not in present:
            gaps.append(FeedGap(feed, "missing", blocking=True))
    for row in files:
        if row.status in ("failed", "landed"):
            kind: GapKind = "failed" if row.status == "failed" else "pending"
            gaps.append(
                FeedGap(
                    row.feed, kind, row.feed in required, row.file_name, row.file_id, row.message
                )
            )
    return Readiness(quarter, province, tuple(gaps))


def required_feeds(options: dict[str, Any] | None) -> tuple[str, ...]:
    """The feeds a province is judged on: the ``required_feeds`` option, else tax, registry, roll."""
    return tuple((options or {}).get("required_feeds") or DEFAULT_REQUIRED_FEEDS)


def quarter_readiness(
    conn: Connection, quarter: str, options: dict[str, Any] | None, province: str | None = None
) -> dict[str, Readiness]:
    """Every province with quarterly files this quarter (or just ``province``) and what it
    lacks; the change notices (their own DAG, national files as province 00) are no province's
    quarterly feed."""
    if province:
        provinces = [province]
    else:
        provinces = sorted(
            conn.execute(
                select(t.feed_file.c.province)
                .where(t.feed_file.c.quarter == quarter, t.feed_file.c.feed != "changes")
                .distinct()
            ).scalars()
        )
    required = required_feeds(options)
    return {code: readiness(conn, quarter, code, required) for code in provinces}


def to_ingest(conn: Connection, quarter: str | None, feed: str | None = None) -> list[str]:
    """Ids of the files still to ingest (``landed``), in the order they arrived: the quarter's
    feeds (change notices are the ``enterprise_changes`` DAG's), or with ``feed`` that feed's
    files of every quarter (``quarter`` None) or of one."""
    query = select(t.feed_file.c.file_id).where(t.feed_file.c.status == "landed")
    if quarter is not None:
        query = query.where(t.feed_file.c.quarter == quarter)
    query = query.where(t.feed_file.c.feed == feed if feed else t.feed_file.c.feed != "changes")
    return list(
        conn.execute(query.order_by(t.feed_file.c.landed_at, t.feed_file.c.file_id)).scalars()
    )


def mark_failed(conn: Connection, file_id: str, message: str) -> None:
    conn.execute(
        update(t.feed_file)
        .where(t.feed_file.c.file_id == file_id)
        .values(status="failed", message=message)
    )


def file_name_of(conn: Connection, file_id: str) -> str | None:
    return conn.execute(
        select(t.feed_file.c.file_name).where(t.feed_file.c.file_id == file_id)
    ).scalar()


def find(conn: Connection, prefix: str) -> dict[str, object]:
    """The one landed file whose id starts with ``prefix`` (at least 6 characters)."""
    prefix = prefix.strip().lower()
    if len(prefix) < 6 or any(c not in "0123456789abcdef" for c in prefix):
        raise UnknownFile(
            f"{prefix!r} is not a file id: give at least the first 6 hex digits, as "
            "`python -m reconcile files list` shows them"
        )
    rows = (
        conn.execute(select(t.feed_file).where(t.feed_file.c.file_id.startswith(prefix)))
        .mappings()
        .all()
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
    conn.execute(
        update(t.feed_file)
        .where(t.feed_file.c.file_id == row["file_id"])
        .values(status="rejected", message=note)
    )
    return {**row, "status": "rejected", "message": note}


def retry(conn: Connection, prefix: str) -> dict[str, object]:
    """Read a failed (or rejected) file again on the next run, say after a limit was raised."""
    row = find(conn, prefix)
    if row["status"] not in ("failed", "rejected"):
        raise UnknownFile(
            f"{row['file_name']} is {row['status']}, not failed or rejected: nothing to retry"
        )
    conn.execute(
        update(t.feed_file)
        .where(t.feed_file.c.file_id == row["file_id"])
        .values(status="landed", message=None)
    )
    return {**row, "status": "landed", "message": None}
