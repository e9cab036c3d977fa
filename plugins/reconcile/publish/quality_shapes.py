"""Query rows shaped into the data-quality report's figures: pure functions, no warehouse.

Python does here only what SQL cannot do portably: splitting the quarantine's joined reasons
(:mod:`quality_reasons`), reading the commune out of a unit's address, and the shares and
totals the page shows beside each count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from typing import Any

from reconcile.publish.labels import labels
from reconcile.publish.quality_figures import (
    FEED_COUNTS,
    FEEDS_ORDER,
    LINK_KINDS,
    LINKED_KINDS,
    TAX_CODE_DEFECTS,
    TOP_REASONS,
    CommuneLinks,
    Coverage,
    FeedCompleteness,
    FeedFigure,
    FieldFill,
    Findings,
    Links,
    ProvinceLinks,
    ReasonFigure,
    Reasons,
    RuleFindings,
    TrendPoint,
)
from reconcile.publish.quality_reasons import reason_label
from reconcile.publish.quality_words import report_words
from reconcile.rules.catalog import rules
from reconcile.text import admin_units
from reconcile.text.address import parse_address

Row = dict[str, Any]


def to_int(value: Any) -> int:
    return int(value or 0)  # PostgreSQL's SUM of bigint comes back as Decimal


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def province_name(code: str) -> str:
    for item in admin_units.provinces():
        if item.code == code:
            return f"{item.type} {item.name}"
    return code


def feeds(rows: list[Row], q: str) -> list[FeedFigure]:
    names = report_words()["feeds"]
    out: list[FeedFigure] = []
    for r in rows:
        if r["quarter"] != q:
            continue
        item: Any = {k: to_int(r[k]) for k in FEED_COUNTS}
        item.update(feed=r["feed"], label=names.get(r["feed"], r["feed"]))
        item["quarantine_share"] = share(item["rows_quarantined"], item["rows_read"])
        out.append(item)
    order = {feed: i for i, feed in enumerate(FEEDS_ORDER)}
    return sorted(out, key=lambda f: (order.get(f["feed"], 99), f["feed"]))


def reasons(rows: list[Row]) -> Reasons:
    """Rows per reason (a row with two reasons counts for each), overall and per feed."""
    names = report_words()["feeds"]
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows:
        for reason in str(r["reasons"]).split(" | "):
            if reason.strip():
                label = reason_label(r["feed"], reason)
                counts[(r["feed"], label)] += to_int(r["quarantined_rows"])
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    items: list[ReasonFigure] = [
        {"feed": feed, "feed_label": names.get(feed, feed), "reason": reason, "rows": n}
        for (feed, reason), n in ranked
    ]
    return {"top": items[:TOP_REASONS], "all": items, "total": sum(counts.values())}


def completeness(rows: list[Row], feeds_shown: tuple[str, ...], q: str) -> list[FeedCompleteness]:
    """Each feed's key fields in the quarter: rows of ``report_completeness`` (one per feed and
    quarter, its fields in numbered slots ``field_N``/``filled_N``)."""
    words = report_words()
    out: list[FeedCompleteness] = []
    for feed in feeds_shown:
        row = next((r for r in rows if r["feed"] == feed and r["quarter"] == q), None)
        if row is None:
            continue
        staged = to_int(row["rows_staged"])
        fields: list[FieldFill] = []
        slot = 1
        while f"field_{slot}" in row:
            key, filled = row[f"field_{slot}"], to_int(row[f"filled_{slot}"])
            fields.append(
                {
                    "field": key,
                    "label": words["fields"].get(key, key),
                    "filled": filled,
                    "share": share(filled, staged),
                }
            )
            slot += 1
        out.append(
            {
                "feed": feed,
                "label": words["feeds"].get(feed, feed),
                "rows": staged,
                "fields": fields,
            }
        )
    return out


def link_kind(method: str, band: str) -> str:
    """A unit's link as the report counts it: its method when linked, else review or none."""
    if band == "review":
        return "review"
    if not band:
        return "none"
    return method


def links(rows: list[Row], q: str) -> Links:
    counts: Counter[str] = Counter()
    for r in rows:
        if r["quarter"] == q:
            counts[link_kind(r["method"], r["band"])] += to_int(r["units"])
    units = sum(counts.values())
    extra = sorted(k for k in counts if k not in LINK_KINDS)  # a method added later
    linked = sum(counts[k] for k in (*LINKED_KINDS, *extra))
    names = report_words()["link"]
    return {
        "units": units,
        "linked": linked,
        "review": counts["review"],
        "none": counts["none"],
        "share_linked": share(linked, units),
        "by_kind": [
            {
                "kind": k,
                "label": names.get(k, k),
                "units": counts[k],
                "share": share(counts[k], units),
            }
            for k in (*LINKED_KINDS, *extra, *LINK_KINDS[len(LINKED_KINDS) :])
        ],
    }


def links_by_province(rows: list[Row], q: str) -> list[ProvinceLinks]:
    grouped: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["quarter"] == q:
            grouped[r["province"]][link_kind(r["method"], r["band"])] += to_int(r["units"])
    out: list[ProvinceLinks] = []
    for code, counts in sorted(grouped.items()):
        units = sum(counts.values())
        linked = units - counts["review"] - counts["none"]
        out.append(
            {
                "province": code,
                "name": province_name(code),
                "units": units,
                "counts": {k: counts[k] for k in LINK_KINDS},
                "linked": linked,
                "share_linked": share(linked, units),
            }
        )
    return out


@cache
def _commune_names(province: str) -> dict[str, str]:
    return {c.code: f"{c.type} {c.name}" for c in admin_units.communes(province)}


