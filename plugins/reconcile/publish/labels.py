"""Vietnamese labels for what the warehouse stores in English codes (data, not scattered literals)."""

from __future__ import annotations

from functools import cache

from reconcile.settings import load_yaml, package_data


@cache
def labels() -> dict[str, dict[str, str]]:
    return load_yaml(package_data("publish/data/labels.yaml"))


def label(group: str, value: object) -> str:
    if value is None:
        return ""
    return labels()[group].get(str(value), str(value))
