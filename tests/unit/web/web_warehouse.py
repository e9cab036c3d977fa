"""The web tests' warehouse: two provinces (82, 86), a firm named with a script tag, users."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import Engine, func, insert, select
from werkzeug.security import generate_password_hash

from reconcile.warehouse.schema import (
    case_status,
    decision,
    employer_unit,
    finding,
    firm,
    link,
)

QUARTER, EARLIER = "2025Q2", "2025Q1"
RESOLVED = "UNREGISTERED-0300000009"  # found in EARLIER only: resolved in QUARTER
SECRET = "a-test-secret-of-enough-length"
XSS = "<script>alert(1)</script>"
PASSWORDS = {"an": "mat-khau-an", "binh": "mat-khau-binh", "chi": "mat-khau-chi"}
BULK = 52  # more cases of 82 than one page holds (50)
LISTED = BULK + 4  # 82's cases listed in QUARTER: the bulk, three found, one resolved
_HASH = "pbkdf2:sha256:1000"  # cheap for tests; the real users file uses werkzeug's default


def users_mapping() -> dict[str, dict[str, object]]:
    return {
        "an": {"name": "Nguyễn Thị An", "role": "inspector", "provinces": ["82"],
               "password_hash": generate_password_hash(PASSWORDS["an"], _HASH)},
        "binh": {"name": "Trần Văn Bình", "role": "viewer", "provinces": ["82"],
                 "password_hash": generate_password_hash(PASSWORDS["binh"], _HASH)},
        "chi": {"name": "Lê Minh Chi", "role": "admin",
                "password_hash": generate_password_hash(PASSWORDS["chi"], _HASH)},
    }  # fmt: skip


# doubtful pairs (the review band): (unit, tax code, province, unit name, unit address, firm)
REVIEW_PAIRS = [
    ("DT0101", "0300000101", "82", f"{XSS} CTY TNHH HOA SEN", "Số 7 Nguyễn Huệ, Phường Cao Lãnh",
     ("Công ty TNHH Hoa Sen Đồng Tháp", "7 Nguyễn Huệ, Phường Cao Lãnh")),
    ("DT0102", "0300000102", "82", "DNTN MINH PHAT", "Ấp 3, Xã Mỹ Thọ",
     ("Doanh nghiệp tư nhân Minh Phát II", "Ấp 3, Xã Mỹ Thọ")),
    ("VL0201", "8600000201", "86", "CTY VINH LONG XANH", "Phường 1, Vĩnh Long",
     ("Công ty Vĩnh Long Xanh", "Phường 1, Vĩnh Long")),
]  # fmt: skip


def review_evidence(unit_name: str, firm_name: str, probability: float) -> dict:
    """A fuzzy link's evidence, with the keys of ``match.link.explain``."""
    return {
        "probability": probability, "unit_name": unit_name.lower(), "firm_name": firm_name.lower(),
        "name_score": 88.0, "street_score": 95.0,
        "levels": {"name": "same_words", "legal_form": "compatible", "commune": "same",
                   "street": ">=90", "tax_code": "missing"},
        "weights": {"name": 6.1, "legal_form": 0.4, "commune": 2.3, "street": 1.8, "tax_code": 0.0},
        "prior": -1.58, "roll_tax_code": None, "unit_communes": ["29869"], "firm_communes": ["29869"],
    }  # fmt: skip


def _finding(quarter: str, case_id: str, province: str, money: int, **extra: object) -> dict:
    row = {
        "quarter": quarter,
        "case_id": case_id,
        "rule": "NOT_REGISTERED",
        "province": province,
        "tax_code": None,
        "unit_code": None,
        "name": f"Công ty {case_id}",
        "address": "Ấp 1, Xã Tân Hội, Tỉnh Đồng Tháp",
        "severity": 3,
        "legal_basis": "Luật BHXH 41/2024/QH15, Điều 39 khoản 1 điểm a",
        "evidence": {"pit_employees": 12, "tax_status": "active"},
        "money_at_stake": money,
    }
    row.update(extra)
    return row


