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

from reconcile.match.search import search_roll
from reconcile.quarter import Quarter
from reconcile.rules import money
from reconcile.rules.catalog import Rule, wage_floor
from reconcile.rules.regions import wage_region

FINDING_COLUMNS = [
    "quarter", "province", "case_id", "rule", "tax_code", "unit_code", "name", "address",
    "severity", "legal_basis", "evidence", "money_at_stake", "money_counted",
]  # fmt: skip

ACTIVE_TAX = {"active", "household_active"}
CLOSED_TAX = {"closed", "closing", "not_at_address", "awaiting_bankruptcy"}
CLOSED_REGISTRY = {"revoked", "dissolving", "bankrupting", "dissolved", "not_at_address"}


def _value(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and value != value) else value


def _int(value: Any) -> int:
    value = _value(value)
    return int(value) if value is not None else 0


def case_id(rule: Rule, tax_code: str | None, unit_code: str | None) -> str:
    """Stable across quarters: the kind of problem and its subject (tax code or unit code)."""
    subject = tax_code if rule.subject == "firm" else unit_code
    return f"{rule.case_kind}-{subject}"


def _finding(rule: Rule, quarter: Quarter, province: str, tax_code: str | None, unit_code: str | None,
             name: str | None, address: str | None, evidence: dict[str, Any], at_stake: int) -> dict[str, Any]:  # fmt: skip
    return {
        "quarter": str(quarter),
        "province": province,
        "case_id": case_id(rule, tax_code, unit_code),
        "rule": rule.code,
        "tax_code": tax_code,
        "unit_code": unit_code,
        "name": name,
        "address": address,
        "severity": rule.severity,
        "legal_basis": rule.legal_basis,
        "evidence": evidence,
        "money_at_stake": int(at_stake),
    }


def _would_be_unregistered(firms: pd.DataFrame, linked: set[str], quarter: Quarter,
                           catalog: dict[str, Rule]) -> Iterator[tuple[Any, Rule, int, int]]:  # fmt: skip
    """(firm, rule, days active, employees) of each active firm with employees and no unit linked."""
    evasion, late = catalog["NOT_REGISTERED"], catalog["NOT_REGISTERED_LATE"]
    window = int(evasion.thresholds["registration_days"])
    grace = int(evasion.thresholds["grace_days"])
    minimum = int(evasion.thresholds["min_employees"])
    for firm in firms.itertuples(index=False):
        if firm.tax_code in linked:
            continue
        if _value(firm.tax_status) not in ACTIVE_TAX | {None}:
            continue
        if _value(firm.registry_status) not in {"active", None}:
            continue
        if _value(firm.tax_status) is None and _value(firm.registry_status) is None:
            continue
        employees = max(_int(firm.pit_employees), _int(firm.declared_employees))
        started = _value(firm.started_on)
        if employees < minimum or started is None:
            continue
        days = (quarter.last_day - started).days
        if days <= window:
            continue
        yield firm, (evasion if days > window + grace else late), days, employees


def _search_words(found: dict[str, Any]) -> str:
    """The comparison with the unit found, in words an inspector can check."""
    parts = [f"tên giống {found['name_score']:.0f}/100 (so khớp tập từ), {found['partial_score']:.0f}/100 "
             f"(so khớp một phần): «{found['firm_core']}» ~ «{found['unit_core']}»"]  # fmt: skip
    if found["words_only_in_firm"]:
        parts.append(f"đơn vị thiếu từ «{found['words_only_in_firm']}»")
    if found["words_only_in_unit"]:
        parts.append(f"đơn vị có thêm từ «{found['words_only_in_unit']}»")
    parts.append(SEARCH_COMMUNE.get(found["commune"], SEARCH_COMMUNE[None]))
    if found.get("same_address"):
        parts.append("cùng địa chỉ (số nhà, đường, ấp/tổ)")
    if found.get("address_only"):
        parts.append(
            "tên khác hẳn nhưng cùng địa chỉ và cùng loại hình: doanh nghiệp có thể đã đổi tên"
        )
    parts.append(SEARCH_TAX_CODE[found["tax_code_relation"]])
    return "; ".join(parts)


