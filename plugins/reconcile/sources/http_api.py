"""A partner HTTP API that pages through JSON records with a bearer token.

The contract (``docs/sources.md``)::

    GET {base_url}/{feed}?quarter=2025Q3&province=82&page=1&page_size=500
    Authorization: Bearer <token>

    200 {"records": [{...}, ...], "next_page": 2}      # null (or absent) on the last page

Instead of ``next_page`` a page may name the next one by URL, as ``"next": "<url>"`` in the body
or a ``Link: <url>; rel="next"`` header; such a URL must stay on the base URL's scheme, host and
port (the token is never sent elsewhere). Redirects are followed by this source, not by
``requests``, and only on that same scheme, host and port (the token goes along, at most
``MAX_REDIRECTS`` hops); a redirect anywhere else fails with ``PartnerApiError`` naming where it
pointed: it is not followed, so the token is not sent there and no record from there is landed
(a partner that moved must be given a new base URL, not followed to it). A page that fails for
a reason that may pass (a timeout, a dropped connection, HTTP 408, 429 or 5xx) is asked again
up to ``max_retries`` times (tenacity) with a growing, bounded pause; 401 and 403 fail at once with
``PartnerApiAuthError``, any other answer with ``PartnerApiError``. Errors name the URL and the
status; the token appears in no log line and no error message.

``land_to`` writes what ``fetch`` yields as ``<landing>/<quarter>/<province>/<feed>_api_<quarter>.jsonl``:
one JSON object per line, keys sorted, UTF-8, written under a hidden temporary name and renamed
when complete. The same records give the same bytes, so ``steps.land`` skips a file it has seen.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase
from requests.utils import requote_uri
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from reconcile.errors import ReconcileError
from reconcile.feeds.spec import FEEDS, feed_of_file_name, specs
from reconcile.landing import safe_file_name, sha256_of
from reconcile.quarter import Quarter

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({408, 429})  # and every 5xx
_PROVINCE = re.compile(r"^\d{2}$")
_BODY_SNIPPET = 200
_DEFAULT_PORTS = {"http": 80, "https": 443}
CHANGES_FEED = "changes"  # GET {base_url}/changes?since=<cursor>&page=N&page_size=M
MAX_REDIRECTS = 5  # same-origin hops for one page; requests' own default (30) hides a loop long


class PartnerApiError(ReconcileError):
    """The partner API could not give the records: names the URL, the status and the fault.

    ``retryable`` when the failure may pass (timeouts, 408, 429, 5xx still failing after this
    source's own retries): the task is tried again later. A refusal (401, 403, 404, a body
    that is no JSON) is not: the same question gets the same answer, so the task fails at once.
    """

    def __init__(
        self, url: str, fault: str, status: int | None = None, retryable: bool = False
    ) -> None:
        self.url = url
        self.status = status
        self.fault = fault
        self.retryable = retryable
        where = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{url}{where}: {fault}")


class PartnerApiAuthError(PartnerApiError):
    """The API refused the bearer token (HTTP 401 or 403): asking again will not help."""


class _MayPass(Exception):
    """One attempt failed for a reason that may pass (a timeout, a dropped connection, HTTP 408,
    429 or 5xx): tenacity asks again; the last one becomes ``PartnerApiError``. Holds the URL
    and the fault already scrubbed of the token, and the answer's ``Retry-After`` if any."""

    def __init__(
        self, shown: str, fault: str, status: int | None = None, retry_after: str | None = None
    ) -> None:
        super().__init__(shown, fault, status)
        self.shown = shown
        self.fault = fault
        self.status = status
        self.retry_after = retry_after


