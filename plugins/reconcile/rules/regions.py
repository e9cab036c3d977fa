"""Which minimum-wage region a firm is in: from the commune of its address (2025 units).

An old-shape address may map to several new communes (a commune split in 2025); the region with
the lowest floor is taken then, so that a floor check never flags a firm on a guess.
"""

from __future__ import annotations

from functools import lru_cache

from reconcile.rules.catalog import wage_region_of_commune
from reconcile.text.address import parse_address


@lru_cache(maxsize=200_000)
def _regions(address: str, province: str) -> tuple[int, ...]:
    communes = parse_address(address, province).commune_codes
    return tuple(r for r in (wage_region_of_commune(c) for c in communes) if r is not None)


def wage_region(addresses: list[str | None], province: str, default: int) -> tuple[int, str]:
    """(region 1-4, where it came from): the first address that resolves, else the default."""
    for address in addresses:
        if address:
            regions = _regions(address, province)
            if regions:
                return max(regions), "address"
    return default, "default"
