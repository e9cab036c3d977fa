"""The doubtful pairs (review band): listed per province, both records, decided as the review
sheet's rows are (case id ``LINK-<unit>-<tax code>``), with the same checks as a case."""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import select
from web_warehouse import XSS, csrf_of, decision_count

from reconcile.quarter import Quarter
from reconcile.rules.decisions import latest, link_overrides
from reconcile.warehouse.schema import decision
from reconcile.web.app import today_in_vietnam

PAIR = ("DT0101", "0300000101")
CASE_ID = "LINK-DT0101-0300000101"
OTHER = ("VL0201", "8600000201")  # province 86's pair


def _pairs(html: str) -> list[str]:
    return re.findall(r'<section class="pair" data-pair="([^"]+)"', html)


def _post(client, pair: tuple[str, str], code: str, token: str | None = None, note: str = ""):
    data = {"unit_code": pair[0], "tax_code": pair[1], "quarter": "2025Q2", "decision": code,
            "note": note}  # fmt: skip
    if token is None:
        token = csrf_of(client.get("/links").text)
    if token:
        data["csrf_token"] = token
    return client.post("/links/decision", data=data)


def _web_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        query = select(decision).where(decision.c.source == "web").order_by(decision.c.landed_at)
        return [dict(row) for row in conn.execute(query).mappings()]


def test_an_inspector_sees_their_provinces_pairs_most_likely_first(sign_in) -> None:
    page = sign_in("an").get("/links")
    assert page.status_code == 200
    assert _pairs(page.text) == [CASE_ID, "LINK-DT0102-0300000102"]  # weight 3.5, then 2.0
    assert 'data-count="2"' in page.text
    assert "VL0201" not in page.text and "Vĩnh Long Xanh" not in page.text
    assert 'href="/links"' in sign_in("an").get("/cases").text  # in the header


def test_a_pair_shows_both_records_and_the_comparison_in_words(sign_in) -> None:
    html = sign_in("an").get("/links", params={"quarter": "2025Q2"}).text
    assert "Công ty TNHH Hoa Sen Đồng Tháp" in html and "CTY TNHH HOA SEN" in html
    assert "Số 7 Nguyễn Huệ, Phường Cao Lãnh" in html and "7 Nguyễn Huệ, Phường Cao Lãnh" in html
    # the review sheet's explanation and headers, the labels' words for each level
    assert "Khớp tên và địa chỉ (độ tin cậy 72.0%)" in html
    assert "Vì sao có thể là cùng một đơn vị" in html and "Đơn vị trên danh sách BHXH" in html
    assert (
        "cùng các từ riêng (chỉ khác từ chỉ ngành nghề)" in html and "loại hình tương thích" in html
    )
    assert "cùng xã/phường" in html and "MST trống" in html
    assert "Phường Cao Lãnh" in html and "+6.10" in html and "-1.58" in html
    for key in ("same_words", "compatible", "name_score", "unit_communes", "legal_form"):
        assert key not in html
    assert "Đúng là đơn vị này" in html and "Không phải đơn vị này" in html
    assert "Hoàng Văn Nam" not in html and "H. V. N." in html  # the representative, masked


def test_a_name_with_a_script_tag_is_escaped(sign_in) -> None:
    html = sign_in("an").get("/links").text
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; CTY TNHH HOA SEN" in html


def test_confirming_a_pair_writes_the_review_sheets_case_id(sign_in, engine) -> None:
    client = sign_in("an")
    answer = _post(client, PAIR, "confirmed", note="Cùng địa chỉ, đã gọi điện")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/links?quarter=2025Q2"
    rows = _web_rows(engine)
    assert len(rows) == 1
    row = rows[0]
    assert (row["case_id"], row["decision"], row["province"], row["quarter"]) == (
        CASE_ID, "confirmed", "82", "2025Q2",
    )  # fmt: skip
    assert (row["source"], row["inspector"], row["decided_on"]) == (
        "web", "Nguyễn Thị An", today_in_vietnam(),
    )  # fmt: skip
    assert row["decision_id"].startswith("web:") and row["note"] == "Cùng địa chỉ, đã gọi điện"
    # the pipeline reads it back as the review sheet's answer: the pair becomes a link
    overrides = link_overrides(latest(pd.DataFrame(rows), Quarter.parse("2025Q2")), pd.DataFrame())
    assert overrides.to_dict("records") == [
        {"unit_code": "DT0101", "tax_code": "0300000101", "decision": "confirmed"}
    ]
    html = client.get(answer.headers["location"]).text
    assert f'data-pair="{CASE_ID}" data-decision="confirmed"' in html
    assert 'data-pair="LINK-DT0102-0300000102" data-decision=""' in html


