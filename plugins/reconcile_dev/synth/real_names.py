"""Real registered names for the generator: a CSV an agency extracts from its registry.

The generator's own names are too regular to test a matcher on (long, tidy, drawn from one
vocabulary); an agency's extract is what the roll's clerks really copied. ``synth --names
FILE.csv`` gives the province's firms those names (and their addresses where the list has a
commune of the province), and all the roll's noise then applies to them.

Columns, by header (case and accents ignored): ``name`` (or "Tên doanh nghiệp", "Tên"),
``address`` (or "Địa chỉ"), optionally ``legal_form`` (or "Loại hình": a key such as
``tnhh_mtv``, the registry's label, or a name prefix). Lines starting with ``#`` are notes.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from reconcile_dev.synth.config import RealName

_HEADERS = {
    "name": ("name", "ten doanh nghiep", "ten", "ten don vi"),
    "address": ("address", "dia chi", "dia chi tru so"),
    "legal_form": ("legal_form", "legal form", "loai hinh", "loai hinh doanh nghiep"),
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def load_names(path: Path) -> tuple[RealName, ...]:
    """The list's rows in file order; blank names skipped, repeated ones kept (the world tells
    them apart). Raises ValueError when no column is recognised as the name."""
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = next(reader, None)
    if header is None:
        raise ValueError(f"{path}: no header row")
    positions: dict[str, int] = {}
    for i, written in enumerate(header):
        for column, spellings in _HEADERS.items():
            if _fold(written) in spellings and column not in positions:
                positions[column] = i
    if "name" not in positions:
        raise ValueError(
            f"{path}: no name column in {header} (expected name, address[, legal_form])"
        )

    def cell(row: list[str], column: str) -> str:
        at = positions.get(column)
        value = row[at] if at is not None and at < len(row) else ""
        return " ".join(unicodedata.normalize("NFC", value).split())

    out = []
    for row in reader:
        name = cell(row, "name")
        if name:
            out.append(RealName(name, cell(row, "address"), cell(row, "legal_form")))
    return tuple(out)
