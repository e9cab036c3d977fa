"""Save an openpyxl workbook so that the same content gives the same bytes, atomically.

openpyxl stamps the zip entries and ``docProps/core.xml`` (dcterms:modified) with the time of
saving; a rerun that publishes the same cases should publish the same file. The book is saved
to memory, its entries rewritten with a fixed stamp into a temporary file beside the target,
and that file replaces the target in one rename: a run killed mid-save, or two runs at once,
never leave a half-written workbook where the last good one was.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from reconcile.publish.atomic import atomic_path

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save_deterministic(book: Workbook, path: Path, stamp: datetime = datetime(2000, 1, 1)) -> Path:
    book.properties.created = stamp
    saved = io.BytesIO()
    book.save(saved)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(saved) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    # the zip is closed (inner context) before the temporary file replaces the target
    with (
        atomic_path(path) as temp,
        zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    return path
