"""Published files appear whole or not at all: written aside, then renamed onto the final name.

A run killed while it writes, or two runs writing the same file at once, must never leave a
half-written workbook where the last good one was. :func:`atomic_path` gives a temporary name
in the same folder (so the rename stays on one file system and is atomic), flushes the written
bytes to disk, and ``os.replace``-s the temporary file onto the final name; on an error the
temporary file is removed and the earlier file is left as it was. Readers see the old file or
the new one, never a mix.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def temp_name(path: Path) -> Path:
    """A hidden, unique name beside ``path`` (``.cases_82.xlsx.1234.9f3a1c.tmp``): no glob for
    ``cases_*.xlsx`` finds it, and two writers never share one."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _fsync(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        if directory:  # some platforms cannot open a folder; the rename is still atomic
            return
        raise
    try:
        os.fsync(descriptor)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(descriptor)


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s new content to; on success it replaces
    ``path`` in one step, on an exception it is deleted and ``path`` is untouched.

    The temporary file is created by the writer itself (openpyxl, pandas, ``write_text``), so
    it gets the usual permissions of a new file, not a private temp file's.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_name(final)
    try:
        yield temp
        if not temp.is_file():
            raise FileNotFoundError(f"nothing was written to {temp} for {final}")
        _fsync(temp)
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync(final.parent, directory=True)


def write_text(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """``Path.write_text``, atomically."""
    final = Path(path)
    with atomic_path(final) as temp:
        temp.write_text(text, encoding=encoding)
    return final


def write_bytes(path: Path | str, data: bytes) -> Path:
    """``Path.write_bytes``, atomically."""
    final = Path(path)
    with atomic_path(final) as temp:
        temp.write_bytes(data)
    return final
