"""The inspectors' web application in a real browser, from sign-in to the next run's effect.

A small quarter (tests/known_feeds.py, province 82) is run into a SQLite warehouse; the app is
served by uvicorn on a free port; headless Chromium, driven over the DevTools protocol
(tests/cdp.py), signs in as an inspector of 82, filters the list by a commune, opens a case
whose unit is linked to a firm, decides "Không phải đơn vị này" with a note, sees the decision
on the case and in the list, and then the same quarter is run again: the pipeline reads the
web decision and the unit–firm link is gone, in the warehouse and on the page.

Chromium comes from ``tests/browser.py`` (installed once when missing and allowed; a skip
otherwise, a failure under CI), as for the quality report's browser test.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from werkzeug.security import generate_password_hash

import browser
import cdp
import known_feeds as known
from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile.web.app import create_app
from reconcile.web.auth import load_users

QUARTER, PROVINCE = "2025Q3", "82"
USERNAME, PASSWORD, NAME = "kiem", "mat-khau-kiem-tra", "Nguyễn Văn Kiểm"
SECRET = "a-browser-test-secret-of-enough-length"
DECIDED_ON = date(2025, 10, 20)
UNIT, FIRM = "TZ0004D", known.LATE_PAYER  # linked exactly in 2025Q3; an arrears case
CASE = f"ARREARS-{UNIT}"
NOT_A_MATCH = "Không phải đơn vị này"
NOTE = "đơn vị khác trùng mã số thuế – đã xác minh tại xã"

# rows of a table as {header: cell text}: read by header, not by position
ROWS_JS = """
(selector => {
  const table = document.querySelector(selector);
  if (!table) return null;
  const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
  return [...table.querySelectorAll('tbody tr')].filter(tr => tr.cells.length === heads.length)
    .map(tr => Object.assign(
      {_case: tr.dataset.case || null, _counts: tr.dataset.counts || null},
      Object.fromEntries([...tr.cells].map((td, i) => [heads[i], td.innerText.trim()]))));
})(%s)
"""


def rows(page: cdp.Page, selector: str) -> list[dict[str, Any]]:
    found = page.evaluate(ROWS_JS % json.dumps(selector))
    assert found is not None, f"no {selector} on {page.url()}:\n{page.text()[:2000]}"
    return found


def fill(page: cdp.Page, selector: str, value: str) -> None:
    """Type ``value`` into the field ``selector`` (an input, a textarea or a select)."""
    page.evaluate(
        f"""(() => {{
          const field = document.querySelector({json.dumps(selector)});
          if (!field) throw new Error('no field ' + {json.dumps(selector)});
          field.value = {json.dumps(value)};
          field.dispatchEvent(new Event('input', {{bubbles: true}}));
          field.dispatchEvent(new Event('change', {{bubbles: true}}));
          if (field.value !== {json.dumps(value)}) throw new Error('value not taken');
        }})()"""
    )


def submit(page: cdp.Page, form: str) -> int | None:
    """Submit the form ``form`` as its button would; the status of the page it leads to."""
    return page.submit(f"document.querySelector({json.dumps(form)}).requestSubmit()")


def path_of(page: cdp.Page) -> str:
    return page.evaluate("location.pathname + location.search")


# ---------------------------------------------------------------- the warehouse, app, browser
@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    browser.chromium()  # skip (or fail under CI) before building anything
    base = tmp_path_factory.mktemp("web-browser")
    settings = Settings.from_env(landing_dir=base / "landing", data_dir=base / "data",
                                 output_dir=base / "output",
                                 warehouse_url=f"sqlite:///{base / 'warehouse.db'}")  # fmt: skip
    known.write_known_quarter(settings.landing_dir, quarter=QUARTER, province=PROVINCE)
    run_quarter(settings, Quarter.parse(QUARTER), "first")
    return settings


@pytest.fixture(scope="module")
def site(settings: Settings) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, one inspector of province 82; its base URL."""
    users = load_users({USERNAME: {"name": NAME, "role": "inspector", "provinces": [PROVINCE],
                                   "password_hash": generate_password_hash(
                                       PASSWORD, "pbkdf2:sha256:1000")}})  # fmt: skip
    app = create_app(get_engine(settings.warehouse_url), users, secret_key=SECRET,
                     today=lambda: DECIDED_ON)  # fmt: skip
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="web-app", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.fixture(scope="module")
def page(settings: Settings) -> Iterator[cdp.Page]:
    with cdp.Page.launch(browser.chromium(), width=1280, height=1000) as opened:
        yield opened


