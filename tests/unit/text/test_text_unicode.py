"""Unicode normal form, folding for comparison, header keys, Vietnamese syllable shape."""

from __future__ import annotations

import unicodedata

import pytest

from reconcile.text.unicode import (
    fold,
    has_vietnamese_letters,
    header_key,
    is_folded_syllable,
    is_vietnamese_syllable,
    nfc,
    strip_diacritics,
    word_pairs,
)


def test_nfc_composes_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Công ty TNHH Đồng Tháp")
    assert decomposed != "Công ty TNHH Đồng Tháp"
    assert nfc(decomposed) == "Công ty TNHH Đồng Tháp"


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("CÔNG TY  TNHH Đức-Phát", "cong ty tnhh duc phat"),
        (unicodedata.normalize("NFD", "Công ty Cổ phần Thương mại"), "cong ty co phan thuong mai"),
        ("  Hợp tác xã\tNông nghiệp  ", "hop tac xa nong nghiep"),
        ("TP.HCM", "tp hcm"),
        ("Thương mại & Dịch vụ (TM&DV)", "thuong mai dich vu tm dv"),
        ("ĐĐKD số 1/2", "ddkd so 1 2"),
        ("Hoà Bình", "hoa binh"),
        ("Hòa Bình", "hoa binh"),
        ("ma_so_thue", "ma so thue"),
        ("", ""),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_fold_meets_spellings_of_one_name():
    spellings = [
        "Công ty TNHH Thương mại Hiệp Phát",
        "CÔNG TY TNHH THƯƠNG MẠI HIỆP PHÁT",
        "cong ty tnhh thuong mai hiep phat",
        unicodedata.normalize("NFD", "Công Ty Tnhh Thương-Mại  Hiệp Phát"),
    ]
    assert len({fold(s) for s in spellings}) == 1


def test_strip_diacritics_keeps_case_and_punctuation():
    assert strip_diacritics("Đắk Lắk, Việt Nam!") == "Dak Lak, Viet Nam!"


@pytest.mark.parametrize(
    "header",
    ["Mã số thuế", "MA SO THUE", "ma_so_thue", "Mã-số-thuế", "MÃ SỐ THUẾ ", "MaSoThue"],
)
def test_header_key_matches_spellings(header):
    assert header_key(header) == "masothue"


def test_header_key_keeps_digits_and_drops_symbols():
    assert header_key("Địa chỉ (dòng 2) #") == "diachidong2"
    assert header_key("Tên doanh nghiệp") != header_key("Tên đơn vị")


def test_word_pairs_align_accented_and_folded():
    pairs = word_pairs("Xã Mỹ Phong và Xa lộ")
    assert pairs == [("xã", "xa"), ("mỹ", "my"), ("phong", "phong"), ("và", "va"),
                     ("xa", "xa"), ("lộ", "lo")]  # fmt: skip


@pytest.mark.parametrize(
    "word",
    ["Việt", "Nguyễn", "trường", "thương", "quốc", "giấy", "gì", "khuỷu", "người", "hòa", "hoà",
     "thuở", "xoong", "huếch", "oanh", "TIỀN", "Đắk"],
)  # fmt: skip
def test_real_syllables_pass(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    "word",
    ["C«ng", "ViÖt", "Vieät", "Coâng", "Hµ", "néi", "maõ", "leọ", "tiề", "càc", "bỡnh", "abc"],
)
def test_mojibake_and_misplaced_tones_fail(word):
    assert not is_vietnamese_syllable(word)


def test_has_vietnamese_letters():
    assert has_vietnamese_letters("Thương mại")
    assert has_vietnamese_letters(unicodedata.normalize("NFD", "Cà Mau"))  # combining marks
    assert not has_vietnamese_letters("Cà Mau")  # only Latin-1 letters
    assert not has_vietnamese_letters("C«ng ty")


@pytest.mark.parametrize(
    ("word", "expected"),
    [("thuong", True), ("nghieng", True), ("khuyen", True), ("gia", True), ("sa", True),
     ("fia", False), ("vienthuong", False), ("tnhh", False), ("isa", False), ("thương", False)],
)  # fmt: skip
def test_a_syllable_typed_without_diacritics_is_known(word, expected):
    assert is_folded_syllable(word) is expected
