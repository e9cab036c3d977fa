"""The quarantine CSV of a province: every refused row, its file, line, reasons and raw record.

What partners read to fix their files, so it is published like the workbook: personal data
masked in the raw record (``masking.mask_raw_record``: the spec's personal columns, columns the
spec does not know unless ``mask_unknown`` is off, the text of a line that did not parse), no
field a spreadsheet would run (``neutral.write_csv``), and written whole or not at all
(``atomic``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reconcile.publish import neutral
from reconcile.publish.masking import mask_raw_record

COLUMNS = ["file", "feed", "row_number", "line", "reasons", "raw"]


def quarantine_rows(
    quarantined: pd.DataFrame, files: pd.DataFrame, mask: bool = True, mask_unknown: bool = True
) -> pd.DataFrame:
    """The rows as published: file names for file ids, in file and row order, raw masked.

    A file refused as a whole comes first, as one line without a row number whose reason is
    the fault: the partner reads in one place what to send again.
    """
    refused = refused_files(files)
    if quarantined.empty:
        return refused
    names = dict(zip(files["file_id"], files["file_name"], strict=True))
    rows = quarantined.assign(file=quarantined["file_id"].map(names))
    rows = rows.sort_values(["file", "row_number"])
    if mask:
        rows["raw"] = [
            mask_raw_record(raw, feed, mask_unknown=mask_unknown)
            for raw, feed in zip(rows["raw"], rows["feed"], strict=True)
        ]
    return pd.concat([refused, rows.reindex(columns=COLUMNS)], ignore_index=True)


def refused_files(files: pd.DataFrame) -> pd.DataFrame:
    """One line per file of the province refused as a file (``failed``), with its fault."""
    if files.empty or "status" not in files:
        return pd.DataFrame(columns=COLUMNS)
    failed = files[files["status"] == "failed"].sort_values("file_name")
    return pd.DataFrame(
        {
            "file": failed["file_name"],
            "feed": failed["feed"],
            "row_number": None,
            "line": None,
            "reasons": [f"file refused: {message}" for message in failed["message"]],
            "raw": "",
        },
        columns=COLUMNS,
    )


def write_quarantine_csv(
    quarantined: pd.DataFrame,
    files: pd.DataFrame,
    path: Path,
    mask: bool = True,
    mask_unknown: bool = True,
) -> Path:
    """Write the province's quarantine CSV (an empty one, with its header, when nothing was
    refused) and return its path."""
    rows = quarantine_rows(quarantined, files, mask=mask, mask_unknown=mask_unknown)
    return neutral.write_csv(rows, path)
