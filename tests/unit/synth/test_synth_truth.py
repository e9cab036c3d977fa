"""The ground truth agrees with the files: findings follow the rules' definitions applied to the
values written, planted problems are there, codes and addresses are real."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from synth_support import (
    Partition,
    admin_csv,
    as_date,
    as_int,
    floor_at,
    last_day,
    nfc,
    overdue,
    statuses,
    text_of,
)

from reconcile.text.tax_code import is_valid_root

CLOSED_TAX = {"closed", "closing", "not_at_address", "awaiting_bankruptcy"}
CLOSED_REGISTRY = {"dissolved", "revoked", "bankrupting", "dissolving", "not_at_address"}
ACTIVE_TAX = {"active", "household_active"}
STOPPED_UNIT = {"paused", "closed", "closing"}
UNREADABLE = {"repeated_header", "total_row", "invalid_tax_code", "blank_required"}
RULES = {
    "NOT_REGISTERED", "NOT_REGISTERED_LATE", "CLOSED_FIRM_ON_ROLL", "ARREARS_EVASION", "ARREARS_LATE",
    "UNDER_REGISTERED", "WAGE_BELOW_FLOOR", "STOPPED_PAYING", "WAGE_GAP", "ROLL_TAX_CODE_FIX",
}  # fmt: skip


def roll_code_is_wrong(written: str, firm_code: str) -> bool:
    """A roll code needing a fix for its firm: blank, invalid once normalised, or another firm's."""
    text = re.sub(r"[\s.]", "", written)
    if not text:
        return True
    match = re.fullmatch(r"(\d{9,10})(?:-(\d{3}))?", text)
    if match is None:
        return True
    root, suffix = match.group(1).zfill(10), match.group(2)
    suffix = None if suffix == "000" else suffix
    if not is_valid_root(root):
        return True
    code = f"{root}-{suffix}" if suffix else root
    return code != firm_code and not (suffix and root == firm_code)


def readable_rows(part: Partition, feed: str, key: str) -> dict[str, dict[str, object]]:
    """Rows a correct reader keeps, by key: fault rows out (roll: a broken tax code is no key)."""
    written = part.file(feed)
    faults = part.faults(feed)
    out: dict[str, dict[str, object]] = {}
    for number, row in written.rows:
        fault = faults.get(number, {}).get("fault")
        if fault in UNREADABLE and not (feed == "roll" and fault == "invalid_tax_code"):
            continue
        code = text_of(row[key])
        if fault == "duplicate_row":
            assert out[code] == row, f"{written.path.name} row {number} is no duplicate"
            continue
        assert code not in out, f"{written.path.name}: {code} twice without a duplicate_row fault"
        out[code] = row
    return out


