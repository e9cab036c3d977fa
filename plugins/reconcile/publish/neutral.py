"""Values from feeds never act in what we publish: they are shown, never run.

A partner's cell is data, whatever it looks like. Three places could run it:

* **xlsx**: openpyxl stores any str starting with ``=`` as a formula (``=HYPERLINK(...)``,
  ``=cmd|' /C calc'!A0``) and ``#N/A`` and the like as error values. :func:`put` writes every
  str as a string cell (``t="inlineStr"``, never an ``<f>`` element), so the text shows as
  typed and nothing is evaluated.
* **CSV**: a spreadsheet opening a CSV reads a field starting with ``=``, ``+``, ``-``, ``@``,
  tab or CR as a formula. :func:`csv_text` prefixes such a str with a single quote (OWASP's
  CSV-injection advice); numbers stay numbers. :func:`write_csv` also ends lines with CRLF
  (RFC 4180), so that a field holding a bare CR is quoted: unquoted, a reader would start a
  new row there, and the text after the CR (``=1+1``) would begin a field of its own.
* **HTML**: :func:`escape_strings` HTML-escapes every str of a structure (the unexpected
  values of a Great Expectations result) before a renderer that emits it raw sees it.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from reconcile.publish.atomic import atomic_path

# Characters that make a spreadsheet read a CSV field as a formula (OWASP: CSV injection).
# Tab and CR are there because a field such as "\t=1+1" is trimmed to "=1+1" by some readers.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` in a cell of an openpyxl sheet; a str is always a string, never a formula.

    openpyxl decides the type from the value ("=..." becomes a formula, "#N/A" an error);
    forcing ``data_type`` back to ``"s"`` after assigning makes the writer emit the text as an
    inline string. Other values (numbers, dates, None) keep openpyxl's types.
    """
    cell = sheet.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def csv_text(value: Any) -> Any:
    """A CSV field that no spreadsheet reads as a formula: ``'`` before a live first character."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`csv_text` applied to every str (headers included)."""
    neutral = frame.copy()
    for column in neutral.columns:
        if neutral[column].dtype == object or pd.api.types.is_string_dtype(neutral[column]):
            neutral[column] = neutral[column].map(csv_text, na_action="ignore").astype(object)
    return neutral.rename(columns=csv_text)


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8-sig") -> Path:
    """Publish ``frame`` as CSV: neutral fields (:func:`csv_frame`), CRLF line ends (so a CR
    inside a field is quoted), written to a temporary file and renamed onto ``path``."""
    with atomic_path(path) as temp:
        csv_frame(frame).to_csv(temp, index=False, encoding=encoding, lineterminator="\r\n")
    return path


def escape_strings(value: Any) -> Any:
    """``value`` with every str in it (in lists and dict values, at any depth) HTML-escaped.

    Dict keys are left alone: in a GX result they are field names (``partial_unexpected_list``,
    ``value``, ``count``) that the renderer looks up, not feed content.
    """
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list):
        return [escape_strings(item) for item in value]
    if isinstance(value, tuple):
        return tuple(escape_strings(item) for item in value)
    if isinstance(value, dict):
        return {key: escape_strings(item) for key, item in value.items()}
    return value
