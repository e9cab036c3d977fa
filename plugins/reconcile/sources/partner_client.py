"""The HTTP side of a partner API: a bearer token that goes to the base URL's scheme, host and
port only, redirects followed by hand on that origin (``MAX_REDIRECTS`` hops at most), a page
asked again (tenacity) while its failure may pass, and every URL and message scrubbed of the
token. ``http_api.HttpApiSource`` builds the API's paging and landing on this client; the
contract is in its module docstring (and ``docs/sources.md``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import urljoin, urlsplit, urlunsplit

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

# the partner API's log, whichever of its modules writes the line
log = logging.getLogger("reconcile.sources.http_api")

RETRYABLE_STATUSES = frozenset({408, 429})  # and every 5xx
_BODY_SNIPPET = 200
_DEFAULT_PORTS = {"http": 80, "https": 443}
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


class PageClient:
    """Asks a partner API for one page (``_get_page``) with the bearer token, retries and
    redirects as above; ``HttpApiSource`` pages through the API's records with it."""

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

    def close(self) -> None:
        """Close the session if this source opened it (a session passed in stays open)."""
        if self._own_session:
            self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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
