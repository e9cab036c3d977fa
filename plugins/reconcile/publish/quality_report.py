"""The agency's data-quality report: one self-contained HTML page per quarter (or province).

What the partners sent and what the warehouse made of it, for the quarter and its trend over
the earlier quarters in the warehouse: rows received, accepted and quarantined per feed and the
main reasons; how complete the key fields are; tax-code defects in the employer roll; how units
were linked (by method, province and commune); active firms with employees against units
paying; and the findings by rule with the money at stake.

Every figure comes from a named query in ``sql/report_*.sql`` (bound ``:quarter`` and
``:province``, portable SQLite/PostgreSQL). Python does only what SQL cannot do portably:
splitting the quarantine's joined reasons and reading the commune out of a unit's address.

The page opens offline: no external URL, no script; the charts are inline SVG drawn here. Each
chart, table and key figure carries its numbers in ``data-*`` attributes (and an ``id``), so
that tests and other tools read the same numbers a reader sees.

Text from the feeds (quarantine reasons quote the cells they refused) is always escaped: the
template autoescapes, and the SVG and ``data-*`` markup built here as ``Markup`` escapes every
value it puts in, and takes attribute names only from this module. The page is written to a
temporary file and renamed onto its name, so a reader never opens half a page.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from reconcile import __version__
from reconcile.publish.atomic import write_text
from reconcile.publish.labels import labels
from reconcile.quality.results import file_results
from reconcile.quarter import Quarter
from reconcile.rules.catalog import rules
from reconcile.settings import Settings, package_data
from reconcile.text import admin_units
from reconcile.text.address import parse_address
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.queries import run_query
from reconcile.warehouse.schema import feed_file
from reconcile.warehouse.store import read_frame

__all__ = ["build_quality_report", "collect", "render", "report_path"]

TREND_QUARTERS = 8  # the quarter and up to seven before it
TOP_REASONS = 10
FEEDS_ORDER = ("tax", "registry", "roll", "decisions")
COMPLETENESS_FEEDS = ("tax", "registry", "roll")
LINK_KINDS = ("exact", "exact_parent", "fuzzy", "confirmed", "review", "none")
TAX_CODE_DEFECTS = ("blank", "invalid", "unknown_to_feeds", "mismatched")
TAX_CODE_NOTES = ("branch_of_linked", "recovered_by_link")
COLORS = {
    "accepted": "#2e7d32",
    "quarantined": "#c62828",
    "exact": "#1565c0",
    "exact_parent": "#64b5f6",
    "fuzzy": "#7e57c2",
    "confirmed": "#00897b",
    "review": "#f9a825",
    "none": "#9e9e9e",
    "bar": "#1565c0",
    "money": "#ad1457",
    "defect": "#e65100",
    "note": "#78909c",
    "employing": "#546e7a",
    "linked": "#64b5f6",
    "paying": "#2e7d32",
}
_FIELD_PREFIX = re.compile(r"^([a-z_]+):\s*(.*)$", re.DOTALL)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DIGITS = re.compile(r"\d+")
_ATTRIBUTE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# ---------------------------------------------------------------- entry point
def report_path(settings: Settings, quarter: Quarter | str, province: str | None = None) -> Path:
    """``<output>/<quarter>/quality_<quarter>.html``, or ``<output>/<quarter>/<province>/
    quality_<province>_<quarter>.html`` for one province (beside that province's workbook)."""
    q = str(quarter)
    folder = settings.output_dir / q
    if province:
        return folder / province / f"quality_{province}_{q}.html"
    return folder / f"quality_{q}.html"


def build_quality_report(
    settings: Settings, quarter: Quarter | str, province: str | None = None
) -> Path:
    """Write the quarter's data-quality report (all provinces, or one) and return its path."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(str(quarter))
    engine = get_engine(settings.warehouse_url)
    with engine.connect() as conn:
        figures = collect(conn, settings.sql_dir, quarter, province, settings.options)
        scope = {"quarter": str(quarter), **({"province": province} if province else {})}
        files = read_frame(conn, feed_file, **scope)
    figures["validations"] = file_results(settings.data_dir / "validations", files)
    page = render(figures)
    path = report_path(settings, quarter, province)
    return write_text(path, page, encoding="utf-8")


# ---------------------------------------------------------------- figures
def _report_labels() -> dict[str, Any]:
    return labels()["report"]


def _int(value: Any) -> int:
    return int(value or 0)  # PostgreSQL's SUM of bigint comes back as Decimal


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def collect(
    conn: Any,
    sql_dir: Path,
    quarter: Quarter,
    province: str | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every figure of the report, as plain numbers (what :func:`render` draws)."""
    q = str(quarter)

    def query(name: str) -> list[dict[str, Any]]:
        return run_query(conn, sql_dir, f"report_{name}", quarter=q, province=province)

    quarters = [r["quarter"] for r in query("quarters")]
    if q not in quarters:
        quarters.append(q)
    quarters = sorted(quarters)[-TREND_QUARTERS:]
    feed_rows = query("feed_rows")
    feeds = _feeds(feed_rows, q)
    links_rows = query("links")
    tax_rows = {r["quarter"]: {k: _int(v) for k, v in r.items() if k != "quarter"}
                for r in query("roll_tax_codes")}  # fmt: skip
    coverage_rows = {r["quarter"]: {k: _int(v) for k, v in r.items() if k != "quarter"}
                     for r in query("coverage_firms")}  # fmt: skip
    units_rows = query("units_by_status")
    finding_rows = query("findings")
    case_rows = query("cases")
    completeness = {feed: query(f"completeness_{feed}") for feed in COMPLETENESS_FEEDS}

    figures: dict[str, Any] = {
        "quarter": q,
        "province": province,
        "province_name": _province_name(province) if province else None,
        "quarters": quarters,
        "generated_at": datetime.now(UTC).astimezone().strftime("%d/%m/%Y %H:%M"),
        "version": __version__,
        "feeds": feeds,
        "feed_totals": {
            key: sum(f[key] for f in feeds)
            for key in ("files", "failed_files", "rows_read", "rows_accepted", "rows_quarantined")
        },
        "reasons": _reasons(query("quarantine_reasons")),
        "completeness": _completeness(completeness, q),
        "tax_codes": tax_rows.get(
            q, dict.fromkeys(("units", "valid", *TAX_CODE_DEFECTS, *TAX_CODE_NOTES), 0)
        ),
        "links": _links(links_rows, q),
        "links_by_province": _links_by_province(links_rows, q),
        "communes": _communes(query("unit_addresses")),
        "coverage": _coverage(coverage_rows.get(q, {}), units_rows, q),
        "findings": _findings(finding_rows, q, options),
        "cases": {r["status"]: _int(r["cases"]) for r in case_rows if r["quarter"] == q},
    }
    figures["blocked"] = _blocked(conn, q, province, options)
    covered = [province] if province else [p["province"] for p in figures["links_by_province"]]
    targets = _report_labels().get("targets", {})
    figures["targets"] = [line for code in covered for line in targets.get(code, [])]
    figures["trend"] = _trend(
        quarters, feed_rows, links_rows, tax_rows, coverage_rows, units_rows, finding_rows
    )
    return figures


def _blocked(
    conn: Any, q: str, province: str | None, options: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Provinces that could not be judged this quarter (a required feed missing or refused),
    each with its gaps in words: shown first, so that no reader takes them for "no cases"."""
    from reconcile.warehouse.feed_files import quarter_readiness

    return [
        {"province": code, "name": _province_name(code),
         "gaps": [gap.describe_vi() for gap in state.gaps]}
        for code, state in quarter_readiness(conn, q, options, province).items()
        if state.blocked
    ]  # fmt: skip


def _province_name(code: str) -> str:
    for item in admin_units.provinces():
        if item.code == code:
            return f"{item.type} {item.name}"
    return code


def _feeds(rows: list[dict[str, Any]], q: str) -> list[dict[str, Any]]:
    names = _report_labels()["feeds"]
    feeds = []
    for r in rows:
        if r["quarter"] != q:
            continue
        item = {k: _int(r[k]) for k in ("files", "failed_files", "rows_read", "rows_accepted",
                                        "rows_quarantined")}  # fmt: skip
        item.update(feed=r["feed"], label=names.get(r["feed"], r["feed"]))
        item["quarantine_share"] = _share(item["rows_quarantined"], item["rows_read"])
        feeds.append(item)
    order = {feed: i for i, feed in enumerate(FEEDS_ORDER)}
    return sorted(feeds, key=lambda f: (order.get(f["feed"], 99), f["feed"]))


def reason_label(feed: str, reason: str) -> str:
    """One quarantine reason in Vietnamese: "Mã số thuế: sai chữ số kiểm tra (MST không hợp lệ)".

    The field names and the known phrases come from ``labels.yaml`` (``report:``); a phrase not
    listed keeps its English wording with values and numbers left out, so that rows quarantined
    for the same fault count together.
    """
    words = _report_labels()
    reason = reason.strip()
    field = None
    message = reason
    match = _FIELD_PREFIX.match(reason)
    if match:
        field, message = match.group(1), match.group(2)
    wording = next((vi for en, vi in words["reasons"].items() if en in message), None)
    if wording is None:
        wording = _DIGITS.sub("N", _QUOTED.sub("…", message))
    if field is None:
        return wording[:1].upper() + wording[1:]
    return f"{words['fields'].get(field, field)}: {wording}"


def _reasons(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows per reason (a row with two reasons counts for each), overall and per feed."""
    names = _report_labels()["feeds"]
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows:
        for reason in str(r["reasons"]).split(" | "):
            if reason.strip():
                counts[(r["feed"], reason_label(r["feed"], reason))] += _int(r["quarantined_rows"])
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    items = [
        {"feed": feed, "feed_label": names.get(feed, feed), "reason": reason, "rows": n}
        for (feed, reason), n in ranked
    ]
    return {"top": items[:TOP_REASONS], "all": items, "total": sum(counts.values())}


def _completeness(results: dict[str, list[dict[str, Any]]], q: str) -> list[dict[str, Any]]:
    words = _report_labels()
    out = []
    for feed, rows in results.items():
        row = next((r for r in rows if r["quarter"] == q), None)
        if row is None:
            continue
        staged = _int(row["rows_staged"])
        fields = [
            {"field": key, "label": words["fields"].get(key, key), "filled": _int(value),
             "share": _share(_int(value), staged)}
            for key, value in row.items() if key not in ("quarter", "rows_staged")
        ]  # fmt: skip
        out.append({"feed": feed, "label": words["feeds"].get(feed, feed), "rows": staged,
                    "fields": fields})  # fmt: skip
    return out


def _link_kind(method: str, band: str) -> str:
    if band == "review":
        return "review"
    if not band:
        return "none"
    return method


def _links(rows: list[dict[str, Any]], q: str) -> dict[str, Any]:
    counts = Counter()
    for r in rows:
        if r["quarter"] == q:
            counts[_link_kind(r["method"], r["band"])] += _int(r["units"])
    units = sum(counts.values())
    linked = sum(counts[k] for k in ("exact", "exact_parent", "fuzzy", "confirmed"))
    extra = sorted(k for k in counts if k not in LINK_KINDS)  # a method added later
    names = _report_labels()["link"]
    return {
        "units": units,
        "linked": linked + sum(counts[k] for k in extra),
        "review": counts["review"],
        "none": counts["none"],
        "share_linked": _share(linked + sum(counts[k] for k in extra), units),
        "by_kind": [
            {
                "kind": k,
                "label": names.get(k, k),
                "units": counts[k],
                "share": _share(counts[k], units),
            }
            for k in (*LINK_KINDS[:4], *extra, *LINK_KINDS[4:])
        ],
    }


def _links_by_province(rows: list[dict[str, Any]], q: str) -> list[dict[str, Any]]:
    grouped: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["quarter"] == q:
            grouped[r["province"]][_link_kind(r["method"], r["band"])] += _int(r["units"])
    out = []
    for code, counts in sorted(grouped.items()):
        units = sum(counts.values())
        linked = units - counts["review"] - counts["none"]
        out.append({"province": code, "name": _province_name(code), "units": units,
                    "counts": {k: counts[k] for k in LINK_KINDS}, "linked": linked,
                    "share_linked": _share(linked, units)})  # fmt: skip
    return out


@cache
def _commune_names(province: str) -> dict[str, str]:
    return {c.code: f"{c.type} {c.name}" for c in admin_units.communes(province)}


def _communes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units per commune, parsed from their address (one parse per distinct address)."""
    words = _report_labels()["commune"]
    parsed: dict[tuple[str, str], str] = {}
    grouped: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in rows:
        key = (r["address"] or "", r["province"])
        if key not in parsed:
            codes = parse_address(key[0], key[1]).commune_codes if key[0] else ()
            parsed[key] = codes[0] if len(codes) == 1 else ("ambiguous" if codes else "unknown")
        counts = grouped[(r["province"], parsed[key])]
        counts["units"] += 1
        counts[_link_kind(r["method"] or "", r["band"] or "")] += 1
        counts["paying"] += r["status"] == "paying"
    out = []
    for (province, code), counts in grouped.items():
        known = code not in ("ambiguous", "unknown")
        name = _commune_names(province).get(code, code) if known else words[code]
        linked = counts["units"] - counts["review"] - counts["none"]
        out.append({"province": province, "code": code, "name": name, "known": known,
                    "units": counts["units"], "linked": linked, "review": counts["review"],
                    "none": counts["none"], "paying": counts["paying"],
                    "share_linked": _share(linked, counts["units"])})  # fmt: skip
    return sorted(out, key=lambda c: (not c["known"], -c["units"], c["province"], c["name"]))


def _coverage(firms: dict[str, int], units_rows: list[dict[str, Any]], q: str) -> dict[str, Any]:
    statuses = {r["status"]: r for r in units_rows if r["quarter"] == q}
    paying = statuses.get("paying", {})
    employing = firms.get("employing_firms", 0)
    out = {k: firms.get(k, 0) for k in ("firms", "active_firms", "employing_firms", "employees",
                                        "employing_linked", "employing_paying")}  # fmt: skip
    out.update(
        units=sum(_int(r["units"]) for r in statuses.values()),
        paying_units=_int(paying.get("units")),
        insured_employees=_int(paying.get("insured_employees")),
        employing_not_paying=employing - firms.get("employing_paying", 0),
        share_paying=_share(firms.get("employing_paying", 0), employing),
        share_linked=_share(firms.get("employing_linked", 0), employing),
        units_by_status=[
            {"status": s, "label": labels()["unit_status"].get(s, s or "—"),
             "units": _int(r["units"]), "insured_employees": _int(r["insured_employees"])}
            for s, r in sorted(statuses.items())
        ],
    )  # fmt: skip
    return out


def _findings(rows: list[dict[str, Any]], q: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """Findings by rule. Severity 0 marks a data fix for the agency, not an inspection lead."""
    catalog = rules((options or {}).get("rules"))
    items = []
    for r in rows:
        if r["quarter"] != q:
            continue
        rule = catalog.get(r["rule"])
        items.append({"rule": r["rule"], "title": rule.title if rule else r["rule"],
                      "severity": _int(r["severity"]), "inspection": _int(r["severity"]) > 0,
                      "findings": _int(r["findings"]), "money": _int(r["money_counted"])})  # fmt: skip
    items.sort(key=lambda f: (not f["inspection"], -f["money"], -f["findings"], f["rule"]))
    return {
        "rules": items,
        "findings": sum(f["findings"] for f in items if f["inspection"]),
        "data_fixes": sum(f["findings"] for f in items if not f["inspection"]),
        "money": sum(f["money"] for f in items),
    }


def _trend(
    quarters: list[str],
    feed_rows: list[dict[str, Any]],
    links_rows: list[dict[str, Any]],
    tax_rows: dict[str, dict[str, int]],
    coverage_rows: dict[str, dict[str, int]],
    units_rows: list[dict[str, Any]],
    finding_rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    out = []
    for q in quarters:
        read = sum(_int(r["rows_read"]) for r in feed_rows if r["quarter"] == q)
        quarantined = sum(_int(r["rows_quarantined"]) for r in feed_rows if r["quarter"] == q)
        links = _links(links_rows, q)
        tax = tax_rows.get(q, {})
        defects = sum(tax.get(k, 0) for k in TAX_CODE_DEFECTS)
        cover = coverage_rows.get(q, {})
        out.append({
            "quarter": q,
            "rows_read": read,
            "rows_accepted": sum(_int(r["rows_accepted"]) for r in feed_rows if r["quarter"] == q),
            "rows_quarantined": quarantined,
            "quarantine_share": _share(quarantined, read),
            "units": links["units"],
            "linked": links["linked"],
            "review": links["review"],
            "share_linked": links["share_linked"],
            "tax_code_defects": defects,
            "tax_code_defect_share": _share(defects, tax.get("units", 0)),
            "employing_firms": cover.get("employing_firms", 0),
            "employing_paying": cover.get("employing_paying", 0),
            "share_paying": _share(cover.get("employing_paying", 0), cover.get("employing_firms", 0)),
            "paying_units": sum(_int(r["units"]) for r in units_rows
                                if r["quarter"] == q and r["status"] == "paying"),
            "findings": sum(_int(r["findings"]) for r in finding_rows
                            if r["quarter"] == q and _int(r["severity"]) > 0),
            "data_fixes": sum(_int(r["findings"]) for r in finding_rows
                              if r["quarter"] == q and _int(r["severity"]) == 0),
            "money": sum(_int(r["money_counted"]) for r in finding_rows if r["quarter"] == q),
        })  # fmt: skip
    return out


# ---------------------------------------------------------------- formatting (Vietnamese)
def fmt_int(value: int | float | None) -> str:
    """1234567 -> "1.234.567" (Vietnamese groups thousands with dots)."""
    if value is None:
        return "—"
    return f"{int(round(value)):,}".replace(",", ".")


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """0.125 -> "12,5%" (decimal comma)."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}".replace(".", ",") + "%"


def fmt_money_short(value: int | float | None) -> str:
    """Money in words a reader takes in at a glance: "7,2 tỷ", "328,8 triệu"."""
    if value is None:
        return "—"
    for size, word in ((1e9, "tỷ"), (1e6, "triệu"), (1e3, "nghìn")):
        if abs(value) >= size:
            return f"{value / size:.1f}".replace(".", ",") + f" {word}"
    return fmt_int(value)


def _data_attrs(attrs: dict[str, Any]) -> Markup:
    """`` data-key="value"`` for each item: values escaped; a name that is not a plain
    lower-case word is refused (escaping cannot make ``x onload=...`` a safe attribute name)."""
    parts = []
    for key, value in attrs.items():
        if not _ATTRIBUTE_NAME.match(str(key)):
            raise ValueError(f"not a data attribute name: {key!r}")
        if value is None:
            value = ""
        elif isinstance(value, float):
            value = f"{value:.6f}"
        parts.append(f' data-{escape(key)}="{escape(value)}"')
    return Markup("".join(parts))


# ---------------------------------------------------------------- charts (inline SVG)
def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(
        step * magnitude for step in (1, 2, 2.5, 5, 10) if value <= step * magnitude * 1.0000001
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg_open(chart_id: str, title: str, width: int, height: int, attrs: dict[str, Any]) -> str:
    return (
        f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{escape(chart_id)}-title"'
        f"{_data_attrs(attrs)}>"
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
    )


def _legend(items: Sequence[tuple[str, str]], x: int, y: int, right: int) -> tuple[str, int]:
    """Colour keys in rows that wrap before ``right``; returns the SVG and the rows' height."""
    out, start, rows = [], x, 1
    for label, color in items:
        size = 24 + int(len(label) * 6.6)
        if x > start and x + size > right:
            x, y, rows = start, y + 16, rows + 1
        out.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="{y}" class="legend">{escape(label)}</text>'
        )
        x += size
    return "".join(out), rows * 16


def hbar_chart(
    chart_id: str,
    title: str,
    items: Sequence[dict[str, Any]],
    *,
    attrs: dict[str, Any],
    fmt: Callable[[float], str] = fmt_int,
    color: str = COLORS["bar"],
    label_width: int = 300,
    width: int = 760,
) -> Markup:
    """Horizontal bars; each item has key, label, value and optional attrs (data-*)."""
    row, top = 24, 8
    height = top + row * max(len(items), 1) + 8
    scale = _nice_max(max((i["value"] for i in items), default=0))
    room = width - label_width - 90
    parts = [_svg_open(chart_id, title, width, height, attrs)]
    if not items:
        parts.append(f'<text x="10" y="{top + 16}" class="empty">Không có dữ liệu</text>')
    for n, item in enumerate(items):
        y = top + n * row
        length = room * item["value"] / scale if scale else 0
        extra = {"key": item["key"], "value": item["value"], **item.get("attrs", {})}
        parts.append(
            f'<g class="bar"{_data_attrs(extra)}>'
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(_clip(item['label'], label_width // 7))}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{item.get("color", color)}"><title>{escape(item["label"])}: '
            f"{escape(fmt(item['value']))}</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}" class="value">'
            f"{escape(fmt(item['value']))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_chart(
    chart_id: str,
    title: str,
    rows: Sequence[dict[str, Any]],
    segments: Sequence[tuple[str, str, str]],
    *,
    attrs: dict[str, Any],
    label_width: int = 220,
    width: int = 760,
) -> Markup:
    """Horizontal stacked bars: rows have key, label, values {segment: n}; legend on top."""
    legend, legend_height = _legend(
        [(label, color) for _, label, color in segments], label_width, 16, width - 10
    )
    row, top = 30, 14 + legend_height
    height = top + row * max(len(rows), 1) + 8
    scale = _nice_max(max((sum(r["values"].values()) for r in rows), default=0))
    room = width - label_width - 80
    parts = [_svg_open(chart_id, title, width, height, attrs), legend]
    if not rows:
        parts.append(f'<text x="10" y="{top + 18}" class="empty">Không có dữ liệu</text>')
    for n, item in enumerate(rows):
        y = top + n * row
        values = {key: item["values"].get(key, 0) for key, _, _ in segments}
        total = sum(values.values())
        extra = {"key": item["key"], "total": total, **values}
        parts.append(
            f'<g class="bar"{_data_attrs(extra)}><text x="{label_width - 8}" y="{y + 18}" '
            f'text-anchor="end">{escape(_clip(item["label"], label_width // 7))}</text>'
        )
        x = float(label_width)
        for key, label, color in segments:
            length = room * values[key] / scale if scale else 0
            if values[key]:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" '
                    f'fill="{color}" data-segment="{escape(key)}" data-value="{values[key]}">'
                    f"<title>{escape(item['label'])} – {escape(label)}: {fmt_int(values[key])}"
                    "</title></rect>"
                )
            x += length
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 18}" class="value">{fmt_int(total)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    chart_id: str,
    title: str,
    quarters: Sequence[str],
    series: Sequence[tuple[str, str, str, Sequence[float | None]]],
    *,
    attrs: dict[str, Any],
    fmt: Callable[[float], str] = fmt_int,
    percent: bool = False,
    width: int = 500,
    height: int = 230,
) -> Markup:
    """A trend over quarters: series are (key, label, color, values); a None is a gap."""
    left, right, bottom = 64, 36, 28
    legend, legend_height = _legend(
        [(label, color) for _, label, color, _ in series], left, 14, width - right
    )
    top = 14 + legend_height
    values = [v for *_, vs in series for v in vs if v is not None]
    scale = _nice_max(max(values, default=0))
    if percent:
        scale = min(scale, 1.0)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(quarters) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (i * step if len(quarters) > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * (v / scale if scale else 0)

    parts = [_svg_open(chart_id, title, width, height, attrs), legend]
    for tick in range(5):
        v = scale * tick / 4
        _, y = xy(0, v)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
            f"{escape(fmt(v))}</text>"
        )
    for i, q in enumerate(quarters):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" class="axis">{escape(q)}</text>'
        )
    for key, label, color, vs in series:
        points = [(i, v) for i, v in enumerate(vs) if v is not None]
        path = " ".join(f"{'M' if n == 0 else 'L'}{xy(i, v)[0]:.1f},{xy(i, v)[1]:.1f}"
                        for n, (i, v) in enumerate(points))  # fmt: skip
        parts.append(f'<g class="series" data-key="{escape(key)}">')
        if len(points) > 1:
            parts.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in points:
            x, y = xy(i, v)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}" '
                f'data-quarter="{escape(quarters[i])}" data-value="{v}">'
                f"<title>{escape(label)} {escape(quarters[i])}: {escape(fmt(v))}</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------- page
