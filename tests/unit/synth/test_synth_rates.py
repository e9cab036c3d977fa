"""Noise and trouble show up at close to their configured rates, and really are in the files."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import fields

from synth_support import as_int, fold, make, nfc, quarters, spec, text_of

from reconcile.text.tax_code import is_valid_root
from reconcile_dev.synth import SynthConfig, TroubleRates

NAME_KINDS = ("legal_form", "typo", "english_name", "upper", "no_diacritics")


def close_to(observed: int, total: int, rate: float, slack: float = 0.0) -> bool:
    """Within four binomial standard deviations (plus ``slack``) of ``rate``."""
    sigma = math.sqrt(rate * (1 - rate) / total)
    return abs(observed / total - rate) <= 4 * sigma + slack


def _units_once(world) -> dict[str, tuple[dict, object]]:
    """Each firm unit once (its first quarter), with its partition."""
    seen: dict[str, tuple[dict, object]] = {}
    for part in world.partitions:
        for unit in part.table("units.csv"):
            if unit["kind"] == "firm" and unit["unit_code"] not in seen:
                seen[unit["unit_code"]] = (unit, part)
    return seen


def test_roll_noise_kinds_come_at_their_rates(world) -> None:
    rates = world.config.noise
    units = _units_once(world)
    firms = {f["tax_code"]: f for p in world.partitions for f in p.table("firms.csv")}
    kinds = {code: set(filter(None, u["noise"].split("|"))) for code, (u, _) in units.items()}
    n = len(kinds)
    assert n > 3000
    for kind in NAME_KINDS + ("tax_code_blank", "tax_code_typo"):
        count = sum(kind in k for k in kinds.values())
        assert close_to(count, n, getattr(rates, kind)), (kind, count, n)
    # NFD after "no diacritics" has nothing left to decompose; reordering needs two words to move.
    plain = [k for k in kinds.values() if "no_diacritics" not in k]
    assert close_to(sum("nfd" in k for k in plain), len(plain), rates.nfd)
    reordered = sum("reorder" in k for k in kinds.values()) / n
    assert 0.5 * rates.reorder <= reordered <= rates.reorder + 0.01
    zero = [c for c, (u, _) in units.items() if u["tax_code"].startswith("0")]
    assert len(zero) > 1000
    assert close_to(
        sum("tax_code_no_zero" in kinds[c] for c in zero), len(zero), rates.tax_code_no_zero
    )
    branches = [c for c, (u, _) in units.items() if firms[u["tax_code"]]["legal_form"] == "branch"]
    assert close_to(
        sum("parent_code" in kinds[c] for c in branches), len(branches), rates.parent_code
    )
    after = [u for u in world.partitions if u.quarter == "2025Q3"]
    units_after = [u for p in after for u in p.table("units.csv") if u["kind"] == "firm"]
    old = sum("old_address" in u["noise"] for u in units_after)
    assert close_to(old, len(units_after), rates.old_address)
    before = [u for p in world.partitions if p.quarter == "2025Q2" for u in p.table("units.csv")]
    assert not any("old_address" in u["noise"] for u in before)  # nothing to be old about yet


def test_roll_noise_is_in_the_roll_as_written(world) -> None:
    checked = Counter()
    for part in world.partitions:
        firms = {f["tax_code"]: f for f in part.table("firms.csv")}
        units = {u["unit_code"]: u for u in part.table("units.csv")}
        written = part.file("roll")
        utf8 = written.plan["encoding"] != "cp1258"
        faults = part.faults("roll")
        for number, row in written.rows:
            unit = units.get(text_of(row["unit_code"]))
            if unit is None or unit["kind"] != "firm" or number in faults:
                continue
            firm = firms[unit["tax_code"]]
            name, code = str(row["name"]), text_of(row["tax_code"])
            kinds = set(filter(None, unit["noise"].split("|")))
            for kind in kinds:
                checked[kind] += 1
            if not kinds & {
                "legal_form",
                "reorder",
                "typo",
                "english_name",
                "upper",
                "no_diacritics",
                "nfd",
            }:
                assert nfc(name) == firm["name"]
            if "upper" in kinds:
                assert name == name.upper()
            if "no_diacritics" in kinds:
                assert name.isascii()
            if "nfd" in kinds and utf8:
                assert name != nfc(name) and unicodedata.is_normalized("NFD", name)
            if "english_name" in kinds:
                assert name.endswith(")") and "(" in name
            if "tax_code_blank" in kinds:
                assert code == ""
            elif "tax_code_typo" in kinds:
                assert code != firm["tax_code"] and not is_valid_root(code[:10])
                assert sum(a != b for a, b in zip(code, firm["tax_code"], strict=True)) == 1
            elif "tax_code_no_zero" in kinds:
                assert "0" + code == firm["tax_code"]
            elif "parent_code" in kinds:
                assert code == firm["parent_tax_code"]
            else:
                assert code == firm["tax_code"]
    assert all(
        checked[k] > 0 for k in NAME_KINDS + ("nfd", "reorder", "parent_code", "old_address")
    )


def test_row_faults_come_at_their_rates_and_are_where_recorded(world) -> None:
    rates = world.config.trouble
    counts: Counter[str] = Counter()
    records = 0
    for part in world.partitions:
        for feed, key in (
            ("tax", "tax_code"),
            ("registry", "enterprise_code"),
            ("roll", "unit_code"),
        ):
            written = part.file(feed)
            faults = part.faults(feed)
            records += (
                len(written.rows)
                - len(faults)
                + sum(f["fault"] in ("invalid_tax_code", "blank_required") for f in faults.values())
            )
            headers = [fold(h) for h in written.headers]
            data = [
                row
                for number, row in written.rows
                if number not in faults or faults[number]["fault"] != "repeated_header"
            ]
            for number, fault in faults.items():
                counts[fault["fault"]] += 1
                row = dict(written.rows[number - 1][1])
                if fault["fault"] == "repeated_header":
                    assert [fold(text_of(row[c])) for c in written.plan["columns"]] == headers
                elif fault["fault"] == "total_row":
                    assert number == len(written.rows)
                    assert "Tổng cộng" in [text_of(v) for v in row.values()]
                    money = [c for c, b in spec()[feed]["columns"].items() if b["kind"] == "money"]
                    for column in money:
                        total = sum(as_int(r[column]) or 0 for r in data[:-1])
                        assert as_int(row[column]) == total, (feed, column)
                elif fault["fault"] == "blank_required":
                    assert text_of(row[fault["column"]]) == "" and fault["column"] in ("name", key)
                elif fault["fault"] == "invalid_tax_code":
                    assert not is_valid_root(text_of(row[fault["column"]])[:10])
    for kind in ("duplicate_row", "invalid_tax_code", "blank_required", "repeated_header"):
        assert close_to(counts[kind], records, getattr(rates, kind)), (kind, counts[kind], records)
    assert counts["total_row"] > 0


def test_file_trouble_comes_at_its_rates(many_files) -> None:
    rates = many_files.config.trouble
    plans = [
        (p, name, plan) for p in many_files.partitions for name, plan in p.meta["files"].items()
    ]
    xlsx = [plan for _, name, plan in plans if name.endswith(".xlsx")]
    csvs = [plan for _, name, plan in plans if name.endswith(".csv")]
    rolls = [plan for plan in csvs if plan["feed"] == "roll"]
    utf8 = [plan for plan in csvs if plan["encoding"] != "cp1258"]
    assert len(xlsx) == 68 and len(csvs) == 136
    assert close_to(sum(bool(p["title_rows"]) for p in xlsx), len(xlsx), rates.title_block)
    assert close_to(sum(p["encoding"] == "cp1258" for p in rolls), len(rolls), rates.cp1258)
    assert close_to(sum(p["encoding"] == "utf-8-sig" for p in utf8), len(utf8), rates.bom)
    assert close_to(sum(p["delimiter"] == ";" for p in csvs), len(csvs), rates.semicolon)
    every = [plan for _, _, plan in plans]
    for flag, rate in (
        ("shuffled", rates.shuffled_columns),
        ("header_upper", rates.header_upper),
        ("header_no_diacritics", rates.header_no_diacritics),
        ("thousands", rates.thousands_separators),
    ):
        assert close_to(sum(bool(p[flag]) for p in every), len(every), rate), flag
    totals = sum(
        1
        for p in many_files.partitions
        for f in p.table("file_faults.csv")
        if f["fault"] == "total_row"
    )
    assert close_to(totals, len(every), rates.total_row)
    columns = [
        c
        for p in every
        for c in p["columns"]
        if len(spec()[p["feed"]]["columns"][c]["headers"]) > 1
    ]
    variants = sum(len(p["header_variant_columns"]) for p in every)
    assert close_to(variants, len(columns), rates.header_variant)


def test_every_switch_turns_its_trouble_on_and_off(tmp_path) -> None:
    per_file = {f.name for f in fields(TroubleRates)} - {
        "repeated_header", "duplicate_row", "invalid_tax_code", "blank_required",
    }  # fmt: skip
    on = TroubleRates(**{name: 1.0 for name in per_file} | {"bom": 1.0, "cp1258": 1.0})
    off = TroubleRates(**{f.name: 0.0 for f in fields(TroubleRates)})
    for label, trouble in (("on", on), ("off", off)):
        config = SynthConfig(
            quarters=quarters("2025Q3"), provinces=("96",), firms=60, seed=5, trouble=trouble
        )
        gen = make(tmp_path / label, config)
        (part,) = gen.partitions
        plans = part.meta["files"]
        faults = part.table("file_faults.csv")
        flag = label == "on"
        registry = plans["registry_96_2025Q3.xlsx"]
        assert bool(registry["title_rows"]) == flag
        assert (plans["roll_96_2025Q3.csv"]["encoding"] == "cp1258") == flag
        assert (plans["tax_96_2025Q3.csv"]["encoding"] == "utf-8-sig") == flag
        assert part.file("tax").raw.startswith(b"\xef\xbb\xbf") == flag
        assert all(p["shuffled"] == flag and p["header_upper"] == flag for p in plans.values())
        assert (sum(f["fault"] == "total_row" for f in faults) == 3) == flag
        if not flag:
            assert faults == []
            for feed in ("tax", "registry", "roll"):
                headers = part.file(feed).headers
                columns = spec()[feed]["columns"]
                assert headers == [
                    next(h for h in columns[c]["headers"] if h not in columns) for c in columns
                ]


def test_stopped_paying_and_wage_gaps_come_at_their_rates(world) -> None:
    """Shares of the firms each can happen to, in the truth: employing active firms with a unit
    (and, for a wage gap, a paying unit and wages on the tax side); a few come incidentally."""
    rates = world.config.problems
    stopped, staffed, gaps, paying = 0, 0, 0, 0
    for part in world.partitions:
        units = {u["unit_code"]: u for u in part.table("units.csv")}
        for firm in part.table("firms.csv"):
            rules = set(firm["expected_rules"].split("|"))
            unit = units.get(firm["unit_code"])
            if firm["tax_status"] != "active" or unit is None or not firm["pit_employees"]:
                continue
            if int(firm["pit_employees"]) >= 1:
                staffed += 1
                stopped += "STOPPED_PAYING" in rules
            if unit["roll_status"] == "paying" and int(firm["pit_employees"]) >= 1:
                paying += 1
                gaps += "WAGE_GAP" in rules
    assert close_to(stopped, staffed, rates.stopped_paying, slack=0.005), (stopped, staffed)
    assert close_to(gaps, paying, rates.wage_gap, slack=0.01), (gaps, paying)
