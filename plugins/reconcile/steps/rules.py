"""``apply_rules``: the partition's findings and the status of its cases (new, persisting,
reopened, resolved), or none at all for a province whose required feeds are not whole."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import pandas as pd
from sqlalchemy import select

from reconcile.history import store as history_store
from reconcile.history.timeline import firm_as_of
from reconcile.quarter import Quarter
from reconcile.rules import cases as case_logic
from reconcile.rules import decisions as decision_logic
from reconcile.rules.catalog import contributions, rules
from reconcile.rules.findings import find, recount
from reconcile.settings import Settings
from reconcile.values import none_for_missing
from reconcile.warehouse import readiness
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame, records, replace_partition

log = logging.getLogger(__name__)


def apply_rules(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    """The partition's findings, less those an inspector's decision quiets, and its cases."""
    engine = get_engine(settings.warehouse_url)
    catalog = rules(settings.options.get("rules"))
    terms = contributions(settings.options.get("rules"))
    partition = {"quarter": str(quarter), "province": province}
    with engine.begin() as conn:
        state = readiness.province_readiness(conn, str(quarter), province, settings.options)
        if state.blocked:
            # judged without its roll every firm would look unregistered, without its tax feed
            # every unit unknown: no finding rests on a feed that is not there
            replace_partition(conn, t.finding, partition, [])
            replace_partition(conn, t.case_status, partition, [])
            log.error("rules %s/%s not applied: %s", quarter, province, state.describe())
            return {
                "province": province,
                "blocked": [g.as_dict() for g in state.blocking],
                "findings": {},
                "cases": {},
                "suppressed": 0,
                "money_at_stake": 0,
                "money_counted": 0,
            }
        firms = _as_history_tells(conn, read_frame(conn, t.firm, **partition), quarter)
        units = read_frame(conn, t.employer_unit, **partition)
        links = read_frame(conn, t.link, **partition)
        last = decision_logic.latest(read_frame(conn, t.decision, province=province), quarter)
        # the search of the roll never offers again a pair an inspector said is not the same
        overrides = decision_logic.link_overrides(last, read_frame(conn, t.case, province=province))
        findings = find(firms, units, links, quarter, province, catalog, terms, overrides)
        quiet = decision_logic.suppressed(
            last, quarter, int(settings.options.get("not_subject_quarters", 4))
        )
        suppressed = int(findings["case_id"].isin(quiet).sum()) if not findings.empty else 0
        findings = recount(findings[~findings["case_id"].isin(quiet)]) if suppressed else findings
        replace_partition(conn, t.finding, partition, records(findings, t.finding))

        previous, earlier = _earlier_cases(conn, quarter, province)
        statuses = case_logic.case_statuses(
            set(findings["case_id"]),
            previous,
            earlier,
            quarter,
            province,
            closed=decision_logic.resolved(last),
        )
        replace_partition(conn, t.case_status, partition, records(statuses, t.case_status))

        touched = sorted(set(findings["case_id"]) | previous)
        history = _case_history(conn, touched)
        replace_partition(
            conn, t.case, {"case_id": touched}, records(case_logic.case_rows(history), t.case)
        )
    by_rule = dict(Counter(findings["rule"])) if not findings.empty else {}
    by_status = dict(Counter(statuses["status"])) if not statuses.empty else {}
    log.info("rules %s/%s: %d findings %s", quarter, province, len(findings), by_rule)
    return {
        "province": province,
        "findings": by_rule,
        "cases": by_status,
        "suppressed": suppressed,
        "money_at_stake": int(findings["money_at_stake"].sum()) if not findings.empty else 0,
        "money_counted": int(findings["money_counted"].sum()) if not findings.empty else 0,
    }


def _as_history_tells(conn: Any, firms: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """The partition's firms with what their change notices told by the quarter's last day
    (``history.timeline.firm_as_of``); firms no notice is about are left as the files say."""
    if firms.empty:
        return firms
    found = history_store.read_periods(conn, list(firms["tax_code"]))
    if not found:
        return firms
    rows = [
        firm_as_of(row, found[row["tax_code"]], quarter.last_day)
        if row["tax_code"] in found
        else row
        for row in firms.to_dict("records")
    ]
    told = pd.DataFrame(rows, dtype=object)
    changed = int(told["status_notice"].notna().sum()) if "status_notice" in told else 0
    log.info(
        "history: %d firm(s) with a history, %d status(es) told by a notice", len(found), changed
    )
    return none_for_missing(told)


def _earlier_cases(conn: Any, quarter: Quarter, province: str) -> tuple[set[str], set[str]]:
    """The province's cases found last quarter, and those found before it.

    Only ids and quarters are read: the findings' evidence of every earlier quarter would grow
    the task's memory with the warehouse's age.
    """
    rows = conn.execute(
        select(t.finding.c.case_id, t.finding.c.quarter)
        .where(t.finding.c.province == province, t.finding.c.quarter < str(quarter))
        .distinct()
    ).all()
    last = str(quarter.previous())
    return {c for c, q in rows if q == last}, {c for c, q in rows if q < last}


def _case_history(conn: Any, case_ids: list[str]) -> pd.DataFrame:
    """What ``case_rows`` needs of every finding of these cases, in any quarter."""
    columns = ["case_id", "quarter", "province", "tax_code", "unit_code"]
    if not case_ids:
        return pd.DataFrame(columns=columns)
    result = conn.execute(
        select(*(t.finding.c[name] for name in columns)).where(t.finding.c.case_id.in_(case_ids))
    )
    return pd.DataFrame(result.fetchall(), columns=columns, dtype=object)
