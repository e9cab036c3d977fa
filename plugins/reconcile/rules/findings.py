"""Apply the rules to one quarter's firms, units and links: one finding per rule hit.

Each finding carries its rule, the article of law, the values that triggered it (evidence),
an estimate of the money at stake (``money.py``), and the part of it its firm's total counts
once its other findings are counted (``money_counted``, ``money.counted``). Pure: DataFrames
in, a DataFrame out.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from typing import Any

import pandas as pd

from reconcile.quarter import Quarter
from reconcile.rules import money
from reconcile.rules.catalog import Rule
from reconcile.rules.finding_rows import (
    CLOSED_REGISTRY,
    CLOSED_TAX,
    FINDING_COLUMNS,
    finding_row,
    int_or_zero,
    iso_or_none,
)
from reconcile.rules.partition import Partition
from reconcile.rules.unregistered import unregistered
from reconcile.rules.wage_findings import below_floor, wage_rules
from reconcile.values import present


def _closed_on_roll(part: Partition) -> Iterator[dict[str, Any]]:
    rule = part.catalog["CLOSED_FIRM_ON_ROLL"]
    firm_by_code = part.firms.set_index("tax_code")
    unit_by_code = part.units.set_index("unit_code")
    for link in part.links[part.links["band"] == "link"].itertuples(index=False):
        firm = firm_by_code.loc[link.tax_code]
        tax_status, registry_status = present(firm["tax_status"]), present(firm["registry_status"])
        if tax_status not in CLOSED_TAX and registry_status not in CLOSED_REGISTRY:
            continue
        unit = unit_by_code.loc[link.unit_code]
        insured, arrears = int_or_zero(unit["insured_employees"]), int_or_zero(unit["arrears"])
        if not (unit["status"] == "paying" or insured > 0 or arrears > 0):
            continue
        evidence = {
            "tax_status": tax_status,
            "tax_status_since": iso_or_none(firm["tax_status_since"]),
            "registry_status": registry_status,
            "registry_status_since": iso_or_none(firm["registry_status_since"]),
            "unit_status": present(unit["status"]),
            "insured_employees": insured,
            "arrears": arrears,
            "link_method": link.method,
        }
        if present(firm.get("status_notice")):  # told by a change notice (history/timeline.py)
            evidence["status_notice"] = firm["status_notice"]
        yield finding_row(
            rule,
            part.quarter,
            part.province,
            link.tax_code,
            link.unit_code,
            unit["name"],
            present(unit["address"]),
            evidence,
            arrears,
        )


def oldest_unpaid_due_date(quarter: Quarter, arrears_months: int) -> tuple[date, date]:
    """The oldest unpaid contribution month and its due date (end of the next month, Art. 34(4))."""
    end = quarter.last_day
    index = end.year * 12 + (end.month - 1) - (arrears_months - 1)
    month = date(index // 12, index % 12 + 1, 1)
    due_index = index + 1
    due_year, due_month = due_index // 12, due_index % 12 + 1
    due = date(due_year, due_month, calendar.monthrange(due_year, due_month)[1])
    return month, due


def _arrears(part: Partition) -> Iterator[dict[str, Any]]:
    evasion, late = part.catalog["ARREARS_EVASION"], part.catalog["ARREARS_LATE"]
    quarter, linked = part.quarter, part.firm_of_unit()
    for unit in part.units.itertuples(index=False):
        arrears, months = int_or_zero(unit.arrears), int_or_zero(unit.arrears_months)
        if arrears <= 0 or months <= 0:
            continue
        month, due = oldest_unpaid_due_date(quarter, months)
        days = (quarter.last_day - due).days
        if days <= int(evasion.thresholds["days_past_due"]):
            continue
        reminded = present(unit.reminded_on)
        reminded = reminded if reminded is not None and reminded <= quarter.last_day else None
        rule = evasion if reminded is not None else late
        evidence = {
            "arrears": arrears,
            "arrears_months": months,
            "oldest_unpaid_month": month.strftime("%m/%Y"),
            "due_date": due.isoformat(),
            "days_past_due_at_quarter_end": days,
            "reminded_on": reminded.isoformat() if reminded else None,
            "unit_status": present(unit.status),
        }
        at_stake = money.arrears_with_interest(arrears, days, part.terms)
        yield finding_row(
            rule,
            part.quarter,
            part.province,
            linked.get(unit.unit_code),
            unit.unit_code,
            unit.name,
            present(unit.address),
            evidence,
            at_stake,
        )


def _tax_code_fixes(part: Partition, all_links: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Data fixes for the agency: the roll's code is blank, invalid, or not the linked firm's.

    ``all_links``: every link, the review band's too (only a link-band one is written)."""
    rule = part.catalog["ROLL_TAX_CODE_FIX"]
    linked = (
        {}
        if all_links.empty
        else dict(
            zip(
                all_links["unit_code"],
                zip(all_links["tax_code"], all_links["band"], all_links["method"], strict=True),
                strict=True,
            )
        )
    )
    for unit in part.units.itertuples(index=False):
        raw, valid = present(unit.tax_code_raw), present(unit.tax_code)
        target = linked.get(unit.unit_code)
        if target is None or target[1] != "link":
            continue  # only what a link tells us to write: unlinked units are the matcher's business
        if raw is None:
            defect = "blank"
        elif valid is None:
            defect = "invalid"
        elif valid != target[0] and target[2] != "exact_parent":
            defect = "different"
        else:
            continue
        evidence = {
            "roll_tax_code": raw,
            "defect": defect,
            "linked_tax_code": target[0],
            "link_method": target[2],
        }
        yield finding_row(
            rule,
            part.quarter,
            part.province,
            target[0],
            unit.unit_code,
            unit.name,
            present(unit.address),
            evidence,
            0,
        )


