"""The filtered cases as the published workbook: same writer, same rows, masked per role."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import insert
from web_warehouse import BULK, QUARTER, XSS

from reconcile.publish.workbook import COLUMNS, REVIEW_COLUMNS, REVIEW_SHEET, sheet_columns
from reconcile.warehouse.schema import finding
from workbook_reading import rule_of

FORMULA = '=HYPERLINK("http://example.com","bấm vào đây")'
SAFE_NAME = re.compile(r'^attachment; filename="cases_(\d{2}|all)_\d{4}Q[1-4]\.xlsx"$')


def _book(answer):
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(answer.content))


def _rows(book) -> list[dict]:
    """Every case row of the workbook (every sheet but the summary), keyed by column."""
    shown = sheet_columns(COLUMNS)
    keys = [key for key, _, _ in shown]
    rows = []
    for sheet in book.worksheets[1:]:
        if sheet.title == REVIEW_SHEET:
            continue
        header = [cell.value for cell in sheet[1]]
        assert header == [h for _, h, _ in shown]
        for values in sheet.iter_rows(min_row=2, values_only=True):
            row = dict(zip(keys, values, strict=True))
            row["rule"] = rule_of(row["title"])  # the sheet shows the rule's title, not its code
            rows.append(row)
    return rows


def _listed(client, params: dict) -> set[str]:
    html = client.get("/cases", params=params).text
    return set(re.findall(r'<tr data-case="([^"]+)"', html))


def test_the_export_holds_the_filtered_cases_and_no_others(sign_in) -> None:
    client = sign_in("an")
    params = {"quarter": QUARTER, "commune": "phường cao lãnh"}
    answer = client.get("/cases/export.xlsx", params=params)
    assert SAFE_NAME.match(answer.headers["content-disposition"])
    assert answer.headers["content-disposition"].endswith('"cases_82_2025Q2.xlsx"')
    rows = _rows(_book(answer))
    assert {r["case_id"] for r in rows} == _listed(client, params) == {
        "UNREGISTERED-0300000001", "UNDER_REGISTERED-DT0002",
    }  # fmt: skip
    # one row per finding, as the published workbook: the DT0002 case has two rules
    # (the money each row counts: these findings measure different people, nothing overlaps)
    assert sorted((r["case_id"], r["rule"], r["money_counted"]) for r in rows) == [
        ("UNDER_REGISTERED-DT0002", "UNDER_REGISTERED", 5_000_000),
        ("UNDER_REGISTERED-DT0002", "WAGE_BELOW_FLOOR", 1_000_000),
        ("UNREGISTERED-0300000001", "NOT_REGISTERED", 9_000_000),
    ]
    carried = next(r for r in rows if r["rule"] == "UNDER_REGISTERED")
    assert carried["decision"] == "Đang xử lý" and carried["link"] == "Khớp mã số thuế"
    assert any(r["name"] == f"{XSS} Công ty TNHH Sen Hồng" for r in rows)  # as text, in a cell


def test_the_whole_quarter_is_every_case_of_the_users_provinces(sign_in) -> None:
    client = sign_in("an")
    rows = _rows(_book(client.get("/cases/export.xlsx")))
    cases = {r["case_id"] for r in rows}
    assert len(cases) == BULK + 3 and "UNREGISTERED-8600000001" not in cases
    ruled = _rows(_book(client.get("/cases/export.xlsx", params={"rule": "UNDER_REGISTERED"})))
    assert {r["case_id"] for r in ruled} == {"UNDER_REGISTERED-DT0002"}
    undecided = _rows(_book(client.get("/cases/export.xlsx", params={"decision": "none"})))
    exported = {r["case_id"] for r in undecided}
    assert len(exported) == BULK + 2  # every case but DT0002 (decided): not only a page's 50
    assert _listed(client, {"decision": "none"}) < exported


def test_a_value_starting_with_equals_is_text_not_a_formula(sign_in, engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(finding).values(
            quarter=QUARTER, case_id="UNREGISTERED-0300000009", rule="NOT_REGISTERED",
            province="82", tax_code="0300000009", unit_code=None, name=FORMULA,
            address="=1+1, Phường Cao Lãnh", severity=3, legal_basis="Luật BHXH",
            evidence={"pit_employees": 5}, money_at_stake=100,
        ))  # fmt: skip
    book = _book(sign_in("an").get("/cases/export.xlsx", params={"commune": "cao lãnh"}))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]
    assert {cell.value for cell in cells} == {FORMULA, "=1+1, Phường Cao Lãnh"}
    assert all(cell.data_type == "s" for cell in cells)


def test_personal_data_is_masked_unless_admin(sign_in) -> None:
    params = {"commune": "phường cao lãnh"}
    inspector = _rows(_book(sign_in("an").get("/cases/export.xlsx", params=params)))
    people = {(r["representative"], r["inspector"]) for r in inspector if r["unit_code"]}
    assert people == {("P. T. L.", "Đ. V. T.")}
    viewer = _rows(_book(sign_in("binh").get("/cases/export.xlsx", params=params)))
    assert {r["representative"] for r in viewer if r["unit_code"]} == {"P. T. L."}
    admin = _rows(_book(sign_in("chi").get("/cases/export.xlsx", params=params)))
    assert {(r["representative"], r["inspector"]) for r in admin if r["unit_code"]} == {
        ("Phạm Thị Lan", "Đỗ Văn Tâm")
    }


def test_another_province_bad_input_and_no_session(sign_in, client) -> None:
    an = sign_in("an")
    assert an.get("/cases/export.xlsx", params={"province": "86"}).status_code == 403
    assert an.get("/cases/export.xlsx", params={"quarter": "2025Q9"}).status_code == 400
    assert client.get("/cases/export.xlsx").status_code == 401
    odd = sign_in("chi").get("/cases/export.xlsx", params={"province": '8"; filename=x.exe'})
    assert SAFE_NAME.match(odd.headers["content-disposition"])
    assert _rows(_book(odd)) == []


def test_the_cases_page_links_to_its_filter_as_a_workbook(sign_in) -> None:
    html = (
        sign_in("an").get("/cases", params={"commune": "cao lãnh", "rule": "NOT_REGISTERED"}).text
    )
    link = re.search(r'id="export" href="([^"]+)"', html)
    assert link and link.group(1).startswith("/cases/export.xlsx?")
    assert "commune=cao+l%C3%A3nh" in link.group(1) and "rule=NOT_REGISTERED" in link.group(1)


def test_the_export_carries_the_review_sheet_of_the_users_provinces(sign_in) -> None:
    """As the published workbook does: the doubtful pairs, each with its review case id, and
    only those of the provinces the user may see."""
    book = _book(sign_in("an").get("/cases/export.xlsx"))
    sheet = book[REVIEW_SHEET]
    assert [cell.value for cell in sheet[1]] == [h for _, h, _ in REVIEW_COLUMNS]
    keys = [key for key, _, _ in REVIEW_COLUMNS]
    pairs = [
        dict(zip(keys, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert {(p["unit_code"], p["tax_code"]) for p in pairs} == {
        ("DT0101", "0300000101"),
        ("DT0102", "0300000102"),
    }  # VL0201 is 86's
    assert pairs[0]["case_id"] == "LINK-DT0101-0300000101"  # the most likely first (3.5 > 2.0)
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row[0]}
    assert summary["Số cặp cần xem xét liên kết"] == 2
