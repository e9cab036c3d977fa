"""A small synchronous driver for headless Chromium over the Chrome DevTools Protocol (CDP).

No Playwright, no Selenium: Chromium is started with ``--remote-debugging-port=0``, the
DevTools websocket address is read from its stderr ("DevTools listening on ws://..."), and one
websocket (``websockets.sync.client``) carries every command. A page target is created and
attached to with a flat session, so commands and events of the page travel on that socket.

Typical use (the browser's path from ``browser.chromium()``, which skips when it is missing)::

    with Page.launch(browser.chromium()) as page:
        status = page.navigate("http://127.0.0.1:8000/login")   # waits for the load event
        page.evaluate("document.querySelector('input[name=username]').value = 'an'")
        page.submit("document.querySelector('form.login').requestSubmit()")  # waits for load
        assert "Hồ sơ kiểm tra" in page.text()
        page.wait_for("document.querySelectorAll('tr').length > 3", timeout=5)
        png = page.screenshot()

``navigate`` and ``submit`` return the HTTP status of the document they land on (redirects
followed), so a test can tell a 401 page from a 200 one. Everything is bounded by timeouts;
a command that fails, or JavaScript that throws, raises :class:`CDPError` with the browser's
message. The profile is a fresh temporary folder, deleted by :meth:`Page.close`.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

FLAGS = (
    "--headless=new",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-proxy-server",  # the app under test is on 127.0.0.1: never through a proxy
    "--hide-scrollbars",
    "--mute-audio",
)
LISTENING = "DevTools listening on "


class CDPError(RuntimeError):
    """A DevTools command failed, JavaScript threw, or something did not happen in time."""


class Page:
    """One headless Chromium with one page (tab), driven synchronously.

    Build it with :meth:`launch`; use it as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        socket: ClientConnection,
        session: str,
        profile: Path,
        log: Path,
        timeout: float,
    ) -> None:
        self._process = process
        self._socket = socket
        self._session = session
        self._profile = profile
        self._log = log
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._events: deque[dict[str, Any]] = deque()
        self._status: int | None = None  # the last main document's HTTP status
        self._frame: str | None = None  # the page's main frame id

    # ------------------------------------------------------------ starting and stopping
    @classmethod
    def launch(
        cls,
        browser: str,
        *,
        width: int = 1280,
        height: int = 1600,
        timeout: float = 20.0,
        extra_flags: tuple[str, ...] = (),
    ) -> Page:
        """Start ``browser`` headless with a fresh profile and open one blank page."""
        profile = Path(tempfile.mkdtemp(prefix="cdp-profile-"))
        log = profile / "chromium-stderr.log"
        flags = [*FLAGS, f"--user-data-dir={profile / 'data'}", f"--window-size={width},{height}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        with open(log, "wb") as err:
            process = subprocess.Popen(
                [browser, *flags, *extra_flags, "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        try:
            url = cls._devtools_url(process, log, timeout)
            socket = connect(url, max_size=None, open_timeout=timeout, proxy=None)
        except BaseException:
            cls._stop(process)
            shutil.rmtree(profile, ignore_errors=True)
            raise
        page = cls(process, socket, "", profile, log, timeout)
        try:
            target = page._call("Target.createTarget", {"url": "about:blank"}, browser_level=True)
            attached = page._call(
                "Target.attachToTarget",
                {"targetId": target["targetId"], "flatten": True},
                browser_level=True,
            )
            page._session = attached["sessionId"]
            page._frame = target["targetId"]  # a page target's id is its main frame's id
            for domain in ("Page", "Runtime", "Network"):
                page.send(f"{domain}.enable")
            page.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
        except BaseException:
            page.close()
            raise
        return page

    @staticmethod
    def _devtools_url(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = log.read_text(encoding="utf-8", errors="replace")
            for line in text.splitlines():
                if line.startswith(LISTENING):
                    return line[len(LISTENING) :].strip()
            if process.poll() is not None:
                raise CDPError(f"chromium exited with {process.returncode}: {text[-2000:]}")
            time.sleep(0.05)
        raise CDPError(f"chromium gave no DevTools address within {timeout:.0f} s")

    @staticmethod
    def _stop(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def close(self) -> None:
        """Close the browser (politely, then by signal) and delete its profile."""
        # already gone, or not answering: the process is stopped below in any case
        with contextlib.suppress(Exception):
            self._call("Browser.close", browser_level=True, timeout=5)
        with contextlib.suppress(Exception):
            self._socket.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)
        self._stop(self._process)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def browser_log(self) -> str:
        """What Chromium wrote to stderr so far (for a failure's message)."""
        try:
            return self._log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    # ------------------------------------------------------------ the protocol
    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one CDP command to the page and return its result."""
        return self._call(method, params)

    def _call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        browser_level: bool = False,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send ``method`` (to the page, or to the browser itself) and wait for its answer."""
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if not browser_level and self._session:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._receive(deadline, f"the answer to {method}")
            if reply.get("id") == number:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error'].get('message')} {reply['error']}")
                return reply.get("result", {})
            self._keep(reply)

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CDPError(f"timed out waiting for {waiting_for}")
        try:
            raw = self._socket.recv(timeout=left)
        except TimeoutError:
            raise CDPError(f"timed out waiting for {waiting_for}") from None
        return json.loads(raw)

    def _keep(self, message: dict[str, Any]) -> None:
        """Keep an event for :meth:`wait_event`; note the main document's HTTP status."""
        if "method" not in message:
            return
        if message["method"] == "Network.responseReceived":
            params = message["params"]
            if params.get("type") == "Document" and params.get("frameId") == self._frame:
                self._status = int(params["response"]["status"])
        self._events.append(message)

    def wait_event(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        """The params of the next ``method`` event (kept ones first), or :class:`CDPError`."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            while self._events:
                event = self._events.popleft()
                if event["method"] == method:
                    return event.get("params", {})
            self._keep(self._receive(deadline, f"the event {method}"))

    def _drain(self) -> None:
        """Forget the events received so far (what came before an action is not its result)."""
        while True:
            try:
                raw = self._socket.recv(timeout=0)
            except TimeoutError:
                break
            self._keep(json.loads(raw))
        self._events.clear()

    # ------------------------------------------------------------ what a test does
    def navigate(self, url: str, timeout: float | None = None) -> int | None:
        """Open ``url``, wait for its load event; the HTTP status of the document shown."""
        self._drain()
        self._status = None
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CDPError(f"navigating to {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired", timeout)
        return self._status

    def submit(self, js: str, timeout: float | None = None) -> int | None:
        """Run ``js`` that leaves the page (submits a form, clicks a link), wait for the next
        page's load event; the HTTP status of the document shown (after redirects)."""
        self._drain()
        self._status = None
        self.evaluate(js)
        self.wait_event("Page.loadEventFired", timeout)
        return self._status

    def evaluate(self, js: str) -> Any:
        """The value of the JavaScript expression ``js`` in the page (promises awaited)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": js, "returnByValue": True, "awaitPromise": True, "userGesture": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            error = details.get("exception", {}).get("description") or details.get("text")
            raise CDPError(f"JavaScript failed: {error}\n  in: {js}")
        return result.get("result", {}).get("value")

    def text(self) -> str:
        """The page's visible text (``document.body.innerText``)."""
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def url(self) -> str:
        return self.evaluate("location.href")

    def wait_for(self, js_condition: str, timeout: float | None = None) -> Any:
        """Poll until ``js_condition`` is truthy in the page; its value, or :class:`CDPError`."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                value = self.evaluate(js_condition)
            except CDPError:  # the page is between documents: try again
                value = None
            if value:
                return value
            if time.monotonic() >= deadline:
                raise CDPError(f"timed out waiting for: {js_condition}")
            time.sleep(0.05)

    def screenshot(self, full_page: bool = True) -> bytes:
        """A PNG of the page (the whole document when ``full_page``)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}  # fmt: skip
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
