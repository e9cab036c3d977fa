"""Linking firms to employer units: exact tax code first, then fuzzy name and address."""

from reconcile.match.link import LINK_COLUMNS, LinkResult, link_partition, matching_options

__all__ = ["LINK_COLUMNS", "LinkResult", "link_partition", "matching_options"]
