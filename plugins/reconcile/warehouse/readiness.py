"""What a province lacks for its quarter: its required feeds' files, judged on their states.

A province's findings rest on all of its required feeds (tax, registry, roll by default): a roll
that failed to load would make every firm of the province look unregistered. So a province with
a required feed missing, failed or not yet ingested is *blocked*: its rules are not applied and
its workbook says why, while every other province goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from sqlalchemy import Connection, select

from reconcile.warehouse import schema as t
from reconcile.warehouse.feed_files import SET_ASIDE, provinces_with_files

GapKind = Literal["missing", "failed", "pending"]
DEFAULT_REQUIRED_FEEDS = ("tax", "registry", "roll")
_file = t.feed_file.c  # the columns of ``feed_file``


class _GapSentence(NamedTuple):
    """What a gap of one kind says, in each language, with the fields ``FeedGap._said`` fills."""

    english: str
    vietnamese: str


_GAP_SENTENCES: dict[GapKind, _GapSentence] = {
    "missing": _GapSentence("no {feed} file", "Chưa nhận được tệp {feed}"),
    "pending": _GapSentence(
        "{feed} file {file_name} not ingested yet",
        "Tệp {feed} «{file_name}» chưa được đọc",
    ),
    "failed": _GapSentence(
        "{feed} file {file_name} refused: {fault}",
        "Tệp {feed} «{file_name}» bị từ chối: {fault}",
    ),
}


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
        """The gap in English, for the logs."""
        return self._said(_GAP_SENTENCES[self.kind].english)

    def describe_vi(self) -> str:
        """The gap in Vietnamese, for the published files."""
        return self._said(_GAP_SENTENCES[self.kind].vietnamese)

    def _said(self, sentence: str) -> str:
        return sentence.format(feed=self.feed, file_name=self.file_name, fault=self.fault)

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
        select(_file.file_id, _file.feed, _file.file_name, _file.status, _file.message)
        .where(_file.quarter == quarter, _file.province == province, _file.status.not_in(SET_ASIDE))
        .order_by(_file.feed, _file.file_name)
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
    provinces = [province] if province else provinces_with_files(conn, quarter)
    required = required_feeds(options)
    return {code: readiness(conn, quarter, code, required) for code in provinces}


def province_readiness(
    conn: Connection, quarter: str, province: str, options: dict[str, Any] | None
) -> Readiness:
    """One province's gaps, judged on the feeds the settings' options require."""
    return readiness(conn, quarter, province, required_feeds(options))