class _BearerAuth(AuthBase):
    """Sets ``Authorization: Bearer``; an explicit auth also keeps ``~/.netrc`` from replacing it."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "<bearer token ***>"


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """Scheme, host and port (the scheme's default filled in), or None when there is no host
    or the port is not a number: such a URL is the origin of nothing and matches no base URL.

    ``https://api.example`` and ``https://user@API.example:443/x`` are one origin; another
    host name (even for the same address), another port or ``http`` for ``https`` make another.
    """
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _check_feed(feed: str) -> str:
    if feed not in FEEDS:
        raise ValueError(f"not a feed: {feed!r} (expected one of {', '.join(FEEDS)})")
    return feed


def _check_province(province: str | int) -> str:
    text = f"{province:02d}" if isinstance(province, int) else str(province)
    if not _PROVINCE.match(text):
        raise ValueError(f"not a province code: {province!r} (expected two digits, like 82)")
    return text


class HttpApiSource:
    """Records of one feed, quarter and province from a partner API (contract above)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        session: requests.Session | None = None,
        page_size: int = 500,
        timeout: float = 30,
        max_retries: int = 3,
        backoff: float = 1.0,
        *,
        max_backoff: float = 30.0,
        max_pages: int = 10_000,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        origin = _origin(base_url)
        if origin is None or origin[0] not in ("http", "https"):
            raise ValueError(
                f"not an http(s) base URL: {_without_userinfo(base_url)!r} "
                "(expected the form https://host[:port][/path])"
            )
        if not isinstance(token, str) or not token.strip():
            raise ValueError("no bearer token: the partner API needs one")
        if page_size < 1 or max_retries < 0 or backoff < 0 or max_backoff < 0 or max_pages < 1:
            raise ValueError(
                "page_size and max_pages must be at least 1; max_retries, backoff and "
                "max_backoff must not be negative"
            )
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._auth = _BearerAuth(token)
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()
        self.page_size = page_size
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_pages = max_pages
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"HttpApiSource({_without_userinfo(self.base_url)!r}, token=***)"

    def close(self) -> None:
        """Close the session if this source opened it (a session passed in stays open)."""
        if self._own_session:
            self.session.close()

    def __enter__(self) -> HttpApiSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ fetch
    def first_page_url(self, feed: str, quarter: str | Quarter, province: str | int) -> str:
        query = urlencode(
            {
                "quarter": str(Quarter.parse(str(quarter))),
                "province": _check_province(province),
                "page": 1,
                "page_size": self.page_size,
            }
        )
        return f"{self.base_url}/{_check_feed(feed)}?{query}"

    def fetch(self, feed: str, quarter: str | Quarter, province: str | int) -> Iterator[dict]:
        """Every record of ``feed`` for the quarter and province, page after page, in order."""
        label = f"{feed} {quarter}/{province}"
        for body in self._pages(self.first_page_url(feed, quarter, province), label):
            yield from body["records"]

    def _pages(self, url: str, label: str) -> Iterator[dict[str, Any]]:
        """Each page's body from ``url`` on, following the next page until the last."""
        page, total = 1, 0
        seen = {url}
        for _ in range(self.max_pages):
            body, response = self._get_page(url)
            total += len(body["records"])
            log.info("%s: page %d gave %d records (%d so far)", label, page,
                     len(body["records"]), total)  # fmt: skip
            yield body
            next_url = self._next_url(url, page, body, response)
            if next_url is None:
                log.info("%s: %d records in %d pages", label, total, page)
                return
            if next_url in seen:
                raise PartnerApiError(
                    self._show(url), f"the next page points back to one already read: {next_url}"
                )
            seen.add(next_url)
            url, page = next_url, page + 1
        raise PartnerApiError(
            self._show(url), f"more than {self.max_pages} pages: stopped (raise max_pages?)"
        )

    # ------------------------------------------------------------------ change notices
    def first_changes_url(self, since: str | None) -> str:
        first = {"since": since} if since else {}  # no cursor yet: from the start
        query = urlencode({**first, "page": 1, "page_size": self.page_size})
        return f"{self.base_url}/{CHANGES_FEED}?{query}"

    def fetch_changes(self, since: str | None) -> tuple[list[dict], str | None]:
        """The change notices recorded after the cursor ``since`` (None: from the start), and
        the cursor to ask from next time: the one the last page gives as ``cursor``, else the
        latest ``recorded_on`` among the records (by any of its header spellings), else
        ``since`` unchanged (asking again is harmless: a notice counts once)."""
        records: list[dict] = []
        cursor: str | None = None
        for body in self._pages(self.first_changes_url(since), f"changes since {since or '-'}"):
            records += body["records"]
            if isinstance(body.get("cursor"), str | int) and str(body["cursor"]).strip():
                cursor = str(body["cursor"])
        if cursor is None:
            spec = specs()[CHANGES_FEED]
            recorded = [
                str(value)
                for record in records
                for key, value in record.items()
                if value and spec.canonical(key) == "recorded_on"
            ]
            cursor = max(recorded, default=None) or since
        return records, cursor

    def land_changes_to(
        self, landing_root: Path | str, day: date, since: str | None
    ) -> tuple[Path | None, str | None]:
        """Land the notices recorded since ``since`` as one JSON lines file in ``day``'s folder
        (``changes/<day>/changes_api_<day>_<hash>.jsonl``, named by its content so a later
        fetch the same day never replaces an earlier one); (the file or None when there was
        nothing new, the next cursor)."""
        records, cursor = self.fetch_changes(since)
        if not records:
            log.info("no change notice recorded since %s", since or "the start")
            return None, cursor
        lines = b"".join(_json_line(record) for record in records)
        digest = hashlib.sha256(lines).hexdigest()[:12]
        name = safe_file_name(f"{CHANGES_FEED}_api_{day:%Y%m%d}_{digest}.jsonl")
        if name is None:  # pragma: no cover - by construction
            raise ValueError(f"cannot name a notices file for {day}")
        target = _write_whole(Path(landing_root) / CHANGES_FEED / day.isoformat(), name, [lines])
        log.info("landed %d change notices as %s", len(records), target)
        return target, cursor

    def _next_url(
        self, url: str, page: int, body: dict[str, Any], response: requests.Response
    ) -> str | None:
        if "next_page" in body:
            number = body["next_page"]
            if number is None:
                return None
            if isinstance(number, str) and number.isdigit():
                number = int(number)
            if isinstance(number, bool) or not isinstance(number, int) or number <= page:
                raise PartnerApiError(
                    self._show(url),
                    f"next_page must be a page number above {page} or null, not {number!r}",
                )
            return _with_page(url, number)
        target = body.get("next") or response.links.get("next", {}).get("url")
        if not target:
            return None
        if not isinstance(target, str):
            raise PartnerApiError(self._show(url), f"next must be a URL or null, not {target!r}")
        next_url = urljoin(url, target)
        if _origin(next_url) != _origin(self.base_url):
            raise PartnerApiError(
                self._show(url),
                f"the next page is on another host ({self._show(next_url)}): not sending the "
                "token there",
            )
        return next_url

    def _get_page(self, url: str) -> tuple[dict[str, Any], requests.Response]:
        """One page's JSON body, asking again (bounded, through tenacity) while the failure may
        pass: a timeout, a dropped connection, HTTP 408, 429 or 5xx. Anything else fails at once."""
        attempts = self.max_retries + 1
        shown = self._show(url)
        retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_MayPass),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(self._try_page, url, shown)
        except _MayPass as last:
            raise PartnerApiError(
                shown,
                f"{last.fault}; gave up after {attempts} attempt{'s' if attempts > 1 else ''}",
                last.status,
                retryable=True,
            ) from None

    def _try_page(self, url: str, shown: str) -> tuple[dict[str, Any], requests.Response]:
        """One attempt: the page, ``_MayPass`` for a failure worth asking again, or
        ``PartnerApiError`` (``PartnerApiAuthError`` for 401 and 403) for one that is not."""
        try:
            response = self._get_following_redirects(url)
        except (
            requests.Timeout,
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            raise _MayPass(shown, self._describe(exc)) from None
        except requests.RequestException as exc:
            raise PartnerApiError(shown, self._describe(exc)) from None
        status = response.status_code
        if status in (401, 403):
            raise PartnerApiAuthError(
                shown,
                "the partner API refused the bearer token (check the token in the "
                "connection's password or extra 'token')",
                status,
            )
        if 200 <= status < 300:
            return self._body(shown, response), response
        fault = f"{response.reason or 'error'}{self._snippet(response)}"
        if status < 500 and status not in RETRYABLE_STATUSES:
            raise PartnerApiError(shown, fault, status)
        raise _MayPass(shown, fault, status, response.headers.get("Retry-After"))

    def _log_retry(self, state: RetryCallState) -> None:
        """tenacity's ``before_sleep``: one WARNING per retry, naming the scrubbed URL only."""
        failure = state.outcome.exception() if state.outcome is not None else None
        if not isinstance(failure, _MayPass):  # pragma: no cover - only _MayPass is retried
            return
        log.warning(
            "%s: %s%s (attempt %d of %d); asking again in %.1f s",
            failure.shown,
            f"HTTP {failure.status} " if failure.status is not None else "",
            failure.fault,
            state.attempt_number,
            self.max_retries + 1,
            state.upcoming_sleep,
        )

    def _get_following_redirects(self, url: str) -> requests.Response:
        """The answer for ``url`` after any redirects on the base URL's scheme, host and port.

        ``requests`` would follow a redirect anywhere: it drops the token on the way to another
        host, but the other host's answer would come back as the page and its records would be
        landed as the partner's. So redirects are not left to it (``allow_redirects=False``):
        a redirect to the same origin is asked again here, with the token; any other fails
        with ``PartnerApiError`` before a byte is sent there.
        """
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.get(
                current,
                auth=self._auth,
                timeout=self.timeout,
                headers={"Accept": "application/json"},
                allow_redirects=False,
            )
            location = self.session.get_redirect_target(response)  # None unless a 3xx redirect
            if location is None:
                return response
            response.close()
            target = urljoin(response.url, requote_uri(location))
            if _origin(target) != _origin(self.base_url):
                raise PartnerApiError(
                    self._show(url),
                    "the partner API redirected outside its base URL "
                    f"({self._show(self.base_url)}) to {self._show(target)}: not followed, so "
                    "the token was not sent there and nothing from there is landed (if the "
                    "partner moved, change the connection's base URL)",
                    response.status_code,
                )
            log.info(
                "%s: redirected (HTTP %d) to %s",
                self._show(current),
                response.status_code,
                self._show(target),
            )
            current = target
        raise PartnerApiError(
            self._show(url), f"more than {MAX_REDIRECTS} redirects: stopped (a redirect loop?)"
        )

    def _body(self, shown: str, response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise PartnerApiError(
                shown, f"the answer is not JSON{self._snippet(response)}", response.status_code
            ) from None
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise PartnerApiError(
                shown,
                'the answer is not an object with a "records" list',
                response.status_code,
            )
        for index, record in enumerate(body["records"]):
            if not isinstance(record, dict):
                raise PartnerApiError(
                    shown,
                    f"record {index} of the page is a {type(record).__name__}, not a JSON object",
                    response.status_code,
                )
        return body

    def _wait(self, state: RetryCallState) -> float:
        """tenacity's ``wait``: ``backoff × 2^(n-1)`` after the n-th attempt, or the answer's
        numeric ``Retry-After`` when that is longer, never more than ``max_backoff``."""
        delay = wait_exponential(multiplier=self.backoff, max=self.max_backoff)(state)
        failure = state.outcome.exception() if state.outcome is not None else None
        retry_after = failure.retry_after if isinstance(failure, _MayPass) else None
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        return min(delay, self.max_backoff)

    def _describe(self, exc: BaseException) -> str:
        text = str(exc)
        if len(text) > 300:
            text = text[:300] + "..."
        return self._scrub(f"{type(exc).__name__}: {text}")

    def _snippet(self, response: requests.Response) -> str:
        text = (response.text or "").strip().replace("\n", " ")
        if not text:
            return ""
        if len(text) > _BODY_SNIPPET:
            text = text[:_BODY_SNIPPET] + "..."
        return f": {self._scrub(text)}"

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***")

    def _show(self, url: str) -> str:
        return self._scrub(_without_userinfo(url))

    # ------------------------------------------------------------------ land
    def land_to(
        self,
        folder_landing_root: Path | str,
        feed: str,
        quarter: str | Quarter,
        province: str | int,
    ) -> Path:
        """Write the records as ``<root>/<quarter>/<province>/<feed>_api_<quarter>.jsonl``.

        The file appears whole or not at all: lines go to a hidden temporary file in the same
        folder (the landing zone ignores names starting with a dot), renamed when complete.
        Fails with ``PartnerApiError`` when the API gives no records (nothing is written).
        """
        feed = _check_feed(feed)
        quarter_text = str(Quarter.parse(str(quarter)))
        province = _check_province(province)
        name = safe_file_name(f"{feed}_api_{quarter_text}.jsonl")
        if name is None or feed_of_file_name(name) != feed:  # pragma: no cover - by construction
            raise ValueError(f"cannot name a landing file for {feed} {quarter_text}")
        folder = Path(folder_landing_root) / quarter_text / province
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
        temporary_path = Path(temporary)
        try:
            digest = hashlib.sha256()
            count = 0
            with os.fdopen(handle, "wb") as out:
                for record in self.fetch(feed, quarter_text, province):
                    line = _json_line(record)
                    out.write(line)
                    digest.update(line)
                    count += 1
                if count == 0:
                    raise PartnerApiError(
                        self._show(self.first_page_url(feed, quarter_text, province)),
                        "the API gave no records: nothing landed",
                    )
                out.flush()
                os.fsync(out.fileno())
            same = target.is_file() and not target.is_symlink()  # a link is replaced, not read
            if same and sha256_of(target) == digest.hexdigest():
                temporary_path.unlink()
                log.info("%s unchanged: the API gave the same %d records", target, count)
                return target
            temporary_path.chmod(0o644)
            os.replace(temporary_path, target)
        except BaseException:
            temporary_path.unlink(missing_ok=True)
            raise
        log.info("landed %d records as %s", count, target)
        return target


def _json_line(record: dict) -> bytes:
    """One record as a line: keys sorted, UTF-8, so the same records give the same bytes."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _write_whole(folder: Path, name: str, chunks: list[bytes]) -> Path:
    """Write ``folder/name`` under a hidden temporary name (which the landing zone ignores),
    synced, then renamed: it appears whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    temporary_path = Path(temporary)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        temporary_path.chmod(0o644)
        os.replace(temporary_path, folder / name)
    except BaseException:
        temporary_path.unlink(missing_ok=True)
        raise
    return folder / name
