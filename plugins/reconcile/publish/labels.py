"""Vietnamese labels for what the warehouse stores in English codes (data, not scattered literals)."""

from __future__ import annotations

from functools import cache
from typing import Any

from reconcile.settings import load_yaml, package_data


@cache
def labels() -> dict[str, dict[str, Any]]:
    """Each group's labels by code; a few groups (``report``, ``quarantine``, ``link_levels``)
    nest further, so a group's values are strings or more groups."""
    return load_yaml(package_data("publish/data/labels.yaml"))


def label(group: str, value: object) -> str:
    if value is None:
        return ""
    return str(labels()[group].get(str(value), str(value)))
