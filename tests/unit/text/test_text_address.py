"""Addresses in the old (with district) and new (ward and province) shapes, any spelling."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from reconcile.text import admin_units as au
from reconcile.text.address import parse_address

MY_PHONG = ("28273",)  # Phường Mỹ Phong, Đồng Tháp (new), formerly Xã Mỹ Phong, TP Mỹ Tho


@pytest.mark.parametrize(
    "text",
    [
        "Xã Mỹ Phong, Thành phố Mỹ Tho, Tỉnh Tiền Giang",
        "Ấp 3, X. Mỹ Phong, TP. Mỹ Tho, T. Tiền Giang",
        "AP 3 - XA MY PHONG - TP MY THO - TIEN GIANG",
        "ấp 3 xã mỹ phong, tp mỹ tho, tiền giang",
        unicodedata.normalize("NFD", "Xã Mỹ Phong, Thành phố Mỹ Tho, Tỉnh Tiền Giang"),
        "XÃ MỸ PHONG - THÀNH PHỐ MỸ THO - TỈNH TIỀN GIANG",
        "Mỹ Phong, Mỹ Tho, Tiền Giang",
        "Xã Mỹ Phong Tiền Giang",
    ],
)
def test_old_address_maps_to_new_province_82(text):
    address = parse_address(text)
    assert address.shape == "old"
    assert address.province_code == "82"
    assert address.commune == "my phong"
    assert address.commune_codes == MY_PHONG


def test_old_address_fields():
    address = parse_address("Ấp 3, X. Mỹ Phong, TP. Mỹ Tho, T. Tiền Giang")
    assert address.original == "Ấp 3, X. Mỹ Phong, TP. Mỹ Tho, T. Tiền Giang"
    assert address.street == "ap 3"
    assert (address.commune, address.district, address.province) == (
        "my phong",
        "my tho",
        "tien giang",
    )
    assert (address.commune_type, address.district_type) == ("xa", "thanh pho")
    with pytest.raises(dataclasses.FrozenInstanceError):
        address.street = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    ["Phường Mỹ Phong, Tỉnh Đồng Tháp", "P. Mỹ Phong, Đồng Tháp", "PHUONG MY PHONG - DONG THAP"],
)
def test_new_address_reaches_the_same_commune(text):
    address = parse_address(text)
    assert address.shape == "new"
    assert address.district is None
    assert address.province_code == "82"
    assert address.commune_codes == MY_PHONG


@pytest.mark.parametrize(
    ("text", "province_code", "codes", "shape"),
    [
        # numbered wards, split ward, district-only province inference
        ("Số 12 đường Lê Lợi, Phường 4, Quận 3, TP.HCM", "79", ("27154", "27139"), "old"),
        ("12 Le Loi P4 Q3 TPHCM", "79", ("27154", "27139"), "old"),
        ("F5 Q.Gò Vấp", "79", ("26876",), "old"),
        ("P.8 - TP. Bến Tre - Bến Tre", "86", ("28756",), "old"),
        ("PHƯỜNG 8, THÀNH PHỐ BẾN TRE, TỈNH BẾN TRE", "86", ("28756",), "old"),
        ("Phường 09, Thành phố Mỹ Tho, Tiền Giang", "82", ("28273",), "old"),
        # Bến Tre and Trà Vinh went into the new Vĩnh Long (86)
        ("Phường An Hội, Tỉnh Vĩnh Long", "86", ("28777",), "new"),
        ("Phường An Hội, TP Bến Tre, Tỉnh Bến Tre", "86", ("28777",), "old"),
        # thị trấn, huyện, khóm
        ("Khóm 2, Thị trấn Mỹ Thọ, Huyện Cao Lãnh, Đồng Tháp", "82", ("30076",), "old"),
        ("Khom 2, TT. My Tho, H. Cao Lanh, Dong Thap", "82", ("30076",), "old"),
        ("Ấp Bình Hòa, Xã Bình Thạnh, Huyện Cao Lãnh, Tỉnh Đồng Tháp", "82", ("30112",), "old"),
        # street words that look like units: tỉnh lộ, xa lộ, quốc lộ, KCN
        ("Số 5, Tỉnh lộ 864, Xã Tân Thuận Bình, Chợ Gạo, Tiền Giang", "82", ("28627",), "old"),
        ("QL1A, Xã Tân Hương, Huyện Châu Thành, Tỉnh Tiền Giang", "82", ("28525",), "old"),
        ("Xa lộ Hà Nội, P. Thảo Điền, Q.2, TP Hồ Chí Minh", "79", ("27094",), "old"),
        ("Lô C, KCN Sa Đéc, Phường 4, TP Sa Đéc, Đồng Tháp", "82", ("29905",), "old"),
        # "Phương" is a name here, not a ward
        ("Xã Phương Thịnh, Đồng Tháp", "82", ("30043",), "new"),
        ("xa phuong thinh, dong thap", "82", ("30043",), "new"),
        # dashes inside names
        ("Tổ 3, Phường Long Toàn, TP Bà Rịa, Tỉnh Bà Rịa - Vũng Tàu", "79", ("26560",), "old"),
        ("Phường Văn Miếu - Quốc Tử Giám, Thành phố Hà Nội", "01", ("00226",), "new"),
        # names that fold alike, told apart by their diacritics
        ("Xã Minh Quán, Huyện Trấn Yên, Tỉnh Yên Bái", "15", ("04498",), "old"),
        ("Xã Minh Quân, Huyện Trấn Yên, Tỉnh Yên Bái", "15", ("04543",), "old"),
    ],
)
def test_real_addresses(text, province_code, codes, shape):
    address = parse_address(text)
    assert address.province_code == province_code
    assert address.commune_codes == codes
    assert address.shape == shape


def test_street_part():
    assert parse_address("Số 12 đường Lê Lợi, Phường 4, Quận 3, TP.HCM").street == (
        "so 12 duong le loi"
    )
    assert parse_address("Lô C, KCN Sa Đéc, Phường 4, TP Sa Đéc").street == "lo c kcn sa dec"
    assert parse_address("Số 5, Tỉnh lộ 864, Xã Tân Thuận Bình").street == "so 5 tinh lo 864"
    assert parse_address("12-14 Nguyễn Huệ, Phường Mỹ Tho, Đồng Tháp").street == "12 14 nguyen hue"
    assert parse_address("Phường Mỹ Phong, Đồng Tháp").street is None


def test_province_hint_fills_a_missing_province():
    bare = parse_address("Ấp 5, Xã Tân Hương, Huyện Châu Thành")  # a Châu Thành in 12 provinces
    assert bare.province_code is None and bare.commune_codes == ()
    for hint in ("82", "Tiền Giang", "Đồng Tháp"):
        hinted = parse_address("Ấp 5, Xã Tân Hương, Huyện Châu Thành", province_hint=hint)
        assert hinted.province_code == "82"
        assert hinted.commune_codes == ("28525",)
    named = parse_address("Phường Mỹ Phong, Tỉnh Đồng Tháp", province_hint="79")
    assert named.province_code == "82"  # what the address says beats the hint


def test_province_inferred_from_a_district_found_in_one_province_only():
    address = parse_address("Ấp 5, Xã Mỹ Phong, TP Mỹ Tho")
    assert address.province is None
    assert address.province_code == "82"
    assert address.commune_codes == MY_PHONG


def test_unknown_commune_gives_no_codes():
    address = parse_address("Xã Không Có Thật, Tỉnh Đồng Tháp")
    assert address.province_code == "82"
    assert address.commune == "khong co that"
    assert address.commune_codes == ()


def test_known_district_without_that_ward_gives_no_codes():
    # Phường 7 of Quận 3 was merged away in 2020; the Phường 7 of other districts are elsewhere
    address = parse_address("Phường 7, Quận 3, TP.HCM")
    assert address.commune == "7" and address.district == "3"
    assert address.commune_codes == ()


def test_legacy_encoded_address():
    address = parse_address("X· Mü Phong, Thµnh phè Mü Tho, TØnh TiÒn Giang")
    assert address.province_code == "82"
    assert address.commune_codes == MY_PHONG


def test_empty_address():
    address = parse_address("")
    assert address.province_code is None and address.commune_codes == () and address.shape == "new"


def _province_label(p: au.Province | au.OldProvince) -> str:
    return f"{p.type} {p.name}"


def test_every_new_commune_resolves_to_itself():
    misses = []
    for p in au.provinces():
        for c in au.communes(p.code):
            address = parse_address(f"{c.type} {c.name}, {_province_label(p)}")
            if address.province_code != p.code or address.commune_codes != (c.code,):
                misses.append(c.code)
    assert misses == []


def test_old_communes_resolve_to_their_new_communes():
    """Every fourth old commune, written in full, lands on the new communes it went into."""
    old_provinces = {p.code: p for p in au.old_provinces()}
    misses = []
    for c in au.old_communes()[::4]:
        p = old_provinces[c.province_code]
        text = f"{c.type} {c.name}, {c.district_type} {c.district_name}, {_province_label(p)}"
        address = parse_address(text)
        expected = tuple(dict.fromkeys(c.new_commune_codes))
        if address.province_code != p.new_province_code or address.commune_codes != expected:
            misses.append(c.code)
        assert address.shape == "old"
    assert misses == []


def test_a_bare_number_is_not_a_province():
    # "12" is the code of Lai Châu, but in an address it is a house or a hamlet number
    address = parse_address("Phường Mỹ Phong, 12", province_hint="82")
    assert address.province is None
    assert address.province_code == "82"
    assert address.commune_codes == MY_PHONG