SEARCH_COMMUNE = {"same": "cùng xã/phường", "different": "khác xã/phường",
                  None: "không xác định được xã/phường để so"}  # fmt: skip
SEARCH_TAX_CODE = {
    "equal": "MST trên danh sách trùng gốc 10 số",
    "one_digit": "MST trên danh sách lệch một chữ số",
    "shared": "MST trên danh sách có một dãy số trùng",
    "missing": "MST trên danh sách trống",
    "different": "MST trên danh sách khác",
}


def _unregistered(firms: pd.DataFrame, linked: set[str], unlinked_units: pd.DataFrame, rejected: set[tuple[str, str]],
                  quarter: Quarter, province: str, catalog: dict[str, Rule], terms: dict[str, Any],
                  stats: dict[str, Any]) -> Iterator[dict[str, Any]]:  # fmt: skip
    """NOT_REGISTERED(_LATE), unless a unit left unlinked on the roll may be the firm's: then
    NOT_REGISTERED_REVIEW, which accuses no one and counts no money as evasion."""
    review = catalog["NOT_REGISTERED_REVIEW"]
    window = int(catalog["NOT_REGISTERED"].thresholds["registration_days"])
    accused = list(_would_be_unregistered(firms, linked, quarter, catalog))
    searched = pd.DataFrame(
        [(f.tax_code, f.name, f.address) for f, _, _, _ in accused],
        columns=["tax_code", "name", "address"],
    )
    found = search_roll(searched, unlinked_units, province, rejected, review.thresholds, stats)
    found_by_firm = {row["tax_code"]: row for row in found.to_dict("records")}
    for firm, rule, days, employees in accused:
        evidence = {
            "started_on": firm.started_on.isoformat(),
            "days_active_at_quarter_end": days,
            "pit_employees": _value(firm.pit_employees),
            "declared_employees": _value(firm.declared_employees),
            "tax_status": _value(firm.tax_status),
            "registry_status": _value(firm.registry_status),
            "employer_unit": None,
        }
        if _value(getattr(firm, "status_notice", None)):  # history/timeline.firm_as_of
            evidence["status_notice"] = firm.status_notice
        at_stake = money.unregistered(employees, days - window, quarter, terms)
        unit = found_by_firm.get(firm.tax_code)
        if unit is None:
            evidence["roll_search"] = (
                f"Đã tìm trong {len(unlinked_units)} đơn vị chưa liên kết của tỉnh (so tên nới lỏng, "
                "xã/phường, MST): không có đơn vị nào có thể là doanh nghiệp này"
            )
            yield _finding(rule, quarter, province, firm.tax_code, None, firm.name, firm.address,
                           evidence, at_stake)  # fmt: skip
            continue
        evidence.update(
            candidate_unit=unit["unit_code"],
            candidate_unit_name=unit["unit_name"],
            candidate_comparison=_search_words(unit),
            would_be_rule=rule.code,
            money_if_not_registered=at_stake,
            review_reason=(
                f"Không kết luận {rule.code}: đơn vị {unit['unit_code']} «{unit['unit_name']}» chưa liên kết "
                "với doanh nghiệp nào và có thể là đơn vị của doanh nghiệp này; cần xác minh trước khi "
                "kết luận trốn đóng. Đúng là đơn vị này: chọn «Đúng là đơn vị này» (liên kết từ quý sau); "
                "không phải: chọn «Không phải đơn vị này» (quý sau xét lại như chưa đăng ký)"
            ),
        )
        yield _finding(review, quarter, province, firm.tax_code, unit["unit_code"], firm.name,
                       firm.address, evidence, 0)  # fmt: skip


