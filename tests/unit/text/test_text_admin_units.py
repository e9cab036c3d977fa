"""Administrative units before and after 1/7/2025, and province names in any spelling."""

from __future__ import annotations

import pytest

from reconcile.text.admin_units import (
    communes,
    new_communes_of_old,
    new_province_of_old,
    old_commune,
    old_communes,
    old_province_code_by_name,
    old_province_codes_of_new,
    old_provinces,
    province_code_by_name,
    provinces,
    unit_name_key,
)


def test_counts_match_the_reorganisation():
    assert len(provinces()) == 34
    assert len(old_provinces()) == 63
    assert sum(len(communes(p.code)) for p in provinces()) == 3321
    assert len(old_communes()) == 10047


def test_every_old_province_went_into_a_new_one():
    new_codes = {p.code for p in provinces()}
    assert {p.new_province_code for p in old_provinces()} == new_codes


def test_reused_codes_mean_different_provinces():
    old = {p.code: p.name for p in old_provinces()}
    new = {p.code: p.name for p in provinces()}
    assert old["82"] == "Tiền Giang" and new["82"] == "Đồng Tháp"
    assert new_province_of_old("82") == "82"  # Tiền Giang -> new Đồng Tháp
    assert new_province_of_old("87") == "82"  # old Đồng Tháp -> new Đồng Tháp
    assert {new_province_of_old(c) for c in ("83", "84", "86")} == {"86"}  # -> new Vĩnh Long
    assert old_province_codes_of_new("86") == ("83", "84", "86")
    with pytest.raises(KeyError):
        new_province_of_old("99")


def test_communes_of_a_province():
    dong_thap = communes("82")
    assert len(dong_thap) == 102
    assert {c.province_code for c in dong_thap} == {"82"}
    assert any(c.name == "Mỹ Phong" and c.type == "Phường" for c in dong_thap)
    assert communes("99") == ()


def test_old_communes_filters():
    tien_giang = old_communes(old_province_code="82")
    merged = old_communes(new_province_code="82")
    assert {c.province_code for c in tien_giang} == {"82"}
    assert {c.province_code for c in merged} == {"82", "87"}
    assert len(merged) > len(tien_giang) > 100
    assert old_communes(new_province_code="86", old_province_code="82") == ()
    assert old_communes(new_province_code="82", old_province_code="87") == old_communes(
        old_province_code="87"
    )


def test_old_commune_and_its_new_communes():
    my_phong = old_commune("28288")
    assert my_phong is not None
    assert (my_phong.name, my_phong.district_name, my_phong.province_code) == (
        "Mỹ Phong",
        "Mỹ Tho",
        "82",
    )
    assert my_phong.new_province_code == "82"
    assert new_communes_of_old("28288") == ("28273",)  # Xã Mỹ Phong -> Phường Mỹ Phong
    assert new_communes_of_old("27148") == ("27154", "27139")  # Phường 4, Quận 3: split
    assert new_communes_of_old("00000") == ()


def test_every_new_code_of_an_old_commune_is_in_its_new_province():
    new_province = {c.code: p.code for p in provinces() for c in communes(p.code)}
    wrong = [
        c.code
        for c in old_communes(old_province_code="82") + old_communes(old_province_code="83")
        for code in c.new_commune_codes
        if new_province.get(code) != new_province_of_old(c.province_code)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("TP.HCM", "79"),
        ("Tp Hồ Chí Minh", "79"),
        ("Hồ Chí Minh", "79"),
        ("Thành phố Hồ Chí Minh", "79"),
        ("TPHCM", "79"),
        ("Sài Gòn", "79"),
        ("Bình Dương", "79"),
        ("Bà Rịa - Vũng Tàu", "79"),
        ("Tỉnh Tiền Giang", "82"),
        ("TIEN GIANG", "82"),
        ("Đồng Tháp", "82"),
        ("tinh dong thap", "82"),
        ("Bến Tre", "86"),
        ("T. Trà Vinh", "86"),
        ("Vĩnh Long", "86"),
        ("Thừa Thiên Huế", "46"),
        ("Huế", "46"),
        ("Hoà Bình", "25"),
        ("Hòa Bình", "25"),
        ("Đắk Lắk", "66"),
        ("Daklak", "66"),
        ("Hà Nội", "01"),
        ("TP Cần Thơ", "92"),
        ("82", "82"),
        ("8", "08"),
        ("87", "82"),  # an old code only
    ],
)
def test_province_code_by_name(text, code):
    assert province_code_by_name(text) == code


@pytest.mark.parametrize("text", ["Mỹ Tho", "Việt Nam", "", None, "99", "Tỉnh"])
def test_province_code_by_name_unknown(text):
    assert province_code_by_name(text) is None


def test_every_official_name_resolves():
    for p in provinces():
        assert province_code_by_name(p.name) == p.code
        assert province_code_by_name(f"{p.type} {p.name}".upper()) == p.code
    for p in old_provinces():
        assert province_code_by_name(p.name) == p.new_province_code
        assert old_province_code_by_name(p.name) == p.code


def test_old_province_code_by_name():
    assert old_province_code_by_name("Tỉnh Tiền Giang") == "82"
    assert old_province_code_by_name("Đồng Tháp") == "87"
    assert old_province_code_by_name("Bến Tre") == "83"
    assert old_province_code_by_name("Mỹ Tho") is None


def test_unit_name_key():
    assert unit_name_key("07") == "7"
    assert unit_name_key("Phường 07") == "phuong 7"
    assert unit_name_key("PHƯỜNG 7") == unit_name_key("phuong 7")
    assert unit_name_key("Hoà Bình") == unit_name_key("Hòa Bình") == "hoa binh"
