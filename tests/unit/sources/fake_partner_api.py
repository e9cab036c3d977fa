"""A fake partner API on 127.0.0.1 (an ephemeral port) that speaks the contract of docs/sources.md.

``GET /<feed>?quarter=..&province=..&page=N&page_size=M`` (for ``changes``: ``?since=<cursor>``,
none at first, the notices recorded after it, the last page naming the next ``cursor``) with ``Authorization: Bearer <token>``
answers ``{"records": [...], "next_page": N+1 | null}`` (or a ``next`` URL, or a ``Link``
header, by ``paging``). Switches make it misbehave: ``refuse_token`` (401, or ``refuse_status``),
``fail_once`` (pages answering 500 the first time), ``fail_always`` (pages always answering
500; ``fail_status`` makes it another status, ``retry_after`` adds a ``Retry-After`` header),
``slow_once`` (pages answering late the first time, by that many seconds),
``redirect_pages`` (pages answering 302 to a ``Location`` built from a template; the request
that follows it carries ``redirected=1`` and is answered normally). ``require_token=False``
makes a server that answers anyone: the stranger a redirect may lead to, whose records must
never be landed as the partner's.

Every wait is bounded and ends when the server stops; only loopback is ever bound.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

RECORDED = "Ngày ghi nhận"  # the notices' recorded day, ISO, which the changes cursor follows
MAX_DELAY = 5.0  # seconds: no slow page waits longer, whatever the test asks


@dataclass
class Seen:
    """One request as the server saw it (never the token itself)."""

    path: str
    query: dict[str, str]
    token_ok: bool
    status: int
    records: int  # how many records the answer held
    authorization: bool = False  # whether any Authorization header came (never its value)


@dataclass
class FakePartnerApi:
    token: str
    records: dict[str, list[dict]] = field(default_factory=dict)
    paging: str = "next_page"  # or "next_url", "link"
    refuse_token: bool = False
    refuse_status: int = 401
    fail_once: set[int] = field(default_factory=set)
    fail_always: set[int] = field(default_factory=set)
    fail_status: int = 500  # the status of a failing page (fail_once, fail_always)
    retry_after: str | None = None  # a Retry-After header sent with a failing page
    slow_once: dict[int, float] = field(default_factory=dict)
    # page -> Location template; "{query}" becomes the request's query plus redirected=1
    redirect_pages: dict[int, str] = field(default_factory=dict)
    require_token: bool = True
    give_cursor: bool = True  # changes: the last page names the cursor to ask from next
    next_url_override: str | None = None  # a "next" URL to hand out instead of the real one
    seen: list[Seen] = field(default_factory=list)
    base_url: str = ""
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _answered: set[tuple[str, int]] = field(default_factory=set)

    def requests_for(self, page: int) -> list[Seen]:
        return [s for s in self.seen if s.query.get("page") == str(page)]

    # called by the handler, one thread per request
    def answer(self, path: str, query: dict[str, str], authorization: str | None):
        token_ok = authorization == f"Bearer {self.token}"
        status, body, headers, delay = self._decide(path, query, token_ok)
        with self._lock:
            self.seen.append(
                Seen(
                    path,
                    query,
                    token_ok,
                    status,
                    len(body.get("records", [])),
                    authorization=authorization is not None,
                )
            )
        return status, body, headers, delay

    def _decide(self, path: str, query: dict[str, str], token_ok: bool):
        if (self.require_token and not token_ok) or self.refuse_token:
            return self.refuse_status, {"error": "invalid bearer token"}, {}, 0.0
        feed = path.strip("/")
        if feed not in self.records:
            return 404, {"error": f"no feed {feed}"}, {}, 0.0
        notices = feed == "changes"  # ?since=<cursor>: the notices recorded after it
        try:
            page = int(query["page"])
            size = int(query["page_size"])
            if not notices and (not query.get("quarter") or not query.get("province")):
                raise KeyError("quarter")
        except (KeyError, ValueError):
            return (
                400,
                {"error": "quarter, province (or since), page and page_size are required"},
                {},
                0.0,
            )
        if page < 1 or not 1 <= size <= 1000:
            return 400, {"error": "page from 1, page_size from 1 to 1000"}, {}, 0.0
        if page in self.redirect_pages and "redirected" not in query:
            moved = urlencode({**query, "redirected": "1"})
            location = self.redirect_pages[page].format(query=moved)
            return 302, {"moved": location}, {"Location": location}, 0.0
        with self._lock:
            first_time = (feed, page) not in self._answered
            self._answered.add((feed, page))
        if page in self.fail_always or (page in self.fail_once and first_time):
            failing = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            return self.fail_status, {"error": "internal error"}, failing, 0.0
        delay = self.slow_once.get(page, 0.0) if first_time else 0.0
        rows = self.records[feed]
        if notices:
            rows = [r for r in rows if str(r.get(RECORDED, "")) > query.get("since", "")]
        chunk = rows[(page - 1) * size : page * size]
        last = page * size >= len(rows)
        body: dict = {"records": chunk}
        if notices and last and self.give_cursor:
            body["cursor"] = max((str(r[RECORDED]) for r in rows), default=query.get("since"))
        headers: dict[str, str] = {}
        next_query = {**query, "page": str(page + 1)}
        next_url = self.next_url_override or (
            f"{self.base_url}/{feed}?" + "&".join(f"{k}={v}" for k, v in next_query.items())
        )
        if self.paging == "next_page":
            body["next_page"] = None if last else page + 1
        elif self.paging == "next_url":
            body["next"] = None if last else next_url
        elif not last:
            headers["Link"] = f'<{next_url}>; rel="next"'
        return 200, body, headers, delay


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # the stdlib's name
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        api = self.server.api
        status, body, headers, delay = api.answer(
            parts.path, query, self.headers.get("Authorization")
        )
        if delay:
            api._stopping.wait(min(delay, MAX_DELAY))
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the test reads ``api.seen`` instead


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: FakePartnerApi


@contextmanager
def serve(api: FakePartnerApi) -> Iterator[FakePartnerApi]:
    """Run ``api`` on 127.0.0.1 at an ephemeral port until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.api = api
    host, port = server.server_address[:2]
    api.base_url = f"http://{host}:{port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield api
    finally:
        api._stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
