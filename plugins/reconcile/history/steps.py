"""The ``enterprise_changes`` and ``new_firm_outreach`` DAGs' steps: land the day's notices,
fold them into each firm's history, publish the week's outreach list per province.

Reading and validating a notices file is the quarterly ``steps.ingest``: one feed contract,
one quarantine, one set of expectations (``expectations/changes.json``).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from reconcile.history import outreach, store
from reconcile.history.timeline import as_of
from reconcile.landing import CHANGES, LocalLandingZone
from reconcile.rules.catalog import rules
from reconcile.settings import Settings
from reconcile.steps import land_files
from reconcile.warehouse import feed_files
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine

log = logging.getLogger(__name__)


def land_changes(settings: Settings, day: date, zone: LocalLandingZone | None = None) -> dict:
    """Land every notices file in the day folders up to ``day`` not landed before (by content),
    and list every notices file still to ingest (this run's and any earlier one's)."""
    zone = zone or LocalLandingZone(settings.landing_dir)
    incoming, ignored = zone.scan_changes(until=day)
    refused = [f"{e.entry}: {e.reason}" for e in ignored]
    wrong = [i for i in incoming if i.feed != CHANGES]
    for item in wrong:  # a quarterly file dropped among the notices: not guessed at
        refused.append(f"{CHANGES}/…/{item.name}: only change notices (changes_*) belong here")
        log.warning("ignored %s: only change notices (changes_*) belong in %s/", item.name, CHANGES)
    engine = get_engine(settings.warehouse_url)
    with engine.begin() as conn:
        new, skipped, unknown = land_files(
            settings, conn, [i for i in incoming if i.feed == CHANGES], refused
        )
        pending = feed_files.to_ingest(conn, None, feed=CHANGES)
    log.info("landed %d notices file(s) up to %s; %d to ingest", len(new), day, len(pending))
    return {
        "day": day.isoformat(),
        "landed": new,
        "skipped": skipped,
        "ignored": unknown + refused,
        "to_ingest": pending,
    }


def update_history(settings: Settings, file_ids: list[str]) -> dict[str, Any]:
    """Rebuild the history of every firm the notices of ``file_ids`` are about."""
    engine = get_engine(settings.warehouse_url)
    with engine.begin() as conn:
        loaded = feed_files.loaded_among(conn, file_ids)
        touched = store.touched_by_files(conn, loaded)
        rows = store.rebuild(conn, touched)
        total = conn.execute(select(func.count()).select_from(t.firm_history)).scalar_one()
    log.info(
        "history: %d firm(s) rebuilt from %d file(s), %d period(s)", len(touched), len(loaded), rows
    )
    return {"files": len(loaded), "firms": len(touched), "periods": rows, "all_periods": total}


def _roll(conn: Any, province: str, day: date) -> tuple[set[str], list[dict]]:
    """The province's latest roll up to ``day``: tax codes on it (and linked to it), and units."""
    latest = conn.execute(
        select(func.max(t.employer_unit.c.quarter)).where(t.employer_unit.c.province == province)
    ).scalar()
    if latest is None:
        return set(), []
    units = [
        dict(r)
        for r in conn.execute(
            select(t.employer_unit).where(
                t.employer_unit.c.quarter == latest, t.employer_unit.c.province == province
            )
        ).mappings()
    ]
    linked = conn.execute(
        select(t.link.c.tax_code).where(t.link.c.quarter == latest, t.link.c.province == province)
    ).scalars()
    on_roll = {u["tax_code"] for u in units if u["tax_code"]} | set(linked)
    return on_roll, units


def outreach_path(settings: Settings, day: date, province: str) -> Path:
    return (
        settings.output_dir
        / "outreach"
        / day.isoformat()
        / province
        / f"outreach_{province}_{day.isoformat()}.xlsx"
    )


def outreach_lists(
    conn: Any, options: dict[str, Any], day: date, provinces: Collection[str] | None = None
) -> dict[str, tuple[list[outreach.NewFirm], list[outreach.ClosedFirm]]]:
    """Per province (those given, else every province with a firm to list): the new firms to
    reach and the closed firms to close, for the week ending ``day``. The one source of both
    lists, for the workbook and the inspectors' page. ``options``: the settings' (``rules:``
    overrides, ``outreach_lookback_days``)."""
    window = int(rules(options.get("rules"))["NOT_REGISTERED"].thresholds["registration_days"])
    lookback = int(options.get("outreach_lookback_days", outreach.LOOKBACK_DAYS))
    recent = store.registered_between(conn, day - timedelta(days=lookback), day)
    closing_codes = conn.execute(
        select(t.firm_history.c.tax_code)
        .where(t.firm_history.c.status_since.between(day - timedelta(days=6), day))
        .distinct()
    ).scalars()
    closing = store.read_periods(conn, list(closing_codes))

    def province_of(periods: list) -> str | None:
        now = as_of(periods, day) or periods[-1]
        return now.province

    if provinces is None:
        named = {province_of(p) for p in (*recent.values(), *closing.values()) if p}
        provinces = sorted(code for code in named if code)
    lists = {}
    for province in provinces:
        on_roll, units = _roll(conn, province, day)
        mine = {c: p for c, p in recent.items() if province_of(p) == province}
        theirs = {c: p for c, p in closing.items() if province_of(p) == province}
        lists[province] = (
            outreach.new_firms(mine, on_roll, day, window, lookback),
            outreach.closed_this_week(theirs, units, day),
        )
    return lists


def publish_outreach(settings: Settings, day: date) -> dict[str, Any]:
    """Each province's outreach list for the week ending ``day``, as a workbook."""
    mask = bool(settings.options.get("mask_personal_data", True))
    lookback = int(settings.options.get("outreach_lookback_days", outreach.LOOKBACK_DAYS))
    engine = get_engine(settings.warehouse_url)
    published = {}
    with engine.connect() as conn:
        lists = outreach_lists(conn, settings.options, day)
        unplaced = conn.execute(
            select(func.count(func.distinct(t.firm_history.c.tax_code))).where(
                t.firm_history.c.province.is_(None),
                t.firm_history.c.registered_on.between(day - timedelta(days=lookback), day),
            )
        ).scalar_one()
    for province, (new, closed) in lists.items():
        path = outreach.write_outreach(
            outreach_path(settings, day, province), province, day, new, closed, mask=mask
        )
        published[province] = {
            "new_firms": len(new),
            "closed_with_units": len(closed),
            "workbook": str(path),
        }
    if unplaced:  # loud: a firm no province's list holds
        log.warning(
            "%d newly registered firm(s) have no province (no stated province, an "
            "address that names none, a national file): on no list",
            unplaced,
        )
    log.info(
        "outreach for the week to %s: %s", day, {p: v["new_firms"] for p, v in published.items()}
    )
    return {"day": day.isoformat(), "provinces": published, "without_province": unplaced}


PARTNER_CURSOR = "partner_api:changes"


def fetch_changes(settings: Settings, day: date, source: Any) -> dict[str, Any]:
    """Land the notices the partner API recorded since the kept cursor into ``day``'s folder;
    the cursor moves on only once the file is written (a failed fetch asks again next run)."""
    from reconcile.warehouse import cursors

    engine = get_engine(settings.warehouse_url)
    with engine.connect() as conn:
        since = cursors.get(conn, PARTNER_CURSOR)
    path, cursor = source.land_changes_to(settings.landing_dir, day, since)
    with engine.begin() as conn:
        cursors.put(conn, PARTNER_CURSOR, cursor)
    return {"since": since, "cursor": cursor, "file": str(path) if path else None}
