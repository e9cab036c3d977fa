"""The history in the warehouse: events read from the staged notices and the ``firm`` snapshots,
and each touched firm's periods written whole to ``firm_history``.

A firm's rows are always rebuilt from every event known of it, never patched: that is what
makes a late notice, a resent one or a cancellation give the history that all the notices in
any order would have given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, select

from reconcile.history.events import Event, notice_event, snapshot_events
from reconcile.history.timeline import Period, periods
from reconcile.quarter import Quarter
from reconcile.text.address import parse_address
from reconcile.text.admin_units import province_code_by_name
from reconcile.warehouse import schema as t
from reconcile.warehouse.store import insert_rows

CHUNK = 2000  # tax codes per IN (...) list: well under every database's limit of parameters
NATIONAL = "00"


def _chunks(codes: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(set(codes))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def notice_province(row: dict[str, Any], file_province: str) -> str | None:
    """The province a notice is about: the one it states, else its address's, else the folder
    it came in (a national file says nothing), else unknown (None)."""
    stated = province_code_by_name(row.get("stated_province"))
    if stated:
        return stated
    address = row.get("address")
    if isinstance(address, str) and address.strip():
        found = parse_address(address).province_code
        if found:
            return found
    return None if file_province == NATIONAL else file_province


def _notice_rows(conn: Connection, where: Any) -> list[dict[str, Any]]:
    staged = t.staged["changes"]
    query = (
        select(staged)
        .join(t.feed_file, t.feed_file.c.file_id == staged.c.file_id)
        .where(t.feed_file.c.status == "loaded", where)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def notice_events(rows: Iterable[dict[str, Any]]) -> list[Event]:
    events = []
    for row in rows:
        province = notice_province(row, row["province"])
        events.append(
            notice_event(
                sender=row.get("sender"),
                notice_id=row["notice_id"],
                tax_code=row["tax_code"],
                kind=row["change_kind"],
                effective_on=row["effective_on"],
                recorded_on=row.get("recorded_on"),
                withdraws=row.get("withdraws"),
                name=row.get("name"),
                address=row.get("address"),
                representative=row.get("representative"),
                legal_form=row.get("legal_form"),
                declared_employees=row.get("declared_employees"),
                industry=row.get("industry"),
                province=province,
            )
        )
    return events


def events_of(conn: Connection, tax_codes: Collection[str]) -> list[Event]:
    """Every event known of these firms: their notices (from loaded files) and what every
    quarter's ``firm`` rows said of them."""
    staged = t.staged["changes"]
    events: list[Event] = []
    for chunk in _chunks(tax_codes):
        events += notice_events(_notice_rows(conn, staged.c.tax_code.in_(chunk)))
        firms = conn.execute(select(t.firm).where(t.firm.c.tax_code.in_(chunk))).mappings()
        for firm in firms:
            quarter = Quarter.parse(firm["quarter"])
            events += snapshot_events(firm["quarter"], quarter.last_day, dict(firm))
    return events


def touched_by_files(conn: Connection, file_ids: Collection[str]) -> set[str]:
    """The firms the notices of these files are about."""
    staged = t.staged["changes"]
    codes: set[str] = set()
    for start in range(0, len(file_ids), CHUNK):
        chunk = list(file_ids)[start : start + CHUNK]
        codes |= set(
            conn.execute(select(staged.c.tax_code).where(staged.c.file_id.in_(chunk))).scalars()
        )
    return codes


def rebuild(conn: Connection, tax_codes: Collection[str]) -> int:
    """Write these firms' periods anew from every event known of them; the number of rows."""
    written = 0
    for chunk in _chunks(tax_codes):
        built = periods(events_of(conn, chunk))
        conn.execute(delete(t.firm_history).where(t.firm_history.c.tax_code.in_(chunk)))
        written += insert_rows(conn, t.firm_history, [asdict(p) for p in built])
    return written


def read_periods(conn: Connection, tax_codes: Collection[str]) -> dict[str, list[Period]]:
    """The stored periods of these firms, oldest first."""
    found: dict[str, list[Period]] = defaultdict(list)
    for chunk in _chunks(tax_codes):
        query = (
            select(t.firm_history)
            .where(t.firm_history.c.tax_code.in_(chunk))
            .order_by(t.firm_history.c.tax_code, t.firm_history.c.valid_from)
        )
        for row in conn.execute(query).mappings():
            found[row["tax_code"]].append(Period(**dict(row)))
    return dict(found)


def registered_between(conn: Connection, first: date, last: date) -> dict[str, list[Period]]:
    """The periods of the firms registered from ``first`` to ``last``."""
    codes = conn.execute(
        select(t.firm_history.c.tax_code)
        .where(t.firm_history.c.registered_on.between(first, last))
        .distinct()
    ).scalars()
    return read_periods(conn, list(codes))


def with_notices(conn: Connection, tax_codes: Collection[str]) -> set[str]:
    """Those of these firms that some staged notice is about."""
    staged = t.staged["changes"]
    found: set[str] = set()
    for chunk in _chunks(tax_codes):
        found |= set(
            conn.execute(
                select(staged.c.tax_code).where(staged.c.tax_code.in_(chunk)).distinct()
            ).scalars()
        )
    return found
