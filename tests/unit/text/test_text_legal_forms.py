"""Firm names: legal forms in any spelling, the distinguishing core, the foreign name."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from reconcile.text.legal_forms import LEGAL_FORM_LABELS, legal_form_label, parse_name


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("Công ty trách nhiệm hữu hạn Hiệp Phát", ("TNHH",)),
        ("Công ty TNHH Hiệp Phát", ("TNHH",)),
        ("Cty TNHH Hiệp Phát", ("TNHH",)),
        ("C.TY T.N.H.H HIỆP PHÁT", ("TNHH",)),
        ("TNHH Hiệp Phát", ("TNHH",)),
        ("CONG TY TRACH NHIEM HUU HAN HIEP PHAT", ("TNHH",)),
        ("Công ty TNHH hai thành viên trở lên Hiệp Phát", ("TNHH",)),
        ("Công ty TNHH một thành viên Hiệp Phát", ("TNHH_MTV",)),
        ("CÔNG TY TNHH MTV HIỆP PHÁT", ("TNHH_MTV",)),
        ("Cty TNHH 1TV Hiệp Phát", ("TNHH_MTV",)),
        ("CTY TNHH1TV HIEP PHAT", ("TNHH_MTV",)),
        ("Công ty trách nhiệm hữu hạn 1 thành viên Hiệp Phát", ("TNHH_MTV",)),
        ("Công ty cổ phần Hiệp Phát", ("CP",)),
        ("Công ty CP Hiệp Phát", ("CP",)),
        ("CTCP Hiệp Phát", ("CP",)),
        ("Cty CP Hiệp Phát", ("CP",)),
        ("CONG TY CO PHAN HIEP PHAT", ("CP",)),
        ("Công ty hợp danh Luật Hiệp Phát", ("HD",)),
        ("Doanh nghiệp tư nhân Hiệp Phát", ("DNTN",)),
        ("DNTN Hiệp Phát", ("DNTN",)),
        ("Hợp tác xã Nông nghiệp Mỹ Phong", ("HTX",)),
        ("HTX Nông nghiệp Mỹ Phong", ("HTX",)),
        ("Tổng công ty Điện lực miền Nam", ("TCT",)),
        ("Tập đoàn Hiệp Phát", ("TAP_DOAN",)),
        ("Công ty CP Tập đoàn Hiệp Phát", ("CP", "TAP_DOAN")),
        ("Chi nhánh Công ty TNHH Hiệp Phát", ("CN", "TNHH")),
        ("CN CTY CP HIỆP PHÁT", ("CN", "CP")),
        ("Chi nhánh Công ty TNHH MTV Hiệp Phát tại Đồng Tháp", ("CN", "TNHH_MTV")),
        ("Công ty TNHH Hiệp Phát - CN Cần Thơ", ("TNHH", "CN")),
        ("Văn phòng đại diện Công ty TNHH Hiệp Phát", ("VPDD", "TNHH")),
        ("VPĐD CTY TNHH HIỆP PHÁT", ("VPDD", "TNHH")),
        ("Địa điểm kinh doanh - Công ty CP Hiệp Phát", ("DDKD", "CP")),
        ("Công ty Điện lực Đồng Tháp", ("CONG_TY",)),
        ("Hiệp Phát", ()),
    ],
)
def test_legal_forms(name, forms):
    assert parse_name(name).legal_forms == forms


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        # dotted abbreviations
        ("H.T.X Nông nghiệp Mỹ Phong", ("HTX",)),
        ("C.T.Y T.N.H.H Hiệp Phát", ("TNHH",)),
        ("C.TY TNHH M.T.V Hiệp Phát", ("TNHH_MTV",)),
        ("Công ty C.P Hiệp Phát", ("CP",)),
        ("C.Nhánh Công ty TNHH Hiệp Phát", ("CN", "TNHH")),
        ("DN.TN Hiệp Phát", ("DNTN",)),
        # HD for hợp danh, only right after "Công ty"
        ("CÔNG TY HD LUẬT HIỆP PHÁT", ("HD",)),
        ("C.TY H.D Hiệp Phát", ("HD",)),
        ("Công ty hợp doanh Hiệp Phát", ("HD",)),
        # spelled out without diacritics, with a space lost or a word mistyped
        ("CONG TY TRACH NHIEM HUU HAN MOT THANH VIEN HIEP PHAT", ("TNHH_MTV",)),
        ("Cong ty trach nhiemhuu han Hiep Phat", ("TNHH",)),
        ("Cong ty trach nhiem huu han mot thanhvien Hiep Phat", ("TNHH_MTV",)),
        ("CTY TRÁCH NHIỆM HỮU HẠNH MTV HIỆP PHÁT", ("TNHH_MTV",)),
        ("Doanh ngiệp tư nhân Hiệp Phát", ("DNTN",)),
        ("Hợp tắc xã Mỹ Phong", ("HTX",)),
        ("Công ty TNHHMột thành viên Hiệp Phát", ("TNHH_MTV",)),
        # common typos of the abbreviations
        ("Công ty TNNH Hiệp Phát", ("TNHH",)),
        ("Công ty TNHHH MTV Hiệp Phát", ("TNHH_MTV",)),
        ("Cty TNHH MVT Hiệp Phát", ("TNHH_MTV",)),
        ("CÔNG TY THNH HIỆP PHÁT", ("TNHH",)),
        # the words in another order
        ("Công ty MTV TNHH Hiệp Phát", ("TNHH_MTV",)),
        ("Cổ phần Công ty Hiệp Phát", ("CP",)),
        ("Công ty hữu hạn trách nhiệm Hiệp Phát", ("TNHH",)),
    ],
)
def test_legal_form_variants_the_tables_once_lacked(name, forms):
    parsed = parse_name(name)
    assert parsed.legal_forms == forms
    assert parsed.core in ("hiep phat", "luat hiep phat", "nong nghiep my phong", "my phong")


def test_hd_is_a_name_where_it_does_not_follow_cong_ty():
    parsed = parse_name("Công ty TNHH HD Phát")
    assert parsed.legal_forms == ("TNHH",) and parsed.core == "hd phat"


@pytest.mark.parametrize(
    ("name", "core", "place"),
    [
        ("CÔNG TY TNHH MTV CƠ KHÍ LONG BÌNH TẠI GÒ CÔNG TÂY", "co khi long binh", "go cong tay"),
        ("Chi nhánh Gò Công Tây - Công ty TNHH MTV Cơ khí Long Bình", "co khi long binh",
         "go cong tay"),
        ("Chi nhánh Công ty TNHH Cơ khí Long Bình - Cai Lậy", "co khi long binh", "cai lay"),
        ("Công ty TNHH Hiệp Phát - CN Cần Thơ", "hiep phat", "can tho"),
        ("Chi nhánh 2 - Công ty TNHH Hiệp Phát", "hiep phat", "2"),
        ("Cong ty TNHH Thuong mai Minh Hoang tai My Ngai", "thuong mai minh hoang", "my ngai"),
        # "tại" mistyped: a letter changed, doubled or two swapped
        ("Công ty TNHH MTV Xây dựng Kim Minh tạj Vĩnh Long", "xay dung kim minh", "vinh long"),
        ("Công ty TNHH In ấn Phú Phong tạại Vũng Liêm", "in an phu phong", "vung liem"),
        ("Công ty TNHH Huỳnh Thùy Tâm tiạ Duyên Hải", "huynh thuy tam", "duyen hai"),
        ("CÔNG TY TNHH MINH LONG YẠI CHỢ LÁCH", "minh long", "cho lach"),
        # "tại" glued to the word before it
        ("CÔNG TY CỔ PHẦN HƯNG VƯỢNGTẠI MỸ THO", "hung vuong", "my tho"),
        # ... or to the word after it, or its last letter moved across the space
        ("Công ty TNHH MTV Tư vấn Thuận An tạiLai Vung", "tu van thuan an", "lai vung"),
        ("Công ty TNHH Dịch vụ Xuân Hưng tạ iSa Đéc", "dich vu xuan hung", "sa dec"),
        ("Công ty TNHH MTV Nguyễn Hữu Trungt ại Mỹ Tân", "nguyen huu trung", "my tan"),
        # its first letter dropped, or hit on a key beside it
        ("CÔNG TY TNHH NÔNG SẢN NAM MỸ 2 ẠI SA ĐÉC", "nong san nam my 2", "sa dec"),
        ("CÔNG TY TNHH VẬT LIỆU XÂY DỰNG MINH LONG RẠI ĐỊNH YÊN", "vat lieu xay dung minh long",
         "dinh yen"),
        # "tai" without its diacritics in a name that has them
        ("Công ty Cổ phần Du lịch Tân Hải Sơn tai Lấp Vò", "du lich tan hai son", "lap vo"),
    ],
)  # fmt: skip
def test_where_a_branch_is_stays_out_of_the_core(name, core, place):
    parsed = parse_name(name)
    assert (parsed.core, parsed.branch_place) == (core, place)
    assert parsed.is_dependent_unit


@pytest.mark.parametrize(
    "name",
    ["CONG TY TNHH VAN TAI MY THO", "Công ty TNHH Phát Tài", "CÔNG TY TNHH TÀI LỘC",
     "CONG TY TNHH PHAT TAI LOC", "Công ty TNHH Thương mại Tân Thành", "Công ty TNHH Tia Sáng",
     "Cong ty TNHH Van tair Nam Duong", "Công ty TNHH Vận tai Long An", "Công ty TNHH Tạ Ích",
     "Công ty TNHH Thương mại Sa Đéc", "Công ty TNHH Đại Sa Đéc",
     "CÔNG TY TNHH THƯƠNG MẠI TÂB KHÁNH TRUNG"],
)  # fmt: skip
def test_tai_that_is_not_at_makes_no_branch(name):
    parsed = parse_name(name)
    assert not parsed.is_dependent_unit and parsed.branch_place is None


def test_spellings_of_one_firm_meet():
    spellings = [
        "CÔNG TY TNHH MTV TM DV HIỆP PHÁT",
        "Cty TNHH 1TV Thương mại Dịch vụ Hiệp Phát",
        "Công ty trách nhiệm hữu hạn một thành viên thương mại và dịch vụ Hiệp Phát",
        "CONG TY TNHH MOT THANH VIEN THUONG MAI - DICH VU HIEP PHAT",
        "CÔNG TY TNHH CÔNG TY TNHH MTV TM&DV HIỆP PHÁT",
        unicodedata.normalize("NFD", "Công ty TNHH MTV TMDV Hiệp Phát"),
        "Cty TNHH MTV TM-DV Hiệp Phát (HIEP PHAT TRADING SERVICE CO., LTD)",
    ]
    parsed = [parse_name(s) for s in spellings]
    assert {p.legal_forms for p in parsed} == {("TNHH_MTV",)}
    assert {p.core for p in parsed} == {"thuong mai dich vu hiep phat"}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("CÔNG TY TNHH HIỆP PHÁT", "CÔNG TY TNHH HIỆP PHÁT II"),
        ("CÔNG TY TNHH TÂN HẢI", "CÔNG TY TNHH TÂN HẢI SƠN"),
        ("CÔNG TY TNHH 257", "CÔNG TY TNHH 258"),
    ],
)
def test_distinguishing_tokens_are_kept(a, b):
    assert parse_name(a).core != parse_name(b).core
    assert parse_name(a).legal_forms == parse_name(b).legal_forms


def test_legal_form_alone_tells_firms_apart():
    one, two = parse_name("Công ty TNHH Hiệp Phát"), parse_name("Công ty TNHH MTV Hiệp Phát")
    assert one.core == two.core == "hiep phat"
    assert one.legal_forms != two.legal_forms


def test_numerals_and_roman_numerals_stay_in_core():
    assert parse_name("CÔNG TY TNHH HIỆP PHÁT II").tokens == ("hiep", "phat", "ii")
    assert parse_name("CÔNG TY TNHH 257").core == "257"


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("Công ty TNHH SX TM XD Hiệp Phát", "san xuat thuong mai xay dung hiep phat"),
        ("CTCP ĐT XNK Đồng Tháp", "dau tu xuat nhap khau dong thap"),
        ("CTY CP SXTMDV 257", "san xuat thuong mai dich vu 257"),
        ("CÔNG TY TNHH THƯƠNG MẠI - DỊCH VỤ - QUẢNG CÁO", "thuong mai dich vu quang cao"),
        ("Công ty CP Xây dựng & Thương mại ABC", "xay dung thuong mai abc"),
        ("Công ty TNHH Vá Lưới", "va luoi"),  # "vá" (to mend) is not "và" (and)
        ("Công ty TNHH TM DV CN Sao Mai", "thuong mai dich vu cn sao mai"),  # CN = công nghệ
        ("CÔNG TY TNHH MTV TRẦN THỤY THẢO", "tran thuy thao"),
    ],
)
def test_core(name, core):
    assert parse_name(name).core == core


def test_foreign_name_in_parentheses():
    parsed = parse_name("Công ty CP Xây dựng Hiệp Phát (HIEP PHAT CONSTRUCTION JSC)")
    assert parsed.foreign == "HIEP PHAT CONSTRUCTION JSC"
    assert parsed.core == "xay dung hiep phat"
    assert parsed.legal_forms == ("CP",)
    assert "construction" in parsed.folded


def test_fields_and_immutability():
    parsed = parse_name("  CÔNG TY  TNHH  HIỆP PHÁT ")
    assert parsed.original == "  CÔNG TY  TNHH  HIỆP PHÁT "
    assert parsed.folded == "cong ty tnhh hiep phat"
    assert parsed.tokens == tuple(parsed.core.split())
    assert parsed.foreign is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.core = "x"  # type: ignore[misc]


def test_dependent_unit_flag():
    assert parse_name("Chi nhánh Công ty TNHH Hiệp Phát").is_dependent_unit
    assert not parse_name("Công ty TNHH Hiệp Phát").is_dependent_unit


def test_legacy_encoded_name_is_repaired_first():
    parsed = parse_name("C«ng ty TNHH Th\u00ad¬ng m¹i HiÖp Ph¸t")
    assert parsed.legal_forms == ("TNHH",)
    assert parsed.core == "thuong mai hiep phat"
    vni = parse_name("Coâng ty coå phaàn Hieäp Phaùt")
    assert vni.legal_forms == ("CP",)
    assert vni.core == "hiep phat"


def test_empty_name():
    parsed = parse_name("")
    assert parsed.legal_forms == () and parsed.core == "" and parsed.tokens == ()


def test_labels():
    assert LEGAL_FORM_LABELS["TNHH_MTV"] == "Công ty TNHH một thành viên"
    assert LEGAL_FORM_LABELS["CP"] == "Công ty cổ phần"
    assert LEGAL_FORM_LABELS["VPDD"] == "Văn phòng đại diện"
    assert legal_form_label("DNTN") == "Doanh nghiệp tư nhân"
    assert legal_form_label("XYZ") == "XYZ"
    with pytest.raises(TypeError):
        LEGAL_FORM_LABELS["CP"] = "x"  # type: ignore[index]


def test_every_code_parse_name_returns_has_a_label():
    names = [
        "Công ty TNHH MTV A", "CTCP B", "DNTN C", "HTX D", "Tổng công ty E", "Tập đoàn F",
        "Chi nhánh G", "VPĐD H", "Địa điểm kinh doanh I", "Công ty hợp danh J", "Công ty K",
        "Hộ kinh doanh L", "Công ty TNHH M",
    ]  # fmt: skip
    codes = {code for name in names for code in parse_name(name).legal_forms}
    assert len(codes) == 13
    assert codes <= set(LEGAL_FORM_LABELS)


@pytest.mark.parametrize(
    ("name", "forms", "core"),
    [("Công ty Cổ phần418", ("CP",), "418"), ("CÔNG TY TNHH257", ("TNHH",), "257"),
     ("CÔNG TY TNHHSẢN XUẤT AN", ("TNHH",), "san xuat an")],
)  # fmt: skip
def test_a_form_glued_to_the_word_or_number_after_it_is_split(name, forms, core):
    parsed = parse_name(name)
    assert (parsed.legal_forms, parsed.core) == (forms, core)


@pytest.mark.parametrize(
    ("name", "core", "forms"),
    [
        # a space moved inside the forms that open the name
        ("Chi nhánh Công t yTNHH Sản xuất Tân Quới", "san xuat tan quoi", {"CN", "TNHH"}),
        ("Chi nhán hCông ty TNHH An Phú", "an phu", {"CN", "TNHH"}),
        # a form glued to the next word, seen where the case changes, or the word typed
        # without diacritics
        ("Cong ty TNHH Mot thanh vienThuong mai Hoa Khanh", "thuong mai hoa khanh", {"TNHH_MTV"}),
        ("Công ty TNHHFia Việt", "fia viet", {"TNHH"}),
        # two letters of a form's word swapped, "ty" left out before the form
        ("Công ty trách nhiệm hữu hạn một thành vêin Hiệp An", "hiep an", {"TNHH_MTV"}),
        ("CÔNG TNHH PHÚC ĐẠT", "phuc dat", {"TNHH"}),
        ("Cong co phan Tam Hiep", "tam hiep", {"CP"}),
    ],
)  # fmt: skip
def test_forms_written_with_slips_are_read(name, core, forms):
    parsed = parse_name(name)
    assert parsed.core == core
    assert set(parsed.legal_forms) - {"CONG_TY"} == forms


@pytest.mark.parametrize(
    ("name", "core"),
    [("Công ty TNHH VinaCapital", "vinacapital"), ("Công nghệ ABC", "cong nghe abc"),
     ("Công ty TNHH Tư vấn Xây dựng", "tu van xay dung"), ("Công Thành TNHH", "cong thanh")],
)  # fmt: skip
def test_words_that_only_look_glued_stay_whole(name, core):
    assert parse_name(name).core == core
