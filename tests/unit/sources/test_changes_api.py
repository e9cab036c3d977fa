"""The partner API's change notices: fetched from a cursor kept in the warehouse, landed in the
day's folder, read by the feed's own reader, and asked again from where the last fetch ended."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests
from fake_partner_api import RECORDED, FakePartnerApi, serve

from reconcile.feeds.cleaning import clean
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile.history.steps import PARTNER_CURSOR, fetch_changes
from reconcile.settings import Settings
from reconcile.sources.http_api import HttpApiSource
from reconcile.text.tax_code import make_valid
from reconcile.warehouse import cursors
from reconcile.warehouse.engine import get_engine

TOKEN = "s3cr3t-partner-token"


def notice(number: int, recorded: str) -> dict:
    return {"Số thông báo": f"DK-{number}", "Loại thay đổi": "Đăng ký thành lập mới",
            "Ngày hiệu lực": recorded, RECORDED: recorded, "Mã số thuế": make_valid("82", 5000 + number) or "",
            "Tên doanh nghiệp": f"Công ty TNHH Số {number}"}  # fmt: skip


@pytest.fixture
def api() -> Iterator[FakePartnerApi]:
    records = [notice(n, f"2025-09-{10 + n // 3:02d}") for n in range(1, 10)]
    with serve(FakePartnerApi(token=TOKEN, records={"changes": records})) as running:
        yield running


def settings_in(folder: Path) -> Settings:
    return Settings.from_env(landing_dir=folder / "landing", data_dir=folder / "data",
                             output_dir=folder / "out", warehouse_url=f"sqlite:///{folder / 'w.db'}")  # fmt: skip


def test_notices_come_from_the_kept_cursor_and_land_whole(
    api: FakePartnerApi, session: requests.Session, tmp_path: Path
) -> None:
    settings = settings_in(tmp_path)
    source = HttpApiSource(api.base_url, TOKEN, session=session, page_size=4, backoff=0.0)
    first = fetch_changes(settings, date(2025, 9, 13), source)
    assert first["since"] is None and first["cursor"] == "2025-09-13"
    path = Path(first["file"])
    assert path.parent == settings.landing_dir / "changes" / "2025-09-13"
    assert path.name.startswith("changes_api_20250913_") and path.suffix == ".jsonl"
    spec = specs()["changes"]
    frame = clean(read_table(path, spec, display_name=path.name), spec)
    assert len(frame) == 9 and not any(frame["reasons"].map(len))
    assert set(frame["change_kind"]) == {"registered"}
    assert [s.query.get("since") for s in api.seen] == [None, None, None]  # 3 pages of 4

    # two more notices recorded since; the next fetch asks from the cursor and gets only those
    api.records["changes"] += [notice(20, "2025-09-14"), notice(21, "2025-09-15")]
    api.seen.clear()
    second = fetch_changes(settings, date(2025, 9, 15), source)
    assert [s.query["since"] for s in api.seen] == ["2025-09-13"]
    assert second["cursor"] == "2025-09-15"
    later = clean(read_table(Path(second["file"]), spec, display_name="x.jsonl"), spec)
    assert list(later["notice_id"]) == ["DK-20", "DK-21"]

    # nothing new: no file, the cursor stays
    nothing = fetch_changes(settings, date(2025, 9, 16), source)
    assert nothing["file"] is None and nothing["cursor"] == "2025-09-15"
    with get_engine(settings.warehouse_url).connect() as conn:
        assert cursors.get(conn, PARTNER_CURSOR) == "2025-09-15"


def test_without_a_cursor_from_the_api_the_latest_recorded_day_is_kept(
    api: FakePartnerApi, session: requests.Session
) -> None:
    api.give_cursor = False
    source = HttpApiSource(api.base_url, TOKEN, session=session, page_size=50, backoff=0.0)
    records, cursor = source.fetch_changes("2025-09-11")  # recorded on the 12th and 13th
    assert [r["Số thông báo"] for r in records] == ["DK-6", "DK-7", "DK-8", "DK-9"]
    assert cursor == "2025-09-13"
    none, kept = source.fetch_changes("2025-09-13")
    assert none == [] and kept == "2025-09-13"


def test_a_failed_fetch_keeps_the_cursor(
    api: FakePartnerApi, session: requests.Session, tmp_path: Path
) -> None:
    from reconcile.sources.http_api import PartnerApiError

    settings = settings_in(tmp_path)
    with get_engine(settings.warehouse_url).begin() as conn:
        cursors.put(conn, PARTNER_CURSOR, "2025-09-11")
    api.fail_always = {2}
    source = HttpApiSource(api.base_url, TOKEN, session=session, page_size=2, backoff=0.0,
                           max_retries=1)  # fmt: skip
    with pytest.raises(PartnerApiError):
        fetch_changes(settings, date(2025, 9, 13), source)
    with get_engine(settings.warehouse_url).connect() as conn:
        assert cursors.get(conn, PARTNER_CURSOR) == "2025-09-11"
    assert not list((settings.landing_dir).rglob("*.jsonl"))  # nothing half-landed
