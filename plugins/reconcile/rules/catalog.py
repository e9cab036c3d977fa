"""The rule catalogue and reference values (``data/``), with an agency's overrides applied."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from reconcile.config import RulesConfig, validate_section
from reconcile.settings import load_yaml, package_data


@dataclass(frozen=True)
class Rule:
    code: str
    case_kind: str
    subject: str  # "firm" (case per tax code) or "unit" (case per unit code)
    severity: int
    legal_basis: str
    title: str
    action: str
    thresholds: dict[str, Any] = field(default_factory=dict)


def rules(overrides: Mapping[str, Any] | None = None) -> dict[str, Rule]:
    """The catalogue; ``overrides`` (settings ``rules:``) may change thresholds or severities.

    The overrides go through the configuration's model (``reconcile.config.rules``): a code
    the catalogue does not have, or a threshold its rule does not take, is a ``ConfigError``.
    """
    raw = load_yaml(package_data("rules/data/rules.yaml"))
    settings = rules_config(overrides)
    result = {}
    for code, body in raw.items():
        own = settings.rule(code)
        result[code] = Rule(
            code=code,
            case_kind=body["case_kind"],
            subject=body["subject"],
            severity=own.severity,
            legal_basis=body["legal_basis"],
            title=body["title"],
            action=body["action"],
            thresholds=dict(own.thresholds),
        )
    return result


def contributions(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The contribution terms (``data/contributions.yaml``) with ``rules.defaults`` over them."""
    return rules_config(overrides).defaults.model_dump()


def rules_config(overrides: Mapping[str, Any] | None = None) -> RulesConfig:
    """``rules:`` of the settings over the catalogue and the contribution terms, checked."""
    config: RulesConfig = validate_section("rules", overrides or None)
    return config


@cache
def wage_floor_table() -> list[tuple[date, tuple[int, int, int, int]]]:
    """(in force from, floors of regions I-IV), oldest first, from ``data/wage_floors.csv``."""
    return _wage_floor_table()


@cache
def _wage_floor_table() -> list[tuple[date, tuple[int, int, int, int]]]:
    path = package_data("rules/data/wage_floors.csv")
    with open(path, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        table = [
            (
                date.fromisoformat(r["in_force_from"]),
                (int(r["region_1"]), int(r["region_2"]), int(r["region_3"]), int(r["region_4"])),
            )
            for r in rows
        ]
    return sorted(table)


def wage_floor(region: int, on: date) -> int:
    """The regional minimum wage in force on ``on`` for region 1-4 (I-IV)."""
    if region not in (1, 2, 3, 4):
        raise ValueError(f"wage region must be 1-4, got {region!r}")
    in_force = [floors for start, floors in _wage_floor_table() if start <= on]
    if not in_force:
        raise ValueError(f"no regional minimum wage in force on {on.isoformat()}")
    return in_force[-1][region - 1]


@cache
def _wage_regions() -> dict[str, int]:
    path = package_data("rules/data/wage_regions.csv")
    with open(path, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {r["commune_code"]: int(r["region"]) for r in rows}


def wage_region_of_commune(commune_code: str | None) -> int | None:
    """The minimum-wage region (1-4) of a new commune, from ``data/wage_regions.csv``."""
    return _wage_regions().get(commune_code) if commune_code else None
