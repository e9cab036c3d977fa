"""The matching options: the package's defaults (``data/matching.yaml``) and an agency's
overrides (``matching:`` of RECONCILE_CONFIG), merged once and checked.

A key the defaults do not have is refused, naming it: a misspelt option would otherwise leave
the default in force while the agency believes it changed. The merge itself is one level
deep, as it always was: a section given (``blocking:``) is laid over the default section, key
by key; a value inside it (``comparisons.name``, ``model.tax_code_priors``) replaces the
default whole.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconcile.errors import ConfigError
from reconcile.match.levels import STREET, STREET_CUTS, TAX_CODE
from reconcile.settings import load_yaml, package_data


def matching_options(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The defaults with ``overrides`` laid over them; ``ConfigError`` names a key not known."""
    defaults = load_yaml(package_data("match/data/matching.yaml"))
    options = dict(defaults)
    for key, value in (overrides or {}).items():
        _known(key, defaults, "matching")
        _check_keys(value, defaults[key], f"matching.{key}")
        options[key] = {**options.get(key, {}), **value} if isinstance(value, dict) else value
    _check_levels(options)
    return options


@dataclass(frozen=True)
class BlockingLimits:
    """``blocking:`` as the candidate index takes it (``blocking.Index.candidates``)."""

    max_block_size: int
    keys_per_record: int
    typo_keys_per_record: int
    address_block_size: int
    hamlet_block_size: int

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> BlockingLimits:
        settings = options["blocking"]
        return cls(
            int(settings["max_block_size"]),
            int(settings["keys_per_record"]),
            int(settings.get("typo_keys_per_record", 0)),
            int(settings.get("address_block_size", 0)),
            int(settings.get("hamlet_block_size", 0)),
        )

    def as_args(self) -> tuple[int, int, int, int, int]:
        return (
            self.max_block_size,
            self.keys_per_record,
            self.typo_keys_per_record,
            self.address_block_size,
            self.hamlet_block_size,
        )


@dataclass(frozen=True)
class Bands:
    """``bands:``: a pair's probability at or above ``link`` links, from ``review`` it is
    reviewed, below it is dropped."""

    link: float
    review: float

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Bands:
        return cls(float(options["bands"]["link"]), float(options["bands"]["review"]))


def _known(key: Any, defaults: Mapping[str, Any], where: str) -> None:
    if key in defaults:
        return
    valid = [str(k) for k in defaults]
    close = difflib.get_close_matches(str(key), valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(f"{where}: unknown key {key!r}{hint}; the keys are {', '.join(valid)}")


def _check_keys(value: Any, default: Any, where: str) -> None:
    """Every key of ``value``, at any depth, is one ``default`` has at the same place."""
    if not isinstance(value, Mapping) or not isinstance(default, Mapping):
        return
    for key, inner in value.items():
        _known(key, default, where)
        _check_keys(inner, default[key], f"{where}.{key}")


def _check_levels(options: Mapping[str, Any]) -> None:
    """The options that name levels name declared ones (``levels.py``)."""
    cuts = options["comparisons"]["street"]["levels"]
    for cut in cuts:
        if cut not in STREET_CUTS:
            raise ConfigError(
                f"matching.comparisons.street.levels: {cut!r} is not a street level's cut; the "
                f"levels are {', '.join(STREET.keys)} (match/levels.py)"
            )
    for level in options["model"]["tax_code_priors"]:
        if level not in TAX_CODE.keys:
            raise ConfigError(
                f"matching.model.tax_code_priors: unknown level {level!r}; the levels are "
                f"{', '.join(TAX_CODE.keys)}"
            )
