"""The outreach list on the page: the week's new firms of the user's provinces, least time left
first, the representative masked for an inspector, closed firms with units still on the roll."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import insert
from web_warehouse import XSS

from reconcile.warehouse.schema import employer_unit, firm_history

DAY = date(2025, 9, 29)


def period(tax_code: str, province: str, registered: date, **extra: object) -> dict:
    row = {"tax_code": tax_code, "valid_from": registered, "valid_to": None, "province": province,
           "status": "active", "status_since": registered, "status_by": "DK-1",
           "registered_on": registered, "name": f"Công ty {tax_code}", "address": "Phường Sa Đéc",
           "representative": "Trần Văn Bảo", "legal_form": None, "declared_employees": 5,
           "industry": None, "opened_by": "DK-1"}  # fmt: skip
    row.update(extra)
    return row


def fill_history(engine) -> None:
    rows = [
        period("0300001001", "82", date(2025, 9, 20), name=f"{XSS} Công ty Mới"),  # 21 days left
        period("0300001002", "82", date(2025, 8, 25)),  # -5: past its window, listed first
        period("0300001003", "82", date(2025, 9, 1), declared_employees=0),  # no employees
        period("0300001004", "82", date(2025, 9, 2)),  # on the roll already (DT0002's code)
        period("8600001001", "86", date(2025, 9, 15)),  # another province
        period("0300000002", "82", date(2019, 1, 1), status="dissolved",
               status_since=date(2025, 9, 26)),  # closed this week; DT0002 still pays
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(firm_history), rows)
        conn.execute(insert(employer_unit), [{
            "quarter": "2025Q2", "unit_code": "DT0404", "province": "82", "name": "CTY 1004",
            "tax_code_raw": "0300001004", "tax_code": "0300001004", "status": "paying"}])  # fmt: skip


def listed(html: str) -> list[str]:
    return re.findall(r'<tr data-tax-code="(\d+)">', html)


def test_the_weeks_new_firms_of_the_users_provinces(sign_in, engine) -> None:
    fill_history(engine)
    page = sign_in("an").get("/outreach", params={"day": DAY.isoformat()})
    assert page.status_code == 200
    assert listed(page.text) == ["0300001002", "0300001001"]  # least time left first
    assert "8600001001" not in page.text  # 86 is not An's
    assert "&lt;script&gt;" in page.text and XSS not in page.text
    assert "Trần Văn Bảo" not in page.text  # an inspector sees it masked
    assert "0300000002" in page.text and "Đã giải thể" in page.text  # DT0002 to close
    admin = sign_in("chi").get("/outreach", params={"day": DAY.isoformat()})
    assert "8600001001" in listed(admin.text) and "Trần Văn Bảo" in admin.text


def test_another_province_or_a_bad_day_is_refused(sign_in, engine) -> None:
    fill_history(engine)
    client = sign_in("an")
    assert client.get("/outreach", params={"province": "86"}).status_code == 403
    assert client.get("/outreach", params={"day": "29/09/2025"}).status_code == 400
    later = client.get("/outreach", params={"day": "2025-12-29"})  # 60 days on: nobody left
    assert later.status_code == 200 and listed(later.text) == []
    assert 'id="outreach-empty"' in later.text
