"""Recall where it matters, on small hand-built partitions: a unit with no usable tax code whose
name lost a word, gained a typo or a moved space, whose legal form is written in a way the
tables once lacked, or which is a branch written as its parent "tại <place>"; and the near
misses (two firms of one commune with names a numeral or a letter apart) that must not link.

Each partition has a population of firms linked by their tax codes, with the noise a roll has
(typos, moved spaces, other streets, old communes): the model learns its weights from them, as
it does from a real partition's exact links.
"""

from __future__ import annotations

import pandas as pd
import pytest

from reconcile.match import link_partition
from reconcile.match.blocking import candidates
from reconcile.match.compare import Comparison, compare
from reconcile.match.features import record
from reconcile.match.link import matching_options
from reconcile.match.model import Model
from reconcile.text.admin_units import communes
from reconcile.text.tax_code import make_valid, normalise
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS

PROVINCE = "82"
GO_CONG = "Phường Gò Công, Tỉnh Đồng Tháp"
# the same ward before the 2025 merger: Phường 5 of Thành phố Gò Công, Tỉnh Tiền Giang
GO_CONG_OLD = "Phường 5, Thành phố Gò Công, Tỉnh Tiền Giang"

BRANDS = ["An Phát", "Bảo Minh", "Cửu Long", "Đại Nam", "Gia Huy", "Hòa Bình", "Kim Long", "Lộc Phát",
          "Minh Châu", "Nam Việt", "Phú Cường", "Quang Minh", "Sao Mai", "Tân Tiến", "Thành Công",
          "Trường Sơn", "Vạn Phúc", "Việt Hưng", "Xuân Lộc", "Yên Bình"]  # fmt: skip
TRADES = ["Thương mại", "Xây dựng", "Dịch vụ", "Vận tải", "Nông sản", "Thủy sản"]
# communes of Đồng Tháp since 2025, as many as a province has firms in (not Gò Công, where the
# cases are)
WARDS = [f"{c.type} {c.name}" for c in communes(PROVINCE) if "Gò Công" not in c.name][:60]
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
           "Nguyễn Du", "Phan Chu Trinh", "Điện Biên Phủ", "Hùng Vương", "Lê Duẩn"]  # fmt: skip


def _typo(name: str) -> str:
    """The last word with two inner letters swapped (HƯNG -> HNƯG)."""
    words = name.split()
    last = words[-1]
    if len(last) >= 3:
        words[-1] = last[0] + last[2] + last[1] + last[3:]
    return " ".join(words)


def _moved_space(name: str) -> str:
    """The first letter of the last word moved to the end of the word before (MINH CHÂU ->
    MINHC HÂU)."""
    words = name.split()
    words[-2], words[-1] = words[-2] + words[-1][0], words[-1][1:]
    return " ".join(words)


