"""The project's errors, in one hierarchy that says whether trying again can help.

Modelled on dlt's exceptions: every error the pipeline raises on purpose is a
``ReconcileError`` and carries ``retryable``. A task runner (the DAG's task helpers) retries
only what may pass by itself (another run holding a lock, a database restarting); an error in
a partner's file or in a command's arguments fails at once, since the same input gives the
same error however often it is read.
"""

from __future__ import annotations


class ReconcileError(Exception):
    """Base of the errors the pipeline raises on purpose; ``retryable`` says if waiting helps."""

    retryable: bool = False


class QuarterIncomplete(ReconcileError):
    """The quarter ran, and published what it could, but some province or file needs a person.

    Raised at the very end (after every output is written) so that a run with a refused file
    or a blocked province ends as failed, and somebody looks, instead of passing as green.
    """

    def __init__(self, quarter: str, problems: list[str]) -> None:
        self.quarter = quarter
        self.problems = problems
        listed = "; ".join(problems)
        super().__init__(
            f"quarter {quarter} is incomplete: {listed}. Everything else was published; "
            "see docs/operations.md, 'Getting past a bad file'"
        )


class Locked(ReconcileError):
    """Another run holds what this step must write alone (a province's published files)."""

    retryable = True


class UnknownFile(ReconcileError):
    """A file id (or prefix) given by a person matches no landed file, or more than one."""


class ConfigError(ReconcileError):
    """The agency's configuration is wrong (a misspelt key, a value out of range): no file is
    to blame and no retry helps; the message names the key and what is valid."""


class UsageError(ReconcileError, ValueError):
    """A value a person gave (a quarter, a province, a day) is not one: the message names the
    value and how to write it. A ``ValueError`` too, so argparse reports it as a usage error."""


class NothingToLand(ReconcileError):
    """The quarter's landing folder is missing or holds no file of any feed: the message names
    the folder looked in. Retryable: the partners' files may still come."""

    retryable = True
