"""Read a partner file into rows of raw cells under canonical column names.

The reader's job is only to find the header row (below any title block), map the headers to
the feed's canonical columns, and hand every data row on with its position in the file. It
decides nothing about whether a row is good: that is cleaning's and validation's job. What it
notices about a single row (cut off by the end of the file, a JSON line that does not parse) it
passes on as that row's fault, and damage stays inside the row it hit: a stray byte, a stray
quote or a line in another encoding never costs the rows around it. What it cannot do at all
(no header found, not a text file, a broken workbook) raises ``FeedFileError`` naming the file,
the row and the fault. So does a file over the limits of ``feeds.limits``, checked before it is
parsed wherever that can be done; a cell over the length limit is its row's fault, cut short.

The package, one module per idea: ``records`` (what a reader hands on), ``decoding`` (bytes to
lines), ``delimited`` (CSV), ``workbooks`` (.xlsx), ``json_lines`` (.jsonl), ``header`` (the
header search) and ``table`` (``read_table``, which puts them together).
"""

from reconcile.feeds.readers.decoding import DecodedText, decode_text
from reconcile.feeds.readers.delimited import DELIMITERS, MAX_CELL_LINES
from reconcile.feeds.readers.header import HEADER_SEARCH_ROWS
from reconcile.feeds.readers.records import CUT_OFF, RawTable, Record, canonical_of
from reconcile.feeds.readers.table import read_table

__all__ = [
    "CUT_OFF",
    "DELIMITERS",
    "HEADER_SEARCH_ROWS",
    "MAX_CELL_LINES",
    "DecodedText",
    "RawTable",
    "Record",
    "canonical_of",
    "decode_text",
    "read_table",
]
