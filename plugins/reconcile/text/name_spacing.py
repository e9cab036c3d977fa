"""Firm names whose spaces went astray: a legal form glued to the next word ("TNHHSẢN XUẤT",
"MTVThương mại"), a space moved inside the forms ("Công t yTNHH"), "tại" glued or split. A
space is put back only where what is left on each side is a word."""

from __future__ import annotations

import re

from reconcile.text.legal_form_table import _Alias, _form_words, _rules, _squeezed_aliases
from reconcile.text.unicode import fold, is_folded_syllable, is_vietnamese_syllable


def _unglue_forms(words: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """A form glued to the word after it, among the first words of the name: "TNHHSẢN XUẤT",
    "CỔ PHẦNNỘI THẤT", "MTVThương mại", "Cổ phần418" -> "TNHH SẢN", "PHẦN NỘI", "MTV Thương",
    "phần 418". Split only where the word is no Vietnamese syllable and the rest is one, or a
    number."""
    rules, forms = _rules(), _form_words()
    out: list[tuple[str, str, bool]] = []
    for n, (accented, folded, starts) in enumerate(words):
        if (
            n < 8
            and len(folded) >= 4
            and len(accented) == len(folded)
            and folded not in rules.aliases
            and not is_vietnamese_syllable(accented)
        ):
            for k in range(len(folded) - 1, 1, -1):
                head, tail = folded[:k], folded[k:]
                if head in forms and _a_word(accented[k:], tail):
                    out.append((accented[:k], head, starts))
                    out.append((accented[k:], tail, False))
                    break
            else:
                out.append((accented, folded, starts))
            continue
        out.append((accented, folded, starts))
    return out


def _a_word(accented: str, folded: str) -> bool:
    """Whether a piece split off a glued word stands as a word: a syllable (with its diacritics,
    or typed without them) or a number."""
    return (
        folded.isdigit()
        or is_vietnamese_syllable(accented)
        or (accented == folded and is_folded_syllable(folded))
    )


def _resegment_forms(
    words: list[tuple[str, str, bool]], rest: list[int]
) -> list[tuple[str, str, bool]]:
    """A space moved inside the legal forms that open the name: "Công t yTNHH Sản xuất",
    "Chi nhán hCông ty". The first words, their spaces taken out, are read again as forms
    from the left; where that reads more of them than the words as written, the forms are put
    back as their own words and the rest of a split word becomes a word (when it is one)."""
    end = next((j for j in range(1, len(words)) if words[j][2]), len(words))
    lead = words[: min(end, 8)]
    squeezed = "".join(folded for _, folded, _ in lead)
    aliases, longest = _squeezed_aliases()
    at = 0
    found: list[_Alias] = []
    previous: tuple[str, ...] = ()
    while at < len(squeezed):
        for size in range(min(longest, len(squeezed) - at), 1, -1):
            alias = aliases.get(squeezed[at : at + size])
            if alias and (not alias.after or alias.after.intersection(previous)):
                break
        else:
            break
        found.append(alias)
        previous = alias.parts
        at += size
    # the letters the forms take as written: the words before the first that is no form
    as_written = sum(len(folded) for _, folded, _ in words[: rest[0] if rest else len(words)])
    if not found or at <= as_written:
        return words
    out = [(w, w, n == 0 and words[0][2]) for alias in found for n, w in enumerate(alias.words)]
    start = 0
    for i, (accented, folded, _) in enumerate(lead):
        if start + len(folded) <= at:
            start += len(folded)
            continue
        cut = at - start
        if cut > 0:  # the forms end inside this word: its rest must be a word of its own
            rest_accented = accented[cut:] if len(accented) == len(folded) else folded[cut:]
            if len(folded) - cut < 2 or not _a_word(rest_accented, folded[cut:]):
                return words
            if is_vietnamese_syllable(accented) or is_folded_syllable(folded):
                return words  # a word as it is: not the tail of a form
            out.append((rest_accented, folded[cut:], False))
            i += 1
        return out + words[i:]
    return out + words[len(lead) :]


_GLUED_AT = re.compile(r"(\w+?)(tại)(?=\s|$)", re.IGNORECASE)


_AT_GLUED = re.compile(r"(?<!\w)(tại)(\w+)", re.IGNORECASE)


_AT_SPACE_MOVED = re.compile(r"(?<!\w)(tạ) (i)(\w+)", re.IGNORECASE)


_AT_SPACE_MOVED_BEFORE = re.compile(r"(?<!\w)(\w+?)(t) (ại)(?=\s)", re.IGNORECASE)


def _unglue_at(text: str) -> str:
    """ "HƯNG VƯỢNGTẠI MỸ THO", "tạiLai Vung", "tạ iSa Đéc": "tại" glued to the word before
    or after it, or its last letter moved across the space. "tại" is a syllable of its own (no
    word begins or ends with it), so the space is put back where the rest is a syllable."""
    if "ại" not in text.lower() and "ạ i" not in text.lower():
        return text  # every pattern below has "ại" or "ạ i" in it

    def before(match: re.Match[str]) -> str:
        head = match.group(1)
        return f"{head} {match.group(2)}" if _a_word(head.lower(), fold(head)) else match.group(0)

    def after(match: re.Match[str]) -> str:
        tail = match.group(2)
        return f"{match.group(1)} {tail}" if _a_word(tail.lower(), fold(tail)) else match.group(0)

    def moved(match: re.Match[str]) -> str:
        at, tail = match.group(1) + match.group(2), match.group(3)
        if is_vietnamese_syllable((match.group(2) + tail).lower()):
            return match.group(0)  # "tạ ích" is two words as written
        return f"{at} {tail}" if _a_word(tail.lower(), fold(tail)) else match.group(0)

    def moved_before(match: re.Match[str]) -> str:
        head = match.group(1)
        if is_vietnamese_syllable((head + match.group(2)).lower()):
            return match.group(0)  # "Phát ại": a word as written, and "ại" alone
        return (
            f"{head} {match.group(2)}{match.group(3)}"
            if _a_word(head.lower(), fold(head))
            else match.group(0)
        )

    text = _AT_SPACE_MOVED_BEFORE.sub(moved_before, text)
    text = _GLUED_AT.sub(before, text)
    text = _AT_GLUED.sub(after, text)
    return _AT_SPACE_MOVED.sub(moved, text)


_CASE_GLUED = re.compile(r"(?<![^\W\d_])([^\W\d_]{2,}?)(?=[^\W\d_a-zà-ỹđ][^\W\d_A-ZÀ-ỸĐ])")


def _unglue_case(text: str) -> str:
    """ "Mot thanh vienThuong mai", "Công ty TNHHFia Việt": a form word glued to the next word,
    seen where the letters change case inside a word ("vienT", "HHFi"). Split only after a word
    of a legal form, so "VinaCapital" stays one word."""
    forms = _form_words()

    def split(match: re.Match[str]) -> str:
        head = match.group(1)
        return f"{head} " if fold(head) in forms and len(head) >= 3 else head

    return _CASE_GLUED.sub(split, text) if any(ch.isupper() for ch in text[1:]) else text
