"""One normal form and a folded form for comparison: NFC as the warehouse stores it, and lower
case without diacritics or punctuation, so that "CÔNG TY  TNHH Đức-Phát" and "cong ty tnhh duc
phat" meet."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_MARKS = re.compile(r"[\u0300-\u036f]")


_NON_WORD = re.compile(r"[\W_]+")


_NON_KEY = re.compile(r"[^a-z0-9]+")


_D_BAR = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(s: str) -> str:
    """The composed (NFC) form: the one the warehouse stores, whatever the feed sent."""
    return unicodedata.normalize("NFC", s)


def strip_diacritics(s: str) -> str:
    """Remove tone and vowel marks and turn đ into d; case and punctuation are kept."""
    return _MARKS.sub("", unicodedata.normalize("NFD", s)).translate(_D_BAR)


@lru_cache(maxsize=1 << 18)
def fold(s: str) -> str:
    """The comparison form: lower case, no diacritics, punctuation as spaces, single spaces.

    "CÔNG TY  TNHH Đức-Phát" and "cong ty tnhh duc phat" fold to the same text, which is
    what a matcher needs when one feed lost its diacritics and the other did not.
    """
    text = strip_diacritics(nfc(s).lower())
    return " ".join(_NON_WORD.sub(" ", text).split())


def header_key(s: str) -> str:
    """A column header reduced to a-z0-9 ("Mã số thuế", "MA_SO_THUE" -> "masothue")."""
    return _NON_KEY.sub("", fold(s))


def word_pairs(s: str) -> list[tuple[str, str]]:
    """The words of ``s`` as (lower-case NFC, folded) pairs, aligned one to one.

    The accented form tells words apart that fold together ("và" and "vá", "xã" and "xa");
    the folded form is what gets compared.
    """
    words = _NON_WORD.sub(" ", nfc(s).lower()).split()
    pairs = []
    for word in words:
        folded = _NON_WORD.sub("", strip_diacritics(word))
        if folded:
            pairs.append((word, folded))
    return pairs
