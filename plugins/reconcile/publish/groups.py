"""Which sheet of the inspectors' workbook a case goes on: its ward or commune (2025 units)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from reconcile.text.address import parse_address
from reconcile.text.admin_units import communes


def commune_namer(province: str) -> Callable[[str | None], str]:
    """A function from an address to its new commune's name ("Phường Mỹ Tho"), or ""."""
    names = {c.code: f"{c.type} {c.name}" for c in communes(province)}

    @lru_cache(maxsize=100_000)
    def group_of(address: str | None) -> str:
        if not address:
            return ""
        codes = sorted(parse_address(address, province).commune_codes)
        return names.get(codes[0], "") if codes else ""

    return group_of
