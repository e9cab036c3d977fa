"""``matching:``: the linking options, whose defaults (and the comments on each) are the
package's ``match/data/matching.yaml``.

The merge is one level deep, as it always was: a section given (``blocking:``) is laid over
the default section, key by key; a value inside it (``comparisons.name``,
``model.tax_code_priors``) replaces the default whole. The options that name levels must name
declared ones (``match/levels.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import field_validator, model_validator

from reconcile.config.types import Number, Section, unknown_key

DEFAULTS_FILE = "match/data/matching.yaml"


def matching_defaults() -> dict[str, Any]:
    from reconcile.settings import load_yaml, package_data

    return load_yaml(package_data(DEFAULTS_FILE))


class Blocking(Section):
    """Which firms are candidates of a unit (``blocking.Index.candidates``)."""

    max_block_size: int  # a token shared by more firms than this does not block
    keys_per_record: int  # candidate keys per record: its rarest tokens and token pairs
    typo_keys_per_record: int  # second pass: keys that survive one typo or a moved space
    address_block_size: int  # second pass: firms at the same street address, if no more
    hamlet_block_size: int  # and firms in the same hamlet sharing a word, if no more


class Exact(Section):
    min_name_score: Number  # an equal tax code links only if the names are this alike


class NameLevels(Section):
    similar: Number  # the whole-name score of the "similar" level


class StreetLevels(Section):
    levels: list[int]  # the cuts of the street's levels

    @field_validator("levels")
    @classmethod
    def _declared(cls, cuts: list[int]) -> list[int]:
        from reconcile.match.levels import STREET, STREET_CUTS

        for cut in cuts:
            if cut not in STREET_CUTS:
                raise ValueError(
                    f"{cut!r} is not a street level's cut; the levels are"
                    f" {', '.join(STREET.keys)} (match/levels.py)"
                )
        return cuts


class Comparisons(Section):
    name: NameLevels
    street: StreetLevels


class Prior(Section):
    m: Number  # probability of the level among matches
    u: Number  # and among non-matches


class ModelOptions(Section):
    """Fellegi-Sunter: m and u learned per partition, else these priors."""

    min_training_pairs: int  # fewer training pairs than this: the priors are used
    present: Number  # probability that a unit's firm is among its candidates
    smoothing: Number
    tax_code_priors: dict[str, Prior]  # m and u of each tax-code level (not learnable)

    @field_validator("tax_code_priors")
    @classmethod
    def _declared(cls, priors: dict[str, Prior]) -> dict[str, Prior]:
        from reconcile.match.levels import TAX_CODE

        for level in priors:
            if level not in TAX_CODE.keys:
                raise unknown_key([level], TAX_CODE.keys)
        return priors


class BandOptions(Section):
    link: Number  # a pair's probability at or above this links
    review: Number  # from this it is reviewed, below it is dropped


class Fallback(Section):
    """Units with no candidate at the link band, compared with the closest whole names."""

    min_score: Number
    candidates: int
    max_candidates: int  # ties with the last of the best included, up to this many


class MatchingConfig(Section):
    """The defaults of ``match/data/matching.yaml`` with the agency's ``matching:`` over them."""

    blocking: Blocking
    exact: Exact
    comparisons: Comparisons
    model: ModelOptions
    bands: BandOptions
    fallback: Fallback

    @model_validator(mode="before")
    @classmethod
    def _over_defaults(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        defaults = matching_defaults()
        merged = dict(defaults)
        for key, section in value.items():
            default = defaults.get(key)
            if isinstance(section, Mapping) and isinstance(default, Mapping):
                merged[key] = {**default, **section}
            else:
                merged[key] = section
        return merged