def _population(n: int = 160) -> tuple[list, list]:
    """Firms and their units, linked by tax code, with a roll's noise on the units."""
    firm_rows, unit_rows = [], []
    serial = 100
    for i in range(n):
        code = None
        while code is None:
            serial += 1
            code = make_valid("12", serial)
        brand = BRANDS[i % len(BRANDS)]
        trade = TRADES[(i // len(BRANDS)) % len(TRADES)]
        name = f"Công ty TNHH {trade} {brand} {i // (len(BRANDS) * len(TRADES)) + 1}"
        if i % 9 == 0:  # some names without a number: the numeral is not what always tells
            name = f"Công ty TNHH {trade} {brand}"
        # wards and streets vary apart from names: firms of one name are not of one ward
        ward = WARDS[(i // len(BRANDS) + i // 3) % len(WARDS)]
        street = STREETS[(i * 7) % len(STREETS)]
        address = f"Số {i + 1} đường {street}, {ward}, Tỉnh Đồng Tháp"
        firm_rows.append((code, name, address))
        unit_name, unit_address = name.upper(), address
        if i % 8 == 1:
            unit_name = _typo(unit_name.split(" 1")[0].split(" 2")[0]) + unit_name[len(
                unit_name.split(" 1")[0].split(" 2")[0]):]  # fmt: skip
        if i % 11 == 2:
            unit_name = _moved_space(name)
        if i % 6 == 3:  # the unit at another street of the same ward
            unit_address = f"Số {200 + i} đường Nguyễn Trãi, {ward}, Tỉnh Đồng Tháp"
        if i % 13 == 4:
            unit_name = unit_name.replace("CÔNG TY TNHH", "CONG TY TRACH NHIEM HUU HAN")
        written = None if i % 7 == 5 else code  # a roll without a code for one unit in seven
        unit_rows.append((f"TZ{i:04d}A", unit_name, written, unit_address))
    return firm_rows, unit_rows


def _firms(rows) -> pd.DataFrame:
    records = []
    for code, name, address in rows:
        row = dict.fromkeys(FIRM_COLUMNS)
        row.update(quarter="2025Q3", province=PROVINCE, tax_code=code, root=code[:10], name=name,
                   address=address)  # fmt: skip
        records.append(row)
    return pd.DataFrame(records, columns=FIRM_COLUMNS)


def _units(rows) -> pd.DataFrame:
    records = []
    for unit_code, name, code, address in rows:
        row = dict.fromkeys(UNIT_COLUMNS)
        row.update(quarter="2025Q3", province=PROVINCE, unit_code=unit_code, name=name,
                   tax_code_raw=code, tax_code=normalise(code), address=address)  # fmt: skip
        records.append(row)
    return pd.DataFrame(records, columns=UNIT_COLUMNS)


def run(extra_firms=(), extra_units=()) -> pd.DataFrame:
    firm_rows, unit_rows = _population()
    result = link_partition(_firms([*firm_rows, *extra_firms]), _units([*unit_rows, *extra_units]))
    return result.links.set_index("unit_code")


def said(links: pd.DataFrame, unit: str) -> object:
    return links.loc[unit].to_dict() if unit in links.index else "no pair proposed"


def band(links: pd.DataFrame, unit: str, firm: str) -> str | None:
    """The band of the pair (``link``, ``review``), or None when the pair was not proposed."""
    if unit not in links.index or links.loc[unit, "tax_code"] != firm:
        return None
    return str(links.loc[unit, "band"])


# ---------------------------------------------------------------- a unit finds its firm
@pytest.mark.parametrize(
    ("firm_name", "unit_name", "name_level"),
    [
        # a legal form spelled out without diacritics, and a typo in a trade word
        ("CÔNG TY TNHH XÂY DỰNG BÙI THỊNH PHÁT",
         "CONG TY TRACH NHIEM HUU HAN XA DUNG BUI THINH PHAT", "typo"),
        # a dotted abbreviation the tables once lacked
        ("Hợp tác xã Nông nghiệp Mỹ Phong Tây", "H.T.X NÔNG NGHIỆP MỸ PHONG TÂY", "exact"),
        # HD for hợp danh
        ("Công ty Hợp danh Luật Đặng Thanh Cường", "CÔNG TY HD LUẬT ĐẶNG THANH CƯỜNG", "exact"),
        # a form mistyped, and one with its words in another order
        ("Công ty TNHH Cơ khí Long Bình Tây", "CÔNG TY TNNH CƠ KHÍ LONG BÌNH TÂY", "exact"),
        ("Công ty TNHH MTV Nông sản Hồng Phong", "CÔNG TY MTV TNHH NÔNG SẢN HỒNG PHONG", "exact"),
        # a letter moved across a space
        ("Công ty TNHH Tư vấn Thành Đạt Phước", "CÔNG TY TNHH TƯ VẤ NTHÀNH ĐẠT PHƯỚC", "spacing"),
        # a typo in the distinctive name, not a Vietnamese word
        ("Công ty Cổ phần Xây dựng Hiệp Phong Lâm", "CÔNG TY CỔ PHẦN XÂY DỰNG HIỆP PHONF LÂM",
         "typo"),
    ],
)  # fmt: skip
def test_a_unit_without_a_tax_code_links_despite_its_written_name(
    firm_name, unit_name, name_level
) -> None:
    links = run(
        extra_firms=[("0314409058", firm_name, f"Số 12 đường 30 Tháng 4, {GO_CONG}")],
        extra_units=[("XX0001", unit_name, None, f"Số 12 đường 30 Tháng 4, {GO_CONG}")],
    )
    assert band(links, "XX0001", "0314409058") == "link", said(links, "XX0001")
    levels = links.loc["XX0001", "evidence"]["levels"]
    assert (levels["name"], levels["legal_form"]) == (name_level, "same")


def test_a_typo_links_at_another_street_of_the_same_commune_in_its_old_shape() -> None:
    """Same name but for a typo, no tax code, another street of the same ward written as it
    was before 2025: plain to a person, and linked."""
    links = run(
        extra_firms=[("0314409058", "Công ty TNHH Xăng dầu Kiến Long Hưng", f"Số 12 đường 30 Tháng 4, {GO_CONG}")],
        extra_units=[("XX0001", "CÔNG TY TNHH XĂNG DẦU KIẾN LONG HNƯG", None,
                      f"Số 88 đường Trưng Nữ Vương, {GO_CONG_OLD}")],
    )  # fmt: skip
    assert band(links, "XX0001", "0314409058") == "link", said(links, "XX0001")
    assert links.loc["XX0001", "evidence"]["levels"]["commune"] == "same"


def test_a_name_that_lost_a_word_is_found_and_at_least_reviewed() -> None:
    links = run(
        extra_firms=[("0314409058", "Công ty TNHH Giáo dục Sài Vượng", f"Số 12 đường 30 Tháng 4, {GO_CONG}")],
        extra_units=[("XX0001", "CÔNG TY TNHH GIÁO SÀI VƯỢNG", None, f"Số 12 đường 30 Tháng 4, {GO_CONG}")],
    )  # fmt: skip
    assert band(links, "XX0001", "0314409058") in ("link", "review")


def test_a_branch_written_as_its_parent_tai_place_goes_to_the_branch() -> None:
    """ "<parent's name> tại <place>" with the parent's code is one of its branches: it links
    to the branch at its address, and the parent's own unit (no code) still finds the parent."""
    parent, branch = "0100233488", "0100233488-001"
    branch_address = "Ấp Phú An, Xã Đồng Sơn, Tỉnh Đồng Tháp"
    links = run(
        extra_firms=[
            (parent, "Công ty TNHH MTV Cơ khí Thủy sản Long Bình", f"Số 12 đường 30 Tháng 4, {GO_CONG}"),
            (branch, "Chi nhánh Gò Công Tây - Công ty TNHH MTV Cơ khí Thủy sản Long Bình", branch_address),
        ],
        extra_units=[
            ("LB0001", "CÔNG TY TNHH MTV CƠ KHÍ THỦY SẢN LONG BÌNH TẠI GÒ CÔNG TÂY", parent, branch_address),
            ("LB0002", "Công ty TNHH MTV Cơ khí Thủy sản Long Bình", None, f"Số 12 đường 30 Tháng 4, {GO_CONG}"),
        ],
    )  # fmt: skip
    assert band(links, "LB0001", branch) == "link", said(links, "LB0001")
    assert links.loc["LB0001", "evidence"]["levels"]["tax_code"] == "parent"
    assert band(links, "LB0002", parent) == "link"


# ---------------------------------------------------------------- near misses do not link
@pytest.mark.parametrize(
    ("firm_name", "unit_name"),
    [
        ("Công ty TNHH Hiệp Phát II", "CÔNG TY TNHH HIỆP PHÁT"),
        ("Công ty TNHH 258", "CÔNG TY TNHH 257"),
        ("Công ty TNHH Hiệp Phát II", "CÔNG TY TNHH HIỆP PHÁTT"),  # a typo does not hide a numeral
        ("Công ty TNHH Xây dựng Hiệp Phát 2", "CÔNG TY TNHH THƯƠNG MẠI HIỆP PHÁT"),
    ],
)
def test_two_firms_of_one_commune_a_numeral_apart_do_not_link(firm_name, unit_name) -> None:
    links = run(
        extra_firms=[("0314409058", firm_name, f"Số 12 đường 30 Tháng 4, {GO_CONG}")],
        extra_units=[("XX0001", unit_name, None, f"Số 40 đường Trần Phú, {GO_CONG}")],
    )
    assert band(links, "XX0001", "0314409058") != "link"


# ---------------------------------------------------------------- the stages, one by one
def _record(key, name, address=GO_CONG, code=None):
    return record(key, name, address, PROVINCE, code, code)


def test_blocking_finds_a_firm_when_every_rare_token_is_mistyped_or_a_space_moved() -> None:
    firms = [_record(f"F{i}", f"Công ty TNHH Thương mại Kim Hân {i}") for i in range(60)]
    firms += [_record("TARGET", "Công ty TNHH Tư vấn Thành Đạt Phước")]
    opts = matching_options()["blocking"]
    for written in ("CÔNG TY TNHH TƯ VẤN THNÀH ĐẠT PHƯỚC", "CÔNG TY TNHH TƯ VẤN THÀNHĐ ẠT PHƯỚC",
                    "CÔNG TY TNHH TƯ VẤN THÀNH PHƯỚC"):  # fmt: skip
        unit = _record("U", written)
        found = candidates([unit], firms, int(opts["max_block_size"]), int(opts["keys_per_record"]),
                           int(opts["typo_keys_per_record"]))  # fmt: skip
        assert len(firms) - 1 in found["U"], written


def test_blocking_finds_a_firm_in_the_units_hamlet_when_its_only_name_word_is_common() -> None:
    """THƯƠNG MẠI LỘC for MÔI TRƯỜNG KIẾN LỘC: "lộc" alone is in hundreds of names, but few
    firms of the hamlet have it."""
    hamlet = "Ấp Tân Huề, Xã Mỹ Xương, Huyện Cao Lãnh, Tỉnh Đồng Tháp"
    firms = [_record(f"F{i}", f"Công ty TNHH Phát Lộc {i}") for i in range(60)]  # lộc: common
    firms += [_record(f"H{i}", f"Công ty TNHH Nam Phong {i}", hamlet) for i in range(60)]
    firms += [_record("TARGET", "Công ty TNHH MTV Môi trường Kiến Lộc", hamlet)]
    opts = matching_options()["blocking"]
    limits = [int(opts[key]) for key in ("max_block_size", "keys_per_record", "typo_keys_per_record",
                                         "address_block_size", "hamlet_block_size")]  # fmt: skip
    unit = _record("U", "CÔNG TY TNHH MTV LỘC", "Ấp Tân Huề, Xã Mỹ Thọ, Tỉnh Đồng Tháp")
    found = candidates([unit], firms, *limits)["U"]
    assert len(firms) - 1 in found
    assert len(found) < 10  # the hamlet's other firms share no word of the name
    elsewhere = _record("U", "CÔNG TY TNHH MTV LỘC", "Ấp Bình Hòa, Xã Mỹ Thọ, Tỉnh Đồng Tháp")
    assert len(firms) - 1 not in candidates([elsewhere], firms, *limits)["U"]


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("CÔNG TY TNHH TƯ VẤ NTHÀNH", "Công ty TNHH Tư vấn Thành", "spacing"),
        ("CÔNG TY TNHH KIMHÂN", "Công ty TNHH Kim Hân", "spacing"),
        ("CÔNG TY TNHH HỒGN TÍN", "Công ty TNHH Hồng Tín", "typo"),
        ("Công ty TNHH SaoH ảj Phát", "Công ty TNHH Sao Hải Phát", "typo"),  # a space and a letter
        ("Công ty TNHH SaoH ả", "Công ty TNHH Sao Hải", "different"),  # too short to call a slip
        ("CÔNG TY TNHH KIM HÂN", "Công ty TNHH Kim Hạnh", "near_word"),
        (
            "CÔNG TY TNHH THƯƠNG MẠI HỒGN TÍN",
            "Công ty TNHH Xây dựng Hồng Tín",
            "trade_words_differ",
        ),
        (
            "CÔNG TY TNHH THƯƠNG MẠI HỒNG TÍN",
            "Công ty TNHH Xây dựng Hồng Tín",
            "trade_words_differ",
        ),
        (
            "CÔNG TY TNHH XÂY DỰNG THƯƠNG MẠI HỒNG TÍN",
            "Công ty TNHH Thương mại Xây dựng Hồng Tín",
            "same_words",
        ),
        (
            "CÔNG TY TNHH VỤ XÂY DỰNG TOÀN VIỆT",
            "Công ty TNHH Dịch vụ Xây dựng Toàn Việt",
            "trade_word_cut",  # a piece of DỊCH VỤ kept: a slip, not another trade
        ),
        (
            "CÔNG TY TNHH MẠI NGUYỄN THÀNH BẢO",
            "Công ty TNHH Thương mại Nguyễn Thành Bảo",
            "trade_word_cut",
        ),  # fmt: skip
        ("CÔNG TY TNHH XÂY PHÚ VƯỢNG", "Công ty TNHH Xây dựng Phú Vượng", "trade_word_cut"),
        # the piece kept is a trade of its own: a trade left out, as likely another firm
        ("CÔNG TY TNHH XÂY DỰNG AN", "Công ty TNHH Vật liệu xây dựng An", "trade_word_dropped"),
        (
            "CÔNG TY TNHH XÂY DỰNG TOÀN VIỆT",
            "Công ty TNHH Dịch vụ Xây dựng Toàn Việt",
            "trade_word_dropped",
        ),
        ("CÔNG TY TNHH HIỆP PHÁT", "Công ty TNHH Hiệp Phát II", "numeral_differs"),
    ],
)
def test_name_levels(a, b, level) -> None:
    opts = matching_options()
    assert compare(_record("U", a), _record("F", b), opts).levels["name"] == level


def test_a_branch_is_compared_by_its_companys_legal_form() -> None:
    opts = matching_options()
    unit = _record("U", "Công ty TNHH Hiệp Phát tại Mỹ An")
    firm = _record("F", "Chi nhánh Công ty TNHH Hiệp Phát - Mỹ An")
    assert unit.dependent and firm.dependent
    levels = compare(unit, firm, opts).levels
    assert levels["legal_form"] == "same" and levels["name"] == "exact"
    head = _record("H", "Công ty TNHH Hiệp Phát")
    assert compare(unit, head, opts).levels["legal_form"] == "branch_vs_head"


def test_a_commune_written_in_its_old_shape_with_the_new_province_still_meets() -> None:
    """The old Bình Thạnh of Hồng Ngự is part of another commune now; a clerk who writes it
    with the new province and no district still names the same place as the registry."""
    opts = matching_options()
    unit = record("U", "Công ty TNHH Phan Văn Việt", "Ấp Cẩm Sơn, Xã Bình Thạnh, Tỉnh Đồng Tháp",
                  PROVINCE, None, None)  # fmt: skip
    firm = record("F", "Công ty TNHH Phan Văn Việt",
                  "Ấp Cẩm Sơn, Xã Bình Thạnh, Thành phố Hồng Ngự, Tỉnh Đồng Tháp", PROVINCE,
                  "1498390180", "1498390180")  # fmt: skip
    assert compare(unit, firm, opts).levels["commune"] == "either_shape"
    elsewhere = record("G", "Công ty TNHH Phan Văn Việt", "Số 1 đường Hùng Vương, Phường Sa Đéc, Tỉnh Đồng Tháp",
                       PROVINCE, "1498390181", "1498390181")  # fmt: skip
    assert compare(unit, elsewhere, opts).levels["commune"] == "different"


def _model() -> Model:
    levels = {
        "name": {"exact": 6.0, "different": -4.0},
        "commune": {"same": 6.0, "different": -8.0},
    }
    return Model(bayes=levels, prior=-4.0, trained_on=100, present=0.8)


def _comparison(name: str, commune: str = "same") -> Comparison:
    return Comparison({"name": name, "legal_form": None, "commune": commune, "street": None,
                       "tax_code": "missing"}, {"name": 0, "street": None})  # fmt: skip


def test_a_lone_plain_candidate_is_likely_and_two_alike_are_each_in_doubt() -> None:
    model = _model()
    [(_, alone)] = model.posteriors([_comparison("exact")])
    assert alone > 0.99
    # garbage candidates beside it take no share of the prior
    garbage = [_comparison("different", "different")] * 30
    with_garbage = model.posteriors([_comparison("exact"), *garbage])
    assert with_garbage[0][1] > 0.99
    twins = model.posteriors([_comparison("exact"), _comparison("exact")])
    assert all(0.4 < p < 0.5 for _, p in twins)


def test_a_name_mistyped_where_blocks_are_crowded_is_found_at_its_street_address() -> None:
    """Every key of the unit's name is common (a crowded province) or mistyped: the firms at its
    street address, where there are few, are still compared with it."""
    firms = [_record(f"F{i}", f"Công ty TNHH Thạnh Mỹ Tân {i}", f"Ấp {i}, Xã Tân Hộ Cơ, Tỉnh Đồng Tháp")
             for i in range(60)]  # fmt: skip
    firms += [_record("TARGET", "Chi nhánh Công ty TNHH Thạnh Mỹ - Tân Quới",
                      "Số 12 đường Lê Lợi, Xã Tân Hộ Cơ, Huyện Tân Hồng, Tỉnh Đồng Tháp")]  # fmt: skip
    firms += [_record(f"G{i}", f"Công ty TNHH Quới Tân {i}") for i in range(60)]
    unit = _record("U", "Chi nhánh Công ty TNHH Thạnh Mỹ - Tâân Quới",
                   "Số 12 đường Lê Lợi, Xã Tân Hộ Cơ, Tỉnh Đồng Tháp")  # fmt: skip
    opts = matching_options()["blocking"]
    limits = (
        int(opts["max_block_size"]),
        int(opts["keys_per_record"]),
        int(opts["typo_keys_per_record"]),
    )
    assert len(firms) - 61 not in candidates([unit], firms, *limits)["U"]
    found = candidates([unit], firms, *limits, int(opts["address_block_size"]))["U"]
    assert len(firms) - 61 in found
