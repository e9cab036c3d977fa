"""Linking on small hand-built partitions: each way a unit finds (or must not find) its firm."""

from __future__ import annotations

import pandas as pd

from reconcile.match import link_partition
from reconcile.text.tax_code import make_valid, normalise
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS

ADDRESS = "Số 12 đường 30/4, Phường Mỹ Tho, Tỉnh Đồng Tháp"


def firms(*rows: tuple[str, str, str]) -> pd.DataFrame:
    records = []
    for code, name, address in rows:
        record = dict.fromkeys(FIRM_COLUMNS)
        record.update(
            quarter="2025Q3",
            province="82",
            tax_code=code,
            root=code[:10],
            name=name,
            address=address,
        )
        records.append(record)
    return pd.DataFrame(records, columns=FIRM_COLUMNS)


def units(*rows: tuple[str, str, str | None, str | None]) -> pd.DataFrame:
    records = []
    for unit_code, name, code, address in rows:
        record = dict.fromkeys(UNIT_COLUMNS)
        record.update(quarter="2025Q3", province="82", unit_code=unit_code, name=name, tax_code_raw=code,
                      tax_code=normalise(code), address=address)  # fmt: skip
        records.append(record)
    return pd.DataFrame(records, columns=UNIT_COLUMNS)


# A population of distinct firms, so that the model has exact links to learn from.
BRANDS = ["An Phát", "Bảo Minh", "Cửu Long", "Đại Nam", "Gia Huy", "Hòa Bình", "Kim Long", "Lộc Phát",
          "Minh Châu", "Nam Việt", "Phú Cường", "Quang Minh", "Sao Mai", "Tân Tiến", "Thành Công",
          "Trường Sơn", "Vạn Phúc", "Việt Hưng", "Xuân Lộc", "Yên Bình"]  # fmt: skip
COLOURS = ["Số", "Xanh", "Vàng", "Đỏ", "Mới", "Lớn"]
WARDS = ["Mỹ Tho", "Cao Lãnh", "Sa Đéc", "Hồng Ngự"]


def _population(n: int = 120) -> tuple[list, list]:
    firm_rows, unit_rows = [], []
    serial = 100
    for i in range(n):
        code = None
        while code is None:
            serial += 1
            code = make_valid("12", serial)
        name = f"Công ty TNHH {BRANDS[i % len(BRANDS)]} {COLOURS[i // len(BRANDS)]}"
        address = f"Số {i + 1} đường Lê Lợi, Phường {WARDS[i % len(WARDS)]}, Tỉnh Đồng Tháp"
        firm_rows.append((code, name, address))
        unit_rows.append((f"TZ{i:04d}A", name.upper(), code, address))
    return firm_rows, unit_rows


def run(extra_firms=(), extra_units=(), decisions=None):
    firm_rows, unit_rows = _population()
    result = link_partition(
        firms(*firm_rows, *extra_firms), units(*unit_rows, *extra_units), decisions
    )
    return result, result.links.set_index("unit_code")


def test_exact_codes_link_and_the_model_learns_from_them() -> None:
    result, links = run(
        extra_firms=[("0314409058", "Công ty Cổ phần Thủy sản Tân Hải", ADDRESS)],
        extra_units=[("TH0001", "CTY CP THUY SAN TAN HAI", None, ADDRESS)],
    )
    assert len(links) == 121 and (links["method"] == "exact").sum() == 120
    assert result.model.trained_on == 120
    # exact links agree on names far more often than candidates do: a high name level weighs for
    assert result.model.bayes["name"]["exact"] > 3


def test_a_dependent_unit_links_to_its_parent_when_the_branch_is_not_in_the_feeds() -> None:
    _, links = run(
        extra_firms=[("0100233488", "Công ty TNHH Hiệp Phát", ADDRESS)],
        extra_units=[("CN0001", "Chi nhánh Công ty TNHH Hiệp Phát", "0100233488-001", ADDRESS)],
    )
    assert links.loc["CN0001", ["tax_code", "method"]].tolist() == ["0100233488", "exact_parent"]


