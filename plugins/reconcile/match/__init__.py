"""Linking firms to employer units: exact tax code first, then (later) fuzzy name and address."""
