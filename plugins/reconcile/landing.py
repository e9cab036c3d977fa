"""The landing zone: where partner files arrive, laid out ``<quarter>/<province>/<feed>_*.<ext>``.

A landing zone only lists and opens files; landing them into the warehouse (hash, skip seen,
keep a copy) is ``steps.land``. Names come from outside: they are checked before they are
used in any path, and a name that fails the check is reported, never used.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reconcile.feeds.spec import feed_of_file_name
from reconcile.quarter import Quarter

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"^[\w][\w.\- ]{0,150}$")
_PROVINCE = re.compile(r"^\d{2}$")


@dataclass(frozen=True)
class IncomingFile:
    quarter: str
    province: str
    name: str
    feed: str | None
    path: Path


class LandingZone(Protocol):
    def list_files(self, quarter: Quarter) -> list[IncomingFile]: ...


def safe_file_name(name: str) -> str | None:
    """The name if it is a plain file name (no separators, no leading dot), else None."""
    name = unicodedata.normalize("NFC", name)
    if name != Path(name).name or not _SAFE_NAME.match(name) or ".." in name:
        return None
    return name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class LocalLandingZone:
    """A folder on disk (or a mounted share) that partners or the data team drop files into."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def list_files(self, quarter: Quarter) -> list[IncomingFile]:
        base = self.root / str(quarter)
        if not base.is_dir():
            log.warning("no landing folder for %s at %s", quarter, base)
            return []
        found: list[IncomingFile] = []
        for province_dir in sorted(base.iterdir()):
            if not province_dir.is_dir() or not _PROVINCE.match(province_dir.name):
                log.warning("ignored %s: not a two-digit province folder", province_dir.name)
                continue
            for entry in sorted(province_dir.iterdir()):
                if not entry.is_file() or entry.name.startswith("."):
                    continue
                name = safe_file_name(entry.name)
                if name is None:
                    log.warning(
                        "ignored a file in %s whose name is not a plain file name", province_dir
                    )
                    continue
                found.append(
                    IncomingFile(
                        str(quarter), province_dir.name, name, feed_of_file_name(name), entry
                    )
                )
        return found
