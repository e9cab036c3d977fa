"""Which partner feeds have not arrived by the day they are due: the chase before the quarter.

Each province's quarter needs a file of every required feed (``required_feeds``: the tax
department's, the business registry's and the agency's own roll). They are due by day
``feeds_due_day`` (default 5) of the month after the quarter closes: the quarterly run fires on
the 10th, so the days between are the time to chase a partner. From the due day to the end of
that month, a check finds each (province, feed) with no file in the landing folder, and the
``feed_arrivals`` DAG fails its task with the list, which e-mails the data team (one e-mail a
day while something is missing).

A file counts as arrived once it lies in the quarter's landing folder under its province,
named as its feed, whether or not it has been read yet: whether it is good is the quarterly
run's question (a refused file blocks its province there and fails the run's verdict).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reconcile.errors import ConfigError, ReconcileError
from reconcile.landing import IncomingFile, LocalLandingZone
from reconcile.publish.labels import labels
from reconcile.quarter import Quarter

DEFAULT_DUE_DAY = 5


@dataclass(frozen=True)
class MissingFeed:
    province: str
    feed: str

    @property
    def partner(self) -> str:
        """The partner that sends the feed, as the report names it (labels.yaml)."""
        return labels()["report"]["feeds"].get(self.feed, self.feed)

    def __str__(self) -> str:
        return f"province {self.province}: {self.feed} ({self.partner})"


@dataclass(frozen=True)
class ArrivalCheck:
    """What a check on ``day`` found for ``quarter``: ``missing`` is empty when all is in."""

    day: date
    quarter: Quarter
    due: date
    folder: Path
    provinces: tuple[str, ...]
    feeds: tuple[str, ...]
    missing: tuple[MissingFeed, ...]

    @property
    def missing_provinces(self) -> list[str]:
        return sorted({m.province for m in self.missing})

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "quarter": str(self.quarter),
            "due": self.due.isoformat(),
            "folder": str(self.folder),
            "provinces": list(self.provinces),
            "feeds": list(self.feeds),
            "missing": [
                {"province": m.province, "feed": m.feed, "partner": m.partner} for m in self.missing
            ],
        }


class FeedsMissing(ReconcileError):
    """Some partner's file had not arrived by its due day. Not retryable: the check of the next
    day asks again; retrying the task within minutes would only repeat the e-mail."""

    def __init__(self, check: ArrivalCheck) -> None:
        self.check = check
        listed = "; ".join(str(m) for m in check.missing)
        super().__init__(
            f"quarter {check.quarter}: by {check.due:%d/%m/%Y} no file has arrived for {listed}. "
            f"Looked in {check.folder}, in each province's folder. Ask the partner named for its file (or land "
            "it by hand, docs/operations.md); the quarterly run publishes a province without "
            "one of its feeds as blocked"
        )


def due_day(options: dict[str, Any]) -> int:
    """``feeds_due_day`` from the settings: a day of the month, 1 to 28."""
    value = options.get("feeds_due_day", DEFAULT_DUE_DAY)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 28:
        raise ConfigError(
            f"feeds_due_day: {value!r} is not a day of the month from 1 to 28 (the day of the "
            "month after a quarter closes by which its feeds are due)"
        )
    return value


def quarter_due(day: date, due: int) -> Quarter | None:
    """The quarter whose feeds are overdue on ``day``: the one before, from its due day to the
    end of the month after it closed; outside that window, none."""
    current = Quarter.containing(day)
    if day.month != current.first_day.month or day.day < due:
        return None
    return current.previous()


def _files(zone: LocalLandingZone, quarter: Quarter) -> list[IncomingFile]:
    """The quarter's landed files; none (and no warning) when its folder is not there yet."""
    return zone.list_files(quarter) if (zone.root / str(quarter)).is_dir() else []


def expected_provinces(
    options: dict[str, Any], files: list[IncomingFile], earlier: list[IncomingFile]
) -> list[str]:
    """The agency's provinces (``provinces``); when none is configured (a national office),
    every province that sent any file this quarter (``files``) or the one before."""
    configured = options.get("provinces") or []
    if configured:
        return sorted(configured)
    return sorted({f.province for f in (*files, *earlier)})


def check_arrivals(
    options: dict[str, Any], landing_dir: Path, day: date, quarter: Quarter | None = None
) -> ArrivalCheck | None:
    """The feeds overdue on ``day`` (``quarter`` given: that quarter's, as of ``day``, whatever
    the window); ``None`` when ``day`` is outside the window of every quarter."""
    due = due_day(options)
    quarter = quarter or quarter_due(day, due)
    if quarter is None:
        return None
    zone = LocalLandingZone(landing_dir)
    files = _files(zone, quarter)
    earlier = [] if options.get("provinces") else _files(zone, quarter.previous())
    provinces = expected_provinces(options, files, earlier)
    if not provinces:
        raise ConfigError(
            f"quarter {quarter}: no province is configured (provinces in the settings) and no "
            f"file of it or the quarter before is in {landing_dir}, so there is nobody to chase: "
            "set provinces to the agency's province codes"
        )
    feeds = tuple(options.get("required_feeds") or ())
    arrived = {(f.province, f.feed) for f in files}
    missing = tuple(
        MissingFeed(province, feed)
        for province in provinces
        for feed in feeds
        if (province, feed) not in arrived
    )
    return ArrivalCheck(
        day=day,
        quarter=quarter,
        due=quarter.next().first_day.replace(day=due),
        folder=landing_dir / str(quarter),
        provinces=tuple(provinces),
        feeds=feeds,
        missing=missing,
    )
