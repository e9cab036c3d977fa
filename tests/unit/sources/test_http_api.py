"""The partner HTTP API source against a fake API on loopback: paging, retries, refusals, landing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import requests
from fake_partner_api import FakePartnerApi, serve

from reconcile.feeds.cleaning import clean
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile.landing import LocalLandingZone, sha256_of
from reconcile.quarter import Quarter
from reconcile.sources.http_api import HttpApiSource, PartnerApiAuthError, PartnerApiError
from reconcile.text.tax_code import make_valid

TOKEN = "s3cr3t-partner-token"
QUARTER, PROVINCE = "2025Q3", "82"


def _numbered(count: int) -> list[dict]:
    return [{"id": i, "name": f"Công ty số {i}"} for i in range(1, count + 1)]


def _tax_records() -> list[dict]:
    codes = ["0100233488", "0314409058", *(make_valid("79", n) for n in range(1, 20))]
    codes = [c for c in codes if c][:5]
    return [
        {
            "Mã số thuế": code,
            "Tên người nộp thuế": f"Công ty TNHH Thương mại {i}",
            "Địa chỉ": f"{i} Đường Trần Hưng Đạo, Phường 1",
            "Trạng thái": "00",
            "Ngày cấp MST": "15/03/2020",
        }
        for i, code in enumerate(codes, start=1)
    ]


@pytest.fixture
def api() -> Iterator[FakePartnerApi]:
    with serve(FakePartnerApi(token=TOKEN, records={"tax": _numbered(11)})) as running:
        yield running


def _source(api: FakePartnerApi, session: requests.Session, **options) -> HttpApiSource:
    options = {"page_size": 4, "timeout": 5, "backoff": 0.0, **options}
    return HttpApiSource(api.base_url, TOKEN, session=session, **options)


# ---------------------------------------------------------------- paging
@pytest.mark.parametrize("paging", ["next_page", "next_url", "link"])
@pytest.mark.parametrize("count", [11, 12])
def test_every_record_of_every_page_comes_in_order(
    api: FakePartnerApi, session: requests.Session, paging: str, count: int
) -> None:
    api.paging = paging
    api.records["tax"] = _numbered(count)
    records = list(_source(api, session).fetch("tax", QUARTER, PROVINCE))
    assert records == _numbered(count)
    assert [s.query["page"] for s in api.seen] == ["1", "2", "3"]
    assert all(s.token_ok and s.status == 200 for s in api.seen)
    assert all(s.query["page_size"] == "4" for s in api.seen)
    assert {(s.query["quarter"], s.query["province"]) for s in api.seen} == {(QUARTER, PROVINCE)}


def test_the_page_size_is_honoured(api: FakePartnerApi, session: requests.Session) -> None:
    records = list(_source(api, session, page_size=5).fetch("tax", QUARTER, PROVINCE))
    assert records == _numbered(11)
    assert [(s.query["page_size"], s.records) for s in api.seen] == [("5", 5), ("5", 5), ("5", 1)]


def test_a_next_page_on_another_host_is_refused(
    api: FakePartnerApi, session: requests.Session
) -> None:
    api.paging = "next_url"
    api.next_url_override = "http://partner.invalid/tax?page=2"
    with pytest.raises(PartnerApiError, match="another host"):
        list(_source(api, session).fetch("tax", QUARTER, PROVINCE))
    assert len(api.seen) == 1  # the token went nowhere else


def test_a_next_page_that_goes_backwards_stops(
    api: FakePartnerApi, session: requests.Session
) -> None:
    api.paging = "next_url"
    api.next_url_override = f"{api.base_url}/tax?quarter={QUARTER}&province=82&page=1&page_size=4"
    with pytest.raises(PartnerApiError, match="already read"):
        list(_source(api, session).fetch("tax", QUARTER, PROVINCE))


# ---------------------------------------------------------------- redirects
STRANGER_RECORDS = [{"id": 999, "name": "Không phải của đối tác"}]


@pytest.fixture
def stranger() -> Iterator[FakePartnerApi]:
    """Another origin (another port on 127.0.0.1) that answers anyone with its own records."""
    api = FakePartnerApi(token=TOKEN, records={"tax": STRANGER_RECORDS}, require_token=False)
    with serve(api) as running:
        yield running


@pytest.mark.parametrize("elsewhere", ["another port", "another host name"])
@pytest.mark.parametrize("page", [1, 2])
def test_a_redirect_off_the_base_url_fails_sends_no_token_and_lands_nothing(
    api: FakePartnerApi,
    stranger: FakePartnerApi,
    session: requests.Session,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    elsewhere: str,
    page: int,
) -> None:
    if elsewhere == "another port":
        target_base = stranger.base_url
    else:  # the partner itself under another name: still not the base URL's host
        target_base = api.base_url.replace("127.0.0.1", "localhost")
    api.redirect_pages = {page: target_base + "/tax?{query}"}
    with caplog.at_level(logging.DEBUG), pytest.raises(PartnerApiError) as caught:
        _source(api, session).land_to(tmp_path, "tax", QUARTER, PROVINCE)
    error = caught.value
    assert not isinstance(error, PartnerApiAuthError)
    assert error.status == 302 and f"page={page}" in error.url
    assert "redirected outside its base URL" in str(error)
    assert f"to {target_base}/tax?" in str(error) and "redirected=1" in str(error)
    assert TOKEN not in str(error) and TOKEN not in caplog.text
    # not followed: nothing asked of the other origin, no request without the token anywhere
    assert stranger.seen == []
    assert all(s.authorization and s.token_ok for s in api.seen)
    assert [s.status for s in api.requests_for(page)] == [302]
    assert list((tmp_path / QUARTER / PROVINCE).iterdir()) == []


def test_a_redirect_off_the_base_url_is_not_retried(
    api: FakePartnerApi, stranger: FakePartnerApi, session: requests.Session
) -> None:
    api.redirect_pages = {2: stranger.base_url + "/tax?{query}"}
    got: list[dict] = []
    with pytest.raises(PartnerApiError, match="redirected outside its base URL"):
        got.extend(_source(api, session, max_retries=3).fetch("tax", QUARTER, PROVINCE))
    assert got == _numbered(4)  # page 1 only: not one record of the stranger's
    assert len(api.requests_for(2)) == 1 and stranger.seen == []


@pytest.mark.parametrize("location", ["relative", "absolute"])
def test_a_redirect_on_the_base_url_is_followed_with_the_token(
    api: FakePartnerApi, session: requests.Session, location: str
) -> None:
    prefix = "" if location == "relative" else api.base_url
    api.redirect_pages = {2: prefix + "/tax?{query}"}
    records = list(_source(api, session).fetch("tax", QUARTER, PROVINCE))
    assert records == _numbered(11)
    assert [(s.status, s.query.get("redirected")) for s in api.requests_for(2)] == [
        (302, None),
        (200, "1"),
    ]
    assert all(s.token_ok for s in api.seen)


def test_a_redirect_loop_on_the_base_url_stops(
    api: FakePartnerApi, session: requests.Session
) -> None:
    api.redirect_pages = {1: "/tax?page=1&quarter=x&province=y&page_size=1"}  # never "redirected"
    with pytest.raises(PartnerApiError, match="more than 5 redirects"):
        list(_source(api, session).fetch("tax", QUARTER, PROVINCE))
    assert len(api.seen) == 6


# ---------------------------------------------------------------- refusals and retries
@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_fails_at_once_naming_url_and_status_not_the_token(
    api: FakePartnerApi,
    session: requests.Session,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api.refuse_token, api.refuse_status = True, status
    source = _source(api, session, max_retries=3)
    with caplog.at_level(logging.DEBUG), pytest.raises(PartnerApiAuthError) as caught:
        list(source.fetch("tax", QUARTER, PROVINCE))
    error = caught.value
    assert error.status == status
    assert error.url.startswith(f"{api.base_url}/tax?quarter={QUARTER}&province=82&page=1")
    assert f"HTTP {status}" in str(error) and "refused the bearer token" in str(error)
    assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert TOKEN not in caplog.text and TOKEN not in repr(source)
    assert len(api.seen) == 1  # no retry


def test_a_wrong_token_is_refused(api: FakePartnerApi, session: requests.Session) -> None:
    source = HttpApiSource(api.base_url, "not-the-token", session=session, backoff=0.0)
    with pytest.raises(PartnerApiAuthError, match="HTTP 401") as caught:
        list(source.fetch("tax", QUARTER, PROVINCE))
    assert [s.token_ok for s in api.seen] == [False]
    assert caught.value.retryable is False


def test_a_page_failing_once_is_asked_again_and_nothing_is_lost(
    api: FakePartnerApi, session: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_once = {2}
    with caplog.at_level(logging.DEBUG):
        records = list(_source(api, session).fetch("tax", QUARTER, PROVINCE))
    assert records == _numbered(11)
    assert [s.status for s in api.requests_for(2)] == [500, 200]
    assert "attempt 1 of 4" in caplog.text and TOKEN not in caplog.text


def test_a_page_failing_every_time_gives_up_after_max_retries(
    api: FakePartnerApi, session: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_always = {2}
    pauses: list[float] = []
    source = _source(api, session, max_retries=3, backoff=1.0, max_backoff=3.0, sleep=pauses.append)
    got: list[dict] = []
    with caplog.at_level(logging.DEBUG), pytest.raises(PartnerApiError) as caught:
        got.extend(source.fetch("tax", QUARTER, PROVINCE))
    assert got == _numbered(4)  # page 1 came before page 2 failed
    assert len(api.requests_for(2)) == 4  # the first attempt and 3 retries
    assert pauses == [1.0, 2.0, 3.0]  # growing, capped at max_backoff
    assert caught.value.status == 500
    assert "page=2" in caught.value.url and "gave up after 4 attempts" in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in caplog.text


def test_a_slow_page_times_out_and_is_asked_again(
    api: FakePartnerApi, session: requests.Session
) -> None:
    api.slow_once = {2: 3.0}
    records = list(_source(api, session, timeout=0.3).fetch("tax", QUARTER, PROVINCE))
    assert records == _numbered(11)
    assert len(api.requests_for(2)) == 2


def test_a_server_that_is_gone_fails_clearly(session: requests.Session) -> None:
    with serve(FakePartnerApi(token=TOKEN)) as gone:
        base_url = gone.base_url
    source = HttpApiSource(base_url, TOKEN, session=session, max_retries=1, backoff=0.0)
    with pytest.raises(PartnerApiError, match="gave up after 2 attempts") as caught:
        list(source.fetch("tax", QUARTER, PROVINCE))
    assert "ConnectionError" in str(caught.value) and TOKEN not in str(caught.value)
    assert caught.value.retryable is True  # the partner may be back when Airflow tries again


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_every_status_that_may_pass_is_asked_again(
    api: FakePartnerApi, session: requests.Session, status: int
) -> None:
    api.fail_once, api.fail_status = {2}, status
    pauses: list[float] = []
    records = list(
        _source(api, session, backoff=0.5, sleep=pauses.append).fetch("tax", QUARTER, PROVINCE)
    )
    assert records == _numbered(11)
    assert [s.status for s in api.requests_for(2)] == [status, 200]
    assert pauses == [0.5]


@pytest.mark.parametrize(
    ("retry_after", "backoff", "max_backoff", "expected"),
    [
        ("7", 1.0, 30.0, [7.0, 7.0]),  # longer than the back-off: the partner's pause
        ("1", 2.0, 30.0, [2.0, 4.0]),  # shorter: the back-off
        ("120", 1.0, 10.0, [10.0, 10.0]),  # longer than max_backoff: the cap
        ("Wed, 21 Oct 2026 07:28:00 GMT", 1.0, 30.0, [1.0, 2.0]),  # a date: not read
        ("", 1.0, 30.0, [1.0, 2.0]),  # empty: not read
    ],
)
def test_retry_after_lengthens_the_pause_within_the_cap(
    api: FakePartnerApi,
    session: requests.Session,
    retry_after: str,
    backoff: float,
    max_backoff: float,
    expected: list[float],
) -> None:
    api.fail_always, api.fail_status, api.retry_after = {1}, 429, retry_after
    pauses: list[float] = []
    source = _source(
        api, session, max_retries=2, backoff=backoff, max_backoff=max_backoff, sleep=pauses.append
    )
    with pytest.raises(PartnerApiError, match="gave up after 3 attempts") as caught:
        list(source.fetch("tax", QUARTER, PROVINCE))
    assert caught.value.status == 429 and "HTTP 429" in str(caught.value)
    assert pauses == expected
    assert len(api.requests_for(1)) == 3


def test_the_back_off_grows_up_to_max_backoff_and_stays_there(
    api: FakePartnerApi, session: requests.Session
) -> None:
    api.fail_always = {1}
    pauses: list[float] = []
    source = _source(api, session, max_retries=6, backoff=0.5, max_backoff=5.0, sleep=pauses.append)
    with pytest.raises(PartnerApiError, match="gave up after 7 attempts"):
        list(source.fetch("tax", QUARTER, PROVINCE))
    assert pauses == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_a_client_error_fails_at_once_without_a_retry(
    api: FakePartnerApi, session: requests.Session, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_always, api.fail_status = {1}, status
    pauses: list[float] = []
    source = _source(api, session, max_retries=3, backoff=1.0, sleep=pauses.append)
    with caplog.at_level(logging.DEBUG), pytest.raises(PartnerApiError) as caught:
        list(source.fetch("tax", QUARTER, PROVINCE))
    assert not isinstance(caught.value, PartnerApiAuthError)
    assert caught.value.status == status and f"HTTP {status}" in str(caught.value)
    assert "page=1" in caught.value.url and "gave up" not in str(caught.value)
    assert len(api.seen) == 1 and pauses == []
    assert "asking again" not in caplog.text and TOKEN not in caplog.text
    assert caught.value.retryable is False  # the DAG's task fails at once, no Airflow retry


def test_a_feed_the_api_does_not_know_is_a_404_not_retried(
    api: FakePartnerApi, session: requests.Session
) -> None:
    pauses: list[float] = []
    source = _source(api, session, max_retries=3, sleep=pauses.append)
    with pytest.raises(PartnerApiError, match="HTTP 404") as caught:
        list(source.fetch("registry", QUARTER, PROVINCE))  # the fake serves only tax
    assert caught.value.status == 404 and "/registry?" in caught.value.url
    assert len(api.seen) == 1 and pauses == []


def test_no_retries_means_one_attempt(api: FakePartnerApi, session: requests.Session) -> None:
    api.fail_always = {1}
    pauses: list[float] = []
    source = _source(api, session, max_retries=0, sleep=pauses.append)
    with pytest.raises(PartnerApiError, match=r"gave up after 1 attempt$"):
        list(source.fetch("tax", QUARTER, PROVINCE))
    assert len(api.seen) == 1 and pauses == []


def test_a_retry_logs_a_warning_naming_the_url_never_the_token(
    api: FakePartnerApi, session: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_once, api.fail_status, api.retry_after = {2}, 503, "3"
    pauses: list[float] = []
    with caplog.at_level(logging.DEBUG):
        list(_source(api, session, sleep=pauses.append).fetch("tax", QUARTER, PROVINCE))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert message.startswith(f"{api.base_url}/tax?") and "page=2" in message
    assert "HTTP 503" in message and "attempt 1 of 4" in message and "in 3.0 s" in message
    assert pauses == [3.0]
    assert TOKEN not in caplog.text and "Bearer" not in caplog.text


def test_a_bad_feed_or_province_is_refused_before_any_request(
    api: FakePartnerApi, session: requests.Session
) -> None:
    source = _source(api, session)
    with pytest.raises(ValueError, match="not a feed"):
        list(source.fetch("../etc", QUARTER, PROVINCE))
    with pytest.raises(ValueError, match="not a province"):
        list(source.fetch("tax", QUARTER, "8/2"))
    assert api.seen == []


# ---------------------------------------------------------------- landing
def test_land_to_writes_a_jsonl_file_the_readers_accept_whole(
    api: FakePartnerApi, session: requests.Session, tmp_path: Path
) -> None:
    api.records["tax"] = _tax_records()
    source = _source(api, session, page_size=2)
    path = source.land_to(tmp_path, "tax", QUARTER, PROVINCE)

    assert path == tmp_path / QUARTER / PROVINCE / f"tax_api_{QUARTER}.jsonl"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary left
    assert len(api.seen) == 3
    [incoming] = LocalLandingZone(tmp_path).list_files(Quarter.parse(QUARTER))
    assert (incoming.feed, incoming.province, incoming.path) == ("tax", PROVINCE, path)

    spec = specs()["tax"]
    frame = clean(read_table(path, spec), spec)
    assert len(frame) == 5
    assert frame["reasons"].map(len).eq(0).all(), frame["reasons"].tolist()
    assert frame["tax_code"].tolist() == [r["Mã số thuế"] for r in _tax_records()]
    assert frame["tax_code_valid"].all()
    assert set(frame["status"]) == {"active"}


def test_landing_the_same_records_twice_gives_the_same_bytes(
    api: FakePartnerApi, session: requests.Session, tmp_path: Path
) -> None:
    api.records["tax"] = _tax_records()
    first = _source(api, session, page_size=2).land_to(tmp_path / "a", "tax", QUARTER, PROVINCE)
    again = _source(api, session, page_size=3).land_to(tmp_path / "a", "tax", QUARTER, PROVINCE)
    assert again == first
    # another answer order of the keys, another page size: the same file
    api.records["tax"] = [dict(reversed(list(r.items()))) for r in _tax_records()]
    other = _source(api, session, page_size=5).land_to(tmp_path / "b", "tax", QUARTER, 82)
    assert first.read_bytes() == other.read_bytes()
    assert sha256_of(first) == sha256_of(other)
    assert first.read_bytes().endswith(b"\n") and "Mã số thuế".encode() in first.read_bytes()


def test_a_failed_fetch_lands_nothing(
    api: FakePartnerApi, session: requests.Session, tmp_path: Path
) -> None:
    api.fail_always = {2}
    with pytest.raises(PartnerApiError, match="gave up"):
        _source(api, session, max_retries=1).land_to(tmp_path, "tax", QUARTER, PROVINCE)
    assert list((tmp_path / QUARTER / PROVINCE).iterdir()) == []


def test_a_failed_fetch_keeps_the_file_landed_before(
    api: FakePartnerApi, session: requests.Session, tmp_path: Path
) -> None:
    landed = _source(api, session).land_to(tmp_path, "tax", QUARTER, PROVINCE)
    before = landed.read_bytes()
    api.records["tax"] = _numbered(20)
    api.fail_always = {3}
    with pytest.raises(PartnerApiError):
        _source(api, session, max_retries=0).land_to(tmp_path, "tax", QUARTER, PROVINCE)
    assert landed.read_bytes() == before
    assert [p.name for p in landed.parent.iterdir()] == [landed.name]


def test_a_link_at_the_landing_name_is_replaced_never_read_or_written_through(
    api: FakePartnerApi, session: requests.Session, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(b"not ours\n")
    folder = tmp_path / "landing" / QUARTER / PROVINCE
    folder.mkdir(parents=True)
    (folder / f"tax_api_{QUARTER}.jsonl").symlink_to(outside)
    path = _source(api, session).land_to(tmp_path / "landing", "tax", QUARTER, PROVINCE)
    assert not path.is_symlink() and path.read_bytes().count(b"\n") == 11
    assert outside.read_bytes() == b"not ours\n"


def test_no_records_lands_nothing(
    api: FakePartnerApi, session: requests.Session, tmp_path: Path
) -> None:
    api.records["tax"] = []
    with pytest.raises(PartnerApiError, match="no records"):
        _source(api, session).land_to(tmp_path, "tax", QUARTER, PROVINCE)
    assert list((tmp_path / QUARTER / PROVINCE).iterdir()) == []


# ---------------------------------------------------------------- the Airflow hook
def test_the_hook_builds_the_source_from_its_connection(
    api: FakePartnerApi, session: requests.Session
) -> None:
    from airflow.sdk import Connection

    from reconcile.airflow.http_hook import PartnerApiHook

    api.token = "secret"
    port = int(api.base_url.rsplit(":", 1)[1])
    connection = Connection(
        conn_id="reconcile_partner_api",
        conn_type="http",
        host="127.0.0.1",
        port=port,
        password="secret",
        extra='{"page_size": 4, "max_retries": 1}',
    )
    with mock.patch.object(PartnerApiHook, "get_connection", return_value=connection) as get:
        source = PartnerApiHook(session=session).get_conn()
    get.assert_called_once_with("reconcile_partner_api")
    assert isinstance(source, HttpApiSource)
    assert (source.base_url, source.page_size, source.max_retries) == (api.base_url, 4, 1)
    assert "secret" not in repr(source)
    assert list(source.fetch("tax", QUARTER, PROVINCE)) == _numbered(11)
    assert len(api.seen) == 3 and all(s.token_ok for s in api.seen)


@pytest.mark.parametrize(
    ("fields", "base_url"),
    [
        ({"uri": "http://:tok@127.0.0.1:8080/api/v1"}, "http://127.0.0.1:8080/api/v1"),
        ({"uri": "https://:tok@partner.example/api/v1/"}, "https://partner.example/api/v1"),
        ({"conn_type": "http", "host": "partner.example", "schema": "https", "password": "tok"},
         "https://partner.example"),
        ({"conn_type": "http", "host": "https://partner.example/", "schema": "v2", "extra": '{"token": "tok"}'},
         "https://partner.example/v2"),
        ({"conn_type": "http", "host": "x", "extra": '{"base_url": "https://api.example/p/", "token": "tok"}'},
         "https://api.example/p"),
        ({"conn_type": "http", "host": "::1", "port": 8443, "password": "tok", "extra": '{"scheme": "https"}'},
         "https://[::1]:8443"),
    ],
)  # fmt: skip
def test_the_hook_reads_the_base_url_and_token_from_every_form(fields: dict, base_url: str) -> None:
    from airflow.sdk import Connection

    from reconcile.airflow.http_hook import PartnerApiHook

    connection = Connection(conn_id="reconcile_partner_api", **fields)
    with mock.patch.object(PartnerApiHook, "get_connection", return_value=connection):
        source = PartnerApiHook().get_conn()
    assert source.base_url == base_url
    assert source._token == "tok"
    source.close()


def test_a_connection_without_a_token_fails_clearly() -> None:
    from airflow.sdk import Connection

    from reconcile.airflow.http_hook import PartnerApiHook

    connection = Connection(conn_id="partner_x", conn_type="http", host="partner.example")
    with (
        mock.patch.object(PartnerApiHook, "get_connection", return_value=connection),
        pytest.raises(ValueError, match="'partner_x' has no bearer token"),
    ):
        PartnerApiHook("partner_x").get_conn()


def test_the_dag_task_fetches_nothing_when_no_partner_api_is_configured(
    monkeypatch, tmp_path
) -> None:
    from reconcile.airflow import tasks

    monkeypatch.setenv("RECONCILE_LANDING_DIR", str(tmp_path))
    monkeypatch.delenv("RECONCILE_CONFIG", raising=False)
    assert tasks.fetch_from_api("2025Q3") == {
        "fetched": [],
        "note": "no partner_api feeds configured",
    }
    assert not any(tmp_path.iterdir())
