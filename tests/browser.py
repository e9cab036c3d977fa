"""Headless Chromium for the browser tests, and a reader of the pages it renders.

:func:`chromium` finds the browser. When it is missing and this process runs as root on a
machine with ``apt-get``, it installs the Debian package ``chromium`` once (under a file lock,
output logged to a file whose path is printed); otherwise the test skips with the reason.
Under CI (``CI=true``) or with ``RECONCILE_REQUIRE_BROWSER=1`` a missing browser is a failure,
not a skip: the browser path is always exercised on the machines meant to have one.

:func:`render` opens a local HTML file offline (no network, no first-run, no sync, a fresh
profile) and returns the DOM after load and a screenshot. :func:`elements` reads ids and
``data-*`` attributes out of HTML with the standard library's parser.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

log = logging.getLogger(__name__)

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
INSTALL_LOG = Path(tempfile.gettempdir()) / "reconcile-chromium-install.log"
_LOCK = Path(tempfile.gettempdir()) / "reconcile-chromium-install.lock"
_tried_install = False


def browser_required() -> bool:
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("RECONCILE_REQUIRE_BROWSER") == "1"
    )


def find_chromium() -> str | None:
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def _can_install() -> str | None:
    """Why installing is not possible here, or None when it is."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not running as root"
    if shutil.which("apt-get") is None:
        return "apt-get not available"
    return None


def _install() -> None:
    """``apt-get update && apt-get install -y chromium``, once per machine at a time."""
    import fcntl

    with open(_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a parallel session waits, then finds it installed
        if find_chromium():
            return
        log.warning("chromium missing: installing it with apt-get (log: %s)", INSTALL_LOG)
        print(f"\nchromium missing: apt-get install -y chromium (log: {INSTALL_LOG})")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        with open(INSTALL_LOG, "a", encoding="utf-8") as out:
            for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
                out.write(f"$ {' '.join(command)}\n")
                out.flush()
                try:
                    result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                            timeout=900, check=False)  # fmt: skip
                except subprocess.TimeoutExpired:
                    log.warning("%s timed out (log: %s)", command, INSTALL_LOG)
                    return
                if result.returncode != 0:
                    log.warning(
                        "%s failed with %d (log: %s)", command, result.returncode, INSTALL_LOG
                    )
                    return


def chromium() -> str:
    """The browser's path; installs it when allowed, else skips (fails under CI)."""
    global _tried_install
    found = find_chromium()
    if found is None and not _tried_install:
        _tried_install = True  # once per session, whatever comes of it
        reason = _can_install()
        if reason is None:
            _install()
            found = find_chromium()
        else:
            log.info("chromium missing and not installable here: %s", reason)
    if found is None:
        why = _can_install()
        message = "headless Chromium not found" + (
            f" and not installable here ({why})"
            if why
            else f"; installing it with apt-get failed (see {INSTALL_LOG})"
        )
        if browser_required():
            pytest.fail(f"{message} (required here: CI=true or RECONCILE_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    return found


@dataclass
class Rendered:
    dom: str
    screenshot: Path
    stderr: str = ""


def _run(browser: str, profile: Path, *args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def render(page: Path, work: Path, *, width: int = 1280, height: int = 2600) -> Rendered:
    """Load ``page`` in headless Chromium: the DOM after load (``--dump-dom``) and a PNG."""
    browser = chromium()
    work.mkdir(parents=True, exist_ok=True)
    url = page.resolve().as_uri()
    dom = _run(browser, work / "profile-dom", "--dump-dom", url)
    assert dom.returncode == 0 and "<html" in dom.stdout, (
        f"chromium --dump-dom failed: {dom.stderr[-2000:]}"
    )
    png = work / f"{page.stem}.png"
    shot = _run(browser, work / "profile-shot", f"--window-size={width},{height}",
                f"--screenshot={png}", url)  # fmt: skip
    assert shot.returncode == 0 and png.is_file(), (
        f"chromium --screenshot failed: {shot.stderr[-2000:]}"
    )
    return Rendered(dom=dom.stdout, screenshot=png, stderr=dom.stderr + shot.stderr)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, from its header (no imaging library needed)."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children_tags: list[str] = field(default_factory=list)

    def data(self, name: str) -> str | None:
        return self.attrs.get(f"data-{name}")


class _Reader(HTMLParser):
    """Every element with its attributes, the text inside it, and the tags nested in it."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        for parent in self._open:
            parent.children_tags.append(tag)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        for parent in self._open:
            parent.children_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def elements(html: str) -> list[Element]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.elements


def by_id(html: str) -> dict[str, Element]:
    return {e.attrs["id"]: e for e in elements(html) if "id" in e.attrs}
