"""Legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows) read as Windows-1252, back to Unicode.

The encoders below are built from the package's own tables, so every letter of both tables is
exercised; the literal samples are typed as such text arrives in real exports, so that a wrong
table cannot pass by agreeing with itself.
"""

from __future__ import annotations

import csv
import unicodedata
from functools import cache
from importlib import resources

import pytest

from reconcile.text.admin_units import communes, old_communes, old_provinces, provinces
from reconcile.text.unicode import repair_legacy

LEGACY = resources.files("reconcile.text") / "data" / "legacy"


def _rows(name: str) -> list[dict[str, str]]:
    with (LEGACY / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@cache
def _tcvn3() -> dict[str, str]:
    return {r["unicode"]: bytes([int(r["byte"], 16)]).decode("cp1252") for r in _rows("tcvn3.csv")}


@cache
def _vni() -> dict[str, str]:
    return {r["unicode"]: r["vni"] for r in _rows("vni.csv")}


def to_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 as read in cp1252; TCVN3 has no toned capitals, so lower them."""
    table = _tcvn3()
    return "".join(
        table.get(ch) or table.get(ch.lower(), ch) for ch in unicodedata.normalize("NFC", text)
    )


def to_vni(text: str) -> str:
    table = _vni()
    return "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def test_tables_cover_every_vietnamese_letter():
    letters = set("aăâeêioôơuưy")
    tones = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
    toned = {unicodedata.normalize("NFC", b + t) for b in letters for t in tones} - letters
    lower = toned | {"ă", "â", "ê", "ô", "ơ", "ư", "đ"}
    assert lower <= set(_tcvn3())
    same_in_vni = set("íìÍÌ")  # VNI writes these with the Latin-1 bytes Unicode uses
    assert (lower | {ch.upper() for ch in lower}) - same_in_vni <= set(_vni())
    assert not same_in_vni & set(_vni())
    assert len(set(_tcvn3().values())) == len(_tcvn3())  # one byte, one letter


# --- literal samples, as they arrive ---------------------------------------------------------

TCVN3_SAMPLES = [
    ("C«ng ty TNHH Th\u00ad¬ng m¹i DÞch vô Hµ Néi", "Công ty TNHH Thương mại Dịch vụ Hà Nội"),
    ("§ång Th¸p", "Đồng Tháp"),
    ("TØnh TiÒn Giang", "Tỉnh Tiền Giang"),
    ("X· Mü Phong, Thµnh phè Mü Tho", "Xã Mỹ Phong, Thành phố Mỹ Tho"),
    ("C«NG TY Cæ PHÇN X¢Y DùNG", "CÔNG TY CỔ PHẦN XÂY DỰNG"),  # .VnTimeH capitals
    ("C«NG TY ABC", "CÔNG TY ABC"),
]

VNI_SAMPLES = [
    ("Coâng ty TNHH Thöông maïi Dòch vuï", "Công ty TNHH Thương mại Dịch vụ"),
    ("Ñoàng Thaùp", "Đồng Tháp"),
    ("Tænh Tieàn Giang", "Tỉnh Tiền Giang"),
    ("COÂNG TY COÅ PHAÀN XAÂY DÖÏNG", "CÔNG TY CỔ PHẦN XÂY DỰNG"),
    ("Xaõ Myõ Phong, Thaønh phoá Myõ Tho", "Xã Mỹ Phong, Thành phố Mỹ Tho"),
    # "Coâng" also reads as a TCVN3 word ("Coõng"): the VNI pair "oâ" decides
    ("Coâng ty \u201cABC\u201d", "Công ty \u201cABC\u201d"),
]


@pytest.mark.parametrize(("legacy", "unicode"), TCVN3_SAMPLES)
def test_tcvn3_literal_samples(legacy, unicode):
    assert repair_legacy(legacy) == unicode


@pytest.mark.parametrize(("legacy", "unicode"), VNI_SAMPLES)
def test_vni_literal_samples(legacy, unicode):
    assert repair_legacy(legacy) == unicode


def test_utf8_read_as_cp1252_is_undone():
    mojibake = "Công ty TNHH Thương mại".encode().decode("cp1252", errors="replace")
    assert mojibake.startswith("CÃ´ng")
    assert repair_legacy(mojibake) == "Công ty TNHH Thương mại"


def _lossy_mojibake(text: str) -> str:
    """UTF-8 read as Windows-1252 and written back by a program that put "?" for the five
    bytes Windows-1252 lacks, and a plain space for the no-break space (0xA0)."""
    read = "".join(bytes([b]).decode("cp1252", errors="replace") for b in text.encode())
    return read.replace("\ufffd", "?").replace("\xa0", " ")


@pytest.mark.parametrize(
    "name",
    [
        "CÔNG TY CỔ PHẦN ĐẦU TƯ GIA ĐẠT",
        "Công ty TNHH MTV Dịch vụ Vận tải Ngọc Hải",
        "Chi nhánh Công ty TNHH Một thành viên Đông Nguyên",
        "CHI NHÁNH CÔNG TY TNHH XÂY DỰNG THƯƠNG MẠI LẤP VÒ",
    ],
)
def test_utf8_read_as_cp1252_with_bytes_lost_is_undone(name):
    mojibake = _lossy_mojibake(name)
    assert mojibake != name
    assert repair_legacy(mojibake) == name


def test_a_latin_name_that_only_looks_broken_is_left_alone():
    assert repair_legacy("Ô Loan") == "Ô Loan"
    assert repair_legacy("Is it ok? yes") == "Is it ok? yes"


# --- built from the tables -------------------------------------------------------------------

NAMES = [
    "Công ty TNHH Một thành viên Thương mại Dịch vụ Hiệp Phát",
    "Công ty Cổ phần Đầu tư Xây dựng Tân Hải Sơn",
    "Doanh nghiệp tư nhân Trần Thụy Thảo",
    "Hợp tác xã Nông nghiệp Mỹ Phong",
    "Ấp Bình Hòa, Xã Bình Thạnh, Huyện Cao Lãnh, Tỉnh Đồng Tháp",
    "Số 12 đường Nguyễn Huệ, Phường 1, Thành phố Mỹ Tho, Tỉnh Tiền Giang",
    "Chi nhánh Công ty cổ phần Xuất nhập khẩu Thủy sản Bến Tre",
    "Văn phòng đại diện Công ty TNHH Quảng cáo Nguyễn Gia",
]


@pytest.mark.parametrize("name", NAMES)
def test_tcvn3_round_trip(name):
    legacy = to_tcvn3(name)
    assert legacy != name
    assert repair_legacy(legacy).lower() == name.lower()


@pytest.mark.parametrize("name", NAMES)
def test_tcvn3_capitals_round_trip(name):
    legacy = to_tcvn3(name.upper())
    assert repair_legacy(legacy) == name.upper()


@pytest.mark.parametrize("name", NAMES)
def test_vni_round_trip(name):
    legacy = to_vni(name)
    assert legacy != name
    assert repair_legacy(legacy) == name
    assert repair_legacy(to_vni(name.upper())) == name.upper()


def test_every_old_address_round_trips():
    """Pre-2025 addresses written out in full (every third of 10,047), in each encoding."""
    province_names = {p.code: f"{p.type} {p.name}" for p in old_provinces()}
    misses = {"tcvn3": 0, "vni": 0}
    sample = old_communes()[::3]
    assert len(sample) > 3_000
    for c in sample:
        address = f"{c.type} {c.name}, {c.district_type} {c.district_name}, {province_names[c.province_code]}"
        if repair_legacy(to_tcvn3(address)).lower() != address.lower():
            misses["tcvn3"] += 1
        if repair_legacy(to_vni(address)) != address:
            misses["vni"] += 1
    assert misses == {"tcvn3": 0, "vni": 0}


# --- false positives -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "CONG TY TNHH THUONG MAI HIEP PHAT",
        "ABC Trading Co., Ltd",
        "0312687878",
        "Hòa Bình",
        "Cà Mau",
        "Ia Púch",
        "Café Hòa Bình",
        "Hòa Bình \u201cTân Phú\u201d",
        "Cà Mau \u2013 Tân Phú",
        "25°C",
        "Tân Phú, Hồ Chí Minh",
        unicodedata.normalize("NFD", "Công ty Cổ phần Hiệp Phát"),
        "",
    ],
)
def test_plain_and_unicode_text_is_left_alone(text):
    assert repair_legacy(text) == text


def test_every_real_unit_name_is_left_alone():
    names = [p.name for p in provinces()] + [p.name for p in old_provinces()]
    names += [c.name for p in provinces() for c in communes(p.code)]
    names += [c.name for c in old_communes()] + [c.district_name for c in old_communes()]
    changed = [n for n in names if repair_legacy(n) != n]
    assert len(names) > 13_000
    assert changed == []
