"""The feed contract of FEEDS.md, loaded from ``data/spec.yaml``: canonical columns and spellings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from reconcile.settings import load_yaml, package_data
from reconcile.text.unicode import fold, header_key

FEEDS = ("tax", "registry", "roll", "decisions", "changes")
_FILE_NAME = re.compile(
    r"^(?P<feed>[a-z]+)(?:[_\-. ].*)?\.(?P<ext>csv|xlsx|jsonl|txt)$", re.IGNORECASE
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    headers: tuple[str, ...]
    required: bool = False
    vocabulary: str | None = None
    personal: bool = False


@dataclass(frozen=True)
class FeedSpec:
    name: str
    key: str
    columns: dict[str, Column]
    skip_rows_without: str | None = None
    # the columns whose values together a row may hold once per file (default: the key alone)
    key_scope: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns.values() if c.required)

    @property
    def header_index(self) -> dict[str, str]:
        """Folded header spelling -> canonical column (the canonical name is a spelling too)."""
        return _header_index(self.name)

    def canonical(self, header: object) -> str | None:
        return self.header_index.get(header_key(str(header))) if header is not None else None


@cache
def _header_index(feed: str) -> dict[str, str]:
    """Built once per feed: matching headers is on the hot path of reading every file."""
    spec = specs()[feed]
    index: dict[str, str] = {}
    for column in spec.columns.values():
        index[header_key(column.name)] = column.name
        for spelling in column.headers:
            index[header_key(spelling)] = column.name
    return index


@cache
def specs() -> dict[str, FeedSpec]:
    raw = load_yaml(package_data("feeds/data/spec.yaml"))
    result = {}
    for feed, body in raw.items():
        columns = {
            name: Column(
                name=name,
                kind=col["kind"],
                headers=tuple(col.get("headers", ())),
                required=bool(col.get("required", False)),
                vocabulary=col.get("vocabulary"),
                personal=bool(col.get("personal", False)),
            )
            for name, col in body["columns"].items()
        }
        result[feed] = FeedSpec(
            feed,
            body["key"],
            columns,
            body.get("skip_rows_without"),
            tuple(body.get("key_scope", ())),
        )
    return result


def feed_of_file_name(name: str) -> str | None:
    """The feed a landed file is for, from its name (``tax_82_2025Q3.csv`` -> ``tax``)."""
    match = _FILE_NAME.match(name)
    if not match:
        return None
    feed = match.group("feed").lower()
    return feed if feed in FEEDS else None


@cache
def vocabularies() -> dict[str, dict[str, str]]:
    """Per vocabulary: folded code or label -> canonical status value."""
    raw = load_yaml(package_data("feeds/data/statuses.yaml"))
    result: dict[str, dict[str, str]] = {}
    for vocabulary, values in raw.items():
        lookup: dict[str, str] = {}
        for canonical, spellings in values.items():
            lookup[fold(canonical.replace("_", " "))] = canonical
            for spelling in spellings:
                lookup[fold(str(spelling))] = canonical
        result[vocabulary] = lookup
    return result
