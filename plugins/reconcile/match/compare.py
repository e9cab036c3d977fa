"""Comparisons with levels, as Splink has them: each field of a pair falls into one level.

Levels are named so that the explanation can say them in words; the model turns each level
into a weight. A level of ``None`` means "nothing to compare" (a blank field) and weighs 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Hamming

from reconcile.match.features import Place, Record, commune_relation, place
from reconcile.match.tokens import cut_phrase
from reconcile.text.legal_forms import DEPENDENT_FORMS
from reconcile.text.unicode import is_vietnamese_syllable

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
    if words in ("trade_word_dropped", "trade_word_cut", "trade_words_differ"):
        return words
    if words == "same_tokens":
        return "same_words"
    if unit.squeezed and unit.squeezed == firm.squeezed:
        return "spacing"  # TƯ VẤ NTHÀNH / TƯ VẤN THÀNH: equal once spaces are removed
    if words in ("typo", "near_word"):
        return words
    if words == "numeral_differs":
        return "numeral_differs"
    if words == "one_token_differs":
        return "one_word_differs"
    if words == "middle_word_dropped":
        return "middle_word_dropped"
    if _one_slip_apart(unit.squeezed, firm.squeezed):
        return "typo"  # SAOH ẢJ / SAO HẢI: a space moved and a letter mistyped
    return "similar" if score >= similar else "different"


def _one_slip_apart(a: str, b: str) -> bool:
    """Names that, spaces taken out, are one letter (or two swapped) apart, and long enough
    that one letter is a slip rather than another name."""
    return min(len(a), len(b)) >= 6 and OSA.distance(a, b, score_cutoff=1) <= 1


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
    unit_names, firm_names = set(unit.distinct), set(firm.distinct)
    typos = 0
    real_words = False  # two names a letter apart (HÂN / HẠNH), not a word mistyped
    # the nearest spellings first: HỒGN goes with HỒNG, not THƯƠNG with HỒNG
    near_pairs = sorted(
        (-similarity, i, j)
        for i, token in enumerate(only_unit)
        for j, other in enumerate(only_firm)
        if (similarity := OSA.normalized_similarity(token, other, score_cutoff=0.6))
    )
    used_unit: set[int] = set()
    used_firm: set[int] = set()
    for _, i, j in near_pairs:
        if i in used_unit or j in used_firm:
            continue
        used_unit.add(i)
        used_firm.add(j)
        token, near = only_unit[i], only_firm[j]
        typos += 1
        # a trade word mistyped (XA DỰNG for XÂY DỰNG) names no firm, whatever it spells
        names = token in unit_names and near in firm_names
        real_words = real_words or (names and not _misspelt(token, near))
    only_unit = [t for i, t in enumerate(only_unit) if i not in used_unit]
    only_firm = [t for j, t in enumerate(only_firm) if j not in used_firm]
    differing = [t for t in only_unit if t in unit_names] + [
        t for t in only_firm if t in firm_names
    ]
    if not differing:
        if only_unit and only_firm:
            # trade words that differ on both sides (XÂY DỰNG X / THƯƠNG MẠI X), with or
            # without a typo besides: often two firms of one name
            return "trade_words_differ"
        if only_unit or only_firm:
            # one side is the other with a trade word left out (DỊCH VỤ X / X), with or without
            # a typo besides; or with a piece of one (THƯƠNG MẠI X / MẠI X): a clerk's slip,
            # which two firms' names rarely are
            if cut_phrase(own, set(only_unit), other_set) or cut_phrase(
                other, set(only_firm), own_set
            ):
                return "trade_word_cut"
            return "trade_word_dropped"
        if not typos:
            return "same_tokens"  # the same words, reordered
        return "near_word" if real_words else "typo"
    if len(differing) == 1:
        word = differing[0]
        longer = unit.distinct if word in unit.distinct else firm.distinct
        if word in longer and 0 < longer.index(word) < len(longer) - 1:
            return "middle_word_dropped"
        return "one_token_differs"
    return "several_differ"


def _is_syllable(token: str) -> bool:
    return token.isalpha() and is_vietnamese_syllable(token)


def _misspelt(a: str, b: str) -> bool:
    """Whether two near spellings are one word mistyped rather than two words.

    HỒGN / HỒNG, PHUCS / PHÚC: one of them is no Vietnamese syllable, so it is a slip of the
    keys. HÂN / HẠNH, HÒ / HÒA: both are words, and names one letter apart are often two
    firms. Two short non-words (MTF / MTC) are two abbreviations, not one mistyped.
    """
    a_word, b_word = _is_syllable(a), _is_syllable(b)
    if a_word != b_word:
        return True
    return not a_word and min(len(a), len(b)) >= 4


def _legal_form(unit: Record, firm: Record) -> str | None:
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
    name = _name_level(unit, firm, score, float(cuts["name"]["similar"]))
    tax_code = _tax_code(unit, firm)
    commune = street_level = street_score = None
    if name != "different" or tax_code not in ("missing", "different"):
        unit_place, firm_place = place(unit), place(firm)
        street_level, street_score = _street(unit_place, firm_place, cuts["street"]["levels"])
        commune = commune_relation(unit_place, firm_place)
    levels = {
        "name": name,
        "legal_form": _legal_form(unit, firm),
        "commune": commune,
        "street": street_level,
        "tax_code": tax_code,
    }
    return Comparison(levels, {"name": round(score, 1), "street": street_score})
