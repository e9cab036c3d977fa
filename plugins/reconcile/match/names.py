"""The name comparison: how alike two name cores are, and which declared level the pair is.

One comparison with ordered levels (``levels.NAME``), not a score plus a separate "words
differ" comparison: two comparisons reading the same evidence would count it twice.
"""

from __future__ import annotations

from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from reconcile.match.features import Record
from reconcile.match.levels import NameLevel
from reconcile.match.tokens import cut_phrase
from reconcile.text.unicode import is_vietnamese_syllable

# how the words of two names differ: a name level, or several distinctive words apart
WordsApart = Literal[
    "trade_word_dropped",
    "trade_word_cut",
    "trade_words_differ",
    "same_words",
    "typo",
    "near_word",
    "numeral_differs",
    "one_word_differs",
    "middle_word_dropped",
    "several_differ",
]


def name_score(a: str, b: str) -> float:
    """How alike two name cores are, 0-100: the best of plain, reordered and subset similarity."""
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b), 0.97 * fuzz.token_set_ratio(a, b))


def name_level(unit: Record, firm: Record, score: float, similar: float) -> NameLevel:
    """The first of the name's levels, in their declared order, that holds for the pair."""
    if unit.core and unit.core == firm.core:
        return "exact"
    words = _words_apart(unit, firm)
    if words in ("trade_word_dropped", "trade_word_cut", "trade_words_differ", "same_words"):
        return words
    if unit.squeezed and unit.squeezed == firm.squeezed:
        return "spacing"  # TƯ VẤ NTHÀNH / TƯ VẤN THÀNH: equal once spaces are removed
    if words != "several_differ":
        return words
    if _one_slip_apart(unit.squeezed, firm.squeezed):
        return "typo"  # SAOH ẢJ / SAO HẢI: a space moved and a letter mistyped
    return "similar" if score >= similar else "different"


def _one_slip_apart(a: str, b: str) -> bool:
    """Names that, spaces taken out, are one letter (or two swapped) apart, and long enough
    that one letter is a slip rather than another name."""
    return min(len(a), len(b)) >= 6 and OSA.distance(a, b, score_cutoff=1) <= 1


def _words_apart(unit: Record, firm: Record) -> WordsApart:
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
            return "same_words"  # the same words, reordered
        return "near_word" if real_words else "typo"
    if len(differing) == 1:
        word = differing[0]
        longer = unit.distinct if word in unit.distinct else firm.distinct
        if word in longer and 0 < longer.index(word) < len(longer) - 1:
            return "middle_word_dropped"
        return "one_word_differs"
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