def derive_findings(part: Partition) -> set[tuple[str, str, str]]:
    """The rules of rules.yaml applied to the files as written (the true links, not matching)."""
    end = last_day(part.quarter)
    vocab = statuses()
    tax_plan = part.meta["files"][f"tax_{part.province}_{part.quarter}.csv"]
    reg_plan = part.meta["files"][f"registry_{part.province}_{part.quarter}.xlsx"]
    roll_plan = part.meta["files"][f"roll_{part.province}_{part.quarter}.csv"]
    tax = readable_rows(part, "tax", "tax_code")
    registry = readable_rows(part, "registry", "enterprise_code")
    roll = readable_rows(part, "roll", "unit_code")
    link = {r["tax_code"]: r["unit_code"] for r in part.table("links.csv")}
    units = {r["unit_code"]: r for r in part.table("units.csv")}
    found: set[tuple[str, str, str]] = set()
    for code in set(tax) | set(registry):
        t, r = tax.get(code), registry.get(code)
        tax_status = vocab["tax"][text_of(t["status"])] if t else None
        registry_status = vocab["registry"][text_of(r["status"])] if r else None
        unit = link.get(code) if link.get(code) in roll else None
        if unit is None:
            if tax_status != "active" or registry_status != "active":
                continue
            employees = max(as_int(t["pit_employees"]) or 0, as_int(r["declared_employees"]) or 0)
            started = min(as_date(t["registered_on"], tax_plan), as_date(r["founded_on"], reg_plan))
            days = (end - started).days
            if employees >= 1 and days > 90:
                found.add(("NOT_REGISTERED", code, ""))
            elif employees >= 1 and days > 30:
                found.add(("NOT_REGISTERED_LATE", code, ""))
            continue
        u = roll[unit]
        status = vocab["roll"][text_of(u["status"])]
        insured, arrears = as_int(u["insured_employees"]) or 0, as_int(u["arrears"]) or 0
        if (tax_status in CLOSED_TAX or registry_status in CLOSED_REGISTRY) and (
            status == "paying" or insured > 0 or arrears > 0
        ):
            found.add(("CLOSED_FIRM_ON_ROLL", code, unit))
        pit = as_int(t["pit_employees"]) if t else None
        if tax_status == "active" and status == "paying" and pit is not None and insured < pit:
            found.add(("UNDER_REGISTERED", code, unit))
        active = tax_status in ACTIVE_TAX
        if active and (pit or 0) >= 1 and (status in STOPPED_UNIT or insured == 0):
            found.add(("STOPPED_PAYING", code, unit))
        monthly = (as_int(t["pit_wage_bill"]) or 0) / 12 if t else 0
        wage_bill = as_int(u["wage_bill"]) or 0
        gap = monthly > 2 * wage_bill and monthly - wage_bill >= 20_000_000
        if active and status == "paying" and gap:
            found.add(("WAGE_GAP", code, unit))
    for unit, u in roll.items():
        code = units[unit]["tax_code"]
        status = vocab["roll"][text_of(u["status"])]
        insured, arrears = as_int(u["insured_employees"]) or 0, as_int(u["arrears"]) or 0
        months = as_int(u["arrears_months"]) or 0
        if arrears > 0 and months > 0 and overdue(part.quarter, months) > 60:
            reminded = as_date(u["reminded_on"], roll_plan)
            rule = "ARREARS_EVASION" if reminded is not None and reminded <= end else "ARREARS_LATE"
            found.add((rule, code, unit))
        floor = floor_at(end, int(units[unit]["wage_region"]))
        if status == "paying" and insured > 0 and (as_int(u["wage_bill"]) or 0) < insured * floor:
            found.add(("WAGE_BELOW_FLOOR", code, unit))
        if units[unit]["kind"] == "firm" and roll_code_is_wrong(text_of(u["tax_code"]), code):
            found.add(("ROLL_TAX_CODE_FIX", code, unit))
    return found


def test_findings_follow_the_definitions_on_the_values_written(any_world) -> None:
    for part in any_world.partitions:
        expected = {(f["rule"], f["tax_code"], f["unit_code"]) for f in part.table("findings.csv")}
        assert derive_findings(part) == expected, f"{part.quarter} {part.province}"


def test_every_planted_problem_is_in_the_truth(world) -> None:
    counts: Counter[str] = Counter()
    for part in world.partitions:
        counts.update(f["rule"] for f in part.table("findings.csv"))
        firms = part.table("firms.csv")
        for firm in firms:  # firms.csv repeats the rules of findings.csv per firm
            for rule in filter(None, firm["expected_rules"].split("|")):
                assert rule in RULES
    assert set(counts) == RULES, counts
    assert counts["NOT_REGISTERED"] >= 20 and counts["CLOSED_FIRM_ON_ROLL"] >= 20
    assert counts["ARREARS_EVASION"] >= 10 and counts["ARREARS_LATE"] >= 10


def test_normal_arrears_lags_are_not_flagged(any_world) -> None:
    lags = Counter()
    for part in any_world.partitions:
        for unit in part.table("units.csv"):
            months = int(unit["arrears_months"])
            flagged = {"ARREARS_EVASION", "ARREARS_LATE"} & set(unit["expected_rules"].split("|"))
            if months in (1, 2, 3):
                lags[months] += 1
                lags["reminded"] += bool(unit["reminded_on"])  # a reminder alone makes no evasion
                assert not flagged
            if int(unit["arrears"]) > 0 and overdue(part.quarter, months) > 60:
                assert flagged
    assert all(lags[m] > 0 for m in (1, 2, 3, "reminded"))


def test_a_firm_may_have_several_findings(world) -> None:
    several = [
        f for p in world.partitions for f in p.table("firms.csv") if "|" in f["expected_rules"]
    ]
    assert several


