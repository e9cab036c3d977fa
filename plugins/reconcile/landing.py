"""The landing zone: where partner files arrive, laid out ``<quarter>/<province>/<feed>_*.<ext>``.

A landing zone only lists and opens files; landing them into the warehouse (hash, skip seen,
keep a copy) is ``steps.land``. Names come from outside: they are checked before they are
used in any path, and a name that fails the check is reported, never used.

What lands is what lies in the landing folder, never what an entry points to. A quarter
folder, a province folder or a file that is a **symbolic link is refused, whatever its target**,
even a target inside the landing folder: a link can be pointed elsewhere between the listing
and the reading, it lets one province's folder carry another's file (the province comes from
the folder), and copying a file in costs the sender nothing. Only the landing root itself may
be a link (it is the operator's setting, not a partner's drop): it is resolved once, and every
listed file's real path must be exactly ``<real root>/<quarter>/<province>/<name>``, which also
catches a parent folder swapped for a link while listing. A file must be a regular file: a
FIFO, socket or device is refused, since reading a FIFO would hang the task. Each refusal is
logged with the entry's place in the landing folder (never its target), why, and what to do,
and kept in ``LocalLandingZone.ignored`` for the caller's report; nothing refused is opened.
``sha256_of`` checks again when it opens a file (no final link followed, no FIFO waited on),
for a file swapped between the listing and the landing.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from reconcile.feeds.spec import feed_of_file_name
from reconcile.quarter import Quarter

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"^[\w][\w.\- ]{0,150}$")
_PROVINCE = re.compile(r"^\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHANGES = "changes"  # <landing>/changes/<YYYY-MM-DD>/[<province>/]<file>: the change notices
NATIONAL = "00"  # the province of a notices file that is not in a province folder

# Final component not followed, a FIFO not waited on: see ``sha256_of``.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)

_LINKED_FOLDER = (
    "a symbolic link: the landing zone follows no link out of itself; "
    "copy the files in instead of linking the folder"
)
_LINKED_FILE = (
    "a symbolic link: the landing zone follows no link out of itself; "
    "copy the file in instead of linking it"
)
_NOT_REGULAR = (
    "not a regular file (a FIFO, socket or device): reading it could hang the task; "
    "copy the data in as a regular file"
)
_OUTSIDE = (
    "its real path lies outside the landing folder (a folder on the way is a link); "
    "copy the file in instead of linking it"
)
_ELSEWHERE = (
    "its real path is elsewhere in the landing folder (a folder on the way is a link); "
    "copy the file in instead of linking it"
)


@dataclass(frozen=True)
class IncomingFile:
    quarter: str
    province: str
    name: str
    feed: str | None
    path: Path


@dataclass(frozen=True)
class IgnoredEntry:
    """An entry of the landing folder that was not listed: where it is (relative to the landing
    root, never a link's target) and why, so that the caller can report it to the sender."""

    entry: str
    reason: str


class LandingZone(Protocol):
    def list_files(self, quarter: Quarter) -> list[IncomingFile]: ...


def safe_file_name(name: str) -> str | None:
    """The name if it is a plain file name (no separators, no leading dot), else None."""
    name = unicodedata.normalize("NFC", name)
    if name != Path(name).name or not _SAFE_NAME.match(name) or ".." in name:
        return None
    return name


def sha256_of(path: Path) -> str:
    """The SHA-256 of a regular file's bytes.

    The file is opened without following a final symbolic link and without waiting for a
    writer, and read only if it is a regular file: a name swapped for a link or a FIFO after
    the listing fails here (``OSError``) instead of reading elsewhere or hanging.
    """
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(
                errno.ELOOP,
                "a symbolic link, not read: copy the file in instead of linking it",
                str(path),
            ) from None
        raise
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(
                errno.EINVAL, "not a regular file (a FIFO, socket or device), not read", str(path)
            )
        digest = hashlib.sha256()
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def copy_verified(path: Path, target: Path, expected_sha256: str) -> Path:
    """Copy a landed file to ``target``, opened as ``sha256_of`` opens it, and check that the
    copy has the bytes that were hashed: a file swapped or rewritten between the two reads is
    not kept (``OSError``), and ``target`` only ever appears complete (written, then renamed)."""
    descriptor = os.open(path, _OPEN_FLAGS)
    partial = target.with_name(f".{target.name}.partial")
    digest = hashlib.sha256()
    try:
        with open(descriptor, "rb") as source, open(partial, "wb") as copy:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                raise OSError(errno.EINVAL, "not a regular file, not copied", str(path))
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
                copy.write(chunk)
        if digest.hexdigest() != expected_sha256:
            raise OSError(
                errno.EAGAIN,
                "the file changed while it was being landed; it lands next run",
                str(path),
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _shown(relative: str) -> str:
    """An entry's place as a log line may show it: control characters escaped."""
    return relative if relative.isprintable() else ascii(relative)


def _own_mode(path: Path, place: str, ignore: Callable[..., None], *, linked: str) -> int | None:
    """``path``'s own mode (``lstat``: a link is not followed), or None when it is refused
    through ``ignore`` at ``place``: unreadable, or a link (for the reason ``linked``)."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        ignore(place, f"it could not be read ({exc.strerror})")
        return None
    if stat.S_ISLNK(mode):
        ignore(place, linked)
        return None
    return mode


class LocalLandingZone:
    """A folder on disk (or a mounted share) that partners or the data team drop files into.

    ``ignored`` holds the entries the last ``list_files`` refused, with their reasons.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.ignored: list[IgnoredEntry] = []

    def list_files(self, quarter: Quarter) -> list[IncomingFile]:
        found, self.ignored = self.scan(quarter)
        return found

    def scan(self, quarter: Quarter) -> tuple[list[IncomingFile], list[IgnoredEntry]]:
        """The quarter's files, and the entries refused (each also logged as a warning).

        Every entry is looked at with ``lstat`` (which does not follow links) before it is
        used; a refused folder is not listed and a refused file is not opened.
        """
        ignored, ignore = self._refusals()

        real_root = self.root.resolve()
        base = self.root / str(quarter)
        try:
            base_mode = base.lstat().st_mode
        except OSError:
            base_mode = None
        if base_mode is not None and stat.S_ISLNK(base_mode):
            ignore(str(quarter), _LINKED_FOLDER)
            return [], ignored
        if base_mode is None or not stat.S_ISDIR(base_mode):
            log.warning("no landing folder for %s at %s", quarter, base)
            return [], ignored
        found: list[IncomingFile] = []
        for province_dir in sorted(base.iterdir()):
            where = f"{quarter}/{province_dir.name}"
            mode = _own_mode(province_dir, where, ignore, linked=_LINKED_FOLDER)
            if mode is None:
                continue
            if not stat.S_ISDIR(mode) or not _PROVINCE.match(province_dir.name):
                ignore(where, "not a two-digit province folder", _shown(province_dir.name))
                continue
            for entry, name in self._files(province_dir, where, real_root, ignore):
                found.append(
                    IncomingFile(
                        str(quarter), province_dir.name, name, feed_of_file_name(name), entry
                    )
                )
        return found, ignored

    def _refusals(self) -> tuple[list[IgnoredEntry], Callable[..., None]]:
        """A fresh list of refused entries, and the function that logs and records one."""
        ignored: list[IgnoredEntry] = []

        def ignore(
            relative: str, reason: str, shown: str | None = None, recorded: str | None = None
        ) -> None:
            """Log the entry as ``shown`` (default: its place) and record it as ``recorded``."""
            log.warning("ignored %s: %s", shown or _shown(relative), reason)
            ignored.append(IgnoredEntry(recorded or _shown(relative), reason))

        return ignored, ignore

    def _files(
        self, folder: Path, where: str, real_root: Path, ignore: Callable[..., None]
    ) -> Iterator[tuple[Path, str]]:
        """The regular files of ``folder`` (``where`` from the landing root) with their checked
        names; links, FIFOs, unsafe names and misplaced entries are refused through ``ignore``."""
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("."):
                continue  # hidden: a partial download or a temporary (``land_to``)
            place = f"{where}/{entry.name}"
            mode = _own_mode(entry, place, ignore, linked=_LINKED_FILE)
            if mode is None:
                continue
            if stat.S_ISDIR(mode):
                continue  # a subfolder is not part of the layout
            if not stat.S_ISREG(mode):
                ignore(place, _NOT_REGULAR)
                continue
            name = safe_file_name(entry.name)
            if name is None:
                # the name stays out of the log line; the report gets it escaped
                ignore(
                    place,
                    "not a plain file name",
                    shown=f"a file in {folder}",
                    recorded=ascii(place),
                )
                continue
            reason = self._misplaced(real_root, entry, where)
            if reason is not None:
                ignore(place, reason)
                continue
            yield entry, name

    def scan_changes(
        self, until: date, since: date | None = None
    ) -> tuple[list[IncomingFile], list[IgnoredEntry]]:
        """The change notices' files: ``changes/<YYYY-MM-DD>/<file>`` (a national file, province
        ``00``: each notice's province is read from the notice) or
        ``changes/<YYYY-MM-DD>/<province>/<file>``, for the days from ``since`` to ``until``.
        The same checks as ``scan``; a folder not named as a day is refused."""
        ignored, ignore = self._refusals()

        real_root = self.root.resolve()
        base = self.root / CHANGES
        try:
            base_mode = base.lstat().st_mode
        except OSError:
            return [], ignored
        if stat.S_ISLNK(base_mode) or not stat.S_ISDIR(base_mode):
            ignore(CHANGES, _LINKED_FOLDER if stat.S_ISLNK(base_mode) else "not a folder")
            return [], ignored
        found: list[IncomingFile] = []
        for day_dir in sorted(base.iterdir()):
            where = f"{CHANGES}/{day_dir.name}"
            try:
                mode = day_dir.lstat().st_mode
                day = date.fromisoformat(day_dir.name) if _DAY.match(day_dir.name) else None
            except (OSError, ValueError):
                mode, day = 0, None
            if stat.S_ISLNK(mode):
                ignore(where, _LINKED_FOLDER)
                continue
            if not stat.S_ISDIR(mode) or day is None:
                ignore(where, "not a day folder (YYYY-MM-DD)", _shown(day_dir.name))
                continue
            if day > until or (since is not None and day < since):
                continue
            quarter = str(Quarter.containing(day))
            for entry, name in self._files(day_dir, where, real_root, ignore):
                found.append(IncomingFile(quarter, NATIONAL, name, feed_of_file_name(name), entry))
            for province_dir in sorted(day_dir.iterdir()):
                inner = f"{where}/{province_dir.name}"
                try:
                    mode = province_dir.lstat().st_mode
                except OSError:
                    continue
                if stat.S_ISLNK(mode):
                    ignore(inner, _LINKED_FOLDER)
                    continue
                if not stat.S_ISDIR(mode):
                    continue
                if not _PROVINCE.match(province_dir.name):
                    ignore(inner, "not a two-digit province folder", _shown(province_dir.name))
                    continue
                for entry, name in self._files(province_dir, inner, real_root, ignore):
                    found.append(
                        IncomingFile(
                            quarter, province_dir.name, name, feed_of_file_name(name), entry
                        )
                    )
        return found, ignored

    @staticmethod
    def _misplaced(real_root: Path, entry: Path, where: str) -> str | None:
        """Why ``entry``'s real path is not ``<real root>/<where>/<name>``, or None.

        ``lstat`` already showed the file itself is no link; this catches a quarter or province
        folder swapped for a link after it was looked at (defence in depth).
        """
        try:
            real = entry.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            return f"it could not be resolved ({getattr(exc, 'strerror', None) or exc})"
        if not real.is_relative_to(real_root):
            return _OUTSIDE
        if real != real_root.joinpath(*where.split("/"), entry.name):
            return _ELSEWHERE
        return None
