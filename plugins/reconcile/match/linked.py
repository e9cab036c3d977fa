"""What is linked so far: the rows written, and the units and firms they link.

Each stage takes a ``Linked`` and returns a new one (``plus``, ``without_review_of``), so that
what a stage may see of the others' work is what it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from reconcile.warehouse import schema

LINK_COLUMNS = schema.columns_of(schema.link, first=schema.PARTITION)
Method = Literal["confirmed", "exact", "exact_parent", "fuzzy"]
Band = Literal["link", "review"]


@dataclass(frozen=True)
class PartitionKey:
    """The quarter and province being linked: written on every row."""

    quarter: str
    province: str


@dataclass(frozen=True)
class LinkRow:
    """One row of the links frame (``LINK_COLUMNS``)."""

    quarter: str
    province: str
    unit_code: str
    tax_code: str
    method: Method
    weight: float
    band: Band
    evidence: dict[str, Any]

    @classmethod
    def of(
        cls,
        where: PartitionKey,
        unit_code: str,
        tax_code: str,
        method: Method,
        weight: float,
        band: Band,
        evidence: dict[str, Any],
    ) -> LinkRow:
        return cls(
            *(where.quarter, where.province), unit_code, tax_code, method, weight, band, evidence
        )


@dataclass(frozen=True)
class Linked:
    """The rows so far; ``units`` and ``firms`` are those of band ``link`` (a review pair
    leaves both free for a later stage)."""

    rows: tuple[LinkRow, ...] = ()
    units: frozenset[str] = field(default_factory=frozenset)
    firms: frozenset[str] = field(default_factory=frozenset)

    def plus(self, rows: Iterable[LinkRow]) -> Linked:
        added = tuple(rows)
        links = [row for row in added if row.band == "link"]
        return Linked(
            self.rows + added,
            self.units | {row.unit_code for row in links},
            self.firms | {row.tax_code for row in links},
        )

    def without_review_of(self, unit_codes: set[str]) -> Linked:
        """The same, less the review rows of ``unit_codes`` (which are to be weighed again)."""
        kept = tuple(
            row for row in self.rows if not (row.band == "review" and row.unit_code in unit_codes)
        )
        return Linked(kept, self.units, self.firms)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{column: getattr(row, column) for column in LINK_COLUMNS} for row in self.rows],
            columns=LINK_COLUMNS,
        )