def test_rejecting_a_pair_writes_not_a_match(sign_in, engine) -> None:
    assert _post(sign_in("an"), ("DT0102", "0300000102"), "not_a_match").status_code == 303
    rows = _web_rows(engine)
    assert [(r["case_id"], r["decision"]) for r in rows] == [
        ("LINK-DT0102-0300000102", "not_a_match")
    ]


def test_another_provinces_pair_is_forbidden_and_nothing_is_written(sign_in, engine) -> None:
    client = sign_in("an")
    before = decision_count(engine)
    assert _post(client, OTHER, "confirmed").status_code == 403
    assert client.get("/links", params={"province": "86"}).status_code == 403
    assert decision_count(engine) == before
    admin = sign_in("chi")
    assert "LINK-VL0201-8600000201" in _pairs(admin.get("/links").text)
    assert _post(admin, OTHER, "not_a_match").status_code == 303  # an admin: every province
    assert decision_count(engine) == before + 1


def test_a_viewer_reads_the_pairs_but_cannot_decide(sign_in, engine) -> None:
    client = sign_in("binh")
    page = client.get("/links")
    assert page.status_code == 200 and _pairs(page.text)
    assert 'action="/links/decision"' not in page.text
    before = decision_count(engine)
    assert _post(client, PAIR, "confirmed", token=csrf_of(page.text)).status_code == 403
    assert decision_count(engine) == before


def test_a_missing_or_wrong_token_writes_nothing(sign_in, engine) -> None:
    client = sign_in("an")
    before = decision_count(engine)
    assert _post(client, PAIR, "confirmed", token="").status_code == 403
    assert _post(client, PAIR, "confirmed", token="not-the-token").status_code == 403
    assert decision_count(engine) == before


def test_only_the_two_answers_and_only_doubtful_pairs(sign_in, engine) -> None:
    client = sign_in("an")
    before = decision_count(engine)
    assert _post(client, PAIR, "resolved").status_code == 400
    assert _post(client, ("DT0002", "0300000002"), "not_a_match").status_code == 404  # a link
    assert _post(client, ("DT0101", "0300000102"), "confirmed").status_code == 404  # no pair
    assert decision_count(engine) == before


def test_not_signed_in_is_401(client) -> None:
    assert client.get("/links").status_code == 401


def test_links_and_redirects_stay_under_the_apps_mount(app, engine) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from web_warehouse import PASSWORDS

    server = FastAPI()
    server.mount("/reconcile", app)
    with TestClient(server, follow_redirects=False) as client:
        token = csrf_of(client.get("/reconcile/login").text)
        signed = client.post(
            "/reconcile/login",
            data={"username": "an", "password": PASSWORDS["an"], "csrf_token": token},
        )
        assert signed.headers["location"] == "/reconcile/cases"
        for url in (
            "/reconcile/links",
            "/reconcile/cases",
            "/reconcile/cases/UNREGISTERED-0300000001",
        ):
            html = client.get(url).text
            targets = re.findall(r'(?:href|action|src)="(/[^"]*)"', html)
            assert targets and all(t.startswith("/reconcile/") for t in targets), targets
        answer = client.post(
            "/reconcile/links/decision",
            data={"unit_code": PAIR[0], "tax_code": PAIR[1], "quarter": "2025Q2",
                  "decision": "confirmed", "csrf_token": csrf_of(html)},
        )  # fmt: skip
        assert answer.status_code == 303
        assert answer.headers["location"] == "/reconcile/links?quarter=2025Q2"
    assert [r["case_id"] for r in _web_rows(engine)] == [CASE_ID]


def test_the_comparison_reads_a_missing_level_and_an_exact_link_in_words() -> None:
    from reconcile.web import present

    rows = present.link_comparisons(
        {"levels": {"name": "typo", "street": None}, "weights": {"name": 4.0, "street": 0.0}}
    )
    assert rows == [
        ("Tên", "chỉ khác lỗi chính tả", "+4.00"),
        ("Số nhà, đường", "không có dữ liệu để so sánh", "+0.00"),
    ]
    assert present.link_comparisons({}) == []  # an exact link has no levels
    facts = dict(present.link_facts('{"roll_tax_code": "0300000101", "unit_communes": []}', "82"))
    assert facts == {
        "MST ghi trên danh sách đơn vị": "0300000101",
        "Xã/phường của đơn vị": "không xác định được",
    }


def test_a_quarter_whose_links_are_all_sure_is_offered_with_no_pair_to_review(
    sign_in, engine
) -> None:
    from sqlalchemy import delete

    from reconcile.warehouse.schema import link

    with engine.begin() as conn:
        conn.execute(delete(link).where(link.c.band == "review"))
    html = sign_in("an").get("/links").text
    assert 'data-count="0"' in html
    assert "Quý 2/2025" in html and "chưa có dữ liệu" not in html
