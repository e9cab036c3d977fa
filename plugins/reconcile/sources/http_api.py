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

The HTTP side (the token, retries, redirects, scrubbing) is ``partner_client.PageClient``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from reconcile.feeds.spec import FEEDS, feed_of_file_name, specs
from reconcile.landing import safe_file_name, sha256_of
from reconcile.quarter import Quarter
from reconcile.sources.partner_client import (
    MAX_REDIRECTS,
    RETRYABLE_STATUSES,
    PageClient,
    PartnerApiAuthError,
    PartnerApiError,
    _origin,
    _without_userinfo,
    log,
)

__all__ = [
    "CHANGES_FEED",
    "MAX_REDIRECTS",
    "RETRYABLE_STATUSES",
    "HttpApiSource",
    "PartnerApiAuthError",
    "PartnerApiError",
]

_PROVINCE = re.compile(r"^\d{2}$")
CHANGES_FEED = "changes"  # GET {base_url}/changes?since=<cursor>&page=N&page_size=M


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


class HttpApiSource(PageClient):
    """Records of one feed, quarter and province from a partner API (contract above)."""

    def __repr__(self) -> str:
        return f"HttpApiSource({_without_userinfo(self.base_url)!r}, token=***)"

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
            log.info(
                "%s: page %d gave %d records (%d so far)", label, page, len(body["records"]), total
            )
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
