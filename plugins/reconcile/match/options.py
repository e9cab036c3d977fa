"""The matching options: the package's defaults (``data/matching.yaml``) and an agency's
overrides (``matching:`` of RECONCILE_CONFIG), merged once and checked by the configuration's
model (``reconcile.config.matching``).

A key the defaults do not have is refused, naming it and the nearest valid one: a misspelt
option would otherwise leave the default in force while the agency believes it changed. The
merge itself is one level deep, as it always was: a section given (``blocking:``) is laid over
the default section, key by key; a value inside it (``comparisons.name``,
``model.tax_code_priors``) replaces the default whole. The options that name levels must name
declared ones (``levels.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconcile.config import MatchingConfig, validate_section


def matching_config(overrides: Mapping[str, Any] | None = None) -> MatchingConfig:
    """The defaults with ``overrides`` laid over them, typed; ``ConfigError`` names a key not
    known, or a value of the wrong type."""
    config: MatchingConfig = validate_section("matching", overrides or None)
    return config


def matching_options(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The defaults with ``overrides`` laid over them, as the plain dict the linking reads."""
    return matching_config(overrides).model_dump()


@dataclass(frozen=True)
class Bands:
    """``bands:``: a pair's probability at or above ``link`` links, from ``review`` it is
    reviewed, below it is dropped."""

    link: float
    review: float

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Bands:
        return cls(float(options["bands"]["link"]), float(options["bands"]["review"]))