def fill(engine: Engine) -> None:
    findings = [
        _finding(QUARTER, "UNREGISTERED-0300000001", "82", 9_000_000, tax_code="0300000001",
                 name=f"{XSS} Công ty TNHH Sen Hồng", address="12 Lê Lợi, Phường Cao Lãnh, Đồng Tháp"),
        _finding(QUARTER, "UNDER_REGISTERED-DT0002", "82", 5_000_000, rule="UNDER_REGISTERED",
                 unit_code="DT0002", tax_code="0300000002", name="Công ty CP Mỹ Trà",
                 address="5 Hùng Vương, Phường Cao Lãnh, Đồng Tháp",
                 evidence={"wage_bill": 123_456_000, "insured_employees": 3, "unit_status": "paying"}),
        _finding(QUARTER, "UNDER_REGISTERED-DT0002", "82", 1_000_000, rule="WAGE_BELOW_FLOOR",
                 unit_code="DT0002", tax_code="0300000002", name="Công ty CP Mỹ Trà",
                 address="5 Hùng Vương, Phường Cao Lãnh, Đồng Tháp"),
        _finding(EARLIER, "UNDER_REGISTERED-DT0002", "82", 4_000_000, rule="UNDER_REGISTERED",
                 unit_code="DT0002", tax_code="0300000002", name="Công ty CP Mỹ Trà",
                 address="5 Hùng Vương, Phường Cao Lãnh, Đồng Tháp"),
        _finding(QUARTER, "UNREGISTERED-0300000003", "82", 7_000_000, tax_code="0300000003",
                 address="Ấp 2, Xã Mỹ Thọ, Đồng Tháp"),
        _finding(EARLIER, RESOLVED, "82", 3_000_000, tax_code="0300000009",
                 name="Công ty TNHH Hoà Bình", address="9 Nguyễn Huệ, Phường Sa Đéc, Đồng Tháp"),
        _finding(QUARTER, "UNREGISTERED-8600000001", "86", 50_000_000, tax_code="8600000001",
                 name="Công ty Vĩnh Long", address="Phường 1, Vĩnh Long"),
    ]  # fmt: skip
    findings += [
        _finding(QUARTER, f"UNREGISTERED-BULK{i:03d}", "82", 1_000 * (i + 1)) for i in range(BULK)
    ]
    statuses = [
        {"quarter": EARLIER, "case_id": "UNDER_REGISTERED-DT0002", "province": "82", "status": "new"},
        {"quarter": QUARTER, "case_id": "UNDER_REGISTERED-DT0002", "province": "82",
         "status": "persisting"},
        {"quarter": QUARTER, "case_id": "UNREGISTERED-0300000003", "province": "82",
         "status": "reopened"},
        {"quarter": QUARTER, "case_id": "UNREGISTERED-0300000001", "province": "82", "status": "new"},
        {"quarter": QUARTER, "case_id": "UNREGISTERED-8600000001", "province": "86", "status": "new"},
        {"quarter": EARLIER, "case_id": RESOLVED, "province": "82", "status": "new"},
        {"quarter": QUARTER, "case_id": RESOLVED, "province": "82", "status": "resolved"},
    ]  # fmt: skip
    firms = [
        {"quarter": EARLIER, "tax_code": "0300000009", "province": "82", "root": "0300000009",
         "name": "Công ty TNHH Hoà Bình", "address": "9 Nguyễn Huệ, Phường Sa Đéc",
         "tax_status": "active", "pit_employees": 6, "in_tax": True, "in_registry": True},
        {"quarter": QUARTER, "tax_code": "0300000001", "province": "82", "root": "0300000001",
         "name": f"{XSS} Công ty TNHH Sen Hồng", "address": "12 Lê Lợi, Phường Cao Lãnh",
         "tax_status": "active", "representative": "Nguyễn Văn Hùng", "pit_employees": 12,
         "started_on": date(2021, 5, 4), "in_tax": True, "in_registry": True},
        {"quarter": QUARTER, "tax_code": "0300000002", "province": "82", "root": "0300000002",
         "name": "Công ty CP Mỹ Trà", "address": "5 Hùng Vương, Phường Cao Lãnh",
         "tax_status": "active", "representative": "Phạm Thị Lan", "in_tax": True,
         "in_registry": True},
    ]  # fmt: skip
    units = [
        {"quarter": QUARTER, "unit_code": "DT0002", "province": "82", "name": "CTY CP MY TRA",
         "tax_code_raw": "0300000002", "tax_code": "0300000002", "address": "5 Hùng Vương",
         "status": "paying", "insured_employees": 3, "wage_bill": 123_456_000,
         "joined_on": date(2019, 1, 15)},
    ]  # fmt: skip
    links = [
        {"quarter": QUARTER, "unit_code": "DT0002", "tax_code": "0300000002", "province": "82",
         "method": "exact", "weight": None, "band": "link", "evidence": {}},
    ]  # fmt: skip
    units += [
        {"quarter": QUARTER, "unit_code": unit, "province": province, "name": name,
         "tax_code_raw": None, "tax_code": None, "address": address, "status": "paying",
         "insured_employees": 4}
        for unit, _, province, name, address, _ in REVIEW_PAIRS
    ]  # fmt: skip
    firms += [
        {"quarter": QUARTER, "tax_code": tax_code, "province": province, "root": tax_code,
         "name": name, "address": address, "tax_status": "active",
         "representative": "Hoàng Văn Nam", "in_tax": True, "in_registry": True}
        for _, tax_code, province, _, _, (name, address) in REVIEW_PAIRS
    ]  # fmt: skip
    links += [
        {"quarter": QUARTER, "unit_code": unit, "tax_code": tax_code, "province": province,
         "method": "fuzzy", "weight": weight, "band": "review",
         "evidence": review_evidence(name, firm_name, probability)}
        for (unit, tax_code, province, name, _, (firm_name, _)), weight, probability in zip(
            REVIEW_PAIRS, (3.5, 2.0, 4.0), (0.72, 0.55, 0.81), strict=True)
    ]  # fmt: skip
    workbook_decision = {
        "decision_id": "file1:1", "province": "82", "quarter": EARLIER,
        "case_id": "UNDER_REGISTERED-DT0002", "decided_on": date(2025, 5, 2),
        "decision": "in_progress", "note": "Đã gửi công văn", "inspector": "Đỗ Văn Tâm",
        "source": "workbook", "file_id": "file1", "row_number": 1,
        "landed_at": datetime(2025, 5, 3, 8, 0, tzinfo=UTC),
    }  # fmt: skip
    with engine.begin() as conn:
        for table, rows in (
            (finding, findings),
            (case_status, statuses),
            (firm, firms),
            (employer_unit, units),
            (link, links),
            (decision, [workbook_decision]),
        ):
            keys = {key for row in rows for key in row}
            conn.execute(insert(table), [{key: row.get(key) for key in keys} for row in rows])


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no form token on the page"
    return match.group(1)


def decision_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(decision)).scalar_one()
