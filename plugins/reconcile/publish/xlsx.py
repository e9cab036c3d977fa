"""Save an openpyxl workbook so that the same content gives the same bytes.

openpyxl stamps the zip entries and ``docProps/core.xml`` (dcterms:modified) with the time of
saving; a rerun that publishes the same cases should publish the same file.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save_deterministic(book: Workbook, path: Path, stamp: datetime = datetime(2000, 1, 1)) -> Path:
    book.properties.created = stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    return path
