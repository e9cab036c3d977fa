"""Linking firms to employer units: exact tax code first, then fuzzy name and address.

The package's names are imported when first used (PEP 562), not when the package is: the
configuration checks its matching options against ``match/levels.py`` while the DAG files are
parsed, and that must not pull in pandas and the linker with them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconcile.match.link import LINK_COLUMNS, LinkResult, link_partition, matching_options

__all__ = ["LINK_COLUMNS", "LinkResult", "link_partition", "matching_options"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("reconcile.match.link"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