def test_a_branch_written_with_its_parents_code_goes_to_the_branch() -> None:
    branch_address = "Ấp 1, Xã Cái Bè, Tỉnh Đồng Tháp"
    _, links = run(
        extra_firms=[
            ("0100233488", "Công ty TNHH Hiệp Phát", ADDRESS),
            ("0100233488-001", "Chi nhánh Công ty TNHH Hiệp Phát - Cái Bè", branch_address),
        ],
        extra_units=[
            ("HP0001", "Công ty TNHH Hiệp Phát", "0100233488", ADDRESS),
            ("HP0002", "CN Cty TNHH Hiệp Phát - Cái Bè", "0100233488", branch_address),
        ],
    )
    assert links.loc["HP0001", "tax_code"] == "0100233488"
    assert links.loc["HP0002", ["tax_code", "method"]].tolist() == ["0100233488-001", "fuzzy"]
    assert links.loc["HP0002", "evidence"]["levels"]["tax_code"] == "parent"


def test_a_blank_code_links_by_name_and_address_with_its_explanation() -> None:
    _, links = run(
        extra_firms=[("0314409058", "Công ty Cổ phần Thủy sản Tân Hải", ADDRESS)],
        extra_units=[
            ("TH0001", "CTY CP THUY SAN TAN HAI", None, "12 đường 30-4, P. Mỹ Tho, Đồng Tháp")
        ],
    )
    link = links.loc["TH0001"]
    assert (link["tax_code"], link["method"], link["band"]) == ("0314409058", "fuzzy", "link")
    evidence = link["evidence"]
    assert evidence["unit_name"] == evidence["firm_name"] == "thuy san tan hai"
    assert evidence["levels"]["commune"] == "same" and evidence["levels"]["tax_code"] == "missing"
    assert evidence["probability"] >= 0.995 and evidence["weights"]["name"] > 0


def test_a_mistyped_code_links_to_the_firm_one_digit_away() -> None:
    _, links = run(
        extra_firms=[("0312687878", "Công ty TNHH MTV Phú Thịnh", ADDRESS)],
        extra_units=[("PT0001", "Cty TNHH MTV Phú Thịnh", "0312687873", ADDRESS)],
    )
    assert links.loc["PT0001", "tax_code"] == "0312687878"
    assert links.loc["PT0001", "evidence"]["levels"]["tax_code"] == "one_digit"


def test_numbered_firms_are_not_merged() -> None:
    _, links = run(
        extra_firms=[("0312687878", "Công ty TNHH Hiệp Phát II", ADDRESS)],
        extra_units=[("HP0009", "Công ty TNHH Hiệp Phát", None, ADDRESS)],
    )
    assert "HP0009" not in links.index or links.loc["HP0009", "band"] == "review"


def test_the_same_code_on_plainly_different_names_is_not_an_exact_link() -> None:
    _, links = run(
        extra_firms=[("0312687878", "Công ty TNHH Phú Thịnh", ADDRESS)],
        extra_units=[("XX0001", "Trường mầm non Hoa Sen", "0312687878", ADDRESS)],
    )
    assert "XX0001" not in links.index or links.loc["XX0001", "method"] != "exact"


def test_inspectors_decisions_override_the_matcher() -> None:
    extra_firms = [
        ("0314409058", "Công ty Cổ phần Thủy sản Tân Hải", ADDRESS),
        ("0100233488", "Công ty TNHH Hiệp Phát", ADDRESS),
    ]
    extra_units = [
        ("TH0001", "CTY CP THUY SAN TAN HAI", None, ADDRESS),
        ("ZZ0001", "Đơn vị lạ", None, None),
    ]
    decisions = pd.DataFrame(
        [
            {"unit_code": "TH0001", "tax_code": "0314409058", "decision": "not_a_match"},
            {"unit_code": "ZZ0001", "tax_code": "0100233488", "decision": "confirmed"},
        ]
    )
    _, links = run(extra_firms, extra_units, decisions)
    assert "TH0001" not in links.index
    assert links.loc["ZZ0001", ["tax_code", "method"]].tolist() == ["0100233488", "confirmed"]