@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(package_data("publish/data"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(n=fmt_int, pct=fmt_pct, money=fmt_money_short, data=_data_attrs)
    return env


def _charts(f: dict[str, Any]) -> dict[str, Markup]:
    words = _report_labels()
    totals = f["feed_totals"]
    charts: dict[str, Markup] = {}
    charts["feed_rows"] = stacked_chart(
        "chart-feed-rows",
        "Số dòng nhận được theo nguồn: được nhận và bị cách ly",
        [{"key": x["feed"], "label": x["label"],
          "values": {"accepted": x["rows_accepted"], "quarantined": x["rows_quarantined"]}}
         for x in f["feeds"]],
        [("accepted", "Được nhận", COLORS["accepted"]),
         ("quarantined", "Bị cách ly", COLORS["quarantined"])],
        attrs={"total-received": totals["rows_read"], "total-accepted": totals["rows_accepted"],
               "total-quarantined": totals["rows_quarantined"]},
    )  # fmt: skip
    charts["reasons"] = hbar_chart(
        "chart-quarantine-reasons",
        "Lý do cách ly phổ biến nhất",
        [{"key": f"{r['feed']}:{r['reason']}", "label": f"{r['reason']} ({r['feed_label']})",
          "value": r["rows"], "attrs": {"feed": r["feed"], "reason": r["reason"]}}
         for r in f["reasons"]["top"]],
        attrs={"total-reason-rows": f["reasons"]["total"], "reasons-shown": len(f["reasons"]["top"])},
        color=COLORS["quarantined"],
        label_width=400,
    )  # fmt: skip
    tax = f["tax_codes"]
    charts["tax_codes"] = hbar_chart(
        "chart-roll-tax-codes",
        "Lỗi mã số thuế trên danh sách đơn vị BHXH",
        [{"key": k, "label": words["roll_tax_codes"][k], "value": tax.get(k, 0),
          "color": COLORS["defect"] if k in TAX_CODE_DEFECTS else COLORS["note"]}
         for k in (*TAX_CODE_DEFECTS, *TAX_CODE_NOTES)],
        attrs={"units": tax.get("units", 0), "defects": sum(tax.get(k, 0) for k in TAX_CODE_DEFECTS),
               **{k.replace("_", "-"): tax.get(k, 0) for k in (*TAX_CODE_DEFECTS, *TAX_CODE_NOTES)}},
        color=COLORS["defect"],
        label_width=380,
    )  # fmt: skip
    links = f["links"]
    charts["links"] = stacked_chart(
        "chart-links-by-method",
        "Đơn vị BHXH theo cách liên kết với doanh nghiệp",
        [{"key": p["province"], "label": p["name"], "values": p["counts"]}
         for p in f["links_by_province"]],
        [(x["kind"], x["label"], COLORS.get(x["kind"], COLORS["bar"])) for x in links["by_kind"]],
        attrs={"units": links["units"], "linked": links["linked"], "review": links["review"],
               "unlinked": links["none"],
               **{f"method-{x['kind'].replace('_', '-')}": x["units"] for x in links["by_kind"]}},
    )  # fmt: skip
    cover = f["coverage"]
    charts["coverage"] = hbar_chart(
        "chart-coverage",
        "Doanh nghiệp đang hoạt động có lao động và đơn vị đang đóng BHXH",
        [{"key": "employing_firms", "label": "DN đang hoạt động có lao động",
          "value": cover["employing_firms"], "color": COLORS["employing"]},
         {"key": "employing_linked", "label": "… trong đó có đơn vị BHXH",
          "value": cover["employing_linked"], "color": COLORS["linked"]},
         {"key": "employing_paying", "label": "… trong đó đơn vị đang đóng",
          "value": cover["employing_paying"], "color": COLORS["paying"]},
         {"key": "paying_units", "label": "Đơn vị BHXH đang đóng (toàn danh sách)",
          "value": cover["paying_units"], "color": COLORS["paying"]}],
        attrs={"employing-firms": cover["employing_firms"], "employing-linked": cover["employing_linked"],
               "employing-paying": cover["employing_paying"], "paying-units": cover["paying_units"],
               "employing-not-paying": cover["employing_not_paying"]},
        label_width=320,
    )  # fmt: skip
    findings = f["findings"]
    charts["findings"] = hbar_chart(
        "chart-findings-money",
        "Số tiền ước tính theo quy tắc (VND)",
        [{"key": r["rule"], "label": r["title"], "value": r["money"],
          "attrs": {"findings": r["findings"]}} for r in findings["rules"] if r["inspection"]],
        attrs={"findings": findings["findings"], "data-fixes": findings["data_fixes"],
               "money-at-stake": findings["money"]},
        fmt=fmt_money_short,
        color=COLORS["money"],
        label_width=420,
    )  # fmt: skip
    trend, quarters = f["trend"], f["quarters"]

    def series(key: str) -> list[Any]:
        return [t[key] for t in trend]

    charts["trend_rows"] = line_chart(
        "chart-trend-rows", "Số dòng nhận được qua các quý", quarters,
        [("rows_accepted", "Được nhận", COLORS["accepted"], series("rows_accepted")),
         ("rows_quarantined", "Bị cách ly", COLORS["quarantined"], series("rows_quarantined"))],
        attrs={"quarters": len(quarters)},
    )  # fmt: skip
    charts["trend_quality"] = line_chart(
        "chart-trend-quality", "Tỷ lệ cách ly và lỗi MST qua các quý", quarters,
        [("quarantine_share", "Dòng bị cách ly", COLORS["quarantined"], series("quarantine_share")),
         ("tax_code_defect_share", "Đơn vị lỗi MST", COLORS["defect"], series("tax_code_defect_share"))],
        attrs={"quarters": len(quarters)}, fmt=fmt_pct, percent=True,
    )  # fmt: skip
    charts["trend_links"] = line_chart(
        "chart-trend-links", "Tỷ lệ liên kết và bao phủ qua các quý", quarters,
        [("share_linked", "Đơn vị đã liên kết", COLORS["exact"], series("share_linked")),
         ("share_paying", "DN có LĐ có đơn vị đang đóng", COLORS["paying"], series("share_paying"))],
        attrs={"quarters": len(quarters)}, fmt=fmt_pct, percent=True,
    )  # fmt: skip
    charts["trend_money"] = line_chart(
        "chart-trend-money", "Số tiền ước tính qua các quý (VND)", quarters,
        [("money", "Số tiền ước tính", COLORS["money"], series("money"))],
        attrs={"quarters": len(quarters)}, fmt=fmt_money_short,
    )  # fmt: skip
    return charts


def render(figures: dict[str, Any]) -> str:
    """The page: Vietnamese, self-contained (inline CSS and SVG, no script, no link out)."""
    template = _environment().get_template("quality_report.html.j2")
    return template.render(f=figures, charts=_charts(figures), words=_report_labels(),
                           link_kinds=LINK_KINDS, tax_defects=TAX_CODE_DEFECTS,
                           tax_notes=TAX_CODE_NOTES, case_labels=labels()["case_status"])  # fmt: skip
