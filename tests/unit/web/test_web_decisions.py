"""One case and its decisions: who may read, who may decide, and which decision counts."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from web_warehouse import XSS, csrf_of, decision_count

from reconcile.warehouse.schema import decision
from reconcile.web.app import create_app, today_in_vietnam

CASE = "UNDER_REGISTERED-DT0002"
OTHER = "UNREGISTERED-8600000001"


def _decide(client, case_id: str, code: str, note: str = "", token: str | None = None):
    page = client.get(f"/cases/{case_id}")
    data = {"decision": code, "note": note, "quarter": "2025Q2"}
    data["csrf_token"] = csrf_of(page.text) if token is None else token
    return client.post(f"/cases/{case_id}/decision", data=data)


def _web_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        query = select(decision).where(decision.c.source == "web").order_by(decision.c.landed_at)
        return [dict(row) for row in conn.execute(query).mappings()]


def test_the_case_page_shows_both_sides_evidence_and_history(sign_in) -> None:
    html = sign_in("an").get(f"/cases/{CASE}").text
    assert "CTY CP MY TRA" in html and "Công ty CP Mỹ Trà" in html  # the unit and the firm
    assert "Quỹ lương đóng BHXH (tháng)" in html and "123.456.000" in html
    assert "wage_bill" not in html and "unit_status" not in html  # words, never keys
    assert "Đang đóng" in html  # the unit's status in words
    assert "Khớp mã số thuế" in html  # how the unit is linked to the firm
    assert "Quý 1/2025" in html and "Tiếp diễn" in html  # status history
    assert "Đang xử lý" in html and "Đã gửi công văn" in html  # the workbook's decision
    assert "6.000.000 ₫" in html  # the case's money, over its two rules


def test_personal_data_is_masked_unless_admin(sign_in) -> None:
    inspector = sign_in("an").get(f"/cases/{CASE}").text
    assert "Phạm Thị Lan" not in inspector and "P. T. L." in inspector
    assert "Đỗ Văn Tâm" not in inspector and "Đ. V. T." in inspector
    admin = sign_in("chi").get(f"/cases/{CASE}").text
    assert "Phạm Thị Lan" in admin and "Đỗ Văn Tâm" in admin


def test_another_provinces_case_is_forbidden_to_read_and_to_decide(sign_in, engine) -> None:
    client = sign_in("an")
    page = client.get(f"/cases/{OTHER}")
    assert page.status_code == 403 and "Vĩnh Long" not in page.text
    before = decision_count(engine)
    token = csrf_of(client.get("/cases").text)
    answer = client.post(
        f"/cases/{OTHER}/decision",
        data={"decision": "resolved", "quarter": "2025Q2", "csrf_token": token},
    )
    assert answer.status_code == 403
    assert decision_count(engine) == before
    admin = sign_in("chi")
    assert admin.get(f"/cases/{OTHER}").status_code == 200
    assert _decide(admin, OTHER, "in_progress").status_code == 303  # an admin: every province
    assert decision_count(engine) == before + 1


def test_a_viewer_reads_but_cannot_decide(sign_in, engine) -> None:
    client = sign_in("binh")
    page = client.get(f"/cases/{CASE}")
    assert page.status_code == 200 and "Ghi kết luận" not in page.text
    before = decision_count(engine)
    answer = client.post(
        f"/cases/{CASE}/decision",
        data={"decision": "resolved", "quarter": "2025Q2", "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 403
    assert decision_count(engine) == before


def test_a_decision_without_or_with_a_wrong_token_writes_nothing(sign_in, engine) -> None:
    client = sign_in("an")
    before = decision_count(engine)
    missing = client.post(
        f"/cases/{CASE}/decision", data={"decision": "resolved", "quarter": "2025Q2"}
    )
    assert missing.status_code == 403
    assert _decide(client, CASE, "resolved", token="not-the-token").status_code == 403
    other_session = csrf_of(sign_in("chi").get("/cases").text)
    assert _decide(client, CASE, "resolved", token=other_session).status_code == 403
    assert decision_count(engine) == before


def test_an_unknown_decision_is_refused(sign_in, engine) -> None:
    before = decision_count(engine)
    assert _decide(sign_in("an"), CASE, "delete_everything").status_code == 400
    assert decision_count(engine) == before


def test_a_decision_is_stored_as_a_web_row_and_shown(sign_in, engine) -> None:
    client = sign_in("an")
    answer = _decide(client, CASE, "resolved", note=f"Đã nộp đủ {XSS}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{CASE}?quarter=2025Q2"
    rows = _web_rows(engine)
    assert len(rows) == 1
    row = rows[0]
    assert (row["source"], row["inspector"], row["decided_on"]) == (
        "web",
        "Nguyễn Thị An",
        today_in_vietnam(),
    )
    assert (row["province"], row["quarter"], row["case_id"]) == ("82", "2025Q2", CASE)
    assert row["decision_id"].startswith("web:") and row["file_id"] is None
    html = client.get(answer.headers["location"]).text
    assert "Đã khắc phục" in html and "Nhập trên trang web" in html
    assert "&lt;script&gt;" in html and XSS not in html  # the note, escaped
    counted = re.search(r'data-decision="([^"]+)" data-counts="yes"', html)
    assert counted and counted.group(1) == row["decision_id"]
    listed = client.get("/cases", params={"decision": "resolved"}).text
    assert f'data-case="{CASE}"' in listed


def test_two_decisions_are_both_kept_and_the_latest_counts(sign_in, engine) -> None:
    an, chi = sign_in("an"), sign_in("chi")
    assert _decide(an, CASE, "in_progress", note="lần 1").status_code == 303
    assert _decide(chi, CASE, "not_subject", note="lần 2").status_code == 303
    rows = _web_rows(engine)
    assert [r["decision"] for r in rows] == ["in_progress", "not_subject"]
    assert [r["inspector"] for r in rows] == ["Nguyễn Thị An", "Lê Minh Chi"]
    html = an.get(f"/cases/{CASE}").text
    marks = re.findall(r'data-decision="([^"]+)" data-counts="(yes|no)"', html)
    # oldest first: the workbook's (decided in May 2025), then the two made today
    assert [counts for _, counts in marks] == ["no", "no", "yes"]
    assert marks[-1][0] == rows[-1]["decision_id"]
    assert html.count("Kết luận có hiệu lực") == 1
    listed = an.get("/cases", params={"decision": "not_subject"}).text
    assert f'data-case="{CASE}"' in listed
    assert f'data-case="{CASE}"' not in an.get("/cases", params={"decision": "in_progress"}).text


def test_the_day_decided_comes_before_the_time_received(engine, users) -> None:
    """A web decision dated before the workbook's does not count, though it arrived later."""
    from fastapi.testclient import TestClient
    from web_warehouse import PASSWORDS, SECRET

    app = create_app(engine, users, secret_key=SECRET, today=lambda: date(2025, 4, 1))
    with TestClient(app, follow_redirects=False) as client:
        token = csrf_of(client.get("/login").text)
        client.post(
            "/login", data={"username": "an", "password": PASSWORDS["an"], "csrf_token": token}
        )
        assert _decide(client, CASE, "resolved").status_code == 303
        html = client.get(f"/cases/{CASE}").text
        marks = re.findall(r'data-decision="([^"]+)" data-counts="(yes|no)"', html)
        assert marks == [(_web_rows(engine)[0]["decision_id"], "no"), ("file1:1", "yes")]
        listed = client.get("/cases", params={"decision": "in_progress"}).text
        assert f'data-case="{CASE}"' in listed  # the list counts the same one
        assert "01/04/2025" in html