def _closed_on_roll(firms: pd.DataFrame, units: pd.DataFrame, links: pd.DataFrame, quarter: Quarter,
                    province: str, catalog: dict[str, Rule]) -> Iterator[dict[str, Any]]:  # fmt: skip
    rule = catalog["CLOSED_FIRM_ON_ROLL"]
    firm_by_code = firms.set_index("tax_code")
    unit_by_code = units.set_index("unit_code")
    for link in links[links["band"] == "link"].itertuples(index=False):
        firm = firm_by_code.loc[link.tax_code]
        tax_status, registry_status = _value(firm["tax_status"]), _value(firm["registry_status"])
        if tax_status not in CLOSED_TAX and registry_status not in CLOSED_REGISTRY:
            continue
        unit = unit_by_code.loc[link.unit_code]
        insured, arrears = _int(unit["insured_employees"]), _int(unit["arrears"])
        if not (unit["status"] == "paying" or insured > 0 or arrears > 0):
            continue
        evidence = {
            "tax_status": tax_status,
            "tax_status_since": _iso(firm["tax_status_since"]),
            "registry_status": registry_status,
            "registry_status_since": _iso(firm["registry_status_since"]),
            "unit_status": _value(unit["status"]),
            "insured_employees": insured,
            "arrears": arrears,
            "link_method": link.method,
        }
        if _value(firm.get("status_notice")):  # told by a change notice (history/timeline.py)
            evidence["status_notice"] = firm["status_notice"]
        yield _finding(rule, quarter, province, link.tax_code, link.unit_code, unit["name"],
                       _value(unit["address"]), evidence, arrears)  # fmt: skip


