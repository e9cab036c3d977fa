"""Where a dependent unit is, as its name says it: the part of a branch's name that names its
place ("Công ty TNHH X - CN Cần Thơ", "Công ty TNHH X tại Mỹ An"), kept out of the firm's core,
"tại" told from "tải" and "tài" even when written without diacritics or mistyped."""

from __future__ import annotations

import re
from functools import cache

from rapidfuzz.distance import OSA

from reconcile.text.legal_form_table import DEPENDENT_FORMS
from reconcile.text.unicode import is_vietnamese_syllable

# the words before an unaccented "tai" that make it "tải" or "tài", not "tại" (at)
_NOT_AT = frozenset({"van", "phat", "tai", "tien", "nhan", "than", "chuyen"})


@cache
def _place_names() -> frozenset[str]:
    """Folded names of communes, districts and provinces, old and new: the places a branch is
    "tại" when a name without diacritics leaves "tai" ambiguous."""
    from reconcile.text import admin_units as au

    names = {au.unit_name_key(p.name) for p in au.provinces()}
    names.update(au.unit_name_key(p.name) for p in au.old_provinces())
    for province in au.provinces():
        names.update(au.unit_name_key(c.name) for c in au.communes(province.code))
    for commune in au._all_old_communes():
        names.add(au.unit_name_key(commune.name))
        names.add(au.unit_name_key(commune.district_name))
    return frozenset(names)


# "tại" with its first letter dropped or hit on a key beside it: syllables in shape, yet no
# words (unlike lại, mại, đại, hại, trại)
_AT_SLIPS = frozenset({"ại", "rại", "yại", "gại", "fại"})


def _mistyped_at(accented: str, folded: str) -> bool:
    """Whether a word is "tại" mistyped (tạj, tạại, tiạ, yại, ại): one edit from it, or a letter
    doubled, and no Vietnamese word itself (TÂN, TÀI and TIA are words, not slips)."""
    if accented.lower() in _AT_SLIPS:
        return True
    # the dot below of "tại" kept: TÂB (for TÂN) is one edit from "tai" too, but not "tại"
    if "ạ" not in accented.lower() or not 3 <= len(folded) <= 4:
        return False
    if is_vietnamese_syllable(accented.lower()):
        return False
    return OSA.distance(folded, "tai") == 1 or re.sub(r"(.)\1", r"\1", folded) == "tai"


def _branch_place(
    words: list[tuple[str, str, bool]],
    keep: list[int],
    spans: list[tuple[int, tuple[str, ...]]],
    accents: bool,
) -> tuple[list[int], str | None, bool]:
    """The words that name the firm, the place a dependent unit's name gives, and whether the
    name is a firm's name "tại <place>".

    "Chi nhánh Gò Công Tây - Công ty TNHH X" and "Công ty TNHH X - CN Cần Thơ": the words in
    the branch's own part, when another part carries the company's form, say where the branch
    is, not which firm it belongs to. "Công ty TNHH X tại Mỹ An": the words after "tại".
    """
    segment, current = [], -1
    for _, _, starts in words:
        current += starts
        segment.append(current)
    starts_with = {segment[i]: parts for i, parts in spans if i == 0 or words[i][2]}
    dependent = {s for s, parts in starts_with.items() if DEPENDENT_FORMS.intersection(parts)}
    company = {s for s, parts in starts_with.items() if not DEPENDENT_FORMS.issuperset(parts)}
    if dependent and company - dependent:
        label = [i for i in keep if segment[i] in dependent]
        if label and len(label) < len(keep):
            place = " ".join(words[i][1] for i in label)
            return [i for i in keep if segment[i] not in dependent], place, False
    if dependent and segment[-1] > 0 and segment[-1] not in starts_with:
        # "Chi nhánh Công ty TNHH X - Cai Lậy", "... - 1": a last part with no form that is a
        # place or a number names the branch (not "Đầu tư - Vận tải - Thương mại X")
        label = [i for i in keep if segment[i] == segment[-1]]
        place = " ".join(words[i][1] for i in label)
        if (
            label
            and len(label) < len(keep)
            and not any(segment[i] == segment[-1] for i, _ in spans)
            and (place.isdigit() or place in _place_names())
        ):
            return [i for i in keep if segment[i] != segment[-1]], place, False
    for k in range(len(keep) - 2, 0, -1):
        accented, folded, _ = words[keep[k]]
        after = [words[i][1] for i in keep[k + 1 :]]
        place = " ".join(after)
        if folded != "tai":
            if (
                _mistyped_at(accented, folded)
                and place in _place_names()
                and words[keep[k - 1]][1] not in _NOT_AT  # VẬN TẠJ NAM DƯƠNG: "tải" mistyped
            ):
                return keep[:k], place, True  # tạj, tạại, tiạ Vĩnh Long: "tại" mistyped
            continue
        if accents and accented == "tại":
            return keep[:k], place, True
        if accents and accented != "tai":
            continue  # tài, tái, tải: words of the name
        # "tai" without diacritics (the whole name so, or this word alone slipped): "tại" only
        # before a place, and not after the words that make it "tải" or "tài"
        if words[keep[k - 1]][1] in _NOT_AT or place not in _place_names():
            continue
        return keep[:k], place, True
    return keep, None, False