# ---------------------------------------------------------------- the test
def test_an_inspector_decides_not_a_match_and_the_rerun_breaks_the_link(
    settings: Settings, site: str, page: cdp.Page, tmp_path: Path
) -> None:
    engine = get_engine(settings.warehouse_url)
    with engine.connect() as conn:
        links = read_frame(conn, t.link, quarter=QUARTER)
        findings = read_frame(conn, t.finding, quarter=QUARTER)
    linked = links[(links["unit_code"] == UNIT) & (links["tax_code"] == FIRM)]
    assert list(linked["band"]) == ["link"], "the case's unit and firm are linked at first"
    case = findings[findings["case_id"] == CASE]
    assert set(case["unit_code"]) == {UNIT} and set(case["tax_code"]) == {FIRM}

    # 1. not signed in: the 401 page links to the sign-in form; sign in; the cases list
    assert page.navigate(f"{site}/cases") == 401
    assert "Chưa đăng nhập" in page.text()
    assert page.submit("document.querySelector('main a[href=\"/login\"]').click()") == 200
    assert path_of(page) == "/login"
    fill(page, "form.login input[name=username]", USERNAME)
    fill(page, "form.login input[name=password]", PASSWORD)
    assert submit(page, "form.login") == 200
    assert path_of(page) == "/cases", page.text()[:1000]
    assert NAME in page.text() and "Hồ sơ kiểm tra" in page.text()
    every = rows(page, "table.cases")
    by_case = {row["_case"]: row for row in every}
    assert set(by_case) == set(findings["case_id"]), "all the quarter's cases, on one page"
    assert page.evaluate("document.getElementById('case-count').dataset.count") == str(len(every))

    # 2. filter to a commune taken from the case's address: every row shown is in it
    address = by_case[CASE]["Địa chỉ"]
    commune = re.sub(r"^(Xã|Phường|Thị trấn)\s+", "", address.split(",")[0].strip())
    assert commune == "Tân Phước", address  # the roll's address of unit TZ0004D
    fill(page, "form.filters input[name=commune]", commune)
    assert submit(page, "form.filters") == 200
    assert page.evaluate("new URLSearchParams(location.search).get('commune')") == commune
    shown = rows(page, "table.cases")
    assert shown and all(commune in row["Địa chỉ"] for row in shown), shown
    assert CASE in {row["_case"] for row in shown}
    assert len(shown) < len(every), "the filter left some cases out"
    assert page.evaluate("document.getElementById('case-count').dataset.count") == str(len(shown))

    # 3. open the case (linked: unit and firm side by side), decide "not a match" with a note
    assert page.submit(f"document.querySelector('tr[data-case=\"{CASE}\"] a').click()") == 200
    assert page.evaluate("document.getElementById('case-id').innerText") == CASE
    before = page.text()
    assert "Liên kết:" in before and "Không có doanh nghiệp tương ứng." not in before
    assert "Chưa có kết luận nào." in before
    options = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('form.decide select[name=decision]"
        " option')].map(o => [o.value, o.innerText.trim()]))"
    )
    assert options["not_a_match"] == NOT_A_MATCH, options
    fill(page, "form.decide select[name=decision]", "not_a_match")
    fill(page, "form.decide textarea[name=note]", NOTE)
    assert submit(page, "form.decide") == 200

    # 4. the decision on the case page, the one that counts; a screenshot of it
    assert page.evaluate("location.pathname") == f"/cases/{CASE}"
    decided = rows(page, "table.decisions")
    assert len(decided) == 1, decided
    (row,) = decided
    assert row["_counts"] == "yes" and row["Hiệu lực"] == "Kết luận có hiệu lực", row
    assert (row["Kết luận"], row["Ghi chú"]) == (NOT_A_MATCH, NOTE), row
    assert row["Ngày kết luận"] == "20/10/2025" and row["Nguồn"] == "Nhập trên trang web", row
    shot = tmp_path / "case-after-decision.png"
    shot.write_bytes(page.screenshot())
    width, height = browser.png_size(shot)  # asserts the PNG signature
    assert width == 1280 and height >= 1000, (width, height)
    assert shot.stat().st_size > 20_000, "a blank page compresses to a few kilobytes"
    with engine.connect() as conn:
        stored = conn.execute(select(t.decision).where(t.decision.c.case_id == CASE)).all()
    assert [(d.decision, d.note, d.source, d.inspector) for d in stored] == [
        ("not_a_match", NOTE, "web", NAME)
    ]

    #    ... and in the list, in the decision column of that case (and through its filter)
    assert page.submit("document.querySelector('main a[href^=\"/cases?\"]').click()") == 200
    listed = {r["_case"]: r for r in rows(page, "table.cases")}
    assert listed[CASE]["Kết luận có hiệu lực"] == NOT_A_MATCH
    assert listed[CASE]["Ngày kết luận"] == "20/10/2025"
    assert all(r["Kết luận có hiệu lực"] == "" for c, r in listed.items() if c != CASE)
    fill(page, "form.filters select[name=decision]", "not_a_match")
    assert submit(page, "form.filters") == 200
    assert [r["_case"] for r in rows(page, "table.cases")] == [CASE]

    # 5. the same quarter again: the web decision is read and the link is broken
    run_quarter(settings, Quarter.parse(QUARTER), "after-the-decision")
    with engine.connect() as conn:
        links = read_frame(conn, t.link, quarter=QUARTER)
        findings = read_frame(conn, t.finding, quarter=QUARTER)
    assert links[(links["unit_code"] == UNIT) & (links["tax_code"] == FIRM)].empty, links
    assert UNIT not in set(links["unit_code"])
    assert "TZ0001A" in set(links["unit_code"]), "the other links are kept"
    late = findings[findings["case_id"] == CASE]
    assert not late.empty and late["tax_code"].isna().all(), late  # the unit's case alone
    assert page.navigate(f"{site}/cases/{CASE}?quarter={QUARTER}") == 200
    after = page.text()
    assert "Liên kết:" not in after and "Không có doanh nghiệp tương ứng." in after
    (row,) = rows(page, "table.decisions")
    assert row["Kết luận"] == NOT_A_MATCH and row["_counts"] == "yes"