def oldest_unpaid_due_date(quarter: Quarter, arrears_months: int) -> tuple[date, date]:
    """The oldest unpaid contribution month and its due date (end of the next month, Art. 34(4))."""
    end = quarter.last_day
    index = end.year * 12 + (end.month - 1) - (arrears_months - 1)
    month = date(index // 12, index % 12 + 1, 1)
    due_index = index + 1
    due_year, due_month = due_index // 12, due_index % 12 + 1
    due = date(due_year, due_month, calendar.monthrange(due_year, due_month)[1])
    return month, due


def _arrears(units: pd.DataFrame, links: pd.DataFrame, quarter: Quarter, province: str,
             catalog: dict[str, Rule], terms: dict[str, Any]) -> Iterator[dict[str, Any]]:  # fmt: skip
    evasion, late = catalog["ARREARS_EVASION"], catalog["ARREARS_LATE"]
    linked = (
        dict(zip(links["unit_code"], links["tax_code"], strict=True)) if not links.empty else {}
    )
    for unit in units.itertuples(index=False):
        arrears, months = _int(unit.arrears), _int(unit.arrears_months)
        if arrears <= 0 or months <= 0:
            continue
        month, due = oldest_unpaid_due_date(quarter, months)
        days = (quarter.last_day - due).days
        if days <= int(evasion.thresholds["days_past_due"]):
            continue
        reminded = _value(unit.reminded_on)
        reminded = reminded if reminded is not None and reminded <= quarter.last_day else None
        rule = evasion if reminded is not None else late
        evidence = {
            "arrears": arrears,
            "arrears_months": months,
            "oldest_unpaid_month": month.strftime("%m/%Y"),
            "due_date": due.isoformat(),
            "days_past_due_at_quarter_end": days,
            "reminded_on": reminded.isoformat() if reminded else None,
            "unit_status": _value(unit.status),
        }
        at_stake = money.arrears_with_interest(arrears, days, terms)
        yield _finding(rule, quarter, province, linked.get(unit.unit_code), unit.unit_code, unit.name,
                       _value(unit.address), evidence, at_stake)  # fmt: skip


def _linked_pairs(
    firms: pd.DataFrame, units: pd.DataFrame, links: pd.DataFrame
) -> Iterator[tuple[Any, Any, Any]]:
    """(link, firm, unit) for every link in the link band; firm and unit as column -> value.

    Rows are looked up in dicts: a ``.loc`` per link cost a third of a national province's rules.
    """
    if links.empty:
        return
    firm_by_code = dict(zip(firms["tax_code"], firms.to_dict("records"), strict=True))
    unit_by_code = dict(zip(units["unit_code"], units.to_dict("records"), strict=True))
    for link in links.itertuples(index=False):
        yield link, firm_by_code[link.tax_code], unit_by_code[link.unit_code]


def _wage_rules(firms: pd.DataFrame, units: pd.DataFrame, links: pd.DataFrame, quarter: Quarter, province: str,
                catalog: dict[str, Rule], terms: dict[str, Any]) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Under-registration, wage gap, stopped paying: linked pairs (they compare firm and unit)."""
    under, gap, stopped = (catalog[c] for c in ("UNDER_REGISTERED", "WAGE_GAP", "STOPPED_PAYING"))
    default = int(terms["default_wage_region"])
    for link, firm, unit in _linked_pairs(firms, units, links):
        tax_active = _value(firm["tax_status"]) in ACTIVE_TAX
        paying = _value(unit["status"]) == "paying"
        insured, wage_bill = _int(unit["insured_employees"]), _int(unit["wage_bill"])
        pit = _value(firm["pit_employees"])
        region, _ = wage_region(
            [_value(firm["address"]), _value(unit["address"])], province, default
        )
        floor = wage_floor(region, quarter.last_day)
        base = {"insured_employees": insured, "wage_bill": wage_bill, "unit_status": _value(unit["status"]),
                "link_method": link.method}  # fmt: skip
        name, address = unit["name"], _value(unit["address"])
        if (
            tax_active
            and paying
            and pit is not None
            and int(pit) - insured >= int(under.thresholds["min_missing"])
        ):
            evidence = {"pit_employees": int(pit), **base, "missing_employees": int(pit) - insured}
            yield _finding(under, quarter, province, link.tax_code, link.unit_code, name, address, evidence,
                           money.under_registered(int(pit) - insured, insured, wage_bill, floor, terms))  # fmt: skip
        tax_wages = _int(firm["pit_wage_bill"])
        if tax_active and paying and tax_wages and wage_bill >= 0:
            monthly = tax_wages / 12
            if monthly > float(
                gap.thresholds["ratio"]
            ) * wage_bill and monthly - wage_bill >= float(gap.thresholds["min_monthly_gap"]):
                evidence = {"pit_wage_bill": tax_wages, "pit_monthly_wages": round(monthly), **base}
                yield _finding(gap, quarter, province, link.tax_code, link.unit_code, name, address, evidence,
                               money.wage_gap(tax_wages, wage_bill, terms))  # fmt: skip
        employees = _int(pit)
        stopped_unit = _value(unit["status"]) in ("paused", "closed", "closing") or insured == 0
        if tax_active and employees >= int(stopped.thresholds["min_employees"]) and stopped_unit:
            evidence = {"pit_employees": employees, **base}
            yield _finding(stopped, quarter, province, link.tax_code, link.unit_code, name, address, evidence,
                           money.stopped_paying(employees, floor, terms))  # fmt: skip


ILLUSTRATIVE_REGIONS = "vùng lương theo bảng minh họa, chưa phải danh mục chính thức"


def regions_gazetted(terms: dict[str, Any]) -> bool:
    """Whether ``wage_regions.csv`` is the gazetted list (``reference_wage_regions: gazetted``)."""
    return str(terms.get("reference_wage_regions", "illustrative")).strip().lower() == "gazetted"


def _below_floor(firms: pd.DataFrame, units: pd.DataFrame, links: pd.DataFrame, quarter: Quarter, province: str,
                 catalog: dict[str, Rule], terms: dict[str, Any]) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Salary base below the regional floor: every paying unit, linked to a firm or not.

    While the wage regions are the illustrative table, a unit is judged by the lowest floor
    (region IV): below it, WAGE_BELOW_FLOOR whatever the region; between it and the floor of
    the region the table gives, only WAGE_BELOW_FLOOR_LEAD, which names the assumption.
    """
    below, lead = catalog["WAGE_BELOW_FLOOR"], catalog["WAGE_BELOW_FLOOR_LEAD"]
    default = int(terms["default_wage_region"])
    gazetted = regions_gazetted(terms)
    firm_address = (
        dict(zip(firms["tax_code"], firms["address"], strict=True)) if not firms.empty else {}
    )
    linked = (
        dict(zip(links["unit_code"], links["tax_code"], strict=True)) if not links.empty else {}
    )
    lowest = min(wage_floor(r, quarter.last_day) for r in (1, 2, 3, 4))
    for unit in units.itertuples(index=False):
        insured, wage_bill = _int(unit.insured_employees), _int(unit.wage_bill)
        if _value(unit.status) != "paying" or insured <= 0:
            continue
        tax_code = linked.get(unit.unit_code)
        addresses = [_value(firm_address.get(tax_code)) if tax_code else None, _value(unit.address)]
        region, region_source = wage_region(addresses, province, default)
        floor = wage_floor(region, quarter.last_day)
        if wage_bill >= insured * floor:
            continue
        base = {"insured_employees": insured, "wage_bill": wage_bill, "unit_status": _value(unit.status),
                "employer_link": "linked" if tax_code else "unlinked"}  # fmt: skip
        if gazetted:
            evidence = {**base, "wage_region": region, "region_from": region_source, "regional_floor": floor,
                        "floor_total": insured * floor}  # fmt: skip
            rule, at_stake = below, money.below_floor(insured, wage_bill, floor, terms)
        elif wage_bill < insured * lowest:
            evidence = {**base, "wage_region": 4, "region_from": "lowest", "regional_floor": lowest,
                        "floor_total": insured * lowest, "table_wage_region": region,
                        "regions_table": ILLUSTRATIVE_REGIONS}  # fmt: skip
            rule, at_stake = below, money.below_floor(insured, wage_bill, lowest, terms)
        else:
            evidence = {**base, "table_wage_region": region, "region_from": region_source,
                        "regional_floor": floor, "floor_total": insured * floor, "lowest_floor": lowest,
                        "regions_table": ILLUSTRATIVE_REGIONS,
                        "money_if_region_confirmed": money.below_floor(insured, wage_bill, floor, terms)}  # fmt: skip
            rule, at_stake = lead, 0
        yield _finding(rule, quarter, province, tax_code, unit.unit_code, unit.name, _value(unit.address),
                       evidence, at_stake)  # fmt: skip


def _tax_code_fixes(units: pd.DataFrame, all_links: pd.DataFrame, quarter: Quarter, province: str,
                    catalog: dict[str, Rule]) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Data fixes for the agency: the roll's code is blank, invalid, or not the linked firm's."""
    rule = catalog["ROLL_TAX_CODE_FIX"]
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
    for unit in units.itertuples(index=False):
        raw, valid = _value(unit.tax_code_raw), _value(unit.tax_code)
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
        yield _finding(
            rule,
            quarter,
            province,
            target[0],
            unit.unit_code,
            unit.name,
            _value(unit.address),
            evidence,
            0,
        )


def _iso(value: Any) -> str | None:
    value = _value(value)
    return value.isoformat() if value is not None else None


def find(firms: pd.DataFrame, units: pd.DataFrame, links: pd.DataFrame, quarter: Quarter,
         province: str, catalog: dict[str, Rule], terms: dict[str, Any],
         decisions: pd.DataFrame | None = None, stats: dict[str, Any] | None = None) -> pd.DataFrame:  # fmt: skip
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
        rejected = {(u, c) for u, c, d in decisions[["unit_code", "tax_code", "decision"]].itertuples(index=False)
                    if d == "not_a_match"}  # fmt: skip
    search_stats: dict[str, Any] = {} if stats is None else stats
    rows = [
        *_unregistered(
            firms, linked_firms, unlinked, rejected, quarter, province, catalog, terms, search_stats
        ),
        *(
            _closed_on_roll(firms, units, links, quarter, province, catalog)
            if not links.empty
            else ()
        ),
        *_arrears(units, links, quarter, province, catalog, terms),
        *(
            _wage_rules(firms, units, links, quarter, province, catalog, terms)
            if not links.empty
            else ()
        ),
        *(
            _below_floor(firms, units, links, quarter, province, catalog, terms)
            if not units.empty
            else ()
        ),
        *_tax_code_fixes(units, all_links, quarter, province, catalog),
    ]
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    frame["money_counted"] = money.counted(frame)
    return frame.sort_values(["money_at_stake", "case_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def recount(frame: pd.DataFrame) -> pd.DataFrame:
    """``money_counted`` again, once findings were left out (cases judged "not subject")."""
    return frame.assign(money_counted=money.counted(frame))
