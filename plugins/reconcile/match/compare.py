"""Comparisons with levels, as Splink has them: each field of a pair falls into one level.

The levels are declared, in order and with their words, in ``levels.py``; the functions here
(and ``names.name_level`` for the name) compute which one a pair is. The model turns each
level into a weight. A level of ``None`` means "nothing to compare" (a blank field) and
weighs 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from rapidfuzz import fuzz
from rapidfuzz.distance import Hamming

from reconcile.match.features import Place, Record, commune_relation, place
from reconcile.match.levels import (
    COMPARISONS,
    STREET_CUTS,
    LegalFormLevel,
    Levels,
    StreetLevel,
    TaxCodeLevel,
)
from reconcile.match.names import name_level, name_score
from reconcile.text.legal_forms import DEPENDENT_FORMS

__all__ = ["COMPARISONS", "Comparison", "Scores", "compare"]


class Scores(TypedDict):
    """The numbers behind the levels, for the explanation."""

    name: float
    street: float | None


@dataclass(frozen=True)
class Comparison:
    levels: Levels  # comparison -> level
    scores: Scores

    def by_name(self) -> Mapping[str, str | None]:
        """The levels keyed by any comparison's name (the model reads them so)."""
        return cast("Mapping[str, str | None]", self.levels)


def _legal_form(unit: Record, firm: Record) -> LegalFormLevel | None:
    if unit.dependent != firm.dependent:
        return "branch_vs_head"
    # a branch is compared by its company's form: "X tại Mỹ An" and "Chi nhánh X" are TNHH both
    unit_forms, firm_forms = unit.legal_forms - DEPENDENT_FORMS, firm.legal_forms - DEPENDENT_FORMS
    if not unit_forms or not firm_forms:
        return None
    if unit_forms == firm_forms:
        return "same"
    if unit_forms & firm_forms or {"TNHH", "TNHH_MTV"} >= unit_forms | firm_forms:
        return "compatible"
    return "different"


def _street(unit: Place, firm: Place, cuts: list[int]) -> tuple[StreetLevel | None, float | None]:
    """The first cut (``comparisons.street.levels``, highest first) the street score reaches."""
    if not unit.street or not firm.street:
        return None, None
    score = fuzz.token_set_ratio(unit.street, firm.street)
    for cut in cuts:
        if score >= cut:
            return STREET_CUTS[cut], score  # ">=90": a level is named by its cut
    return "low", score


def _tax_code(unit: Record, firm: Record) -> TaxCodeLevel:
    if not unit.tax_digits:
        return "missing"
    unit_root, firm_root = unit.tax_digits[:10], (firm.tax_code or "")[:10]
    if unit.tax_digits == (firm.tax_code or "").replace("-", ""):
        # a unit that reads as a branch, written with its head office's code: the code says
        # which family it is of (as for the branches), not that it is the head office
        return "parent" if unit.dependent and not firm.dependent else "equal"
    if firm.dependent and unit_root == firm_root and len(unit.tax_digits) == 10:
        return "parent"  # a branch unit written with its parent's code
    if len(unit_root) == 10 and len(firm_root) == 10:
        if Hamming.distance(unit_root, firm_root) == 1:
            return "one_digit"
        if sorted(unit_root) == sorted(firm_root) and Hamming.distance(unit_root, firm_root) == 2:
            return "one_digit"  # two adjacent digits swapped
    return "different"


def compare(unit: Record, firm: Record, options: dict[str, Any]) -> Comparison:
    """Every comparison of a pair. Addresses are parsed only for pairs that could still link:
    names plainly different and no tax-code evidence weigh far below the review band, and
    parsing addresses is most of the cost of a comparison."""
    cuts = options["comparisons"]
    score = name_score(unit.core, firm.core)
    name = name_level(unit, firm, score, float(cuts["name"]["similar"]))
    tax_code = _tax_code(unit, firm)
    commune = street_level = street_score = None
    if name != "different" or tax_code not in ("missing", "different"):
        unit_place, firm_place = place(unit), place(firm)
        street_level, street_score = _street(unit_place, firm_place, cuts["street"]["levels"])
        commune = commune_relation(unit_place, firm_place)
    levels: Levels = {
        "name": name,
        "legal_form": _legal_form(unit, firm),
        "commune": commune,
        "street": street_level,
        "tax_code": tax_code,
    }
    return Comparison(levels, {"name": round(score, 1), "street": street_score})
