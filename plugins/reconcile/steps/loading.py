"""``load``: build a partition's ``firm`` and ``employer_unit`` rows from its loaded files' staged
rows, store the inspectors' returned decisions, and refresh the firms' histories."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pandas as pd

from reconcile.errors import ConfigError
from reconcile.history import store as history_store
from reconcile.quarter import Quarter
from reconcile.rules import decisions as decision_logic
from reconcile.settings import Settings
from reconcile.warehouse import feed_files
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.partitions import build_firms, build_units
from reconcile.warehouse.store import records, replace_partition

log = logging.getLogger(__name__)


def load(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    """Build the quarter's ``firm`` and ``employer_unit`` partition from the staged rows."""
    engine = get_engine(settings.warehouse_url)
    with engine.begin() as conn:
        firms = build_firms(
            _staged(conn, "tax", quarter, province),
            _staged(conn, "registry", quarter, province),
            str(quarter),
            province,
        )
        units = build_units(_staged(conn, "roll", quarter, province), str(quarter), province)
        partition = {"quarter": str(quarter), "province": province}
        replace_partition(conn, t.firm, partition, records(firms, t.firm))
        replace_partition(conn, t.employer_unit, partition, records(units, t.employer_unit))
        decided = _store_decisions(
            conn, _staged(conn, "decisions", quarter, province), quarter, province
        )
        noticed = _history_to_refresh(conn, firms, quarter, settings.options)
        history_store.rebuild(conn, noticed)
    log.info("loaded %s/%s: %d firms, %d employer units", quarter, province, len(firms), len(units))
    return {
        "province": province,
        "firms": len(firms),
        "units": len(units),
        "decisions": decided,
        "firms_with_notices": len(noticed),
    }


def _staged(conn: Any, feed: str, quarter: Quarter, province: str) -> pd.DataFrame:
    result = conn.execute(feed_files.staged_rows(feed, str(quarter), province))
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)


def _store_decisions(conn: Any, staged: pd.DataFrame, quarter: Quarter, province: str) -> int:
    """The province's decisions landed this quarter into ``decision``: every returned row kept.

    Replaces exactly the rows this step wrote before (the quarter's workbook decisions of this
    province), so a rerun gives the same rows; another province's, and decisions entered on
    the web, are never touched. Which decision counts is decided when reading (``latest``).
    """
    frame = decision_logic.rows_to_store(staged, quarter, province)
    partition = {"quarter": str(quarter), "province": province, "source": "workbook"}
    replace_partition(conn, t.decision, partition, records(frame, t.decision))
    return len(frame)


def _history_to_refresh(
    conn: Any, firms: pd.DataFrame, quarter: Quarter, options: dict[str, Any]
) -> set[str]:
    """The firms whose history takes in this quarter's snapshot: those some change notice is
    about, and those started in the last 90 days (so that a new firm no notice told of still
    reaches the outreach list); ``history_from_snapshots: all`` in the settings takes every
    firm (about 0.15 s per thousand firms more on this machine)."""
    if firms.empty:
        return set()
    codes = list(firms["tax_code"])
    which = options.get("history_from_snapshots", "new_and_noticed")
    if which not in ("new_and_noticed", "all"):
        raise ConfigError(
            f"history_from_snapshots: {which!r} is not one of new_and_noticed, all "
            "(the configuration, RECONCILE_CONFIG)"
        )
    if which == "all":
        return set(codes)
    since = quarter.last_day - timedelta(days=90)
    recent = {
        code
        for code, started in zip(firms["tax_code"], firms["started_on"], strict=True)
        if started is not None and started == started and started >= since
    }
    return history_store.with_notices(conn, codes) | recent
