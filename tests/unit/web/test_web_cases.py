"""The cases of a quarter: scoped to the user's provinces, filtered, totalled, paged, escaped."""

from __future__ import annotations

import re

from web_warehouse import LISTED, RESOLVED, XSS


def _rows(html: str) -> list[tuple[str, int]]:
    return [
        (case, int(money))
        for case, money in re.findall(r'<tr data-case="([^"]+)" data-money="(\d+)">', html)
    ]


def _count_and_money(html: str) -> tuple[int, int]:
    count = re.search(r'id="case-count" data-count="(\d+)"', html)
    money = re.search(r'id="money-total" data-money="(\d+)"', html)
    assert count and money
    return int(count.group(1)), int(money.group(1))


def test_an_inspector_sees_only_their_provinces_cases(sign_in) -> None:
    page = sign_in("an").get("/cases")
    assert page.status_code == 200
    cases = {case for case, _ in _rows(page.text)}
    assert "UNREGISTERED-8600000001" not in cases and "Vĩnh Long" not in page.text
    assert _count_and_money(page.text)[0] == LISTED


def test_a_filter_gives_its_count_and_money_total(sign_in) -> None:
    client = sign_in("an")
    page = client.get("/cases", params={"quarter": "2025Q2", "commune": "phường cao lãnh"})
    assert _count_and_money(page.text) == (2, 15_000_000)  # 9m + (5m + 1m): two rules, one case
    assert "15.000.000 ₫" in page.text
    assert [case for case, _ in _rows(page.text)] == [
        "UNREGISTERED-0300000001",
        "UNDER_REGISTERED-DT0002",
    ]
    by_rule = client.get("/cases", params={"rule": "WAGE_BELOW_FLOOR"})
    assert _count_and_money(by_rule.text) == (1, 6_000_000)
    by_status = client.get("/cases", params={"status": "reopened"})
    assert [case for case, _ in _rows(by_status.text)] == ["UNREGISTERED-0300000003"]
    assert "Tái phát" in by_status.text  # the status in words, from labels.yaml
    decided = client.get("/cases", params={"decision": "in_progress"})
    assert [case for case, _ in _rows(decided.text)] == ["UNDER_REGISTERED-DT0002"]
    undecided = client.get("/cases", params={"decision": "none"})
    assert _count_and_money(undecided.text)[0] == LISTED - 1


def test_a_commune_typed_without_diacritics_or_case_finds_it(sign_in) -> None:
    client = sign_in("an")
    written = client.get("/cases", params={"quarter": "2025Q2", "commune": "phường cao lãnh"})
    for typed in ("phuong cao lanh", "PHƯỜNG CAO LÃNH", "Phuong  Cao-Lanh"):
        page = client.get("/cases", params={"quarter": "2025Q2", "commune": typed})
        assert _count_and_money(page.text) == _count_and_money(written.text) == (2, 15_000_000)


def test_a_commune_filter_is_text_not_a_pattern(sign_in) -> None:
    page = sign_in("an").get("/cases", params={"commune": "%"})
    assert _count_and_money(page.text) == (0, 0)


def test_another_province_in_the_filter_is_forbidden(sign_in) -> None:
    assert sign_in("an").get("/cases", params={"province": "86"}).status_code == 403
    admin = sign_in("chi").get("/cases", params={"province": "86"})
    assert [case for case, _ in _rows(admin.text)] == ["UNREGISTERED-8600000001"]


def test_pages_of_fifty_largest_money_first(sign_in) -> None:
    client = sign_in("an")
    first = _rows(client.get("/cases").text)
    second = _rows(client.get("/cases", params={"page": 2}).text)
    assert len(first) == 50 and len(second) == LISTED - 50
    money = [m for _, m in first + second]
    assert money == sorted(money, reverse=True)
    assert first[0] == ("UNREGISTERED-0300000001", 9_000_000)
    assert len({case for case, _ in first + second}) == LISTED
    assert "page=2" in client.get("/cases").text


def test_a_feed_value_holding_a_script_shows_as_text(sign_in) -> None:
    client = sign_in("chi")
    for path in ("/cases", "/cases/UNREGISTERED-0300000001"):
        html = client.get(path).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert XSS not in html and "<script" not in html


def test_dates_and_money_read_the_vietnamese_way(sign_in) -> None:
    html = sign_in("an").get("/cases").text
    assert "9.000.000 ₫" in html and "02/05/2025" in html  # the workbook decision's day


def test_a_case_resolved_this_quarter_is_listed_with_nothing_at_stake(sign_in) -> None:
    """Found last quarter, not this one: listed under its status, told by last quarter's
    findings, and counted with no money (nothing is at stake any more)."""
    client = sign_in("an")
    resolved = client.get("/cases", params={"status": "resolved"})
    assert _rows(resolved.text) == [(RESOLVED, 0)]
    assert _count_and_money(resolved.text) == (1, 0)
    assert "Công ty TNHH Hoà Bình" in resolved.text and "Đã hết vi phạm" in resolved.text
    by_rule = client.get("/cases", params={"rule": "NOT_REGISTERED", "status": "resolved"})
    assert _rows(by_rule.text) == [(RESOLVED, 0)]  # the rule it was found under
    by_commune = client.get("/cases", params={"commune": "sa dec"})
    assert _rows(by_commune.text) == [(RESOLVED, 0)]
    earlier = client.get("/cases", params={"quarter": "2025Q1", "status": "new"})
    assert (RESOLVED, 3_000_000) in _rows(earlier.text)  # where it was found


def test_a_resolved_case_opens_with_last_quarters_evidence(sign_in) -> None:
    client = sign_in("an")
    page = client.get(f"/cases/{RESOLVED}", params={"quarter": "2025Q2"})
    assert page.status_code == 200
    assert 'id="resolved-note"' in page.text and "quý 1/2025" in page.text
    assert "0300000009" in page.text and "Công ty TNHH Hoà Bình" in page.text  # last quarter's firm
    assert client.get(f"/cases/{RESOLVED}", params={"quarter": "2025Q3"}).status_code == 404
    found = client.get(f"/cases/{RESOLVED}", params={"quarter": "2025Q1"})
    assert 'id="resolved-note"' not in found.text and "3.000.000 ₫" in found.text