def test_check_digits_are_valid_except_where_planted(world) -> None:
    for part in world.partitions:
        for feed, key in (("tax", "tax_code"), ("registry", "enterprise_code")):
            faults = part.faults(feed)
            for number, row in part.file(feed).rows:
                fault = faults.get(number, {}).get("fault")
                code = text_of(row[key])
                if fault in ("repeated_header", "total_row") or (
                    fault == "blank_required" and not code
                ):
                    continue
                assert re.fullmatch(r"\d{10}(-\d{3})?", code), code
                assert is_valid_root(code[:10]) == (fault != "invalid_tax_code"), (
                    feed,
                    number,
                    code,
                )
        units = {u["unit_code"]: u for u in part.table("units.csv")}
        faults = part.faults("roll")
        for number, row in part.file("roll").rows:
            fault = faults.get(number, {}).get("fault")
            code, unit = text_of(row["tax_code"]), text_of(row["unit_code"])
            if fault in ("repeated_header", "total_row") or not code:
                continue
            noise = set(units[unit]["noise"].split("|")) if unit in units else set()
            if fault == "blank_required" and not unit:
                continue
            root = code[:10] if "tax_code_no_zero" not in noise else "0" + code[:9]
            planted = fault == "invalid_tax_code" or "tax_code_typo" in noise
            assert is_valid_root(root) != planted, (number, code, noise, fault)


def test_firm_names_tax_codes_and_unit_codes_are_unique(world) -> None:
    for part in world.partitions:
        firms = part.table("firms.csv")
        assert len({f["name"] for f in firms}) == len(firms)
        assert len({f["tax_code"] for f in firms}) == len(firms)
        units = part.table("units.csv")
        assert len({u["unit_code"] for u in units}) == len(units)
        assert all(re.fullmatch(r"[A-Z]{2}\d{4}[A-Z]", u["unit_code"]) for u in units)
        branches = [f for f in firms if f["legal_form"] == "branch"]
        assert branches and all(
            f["tax_code"].startswith(f["parent_tax_code"] + "-") for f in branches
        )
        assert all(f["name"].startswith("Chi nhánh") for f in branches)


def test_legal_forms_sizes_and_statuses_look_like_a_registry(world) -> None:
    firms = [f for p in world.partitions for f in p.table("firms.csv")]
    forms = Counter(f["legal_form"] for f in firms)
    assert forms["tnhh_mtv"] > forms["tnhh"] > forms["cp"] > forms["dntn"] > forms["htx"]
    assert forms["branch"] > 0.05 * len(firms)
    employees = [int(f["employees"]) for f in firms]
    assert sum(e < 10 for e in employees) > 0.7 * len(employees)
    assert max(employees) >= 300
    tax_statuses = Counter(f["tax_status"] for f in firms)
    assert tax_statuses.most_common(1)[0][0] == "active"
    assert {"closed", "suspended", "closing", "not_at_address"} <= set(tax_statuses)


def test_statuses_are_written_as_codes_and_labels(world) -> None:
    vocab = statuses()
    part = world.partitions[0]
    written = Counter()
    for _, row in part.file("tax").rows:
        text = text_of(row["status"])
        if text in vocab["tax"]:
            written["code" if text.isdigit() else "label"] += 1
    assert written["code"] > 100 and written["label"] > 100


def _names() -> dict[str, set]:
    new = {(c["province_code"], f"{c['type']} {c['name']}") for c in admin_csv("communes.csv")}
    old = {
        (
            c["province_code"],
            f"{c['type'].capitalize()} {c['name']}",
            f"{c['district_type'].capitalize()} {c['district_name']}",
        )
        for c in admin_csv("old_communes.csv")
    }
    old_provinces = {
        (p["new_province_code"], f"{p['type']} {p['name']}", p["code"])
        for p in admin_csv("old_provinces.csv")
    }
    return {"new": new, "old": old, "old_provinces": old_provinces}


def _check_address(address: str, province: str, old_shape: bool, names: dict) -> None:
    parts = [p.strip() for p in nfc(address).split(",")]
    province_name = {p["code"]: p["name"] for p in admin_csv("provinces.csv")}[province]
    if old_shape:
        commune, district, prov = parts[-3], parts[-2], parts[-1]
        codes = [
            code
            for new_code, text, code in names["old_provinces"]
            if new_code == province and text == prov
        ]
        assert codes, (address, "not an old province of", province)
        assert (codes[0], commune, district) in names["old"], (
            address,
            "no such old commune and district",
        )
    else:
        commune, prov = parts[-2], parts[-1]
        assert prov.endswith(province_name), address
        assert (province, commune) in names["new"], (address, "no such new commune")
        assert not any(w in address for w in ("Huyện ", "Quận ", "Thị xã ")), address