def communes(rows: list[Row]) -> list[CommuneLinks]:
    """Units per commune, parsed from their address (one parse per distinct address)."""
    words = report_words()["commune"]
    parsed: dict[tuple[str, str], str] = {}
    grouped: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in rows:
        key = (r["address"] or "", r["province"])
        if key not in parsed:
            codes = parse_address(key[0], key[1]).commune_codes if key[0] else ()
            parsed[key] = codes[0] if len(codes) == 1 else ("ambiguous" if codes else "unknown")
        counts = grouped[(r["province"], parsed[key])]
        counts["units"] += 1
        counts[link_kind(r["method"] or "", r["band"] or "")] += 1
        counts["paying"] += r["status"] == "paying"
    out: list[CommuneLinks] = []
    for (province, code), counts in grouped.items():
        known = code not in ("ambiguous", "unknown")
        name = _commune_names(province).get(code, code) if known else words[code]
        linked = counts["units"] - counts["review"] - counts["none"]
        out.append(
            {
                "province": province,
                "code": code,
                "name": name,
                "known": known,
                "units": counts["units"],
                "linked": linked,
                "review": counts["review"],
                "none": counts["none"],
                "paying": counts["paying"],
                "share_linked": share(linked, counts["units"]),
            }
        )
    return sorted(out, key=lambda c: (not c["known"], -c["units"], c["province"], c["name"]))


def coverage(firms: dict[str, int], units_rows: list[Row], q: str) -> Coverage:
    statuses = {r["status"]: r for r in units_rows if r["quarter"] == q}
    paying = statuses.get("paying", {})
    employing, employing_paying = firms.get("employing_firms", 0), firms.get("employing_paying", 0)
    return {
        "firms": firms.get("firms", 0),
        "active_firms": firms.get("active_firms", 0),
        "employing_firms": employing,
        "employees": firms.get("employees", 0),
        "employing_linked": firms.get("employing_linked", 0),
        "employing_paying": employing_paying,
        "units": sum(to_int(r["units"]) for r in statuses.values()),
        "paying_units": to_int(paying.get("units")),
        "insured_employees": to_int(paying.get("insured_employees")),
        "employing_not_paying": employing - employing_paying,
        "share_paying": share(employing_paying, employing),
        "share_linked": share(firms.get("employing_linked", 0), employing),
        "units_by_status": [
            {
                "status": s,
                "label": labels()["unit_status"].get(s, s or "—"),
                "units": to_int(r["units"]),
                "insured_employees": to_int(r["insured_employees"]),
            }
            for s, r in sorted(statuses.items())
        ],
    }


def findings(rows: list[Row], q: str, options: dict[str, Any] | None) -> Findings:
    """Findings by rule. Severity 0 marks a data fix for the agency, not an inspection lead."""
    catalog = rules((options or {}).get("rules"))
    items: list[RuleFindings] = []
    for r in rows:
        if r["quarter"] != q:
            continue
        rule = catalog.get(r["rule"])
        items.append(
            {
                "rule": r["rule"],
                "title": rule.title if rule else r["rule"],
                "severity": to_int(r["severity"]),
                "inspection": to_int(r["severity"]) > 0,
                "findings": to_int(r["findings"]),
                "money": to_int(r["money_counted"]),
            }
        )
    items.sort(key=lambda f: (not f["inspection"], -f["money"], -f["findings"], f["rule"]))
    return {
        "rules": items,
        "findings": sum(f["findings"] for f in items if f["inspection"]),
        "data_fixes": sum(f["findings"] for f in items if not f["inspection"]),
        "money": sum(f["money"] for f in items),
    }


def trend(
    quarters: list[str],
    feed_rows: list[Row],
    links_rows: list[Row],
    tax_rows: dict[str, dict[str, int]],
    coverage_rows: dict[str, dict[str, int]],
    units_rows: list[Row],
    finding_rows: list[Row],
) -> list[TrendPoint]:
    """The key figures of each quarter of the trend (the report's quarter and those before)."""
    out: list[TrendPoint] = []
    for q in quarters:
        read = sum(to_int(r["rows_read"]) for r in feed_rows if r["quarter"] == q)
        quarantined = sum(to_int(r["rows_quarantined"]) for r in feed_rows if r["quarter"] == q)
        linked = links(links_rows, q)
        tax = tax_rows.get(q, {})
        defects = sum(tax.get(k, 0) for k in TAX_CODE_DEFECTS)
        cover = coverage_rows.get(q, {})
        out.append(
            {
                "quarter": q,
                "rows_read": read,
                "rows_accepted": sum(
                    to_int(r["rows_accepted"]) for r in feed_rows if r["quarter"] == q
                ),
                "rows_quarantined": quarantined,
                "quarantine_share": share(quarantined, read),
                "units": linked["units"],
                "linked": linked["linked"],
                "review": linked["review"],
                "share_linked": linked["share_linked"],
                "tax_code_defects": defects,
                "tax_code_defect_share": share(defects, tax.get("units", 0)),
                "employing_firms": cover.get("employing_firms", 0),
                "employing_paying": cover.get("employing_paying", 0),
                "share_paying": share(
                    cover.get("employing_paying", 0), cover.get("employing_firms", 0)
                ),
                "paying_units": sum(
                    to_int(r["units"])
                    for r in units_rows
                    if r["quarter"] == q and r["status"] == "paying"
                ),
                "findings": sum(
                    to_int(r["findings"])
                    for r in finding_rows
                    if r["quarter"] == q and to_int(r["severity"]) > 0
                ),
                "data_fixes": sum(
                    to_int(r["findings"])
                    for r in finding_rows
                    if r["quarter"] == q and to_int(r["severity"]) == 0
                ),
                "money": sum(to_int(r["money_counted"]) for r in finding_rows if r["quarter"] == q),
            }
        )
    return out
