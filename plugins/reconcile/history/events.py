"""What the history is built from: events, each a dated fact about one firm.

A change notice is an event; so is what a quarterly snapshot says (the status a firm had
since its ``status_since``, its name and address at the quarter's end, its registration day).
An event carries only the fields it knows; the history fills the others from earlier events.

Order independence rests on one total order, ``Event.order``: by the day the fact took
effect, then the source (a snapshot, which reports a state, before a notice of the same day,
which reports the change), then the day it was recorded, then its id. Arrival order plays no
part, so notices arriving late, twice or out of order give the same history.

A notice that names another in ``withdraws`` is a cancellation and nothing else: the notice it
names (of the same firm, by notice id: a sender's name is spelled too many ways to be part of
the key) no longer counts, and a correction comes as a new notice. Cancelling a cancellation
restores the notice it cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeGuard

# a status that a notice of the same name puts a firm in
NamedStatus = Literal[
    "suspended",
    "dissolving",
    "dissolved",
    "bankrupt",
    "revoked",
    "tax_closed",
    "not_at_address",
]
Kind = Literal["registered", "changed", "resumed", NamedStatus, "snapshot"]
Status = Literal["active", NamedStatus]

# the status a notice of each kind puts a firm in; "changed" and "snapshot" set none by kind
STATUS_OF_KIND: dict[str, Status] = {
    "registered": "active",
    "resumed": "active",
    "suspended": "suspended",
    "dissolving": "dissolving",
    "dissolved": "dissolved",
    "bankrupt": "bankrupt",
    "revoked": "revoked",
    "tax_closed": "tax_closed",
    "not_at_address": "not_at_address",
}
# statuses after which a firm no longer trades: its units should be closed, not chased
CLOSED: frozenset[str] = frozenset({"dissolved", "bankrupt", "revoked", "tax_closed"})

# the quarterly feeds' statuses (feeds/data/statuses.yaml) in the history's words; a status
# that says nothing about trading (moved tax office, awaiting verification) is left out
FROM_TAX: dict[str, Status] = {
    "active": "active",
    "household_active": "active",
    "closed": "tax_closed",
    "closing": "dissolving",
    "suspended": "suspended",
    "not_at_address": "not_at_address",
    "awaiting_bankruptcy": "dissolving",
}
FROM_REGISTRY: dict[str, Status] = {
    "active": "active",
    "suspended": "suspended",
    "not_at_address": "not_at_address",
    "revoked": "revoked",
    "dissolving": "dissolving",
    "bankrupting": "dissolving",
    "dissolved": "dissolved",
}

# pit_employees (the tax side's head count) comes from the snapshots only: no notice carries it
FIELDS = (
    "name",
    "address",
    "representative",
    "legal_form",
    "declared_employees",
    "pit_employees",
    "industry",
    "province",
)
Source = Literal["snapshot", "notice"]
_SOURCE_RANK = {"snapshot": 0, "notice": 1}


@dataclass(frozen=True)
class Event:
    """One dated fact about the firm ``tax_code``; ``values`` holds only the fields it knows."""

    event_id: str  # a notice: its notice_id; a snapshot: "snapshot|<quarter>|<what>"
    tax_code: str
    kind: Kind
    effective_on: date
    source: Source = "notice"
    recorded_on: date | None = None
    status: Status | None = None  # set by the kind, or by a snapshot's status
    values: tuple[tuple[str, object], ...] = field(default=())
    withdraws: str | None = None  # the notice_id (of the same firm) this one cancels
    sender: str = ""

    @property
    def order(self) -> tuple[date, int, date, str, str]:
        return (
            self.effective_on,
            _SOURCE_RANK[self.source],
            self.recorded_on or self.effective_on,
            self.event_id,
            self.sender,
        )

    @property
    def content(self) -> tuple[object, ...]:
        """What the event says: two events saying the same are one (a notice sent twice),
        whenever each was recorded and however the sender was spelled."""
        return (
            self.event_id,
            self.tax_code,
            self.kind,
            self.effective_on,
            self.source,
            self.status,
            self.values,
            self.withdraws,
        )

    def value(self, name: str) -> object:
        return dict(self.values).get(name)


def notice_event(
    *,
    sender: str | None,
    notice_id: str,
    tax_code: str,
    kind: str,
    effective_on: date,
    recorded_on: date | None = None,
    withdraws: str | None = None,
    **values: object,
) -> Event:
    """The event of one change notice; a cancellation (``withdraws`` set) changes nothing of
    its own, so it carries neither status nor values."""
    if not _is_notice_kind(kind):
        raise ValueError(f"not a change kind: {kind!r}")
    known = tuple(sorted((k, v) for k, v in values.items() if k in FIELDS and v not in (None, "")))
    return Event(
        event_id=str(notice_id),
        tax_code=tax_code,
        kind=kind,
        effective_on=effective_on,
        recorded_on=recorded_on,
        status=None if withdraws else STATUS_OF_KIND.get(kind),
        values=() if withdraws else known,
        withdraws=str(withdraws) if withdraws else None,
        sender=(sender or "").strip(),
    )


def _is_notice_kind(kind: str) -> TypeGuard[Kind]:
    """A kind a change notice can have: one that sets a status, or "changed"."""
    return kind in STATUS_OF_KIND or kind == "changed"


def _status_of_snapshot(tax_status: object, registry_status: object) -> Status | None:
    """One status from the two sides: the one further from trading wins (a firm dissolved at
    the registry is dissolved, whatever the tax office still shows)."""
    sides = (
        FROM_TAX.get(tax_status if isinstance(tax_status, str) else ""),
        FROM_REGISTRY.get(registry_status if isinstance(registry_status, str) else ""),
    )
    told = [s for s in sides if s is not None]
    if not told:
        return None
    gravest: Status = max(told, key=_GRAVITY.index)
    return gravest


_GRAVITY: list[Status] = [
    "active",
    "suspended",
    "not_at_address",
    "dissolving",
    "revoked",
    "tax_closed",
    "bankrupt",
    "dissolved",
]


def snapshot_events(quarter: str, last_day: date, firm: dict[str, object]) -> list[Event]:
    """What one quarterly ``firm`` row says, as events: its registration (on ``started_on``),
    its status since the day its side says it changed, and its name, address and the rest as
    they were at the quarter's end (``last_day``)."""
    tax_code = str(firm["tax_code"])
    base = f"snapshot|{quarter}|"
    events = []
    started = firm.get("started_on")
    if isinstance(started, date):
        events.append(
            Event(
                base + "registered",
                tax_code,
                "registered",
                started,
                "snapshot",
                last_day,
                status="active",
            )
        )
    status = _status_of_snapshot(firm.get("tax_status"), firm.get("registry_status"))
    if status is not None:
        since = [firm.get("registry_status_since"), firm.get("tax_status_since")]
        dated = [d for d in since if isinstance(d, date) and d <= last_day]
        if dated:
            day = max(dated)
        elif status == "active" and isinstance(started, date):
            day = started
        else:
            day = last_day  # the status is known to hold at the quarter's end, not since when
        events.append(
            Event(base + "status", tax_code, "snapshot", day, "snapshot", last_day, status=status)
        )
    values = tuple(sorted((k, firm[k]) for k in FIELDS if firm.get(k) not in (None, "")))
    events.append(
        Event(
            base + "identity", tax_code, "snapshot", last_day, "snapshot", last_day, values=values
        )
    )
    return events
