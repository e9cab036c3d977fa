"""What every rule reads: one quarter's province (its firms, units and links), and the
catalogue and contribution terms it is judged by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from reconcile.quarter import Quarter
from reconcile.rules.catalog import Rule


@dataclass(frozen=True)
class Partition:
    """The rules' inputs. ``links``: the link band only (a firm in the review band is neither
    linked nor missing); a rule that reads every link, or only some units, takes them besides."""

    firms: pd.DataFrame
    units: pd.DataFrame
    links: pd.DataFrame
    quarter: Quarter
    province: str
    catalog: dict[str, Rule]
    terms: dict[str, Any]

    def firm_of_unit(self) -> dict[str, str]:
        """unit code -> the tax code of the firm linked to it."""
        if self.links.empty:
            return {}
        return dict(zip(self.links["unit_code"], self.links["tax_code"], strict=True))
