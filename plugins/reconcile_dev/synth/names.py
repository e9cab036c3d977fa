"""Names that look like a Vietnamese registry's: firms, people, streets, public bodies.

Everything here draws from a ``random.Random`` handed in by the caller, so that the same
stream gives the same names. Words are kept in NFC.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


def _nfc(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", s) for s in items)


# Family names with rough shares in the population.
FAMILY_NAMES = _nfc((
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai", "Tô", "Châu",
))  # fmt: skip
FAMILY_WEIGHTS = (
    38, 11, 9.5, 7, 3, 3, 4.5, 2, 2, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5, 0.8, 0.7, 0.6, 0.5, 0.3, 0.3,
)  # fmt: skip
MIDDLE_MALE = _nfc(
    (
        "Văn",
        "Hữu",
        "Minh",
        "Đức",
        "Quốc",
        "Thanh",
        "Công",
        "Hoàng",
        "Ngọc",
        "Xuân",
        "Tấn",
        "Thành",
        "Trọng",
    )
)
MIDDLE_FEMALE = _nfc(
    ("Thị", "Thị Kim", "Thị Thu", "Thị Ngọc", "Ngọc", "Thanh", "Thùy", "Mỹ", "Bích", "Thị Thanh")
)
GIVEN_MALE = _nfc((
    "An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đông", "Hải", "Hào", "Hậu", "Hiếu",
    "Hòa", "Hoàng", "Hùng", "Hưng", "Huy", "Khang", "Khánh", "Khoa", "Kiên", "Long", "Lộc",
    "Luân", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phú", "Phúc", "Quân", "Quang", "Sơn",
    "Tài", "Tâm", "Tân", "Thắng", "Thành", "Thịnh", "Tiến", "Toàn", "Trí", "Trung", "Tuấn",
    "Tùng", "Việt", "Vinh", "Thụy",
))  # fmt: skip
GIVEN_FEMALE = _nfc((
    "Anh", "Châu", "Chi", "Dung", "Điệp", "Giang", "Hà", "Hạnh", "Hiền", "Hồng", "Huệ", "Hương",
    "Hường", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhi",
    "Nhung", "Phương", "Quyên", "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên",
    "Vân", "Vy", "Xuân", "Yến",
))  # fmt: skip

BRAND_FIRST = _nfc((
    "Hiệp", "Tân", "Phú", "Minh", "Thành", "Hưng", "Vạn", "Kim", "Hoàng", "Đại", "Thuận", "An",
    "Bảo", "Gia", "Hòa", "Hồng", "Long", "Nam", "Ngọc", "Phúc", "Quang", "Thái", "Thiên", "Toàn",
    "Trường", "Việt", "Xuân", "Đức", "Hải", "Mỹ", "Sao", "Tiến", "Trung", "Vĩnh", "Đông", "Kiến",
))  # fmt: skip
BRAND_SECOND = _nfc((
    "Phát", "Hải", "Thịnh", "Long", "Lợi", "Hưng", "Thành", "Tín", "Nguyên", "Khang", "Lộc",
    "Phúc", "Tài", "An", "Mỹ", "Đạt", "Vượng", "Quang", "Sơn", "Anh", "Việt", "Hòa", "Minh",
    "Tiến", "Trí", "Hoàng", "Phong", "Nam", "Dương", "Bình",
))  # fmt: skip
FAMOUS_BRANDS = _nfc(
    (
        "Hiệp Phát",
        "Tân Hải",
        "Phú Thịnh",
        "Minh Long",
        "Tân Hải Sơn",
        "Hoàng Gia",
        "Sao Việt",
        "Đại Dương",
    )
)
NUMERALS = ("II", "III", "2", "3", "68", "79", "86", "99", "257", "579", "1", "24h")
ACRONYMS = ("ABC", "TNT", "HTP", "A.T.P", "MTC", "VNT", "PTS", "NKL", "SG", "DTC", "H&T", "T&T")

# Trade words: (Vietnamese, English, VSIC industry code, abbreviation used in names or None)
TRADES: tuple[tuple[str, str, str, str | None], ...] = tuple(
    (unicodedata.normalize("NFC", vi), en, vsic, ab)
    for vi, en, vsic, ab in (
        ("Thương mại", "TRADING", "4690", "TM"),
        ("Dịch vụ", "SERVICES", "8299", "DV"),
        ("Xây dựng", "CONSTRUCTION", "4100", "XD"),
        ("Vận tải", "TRANSPORT", "4933", None),
        ("Thủy sản", "SEAFOOD", "1020", None),
        ("Nông sản", "AGRICULTURAL PRODUCTS", "4620", None),
        ("Sản xuất", "MANUFACTURING", "3290", "SX"),
        ("Xuất nhập khẩu", "IMPORT EXPORT", "4690", "XNK"),
        ("Đầu tư", "INVESTMENT", "6810", "ĐT"),
        ("Cơ khí", "MECHANICAL", "2592", None),
        ("Du lịch", "TRAVEL", "7911", None),
        ("Kỹ thuật", "ENGINEERING", "7110", None),
        ("Công nghệ", "TECHNOLOGY", "6201", None),
        ("Vật liệu xây dựng", "CONSTRUCTION MATERIALS", "4663", "VLXD"),
        ("Thực phẩm", "FOOD", "1079", None),
        ("Xăng dầu", "PETROLEUM", "4730", None),
        ("Nội thất", "FURNITURE", "3100", None),
        ("May mặc", "GARMENT", "1410", None),
        ("Điện tử", "ELECTRONICS", "4652", None),
        ("Tư vấn", "CONSULTING", "7020", None),
        ("Bất động sản", "REAL ESTATE", "6810", "BĐS"),
        ("Quảng cáo", "ADVERTISING", "7310", None),
        ("Chế biến", "PROCESSING", "1030", None),
        ("Môi trường", "ENVIRONMENT", "3821", None),
        ("In ấn", "PRINTING", "1811", None),
        ("Phát triển", "DEVELOPMENT", "4290", None),
        ("Nông nghiệp", "AGRICULTURE", "0161", None),
    )
)
TRADE_WEIGHTS = (
    20, 18, 10, 5, 4, 3, 6, 4, 4, 3, 2, 2, 2, 2, 2, 1.5, 1.5, 1.5, 1, 1.5, 1, 1, 1, 0.8, 0.6, 1, 1,
)  # fmt: skip
HTX_TRADES = _nfc(
    (
        "Nông nghiệp",
        "Dịch vụ Nông nghiệp",
        "Thủy sản",
        "Vận tải",
        "Tiểu thủ công nghiệp",
        "Dịch vụ Tổng hợp",
    )
)

STREETS = _nfc((
    "Nguyễn Huệ", "Lê Lợi", "Trần Hưng Đạo", "Hùng Vương", "Lý Thường Kiệt", "Nguyễn Trãi",
    "Hai Bà Trưng", "Quang Trung", "Lê Duẩn", "Ngô Quyền", "30 Tháng 4", "Nguyễn Văn Cừ",
    "Phạm Văn Đồng", "Điện Biên Phủ", "Võ Văn Kiệt", "Nguyễn Thị Minh Khai", "Lê Thánh Tông",
    "Trần Phú", "Nguyễn Du", "Phan Chu Trinh", "Phan Bội Châu", "Lạc Long Quân", "Âu Cơ",
    "Nguyễn Đình Chiểu", "Cách Mạng Tháng 8", "Võ Thị Sáu", "Lê Hồng Phong", "Tôn Đức Thắng",
    "Hoàng Hoa Thám", "Nguyễn Văn Linh", "Mạc Đĩnh Chi", "Đinh Tiên Hoàng", "Bà Triệu",
    "Chu Văn An", "Nguyễn Chí Thanh", "Trưng Nữ Vương", "Ấp Bắc", "Đống Đa", "Thống Nhất",
))  # fmt: skip
HIGHWAYS = ("1A", "1", "14", "20", "30", "50", "51", "53", "57", "60", "80", "91")


# Legal forms: key, share, name prefix(es), registry label, English suffix, short suffix.
@dataclass(frozen=True)
class LegalForm:
    key: str
    share: float
    prefixes: tuple[str, ...]
    label: str
    english: str
    short: str


LEGAL_FORMS: tuple[LegalForm, ...] = tuple(
    LegalForm(k, s, _nfc(p), unicodedata.normalize("NFC", lab), en, sh)
    for k, s, p, lab, en, sh in (
        ("tnhh_mtv", 0.36, ("Công ty TNHH MTV", "Công ty TNHH Một thành viên"),
         "Công ty trách nhiệm hữu hạn một thành viên", "COMPANY LIMITED", "CO., LTD"),
        ("tnhh", 0.24, ("Công ty TNHH",), "Công ty trách nhiệm hữu hạn hai thành viên trở lên",
         "COMPANY LIMITED", "CO., LTD"),
        ("cp", 0.15, ("Công ty Cổ phần",), "Công ty cổ phần", "JOINT STOCK COMPANY", "JSC"),
        ("dntn", 0.09, ("Doanh nghiệp tư nhân",), "Doanh nghiệp tư nhân", "PRIVATE ENTERPRISE", "PE"),
        ("htx", 0.05, ("Hợp tác xã",), "Hợp tác xã", "COOPERATIVE", "COOP"),
        ("hop_danh", 0.01, ("Công ty Hợp danh",), "Công ty hợp danh", "PARTNERSHIP", "PARTNERSHIP"),
    )
)  # fmt: skip
BRANCH_LABEL = unicodedata.normalize("NFC", "Chi nhánh")

# How the roll's clerks write each legal form instead.
LEGAL_FORM_VARIANTS: dict[str, tuple[str, ...]] = {
    unicodedata.normalize("NFC", k): _nfc(v)
    for k, v in {
        "Công ty TNHH MTV": ("Cty TNHH MTV", "Công ty TNHH 1TV", "Công ty trách nhiệm hữu hạn một thành viên", "TNHH MTV", "Cty TNHH Một thành viên"),
        "Công ty TNHH Một thành viên": ("Công ty TNHH MTV", "Cty TNHH MTV", "Cty TNHH 1TV", "Công ty trách nhiệm hữu hạn MTV"),
        "Công ty TNHH": ("Cty TNHH", "Công ty trách nhiệm hữu hạn", "TNHH", "Cty trách nhiệm hữu hạn"),
        "Công ty Cổ phần": ("Công ty CP", "CTCP", "Cty CP", "Cty Cổ phần"),
        "Doanh nghiệp tư nhân": ("DNTN", "DN tư nhân", "D.N.T.N"),
        "Hợp tác xã": ("HTX", "H.T.X"),
        "Công ty Hợp danh": ("Cty Hợp danh", "Cty HD"),
        "Chi nhánh": ("CN", "Chi nhánh"),
    }.items()
}  # fmt: skip

PUBLIC_BODIES = _nfc((
    "Trường Mầm non {place}", "Trường Tiểu học {place}", "Trường THCS {place}",
    "Trạm Y tế {ctype} {place}", "Ủy ban nhân dân {ctype} {place}", "Hội Nông dân {ctype} {place}",
    "Ban Quản lý Chợ {place}", "Hộ kinh doanh {person}", "Văn phòng Công chứng {person}",
    "Hộ kinh doanh Tạp hóa {person}", "Nhà thuốc {brand}", "Văn phòng Luật sư {person}",
))  # fmt: skip


@lru_cache(maxsize=1 << 16)
def ascii_fold(text: str) -> str:
    """Strip Vietnamese diacritics (đ -> d), keep case."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def person_name(rng: random.Random) -> str:
    family = rng.choices(FAMILY_NAMES, FAMILY_WEIGHTS)[0]
    if rng.random() < 0.55:
        return f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"


