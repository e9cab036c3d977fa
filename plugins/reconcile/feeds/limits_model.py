"""What one partner file may hold: the limits' model (``limits:`` of the configuration) and
the wording shared by the checks (``feeds/limits.py``, ``feeds/workbook_scan.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, Strict

MB = 1024 * 1024
# Lines (CSV, JSON lines) or sheet rows a file may have before parsing, per data row allowed:
# blank lines and cells running over several lines are allowed for, twice over, plus a title
# block and headers. Past that the file cannot hold few enough data rows to be worth decoding.
LINES_PER_ROW = 2
SPARE_LINES = 1_000


def _integral(value: Any) -> Any:
    """``1e8`` written for a whole number (YAML reads it as a float) is that whole number."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# What pydantic checks a limit of the configuration is: a positive whole number (a float with
# nothing after the point taken as one), or for the ratio a positive number.
PositiveWhole = Annotated[int, BeforeValidator(_integral), Strict(), Field(gt=0)]
PositiveNumber = Annotated[float, Strict(), Field(gt=0)]


@dataclass(frozen=True)
class FeedLimits:
    """What one partner file may hold. Every field is a positive number; the defaults are safe.

    A dataclass that pydantic validates as the configuration's ``limits:`` section
    (``reconcile.config``): an unknown key is refused with the nearest valid one, a value that
    is not a positive number (a whole one but for the ratio) is refused naming the key.
    """

    __pydantic_config__ = ConfigDict(extra="forbid")

    # Bytes on disk, of any kind of file. A CSV takes about 8 times its size in memory when
    # read (the 42 MB national tax file: 341 MB), so 256 MB is the ceiling a worker can afford.
    max_file_bytes: PositiveWhole = 256 * MB
    # Data rows below the header (all sheets of a workbook together). The lines of a text file
    # and the row records of a workbook are counted before parsing against twice this.
    max_rows: PositiveWhole = 2_000_000
    # Characters in one cell. A longer cell quarantines its row (the file is still read) and
    # the raw text kept is cut to this many characters.
    max_cell_chars: PositiveWhole = 4_000
    # Cells a workbook's sheets span, rows x columns from A1 (openpyxl makes a cell object for
    # every position of the used range, filled or not, about 450 bytes each: 2,000,000 cells
    # took 906 MB and 27 s), as each sheet declares it in <dimension ref> and as its cells,
    # merged ranges and hyperlinks reach it. Also bounds the cells merged ranges cover and
    # the XML elements of the workbook (ELEMENTS_PER_CELL a cell: shared strings, junk).
    max_xlsx_cells: PositiveWhole = 5_000_000
    # Bytes of a workbook once inflated: the sum of the zip entries' sizes, read from the zip
    # directory. zipfile never inflates an entry past its stated size, so this is binding.
    max_xlsx_uncompressed_bytes: PositiveWhole = 512 * MB
    # Inflated size over compressed size for any one entry of 1 MB or more. Sheet XML
    # compresses 5 to 15 times (the national registry workbook: 8); a zip bomb 1,000 times.
    max_xlsx_compression_ratio: PositiveNumber = 100.0

    def __post_init__(self) -> None:
        """The same check for limits built in code (tests, tools) as for the configuration's."""
        for item in fields(self):
            value = getattr(self, item.name)
            whole = not isinstance(item.default, float)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"limits.{item.name} must be a positive number, not {value!r}")
            if whole and not isinstance(value, int):
                raise ValueError(f"limits.{item.name} must be a whole number, not {value!r}")

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None) -> FeedLimits:
        """The ``limits:`` mapping of the settings' options; a key left out keeps its default.

        An unknown key is refused rather than ignored: a misspelt limit would otherwise leave
        the default in force while the operator believes it raised or lowered. The error is an
        ``InvalidConfig``: a ``ConfigError`` and a ``ValueError``.
        """
        from reconcile.config import validate_section

        section = (options or {}).get("limits")
        limits: FeedLimits = validate_section("limits", section or None)
        return limits


def advice(key: str) -> str:
    return f"split the file, or raise limits.{key} in the config"


def size_text(count: int) -> str:
    if count < MB:
        return f"{count / 1024:,.1f} KB ({count:,} bytes)"
    return f"{count / MB:,.1f} MB ({count:,} bytes)"
