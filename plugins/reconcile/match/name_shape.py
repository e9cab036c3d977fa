"""How the words that name a firm and a unit differ: the shape ``search.py`` judges a pair by.

Near spellings count as the same word, and a legal form a clerk misspelt ("một thành vêin",
"THNÀH", "tạại") stays in the name core, where it is not a name: such words are set aside
before the shape is told.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA, Hamming

from reconcile.match.features import Record

_NUMERALS = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
# the words of legal forms and of "branch of ... at": a clerk's typo in one ("một thành vêin",
# "THNÀH", "tạại") keeps the whole legal form in the name core, where it is not a name
_LEGAL_WORDS = frozenset(
    ["cong", "ty", "cty", "trach", "nhiem", "huu", "han", "tnhh", "mot", "thanh", "vien", "mtv",
     "co", "phan", "cp", "doanh", "nghiep", "tu", "nhan", "dntn", "chi", "nhanh", "tai", "hop",
     "tac", "xa", "van", "phong", "dai", "dien", "vpdd", "dia", "diem", "kinh"]
)  # fmt: skip
_DOUBLED = re.compile(r"(.)\1")


def _misspelt_legal(token: str) -> bool:
    """A legal form's word with two letters swapped, a letter doubled, or (five letters or
    more) one letter mistyped: vêin, THNÀH, tạại, nhiệp. Not a word of a name (Phát, Hoàn)."""
    if token in _LEGAL_WORDS:
        return False
    if _DOUBLED.sub(r"\1", token) in _LEGAL_WORDS:
        return True
    for word in _LEGAL_WORDS:
        if len(word) != len(token) or len(word) < 4:
            continue
        if sorted(word) == sorted(token) and OSA.distance(word, token) == 1:
            return True
        if len(word) >= 5 and Hamming.distance(word, token) == 1:
            return True
    return False


def _legal_noise(extra: list[str]) -> list[str]:
    """The words of ``extra`` that belong to a legal form a clerk misspelt (then left in the
    name core): the legal words around the misspelt one, and after a misspelt "tại" the place
    of the branch; or extra words that are all legal words, two or more."""
    if not any(_misspelt_legal(t) for t in extra):
        # a legal form of several words the parser did not take whole ("nhiem huu han")
        return list(extra) if len(extra) >= 2 and all(t in _LEGAL_WORDS for t in extra) else []
    noise: list[str] = []
    for i, token in enumerate(extra):
        if _misspelt_legal(token) and _DOUBLED.sub(r"\1", token) == "tai":
            return noise + extra[i:]
        if token in _LEGAL_WORDS or _misspelt_legal(token):
            noise.append(token)
    return noise


def name_shape(firm: Record, unit: Record, near: float) -> tuple[str, list[str], list[str], int]:
    """How the words that name the two differ: (shape, words only the firm has, words only the
    unit has, words shared). A word of one side that is a near spelling (OSA similarity at
    least ``near``) of a word of the other is shared. Shapes: ``same``; ``word_dropped`` (one
    side has every word of the other, in the same order, and one more), ``numeral_dropped`` (that word tells
    numbered firms apart: HIỆP PHÁT / HIỆP PHÁT II), ``words_dropped`` (more than one);
    ``words_differ`` (each side has words the other lacks); ``different`` (no word shared)."""
    only_firm = [t for t in firm.distinct if t not in unit.distinct]
    only_unit = [t for t in unit.distinct if t not in firm.distinct]
    for token in list(only_firm):
        close = next((t for t in only_unit if OSA.normalized_similarity(token, t) >= near), None)
        if close is not None:
            only_firm.remove(token)
            only_unit.remove(close)
    for noise in (_legal_noise(only_firm), _legal_noise(only_unit)):
        for token in noise:
            (only_firm if token in only_firm else only_unit).remove(token)
    shared = len([t for t in firm.distinct if t not in only_firm and t not in _LEGAL_WORDS]) or (
        len(firm.distinct) - len(only_firm)
    )
    if shared <= 0:
        return "different", only_firm, only_unit, 0
    if not only_firm and not only_unit:
        return "same", only_firm, only_unit, shared
    if only_firm and only_unit:
        return "words_differ", only_firm, only_unit, shared
    extra = only_firm or only_unit
    if len(extra) > 1:
        return "words_dropped", only_firm, only_unit, shared
    longer, shorter = (unit, firm) if only_unit else (firm, unit)
    if [t for t in longer.distinct if t in shorter.distinct] != [
        t for t in shorter.distinct if t in longer.distinct
    ]:
        return "words_differ", only_firm, only_unit, shared  # the same words in another order
    numeral = extra[0].isdigit() or extra[0] in _NUMERALS
    return ("numeral_dropped" if numeral else "word_dropped"), only_firm, only_unit, shared