def find(
    firms: pd.DataFrame,
    units: pd.DataFrame,
    links: pd.DataFrame,
    quarter: Quarter,
    province: str,
    catalog: dict[str, Rule],
    terms: dict[str, Any],
    decisions: pd.DataFrame | None = None,
    stats: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every finding of the partition, sorted by money at stake (largest first), then case.

    ``decisions``: the (unit_code, tax_code, decision) pairs inspectors decided
    (``decisions.link_overrides``): a "not_a_match" pair is never offered again by the search
    of the roll. ``stats`` (if given) receives the search's counts and seconds.
    """
    # a firm in the review band is neither linked nor missing: it waits on the review list
    all_links = links
    linked_firms = set(links["tax_code"]) if not links.empty else set()
    links = links[links["band"] == "link"] if not links.empty else links
    touched = set(all_links["unit_code"]) if not all_links.empty else set()
    unlinked = units[~units["unit_code"].isin(touched)] if not units.empty else units
    rejected: set[tuple[str, str]] = set()
    if decisions is not None and not decisions.empty:
        rejected = {
            (u, c)
            for u, c, d in decisions[["unit_code", "tax_code", "decision"]].itertuples(index=False)
            if d == "not_a_match"
        }
    search_stats: dict[str, Any] = {} if stats is None else stats
    part = Partition(firms, units, links, quarter, province, catalog, terms)
    rows = [
        *unregistered(part, linked_firms, unlinked, rejected, search_stats),
        *(_closed_on_roll(part) if not links.empty else ()),
        *_arrears(part),
        *(wage_rules(part) if not links.empty else ()),
        *(below_floor(part) if not units.empty else ()),
        *_tax_code_fixes(part, all_links),
    ]
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    frame["money_counted"] = money.counted(frame)
    return frame.sort_values(["money_at_stake", "case_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def recount(frame: pd.DataFrame) -> pd.DataFrame:
    """``money_counted`` again, once findings were left out (cases judged "not subject")."""
    return frame.assign(money_counted=money.counted(frame))
