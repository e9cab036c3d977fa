"""``link``: each employer unit of a partition to its firm, exact tax codes first, then by name
and address (``reconcile.match``), with the inspectors' decisions on earlier links kept."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from reconcile.match import link_partition
from reconcile.quarter import Quarter
from reconcile.rules import decisions as decision_logic
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame, records, replace_partition

log = logging.getLogger(__name__)


def link(settings: Settings, quarter: Quarter, province: str) -> dict[str, Any]:
    """Link the partition's units to its firms: exact tax codes, then fuzzy name and address."""
    engine = get_engine(settings.warehouse_url)
    partition = {"quarter": str(quarter), "province": province}
    with engine.begin() as conn:
        firms = read_frame(conn, t.firm, **partition)
        units = read_frame(conn, t.employer_unit, **partition)
        last = decision_logic.latest(read_frame(conn, t.decision, province=province), quarter)
        overrides = decision_logic.link_overrides(last, read_frame(conn, t.case, province=province))
        result = link_partition(firms, units, overrides, options=settings.options.get("matching"))
        replace_partition(conn, t.link, partition, records(result.links, t.link))
    links = result.links
    by_method = (
        dict(Counter(links.loc[links["band"] == "link", "method"])) if not links.empty else {}
    )
    review = int((links["band"] == "review").sum()) if not links.empty else 0
    linked = sum(by_method.values())
    log.info(
        "linked %s/%s: %d of %d units %s, %d for review",
        quarter,
        province,
        linked,
        len(units),
        by_method,
        review,
    )
    return {
        "province": province,
        "units": len(units),
        "links": by_method,
        "review": review,
        "unlinked_units": len(units) - linked - review,
        "pairs_scored": result.stats.get("pairs_scored", 0),
    }
