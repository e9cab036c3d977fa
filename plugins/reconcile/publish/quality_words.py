"""The words of the data-quality report: the ``report:`` section of ``labels.yaml``.

Every text the report shows comes from there (titles, legends, headings, the sentences around
the numbers), so that a change of wording is a change of data, not of code.
"""

from __future__ import annotations

from typing import Any

from reconcile.publish.labels import labels

__all__ = ["report_words"]


def report_words() -> dict[str, Any]:
    return labels()["report"]
