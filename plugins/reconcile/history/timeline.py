"""A firm's periods: from its events (``history.events``) to rows valid from one day to another.

``periods`` is a pure function of the *set* of events: they are de-duplicated by what they
say, cancellations are resolved, and the rest are applied in ``Event.order``. The same notices
in any order, sent twice, or late, give the same periods (tests shuffle them).

A field no event has told yet at the start of the history takes the first value told later
when that value was reported as a state (a registration, a snapshot: the name a firm is seen
with is, as far as anyone knows, the name it had before); a value first told by a "changed"
notice is a change, so what came before it stays unknown (None). The status is never
back-filled: before the first status it is unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from reconcile.history.events import FIELDS, Event, Status

SNAPSHOT_PREFIX = "snapshot|"


@dataclass(frozen=True)
class Period:
    """What was true of the firm ``tax_code`` from ``valid_from`` to the day before ``valid_to``
    (None: still true). ``opened_by`` is the event that started it."""

    tax_code: str
    valid_from: date
    valid_to: date | None
    status: Status | None
    status_since: date | None
    status_by: str | None  # the event that told the status
    registered_on: date | None
    name: str | None
    address: str | None
    representative: str | None
    legal_form: str | None
    declared_employees: int | None
    pit_employees: int | None
    industry: str | None
    province: str | None
    opened_by: str

    @property
    def status_from_notice(self) -> bool:
        """The status was told by a change notice, not read from a quarterly snapshot."""
        return self.status_by is not None and not self.status_by.startswith(SNAPSHOT_PREFIX)

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def state(self) -> tuple[object, ...]:
        return (self.status, self.status_since, *(getattr(self, f) for f in FIELDS))


def effective_events(events: Iterable[Event]) -> list[Event]:
    """One firm's events that count, in order: duplicates gone, cancelled notices and the
    cancellations themselves left out."""
    first: dict[tuple[object, ...], Event] = {}
    for event in events:
        kept = first.get(event.content)
        if kept is None or event.order < kept.order:
            first[event.content] = event
    unique = sorted(first.values(), key=lambda e: e.order)
    cancellers: dict[str, list[Event]] = defaultdict(list)
    for event in unique:
        if event.withdraws:
            cancellers[event.withdraws].append(event)
    memo: dict[tuple[object, ...], bool] = {}

    def counts(event: Event, seen: frozenset[tuple[object, ...]]) -> bool:
        if event.content in memo:
            return memo[event.content]
        if event.content in seen:  # a cycle of cancellations: none of it counts
            return False
        others = [c for c in cancellers.get(event.event_id, ()) if c.content != event.content]
        result = not any(counts(c, seen | {event.content}) for c in others)
        memo[event.content] = result
        return result

    return [e for e in unique if not e.withdraws and counts(e, frozenset())]


def periods(events: Iterable[Event]) -> list[Period]:
    """Every firm's periods, by tax code then day."""
    by_firm: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_firm[event.tax_code].append(event)
    result: list[Period] = []
    for tax_code in sorted(by_firm):
        result.extend(_firm_periods(tax_code, effective_events(by_firm[tax_code])))
    return result


def _firm_periods(tax_code: str, events: list[Event]) -> Iterator[Period]:
    if not events:
        return
    # the registration day a notice tells is the real one; a snapshot's is the fallback
    told = [e.effective_on for e in events if e.kind == "registered" and e.source == "notice"]
    seen = [e.effective_on for e in events if e.kind == "registered"]
    registered_on = min(told or seen) if seen else None
    built: list[Period] = []
    # each field's value as the events carry it; Period's annotations say what it holds
    state: dict[str, Any] = dict.fromkeys(FIELDS)
    for name in FIELDS:  # the back-fill: see the module's docstring
        first = next((e for e in events if e.value(name) is not None), None)
        if first is not None and first.kind != "changed":
            state[name] = first.value(name)
    status: Status | None = None
    since: date | None = None
    told_by: str | None = None
    day: date | None = None
    before_day: tuple[Status | None, date | None, str | None] = (None, None, None)
    for event in events:
        if event.effective_on != day:
            day, before_day = event.effective_on, (status, since, told_by)
        state.update(event.values)
        if event.status is not None and event.status != status:
            status, since, told_by = event.status, event.effective_on, event.event_id
            if status == before_day[0]:  # back where the day began: nothing changed
                status, since, told_by = before_day
        period = Period(
            tax_code,
            event.effective_on,
            None,
            status,
            since,
            told_by,
            registered_on,
            opened_by=event.event_id,
            **state,
        )
        if built and built[-1].valid_from == event.effective_on:
            built[-1] = period  # the same day: the day's last event says how it ended
        else:
            built.append(period)
    yield from _merged(built)


def _merged(built: list[Period]) -> Iterator[Period]:
    """Consecutive periods that say the same are one; each ends where the next begins."""
    kept: list[Period] = []
    for period in built:
        if kept and kept[-1].state() == period.state():
            continue
        kept.append(period)
    for current, following in zip(kept, [*kept[1:], None], strict=True):
        yield replace(current, valid_to=following.valid_from if following else None)


def as_of(firm_periods: Iterable[Period], day: date) -> Period | None:
    """The period that holds on ``day``, or None (before the firm's history begins)."""
    return next((p for p in firm_periods if p.holds_on(day)), None)


# the history's status in the quarterly feeds' words: (tax side, registry side); None keeps
# what the side's own file said
TO_SIDES: dict[str, tuple[str | None, str | None]] = {
    "active": ("active", "active"),
    "suspended": ("suspended", "suspended"),
    "not_at_address": ("not_at_address", "not_at_address"),
    "dissolving": (None, "dissolving"),
    "dissolved": (None, "dissolved"),
    "bankrupt": (None, "dissolved"),
    "revoked": (None, "revoked"),
    "tax_closed": ("closed", None),
}


def firm_as_of(firm: dict[str, object], firm_periods: list[Period], day: date) -> dict[str, object]:
    """A quarterly ``firm`` row as its history tells it on ``day``: the status a change notice
    told (late for the quarter's file, or after it was cut) replaces the files' status, with
    the day it took effect and the notice in ``status_notice``; the registration day a notice
    told is the firm's start (the 30- and 90-day windows count from it). What no notice told
    is left as the files said it."""
    now = as_of(firm_periods, day)
    if now is None:
        return firm
    changed = dict(firm)
    if now.status_from_notice and now.status is not None:
        tax_side, registry_side = TO_SIDES[now.status]
        if tax_side is not None and firm.get("tax_status") != tax_side:
            changed.update(tax_status=tax_side, tax_status_since=now.status_since)
        if registry_side is not None and firm.get("registry_status") != registry_side:
            changed.update(registry_status=registry_side, registry_status_since=now.status_since)
        if changed != firm:
            changed["status_notice"] = now.status_by
    if now.registered_on is not None and firm.get("started_on") != now.registered_on:
        changed["started_on"] = now.registered_on
    return changed
