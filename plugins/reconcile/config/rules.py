"""``rules:``: per rule code of the catalogue (``rules/data/rules.yaml``) its severity and its
thresholds, and under ``defaults`` the contribution terms (``rules/data/contributions.yaml``).

A threshold given is laid over the catalogue's, key by key; a term of ``defaults`` replaces
the packaged one whole (``rates`` with both its rates). A code the catalogue does not have,
or a threshold its rule does not take, is refused: it used to be ignored, leaving the
catalogue's value in force while the agency believed it changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from reconcile.config.types import Number, Section, unknown_key

RULES_FILE = "rules/data/rules.yaml"
TERMS_FILE = "rules/data/contributions.yaml"


def catalogue() -> dict[str, Any]:
    from reconcile.settings import load_yaml, package_data

    return load_yaml(package_data(RULES_FILE))


def packaged_terms() -> dict[str, Any]:
    from reconcile.settings import load_yaml, package_data

    return load_yaml(package_data(TERMS_FILE))


class RuleSettings(Section):
    severity: int  # orders the inspectors' list: 3 high, 1 low, 0 a data fix
    thresholds: dict[str, Number]  # the keys are the catalogue's for the rule


class Rates(Section):
    employer: Number  # BHXH 3 + 14, accident 0.5, BHYT 3, BHTN 1
    employee: Number  # BHXH 8, BHYT 1.5, BHTN 1


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class Contributions(Section):
    """The contribution terms (shared DOMAIN.md) and late-payment interest (Art. 40-41)."""

    rates: Rates
    late_interest_per_day: Number
    # The wage region used when a firm's region is not known: I=1 ... IV=4.
    default_wage_region: Annotated[int, Field(ge=1, le=4)]
    # At most this many months of unregistered contributions are counted in the money at stake.
    months_at_stake_cap: Annotated[int, Field(ge=0)]
    # "illustrative": the wage regions by commune are the illustrative table, judged by the
    # lowest floor (a higher one is only a lead); "gazetted" once the gazetted list is installed.
    reference_wage_regions: Annotated[Literal["illustrative", "gazetted"], BeforeValidator(_lower)]


class RulesConfig(Section):
    """The catalogue's severities and thresholds with the agency's ``rules:`` over them: one
    entry per rule code (``rule(code)``), and the contribution terms (``defaults``)."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)
    __pydantic_extra__: dict[str, RuleSettings] = Field(init=False)

    defaults: Contributions

    def rule(self, code: str) -> RuleSettings:
        return (self.model_extra or {})[code]

    @classmethod
    def config_keys(cls) -> list[str]:
        return [*catalogue(), "defaults"]

    @classmethod
    def extra_kind(cls) -> type[RuleSettings]:
        return RuleSettings

    @model_validator(mode="before")
    @classmethod
    def _over_catalogue(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        rules = catalogue()
        for code in value:
            if code != "defaults" and code not in rules:
                raise unknown_key([str(code)], cls.config_keys())
        merged: dict[str, Any] = {}
        for code, body in rules.items():
            extra = value.get(code) or {}
            if not isinstance(extra, Mapping):
                merged[code] = extra
                continue
            own = body.get("thresholds") or {}
            thresholds = extra.get("thresholds") or {}
            if isinstance(thresholds, Mapping):
                for key in thresholds:
                    if key not in own:
                        raise unknown_key([code, "thresholds", str(key)], own)
                thresholds = {**own, **thresholds}
            merged[code] = {"severity": body["severity"], **extra, "thresholds": thresholds}
        terms = value.get("defaults") or {}
        merged["defaults"] = {**packaged_terms(), **terms} if isinstance(terms, Mapping) else terms
        return merged
