"""The comparisons' levels are declared once (``match/levels.py``): the code computes only
declared levels, the model weighs exactly those, and the docs' table is the declaration."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args, get_type_hints

import pandas as pd
import pytest

from reconcile.match import link_partition
from reconcile.match.compare import Comparison, compare
from reconcile.match.features import record
from reconcile.match.levels import (
    COMPARISONS,
    DECLARED,
    STREET_CUTS,
    CommuneLevel,
    LegalFormLevel,
    Levels,
    NameLevel,
    StreetLevel,
    TaxCodeLevel,
    label,
    markdown_table,
)
from reconcile.match.model import LEARNED, train
from reconcile.match.options import matching_options
from reconcile.text.tax_code import make_valid
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS

ROOT = Path(__file__).resolve().parents[3]
LITERALS = {
    "name": NameLevel,
    "legal_form": LegalFormLevel,
    "commune": CommuneLevel,
    "street": StreetLevel,
    "tax_code": TaxCodeLevel,
}


def test_each_comparison_is_declared_once_with_its_literal_levels_in_order() -> None:
    assert tuple(DECLARED) == COMPARISONS == tuple(get_type_hints(Levels))
    for name, literal in LITERALS.items():
        assert get_args(literal) == DECLARED[name].keys, name
        assert len(set(DECLARED[name].keys)) == len(DECLARED[name].keys), name
        assert all(level.label for level in DECLARED[name].levels), name


def test_levels_read_in_words() -> None:
    assert label("tax_code", "one_digit") == "one digit mistyped or two swapped"
    assert label("commune", None) == "either commune unknown, or not compared (see the street)"
    with pytest.raises(StopIteration):
        label("street", ">=80")


def test_the_street_cuts_name_declared_levels() -> None:
    assert set(STREET_CUTS.values()) == set(DECLARED["street"].keys) - {"low"}
    assert set(matching_options()["comparisons"]["street"]["levels"]) == set(STREET_CUTS)


def _comparison(**levels: str | None) -> Comparison:
    full = dict.fromkeys(COMPARISONS)
    full.update(levels)
    return Comparison(full, {"name": 0.0, "street": None})  # type: ignore[arg-type]


def test_the_model_weighs_exactly_the_declared_levels() -> None:
    """Trained on pairs that show every declared level, the model has a weight for each of
    them and for nothing else; the tax code's priors are keyed by its declared levels."""
    options = matching_options()
    assert set(options["model"]["tax_code_priors"]) == set(DECLARED["tax_code"].keys)
    assert (
        set(LEARNED)
        == {n for n, c in DECLARED.items() if c.learned}
        == set(COMPARISONS) - {"tax_code"}
    )
    pairs = [
        _comparison(**{name: level})
        for name in LEARNED
        for level in DECLARED[name].keys
        for _ in range(60)
    ]
    model = train(pairs, pairs, 10, 100, options)
    assert model.trained_on == len(pairs)
    assert {name: set(weights) for name, weights in model.bayes.items()} == {
        name: set(comparison.keys) for name, comparison in DECLARED.items()
    }


def _partition() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Firms linked by their codes and a few units without one, some near misses among them."""
    brands = ["An Phát", "Bảo Minh", "Cửu Long", "Đại Nam", "Gia Huy", "Hòa Bình", "Kim Long"]
    firms, units, serial = [], [], 100
    for i in range(70):
        code = None
        while code is None:
            serial += 1
            code = make_valid("12", serial)
        name = f"Công ty TNHH {brands[i % 7]} {i // 7 + 1}"
        address = f"Số {i + 1} đường Lê Lợi, Phường Mỹ Tho, Tỉnh Đồng Tháp"
        firms.append({"tax_code": code, "root": code[:10], "name": name, "address": address})
        unit_code, written = f"U{i:04d}", code if i % 5 else None
        if i % 10 == 3:
            name = name.replace("Công ty TNHH", "Chi nhánh Công ty CP")
        units.append({"unit_code": unit_code, "name": name.upper(), "tax_code_raw": written,
                      "tax_code": written, "address": address})  # fmt: skip
    where = {"quarter": "2025Q3", "province": "82"}
    firm_frame = pd.DataFrame([{**dict.fromkeys(FIRM_COLUMNS), **where, **f} for f in firms])
    unit_frame = pd.DataFrame([{**dict.fromkeys(UNIT_COLUMNS), **where, **u} for u in units])
    return firm_frame[FIRM_COLUMNS], unit_frame[UNIT_COLUMNS]


def test_a_partitions_model_and_evidence_hold_only_declared_levels() -> None:
    result = link_partition(*_partition())
    assert result.model is not None and result.model.trained_on > 0
    for name, weights in result.model.bayes.items():
        assert set(weights) <= set(DECLARED[name].keys), name
    fuzzy = result.links[result.links["method"] == "fuzzy"]
    assert len(fuzzy)
    for evidence in fuzzy["evidence"]:
        assert tuple(evidence["levels"]) == COMPARISONS == tuple(evidence["weights"])
        for name, level in evidence["levels"].items():
            assert level is None or level in DECLARED[name].keys, (name, level)


def test_compare_returns_declared_levels() -> None:
    options = matching_options()
    names = ["Công ty TNHH Hiệp Phát", "Chi nhánh Công ty TNHH Hiệp Phát II", "Cty CP Hiệp Phat",
             "HTX Tân Hải Sơn", "Công ty TNHH Thương mại Hiệp Phát", "DNTN Phát Hiệp"]  # fmt: skip
    addresses = [None, "Số 12 đường Lê Lợi, Phường Mỹ Tho, Tỉnh Đồng Tháp",
                 "Ấp 1, Xã Cái Bè, Tỉnh Đồng Tháp"]  # fmt: skip
    codes = [None, "0100233488", "0100233487", "0100233488-001"]
    records = [
        record(f"K{i}", n, a, "82", c, c)
        for i, (n, a, c) in enumerate((n, a, c) for n in names for a in addresses for c in codes)
    ]
    seen: dict[str, set[str | None]] = {name: set() for name in COMPARISONS}
    for unit in records[::5]:
        for firm in records:
            for name, level in compare(unit, firm, options).levels.items():
                seen[name].add(level)
    for name, levels in seen.items():
        assert levels - {None} <= set(DECLARED[name].keys), name


def test_the_docs_table_is_the_declaration() -> None:
    """docs/matching.md shows the table ``python -m reconcile.match.levels`` prints."""
    docs = (ROOT / "docs" / "matching.md").read_text("utf-8")
    found = re.search(r"^\| comparison \| level \| meaning \|\n(?:.*\n)*?\n(?:- .*\n)*", docs,
                      re.MULTILINE)  # fmt: skip
    assert found, "the comparison table of docs/matching.md is missing"
    assert found.group(0).rstrip("\n") == markdown_table()
