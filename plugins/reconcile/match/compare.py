"""Comparisons with levels, as Splink has them: each field of a pair falls into one level.

Levels are named so that the explanation can say them in words; the model turns each level
into a weight. A level of ``None`` means "nothing to compare" (a blank field) and weighs 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Hamming

from reconcile.match.features import Place, Record, place

COMPARISONS = ("name", "legal_form", "commune", "street", "tax_code")


@dataclass(frozen=True)
class Comparison:
    levels: dict[str, str | None]  # comparison -> level
    scores: dict[str, Any]  # the numbers behind the levels, for the explanation


def name_score(a: str, b: str) -> float:
    """How alike two name cores are, 0-100: the best of plain, reordered and subset similarity."""
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b), 0.97 * fuzz.token_set_ratio(a, b))


def _name_level(unit: Record, firm: Record, score: float, similar: float) -> str:
    """One comparison for the name, its levels in order, so that no evidence counts twice."""
    if unit.core and unit.core == firm.core:
        return "exact"
    words = _distinguishing(unit, firm)
    if words in ("same_tokens", "typo"):
        return "same_words" if words == "same_tokens" else "typo"
    if words == "numeral_differs":
        return "numeral_differs"
    if words == "one_token_differs":
        return "one_word_differs"
    if words == "middle_word_dropped":
        return "middle_word_dropped"
    return "similar" if score >= similar else "different"


def _distinguishing(unit: Record, firm: Record) -> str:
    """Numbered and one-word-apart firms: HIỆP PHÁT / HIỆP PHÁT II, TÂN HẢI / TÂN HẢI SƠN.

    Trade words (thương mại, dịch vụ…) are left out: clerks drop and reorder them. A token of
    one side that is a near spelling of a token of the other is a typo, not a difference. A
    word missing from the middle of the other name is a dropped middle name (Nguyễn Mỹ Nhung
    written Nguyễn Nhung), which distinct firms rarely are: they differ at the end.
    """
    if unit.numerals != firm.numerals and (unit.numerals or firm.numerals):
        return "numeral_differs"
    own, other = unit.joined, firm.joined
    other_set, own_set = set(other), set(own)
    only_unit = [t for t in own if t not in other_set]
    only_firm = [t for t in other if t not in own_set]
    typos = 0
    for token in list(only_unit):
        near = next((t for t in only_firm if OSA.normalized_similarity(token, t) >= 0.6), None)
        if near is not None:
            only_unit.remove(token)
            only_firm.remove(near)
            typos += 1
    unit_names, firm_names = set(unit.distinct), set(firm.distinct)
    differing = [t for t in only_unit if t in unit_names] + [
        t for t in only_firm if t in firm_names
    ]
    if not differing:
        return "typo" if typos else "same_tokens"
    if len(differing) == 1:
        word = differing[0]
        longer = unit.distinct if word in unit.distinct else firm.distinct
        if word in longer and 0 < longer.index(word) < len(longer) - 1:
            return "middle_word_dropped"
        return "one_token_differs"
    return "several_differ"


def _legal_form(unit: Record, firm: Record) -> str | None:
    if unit.dependent != firm.dependent:
        return "branch_vs_head"
    if not unit.legal_forms or not firm.legal_forms:
        return None
    if unit.legal_forms == firm.legal_forms:
        return "same"
    if (
        unit.legal_forms & firm.legal_forms
        or {"TNHH", "TNHH_MTV"} >= unit.legal_forms | firm.legal_forms
    ):
        return "compatible"
    return "different"


def _commune(unit: Place, firm: Place) -> str | None:
    if not unit.commune_codes or not firm.commune_codes:
        return None
    return "same" if unit.commune_codes & firm.commune_codes else "different"


def _street(unit: Place, firm: Place, cuts: list[int]) -> tuple[str | None, float | None]:
    if not unit.street or not firm.street:
        return None, None
    score = fuzz.token_set_ratio(unit.street, firm.street)
    for cut in cuts:
        if score >= cut:
            return f">={cut}", score
    return "low", score


def _tax_code(unit: Record, firm: Record) -> str:
    if not unit.tax_digits:
        return "missing"
    unit_root, firm_root = unit.tax_digits[:10], (firm.tax_code or "")[:10]
    if unit.tax_digits == (firm.tax_code or "").replace("-", ""):
        return "equal"
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
    name = _name_level(unit, firm, score, float(cuts["name"]["similar"]))
    tax_code = _tax_code(unit, firm)
    commune = street_level = street_score = None
    if name != "different" or tax_code not in ("missing", "different"):
        unit_place, firm_place = place(unit), place(firm)
        street_level, street_score = _street(unit_place, firm_place, cuts["street"]["levels"])
        commune = _commune(unit_place, firm_place)
    levels = {
        "name": name,
        "legal_form": _legal_form(unit, firm),
        "commune": commune,
        "street": street_level,
        "tax_code": tax_code,
    }
    return Comparison(levels, {"name": round(score, 1), "street": street_score})