def _cap(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


@dataclass
class FirmName:
    name: str
    english: str
    short: str
    industry: str
    prefix: str  # the legal-form part as written at the start of ``name``
    trades: tuple[str, ...]
    brand: str


def brand(rng: random.Random, places: tuple[str, ...]) -> tuple[str, bool]:
    """A brand and whether it is a person's name."""
    u = rng.random()
    if u < 0.50:
        return f"{rng.choice(BRAND_FIRST)} {rng.choice(BRAND_SECOND)}", False
    if u < 0.56:
        return rng.choice(FAMOUS_BRANDS), False
    if u < 0.70:
        return rng.choice(places), False
    if u < 0.84:
        return person_name(rng), True
    if u < 0.92:
        return f"{rng.choice(BRAND_FIRST)} {rng.choice(BRAND_SECOND)} {rng.choice(NUMERALS)}", False
    if u < 0.96:
        return str(rng.randint(10, 999)), False
    return rng.choice(ACRONYMS), False


def firm_name(rng: random.Random, form: LegalForm, places: tuple[str, ...]) -> FirmName:
    prefix = rng.choice(form.prefixes)
    if form.key == "htx":
        trade = rng.choice(HTX_TRADES)
        place = rng.choice(places)
        return FirmName(
            f"{prefix} {trade} {place}",
            f"{ascii_fold(place).upper()} {ascii_fold(trade).upper()} COOPERATIVE",
            f"HTX {ascii_fold(place).upper()}",
            "0161" if "Nông" in trade else "4933",
            prefix,
            (trade,),
            place,
        )
    the_brand, is_person = brand(rng, places)
    if form.key == "dntn" and rng.random() < 0.5:
        the_brand, is_person = person_name(rng), True
    count = rng.choices((0, 1, 2, 3), (0.12 if not is_person else 0.5, 0.38, 0.35, 0.15))[0]
    picked: list[tuple[str, str, str, str | None]] = []
    while len(picked) < count:
        drawn = rng.choices(TRADES, TRADE_WEIGHTS)[0]
        if drawn not in picked:
            picked.append(drawn)
    words = [_cap(t[0]) for t in picked]
    joiner = " - " if len(words) > 1 and rng.random() < 0.25 else " "
    middle = joiner.join(words)
    name = " ".join(p for p in (prefix, middle, the_brand) if p)
    brand_en = ascii_fold(the_brand).upper()
    english = " ".join(p for p in (brand_en, " ".join(t[1] for t in picked), form.english) if p)
    short = f"{brand_en} {form.short}"
    industry = picked[0][2] if picked else rng.choice(("4690", "8299", "4100", "4933"))
    return FirmName(name, english, short, industry, prefix, tuple(t[0] for t in picked), the_brand)


def near_duplicate(rng: random.Random, base: FirmName, form: LegalForm) -> FirmName:
    """A different firm whose name differs from ``base`` by one token (numeral, word, or form)."""
    u = rng.random()
    if u < 0.4:
        suffix = rng.choice(("II", "2", "III", "Sài Gòn", "Mê Kông"))
        brand_ = f"{base.brand} {suffix}"
    elif u < 0.7:
        brand_ = f"{base.brand} {rng.choice(BRAND_SECOND)}"
    else:
        brand_ = base.brand
    prefix = rng.choice(form.prefixes)
    middle = " ".join(_cap(t) for t in base.trades)
    name = " ".join(p for p in (prefix, middle, brand_) if p)
    english = f"{ascii_fold(brand_).upper()} {form.english}"
    return FirmName(
        name,
        english,
        f"{ascii_fold(brand_).upper()} {form.short}",
        base.industry,
        prefix,
        base.trades,
        brand_,
    )


def branch_name(rng: random.Random, parent: str, place: str) -> str:
    u = rng.random()
    if u < 0.45:
        return f"{BRANCH_LABEL} {parent} tại {place}"
    if u < 0.8:
        return f"{BRANCH_LABEL} {place} - {parent}"
    return f"{BRANCH_LABEL} {parent} - {place}"


def street_part(
    rng: random.Random, commune_type: str, southern: bool, places: tuple[str, ...]
) -> str:
    u = rng.random()
    if commune_type == "Phường":
        if u < 0.5:
            return f"Số {rng.randint(1, 450)} đường {rng.choice(STREETS)}"
        if u < 0.65:
            return f"Số {rng.randint(1, 300)}/{rng.randint(1, 40)} {rng.choice(STREETS)}"
        if u < 0.8:
            return f"{rng.randint(1, 600)} {rng.choice(STREETS)}"
        if u < 0.92:
            return (
                f"Tổ {rng.randint(1, 30)}, Khu phố {rng.randint(1, 12)}"
                if southern
                else f"Tổ dân phố {rng.randint(1, 25)}"
            )
        return f"Lô {rng.choice('ABCDEF')}{rng.randint(1, 40)}, KCN {rng.choice(places)}"
    hamlet = "Ấp" if southern else "Thôn"
    if u < 0.5:
        return f"{hamlet} {rng.choice(places)}"
    if u < 0.65:
        return f"{hamlet} {rng.randint(1, 12)}"
    if u < 0.82:
        return f"Số {rng.randint(1, 900)}, Quốc lộ {rng.choice(HIGHWAYS)}"
    if u < 0.92:
        return f"Tổ {rng.randint(1, 20)}, {hamlet} {rng.choice(places)}"
    return f"Lô {rng.choice('ABCDEF')}{rng.randint(1, 40)}, CCN {rng.choice(places)}"


def public_body(rng: random.Random, place: str, commune_type: str) -> str:
    template = rng.choice(PUBLIC_BODIES)
    return template.format(
        place=place,
        ctype=commune_type.lower(),
        person=person_name(rng),
        brand=f"{rng.choice(BRAND_FIRST)} {rng.choice(BRAND_SECOND)}",
    )


# Spelled-out and abbreviated forms a registry list may start a name with -> the form's key.
_REAL_FORM_STARTS: dict[str, str] = {
    **{v: f.key for f in LEGAL_FORMS for p in f.prefixes for v in LEGAL_FORM_VARIANTS.get(p, ())},
    **{p: f.key for f in LEGAL_FORMS for p in f.prefixes},
    **{f.label: f.key for f in LEGAL_FORMS},
    unicodedata.normalize("NFC", "Công ty trách nhiệm hữu hạn"): "tnhh",
}


def legal_form_of(key_or_label: str) -> LegalForm | None:
    """A form from the list's legal-form column: its key, registry label or a name prefix."""
    folded = unicodedata.normalize("NFC", key_or_label).strip().casefold()
    for form in LEGAL_FORMS:
        spellings = (form.key, form.label, *form.prefixes)
        if folded in {s.casefold() for s in spellings}:
            return form
    return None


def real_firm_name(name: str, legal_form: str = "") -> tuple[FirmName, LegalForm]:
    """A registered name from an agency's list as the generator's ``FirmName``: its legal form
    read from the start of the name (or the list's column), the rest as the distinctive name,
    the trade words found in it as written (so that the roll's noise can move them)."""
    name = " ".join(unicodedata.normalize("NFC", name).split())
    folded = name.casefold()
    prefix, key = "", ""
    for known in sorted(_REAL_FORM_STARTS, key=len, reverse=True):
        if folded.startswith(known.casefold() + " "):
            prefix, key = name[: len(known)], _REAL_FORM_STARTS[known]
            break
    form = legal_form_of(legal_form) if legal_form else None
    form = form or next((f for f in LEGAL_FORMS if f.key == key), None) or LEGAL_FORMS[1]
    body = name[len(prefix) :].strip()
    trades = tuple(
        body[at : at + len(t[0])]
        for t in TRADES
        if (at := body.casefold().find(t[0].casefold())) >= 0
    )
    industry = next((t[2] for t in TRADES if t[0].casefold() in body.casefold()), "8299")
    body_en = ascii_fold(body).upper()
    return (
        FirmName(
            name,
            f"{body_en} {form.english}",
            f"{body_en} {form.short}",
            industry,
            prefix,
            trades,
            body,
        ),
        form,
    )
