"""The wage rules: under-registration, a wage gap, stopped paying (a firm and its linked unit
compared), and a salary base below the regional floor (every paying unit)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reconcile.rules import money
from reconcile.rules.catalog import Rule, wage_floor
from reconcile.rules.finding_rows import ACTIVE_TAX, finding_row, int_or_zero
from reconcile.rules.partition import Partition
from reconcile.rules.regions import wage_region
from reconcile.values import present


def _linked_pairs(part: Partition) -> Iterator[tuple[Any, Any, Any]]:
    """(link, firm, unit) for every link in the link band; firm and unit as column -> value.

    Rows are looked up in dicts: a ``.loc`` per link cost a third of a national province's rules.
    """
    firms, units, links = part.firms, part.units, part.links
    if links.empty:
        return
    firm_by_code = dict(zip(firms["tax_code"], firms.to_dict("records"), strict=True))
    unit_by_code = dict(zip(units["unit_code"], units.to_dict("records"), strict=True))
    for link in links.itertuples(index=False):
        yield link, firm_by_code[link.tax_code], unit_by_code[link.unit_code]


def wage_rules(part: Partition) -> Iterator[dict[str, Any]]:
    """Under-registration, wage gap, stopped paying: linked pairs (they compare firm and unit)."""
    quarter, province, terms = part.quarter, part.province, part.terms
    under, gap, stopped = (
        part.catalog[c] for c in ("UNDER_REGISTERED", "WAGE_GAP", "STOPPED_PAYING")
    )
    default = int(terms["default_wage_region"])
    for link, firm, unit in _linked_pairs(part):
        tax_active = present(firm["tax_status"]) in ACTIVE_TAX
        paying = present(unit["status"]) == "paying"
        insured, wage_bill = int_or_zero(unit["insured_employees"]), int_or_zero(unit["wage_bill"])
        pit = present(firm["pit_employees"])
        region, _ = wage_region(
            [present(firm["address"]), present(unit["address"])], province, default
        )
        floor = wage_floor(region, quarter.last_day)
        base = {
            "insured_employees": insured,
            "wage_bill": wage_bill,
            "unit_status": present(unit["status"]),
            "link_method": link.method,
        }
        hits: list[tuple[Rule, dict[str, Any], int]] = []
        if (
            tax_active
            and paying
            and pit is not None
            and int(pit) - insured >= int(under.thresholds["min_missing"])
        ):
            evidence = {"pit_employees": int(pit), **base, "missing_employees": int(pit) - insured}
            at_stake = money.under_registered(int(pit) - insured, insured, wage_bill, floor, terms)
            hits.append((under, evidence, at_stake))
        tax_wages = int_or_zero(firm["pit_wage_bill"])
        if tax_active and paying and tax_wages and wage_bill >= 0:
            monthly = tax_wages / 12
            if monthly > float(
                gap.thresholds["ratio"]
            ) * wage_bill and monthly - wage_bill >= float(gap.thresholds["min_monthly_gap"]):
                evidence = {"pit_wage_bill": tax_wages, "pit_monthly_wages": round(monthly), **base}
                hits.append((gap, evidence, money.wage_gap(tax_wages, wage_bill, terms)))
        employees = int_or_zero(pit)
        stopped_unit = present(unit["status"]) in ("paused", "closed", "closing") or insured == 0
        if tax_active and employees >= int(stopped.thresholds["min_employees"]) and stopped_unit:
            evidence = {"pit_employees": employees, **base}
            hits.append((stopped, evidence, money.stopped_paying(employees, floor, terms)))
        name, address = unit["name"], present(unit["address"])
        for rule, evidence, at_stake in hits:
            yield finding_row(
                rule,
                quarter,
                province,
                link.tax_code,
                link.unit_code,
                name,
                address,
                evidence,
                at_stake,
            )


ILLUSTRATIVE_REGIONS = "vùng lương theo bảng minh họa, chưa phải danh mục chính thức"


def regions_gazetted(terms: dict[str, Any]) -> bool:
    """Whether ``wage_regions.csv`` is the gazetted list (``reference_wage_regions: gazetted``)."""
    return str(terms.get("reference_wage_regions", "illustrative")).strip().lower() == "gazetted"


def below_floor(part: Partition) -> Iterator[dict[str, Any]]:
    """Salary base below the regional floor: every paying unit, linked to a firm or not.

    While the wage regions are the illustrative table, a unit is judged by the lowest floor
    (region IV): below it, WAGE_BELOW_FLOOR whatever the region; between it and the floor of
    the region the table gives, only WAGE_BELOW_FLOOR_LEAD, which names the assumption.
    """
    quarter, province, terms, firms = part.quarter, part.province, part.terms, part.firms
    below, lead = part.catalog["WAGE_BELOW_FLOOR"], part.catalog["WAGE_BELOW_FLOOR_LEAD"]
    default = int(terms["default_wage_region"])
    gazetted = regions_gazetted(terms)
    firm_address = (
        dict(zip(firms["tax_code"], firms["address"], strict=True)) if not firms.empty else {}
    )
    linked = part.firm_of_unit()
    lowest = min(wage_floor(r, quarter.last_day) for r in (1, 2, 3, 4))
    for unit in part.units.itertuples(index=False):
        insured, wage_bill = int_or_zero(unit.insured_employees), int_or_zero(unit.wage_bill)
        if present(unit.status) != "paying" or insured <= 0:
            continue
        tax_code = linked.get(unit.unit_code)
        addresses = [
            present(firm_address.get(tax_code)) if tax_code else None,
            present(unit.address),
        ]
        region, region_source = wage_region(addresses, province, default)
        floor = wage_floor(region, quarter.last_day)
        if wage_bill >= insured * floor:
            continue
        base = {
            "insured_employees": insured,
            "wage_bill": wage_bill,
            "unit_status": present(unit.status),
            "employer_link": "linked" if tax_code else "unlinked",
        }
        if gazetted:
            evidence = {
                **base,
                "wage_region": region,
                "region_from": region_source,
                "regional_floor": floor,
                "floor_total": insured * floor,
            }
            rule, at_stake = below, money.below_floor(insured, wage_bill, floor, terms)
        elif wage_bill < insured * lowest:
            evidence = {
                **base,
                "wage_region": 4,
                "region_from": "lowest",
                "regional_floor": lowest,
                "floor_total": insured * lowest,
                "table_wage_region": region,
                "regions_table": ILLUSTRATIVE_REGIONS,
            }
            rule, at_stake = below, money.below_floor(insured, wage_bill, lowest, terms)
        else:
            evidence = {
                **base,
                "table_wage_region": region,
                "region_from": region_source,
                "regional_floor": floor,
                "floor_total": insured * floor,
                "lowest_floor": lowest,
                "regions_table": ILLUSTRATIVE_REGIONS,
                "money_if_region_confirmed": money.below_floor(insured, wage_bill, floor, terms),
            }
            rule, at_stake = lead, 0
        yield finding_row(
            rule,
            quarter,
            province,
            tax_code,
            unit.unit_code,
            unit.name,
            present(unit.address),
            evidence,
            at_stake,
        )