def test_addresses_use_real_communes_in_the_shape_of_their_date(world) -> None:
    names = _names()
    for part in world.partitions:
        tax_plan = part.meta["files"][f"tax_{part.province}_{part.quarter}.csv"]
        reg_plan = part.meta["files"][f"registry_{part.province}_{part.quarter}.xlsx"]
        shapes = Counter()
        for feed, date_column, plan in (
            ("tax", "registered_on", tax_plan),
            ("registry", "founded_on", reg_plan),
        ):
            faults = part.faults(feed)
            for number, row in part.file(feed).rows:
                if faults.get(number, {}).get("fault") in ("repeated_header", "total_row"):
                    continue
                old_shape = as_date(row[date_column], plan).isoformat() < "2025-07-01"
                shapes[old_shape] += 1
                _check_address(text_of(row["address"]), part.province, old_shape, names)
        units = {u["unit_code"]: u for u in part.table("units.csv")}
        faults = part.faults("roll")
        for number, row in part.file("roll").rows:
            unit = text_of(row["unit_code"])
            if (
                faults.get(number, {}).get("fault") in ("repeated_header", "total_row")
                or unit not in units
            ):
                continue
            old_shape = part.quarter < "2025Q3" or "old_address" in units[unit]["noise"]
            _check_address(text_of(row["address"]), part.province, old_shape, names)
        if part.quarter == "2025Q3":
            assert shapes[True] and shapes[False]  # firms from before and after the merger


def test_consecutive_quarters_are_consistent(world) -> None:
    by_key = {(p.quarter, p.province): p for p in world.partitions}
    for province in world.config.provinces:
        before, after = by_key[("2025Q2", province)], by_key[("2025Q3", province)]
        firms_before = {f["tax_code"]: f for f in before.table("firms.csv")}
        firms_after = {f["tax_code"]: f for f in after.table("firms.csv")}
        assert set(firms_before) < set(firms_after)  # firms persist, new ones register
        for code, firm in firms_before.items():
            later = firms_after[code]
            for column in ("name", "legal_form", "registered_on", "founded_on", "commune_code"):
                assert later[column] == firm[column], (code, column)
            if firm["unit_code"]:
                assert later["unit_code"] == firm["unit_code"]
        new = [f for c, f in firms_after.items() if c not in firms_before]
        assert all("2025-07-01" <= f["registered_on"] <= "2025-09-30" for f in new)
        changed = [
            c for c in firms_before if firms_before[c]["tax_status"] != firms_after[c]["tax_status"]
        ]
        assert changed
        late = [
            c for c, f in firms_before.items()
            if "NOT_REGISTERED" in f["expected_rules"].split("|") and firms_after[c]["unit_code"]
        ]  # fmt: skip
        assert late, "some firms register late with BHXH"
        units_before = {u["unit_code"]: u for u in before.table("units.csv")}
        units_after = {u["unit_code"]: u for u in after.table("units.csv")}
        settled = [
            c
            for c, u in units_before.items()
            if int(u["arrears"]) > 0 and int(units_after[c]["arrears"]) == 0
        ]
        assert settled, "some units settle their arrears"


def test_links_are_the_units_of_firms(world) -> None:
    for part in world.partitions:
        firms = {f["tax_code"]: f for f in part.table("firms.csv")}
        units = {u["unit_code"]: u for u in part.table("units.csv")}
        links = part.table("links.csv")
        assert links
        for link in links:
            assert firms[link["tax_code"]]["unit_code"] == link["unit_code"]
            assert units[link["unit_code"]]["tax_code"] == link["tax_code"]
            assert link["noise"] == units[link["unit_code"]]["noise"]
        orphans = [u for u in units.values() if u["kind"] == "orphan"]
        assert orphans and all(not u["tax_code"] for u in orphans)


@pytest.mark.parametrize("rule", ["NOT_REGISTERED", "NOT_REGISTERED_LATE"])
def test_unregistered_firms_have_no_unit_and_the_right_age(world, rule: str) -> None:
    for part in world.partitions:
        end = last_day(part.quarter)
        firms = {f["tax_code"]: f for f in part.table("firms.csv")}
        for finding in part.table("findings.csv"):
            if finding["rule"] != rule:
                continue
            firm = firms[finding["tax_code"]]
            assert not firm["unit_code"] and not finding["unit_code"]
            started = min(firm["registered_on"], firm["founded_on"])
            days = (end - date.fromisoformat(started)).days
            assert days > 90 if rule == "NOT_REGISTERED" else 30 < days <= 90
