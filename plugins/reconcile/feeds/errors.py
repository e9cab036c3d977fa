"""The one error a feed file raises when it cannot be used, naming the file, the row and the fault."""

from __future__ import annotations

from reconcile.errors import ReconcileError


class FeedFileError(ReconcileError):
    """A file that cannot be read or used at all. Row-level faults never raise: they quarantine.

    Never retryable: the same bytes give the same fault. The file is refused as a file (its
    ``feed_file`` row is ``failed`` with this message) and every other file goes on.
    """

    retryable = False

    def __init__(self, file_name: str, fault: str, row: int | None = None) -> None:
        self.file_name = file_name
        self.fault = fault
        self.row = row
        where = f", row {row}" if row is not None else ""
        super().__init__(f"{file_name}{where}: {fault}")
