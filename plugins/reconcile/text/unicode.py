"""Unicode for Vietnamese text: one normal form, a folded form for comparison, legacy repair.

Feeds arrive in NFC, NFD, all capitals, without diacritics, or in the 8-bit font encodings
of old desktop software (TCVN3/ABC and VNI-Windows) read as Windows-1252. Everything that
compares text goes through :func:`fold`, so that these spellings meet; :func:`repair_legacy`
turns legacy text back into Unicode before that, because folding mojibake loses the letters.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib import resources

__all__ = [
    "fold",
    "has_vietnamese_letters",
    "header_key",
    "is_vietnamese_syllable",
    "nfc",
    "repair_legacy",
    "strip_diacritics",
    "word_pairs",
]

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


# --- Vietnamese syllables ---------------------------------------------------------------------
# Used to tell legacy mojibake from real text: after the right conversion nearly every word is
# a well-formed syllable; before it (or after the wrong one) most words are not.

_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
_OPEN = (
    "iêu|yêu|oai|oay|oao|oeo|uây|uôi|uya|uyu|ươi|ươu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|ưa|ưi|ưu|uơ"
)
_BEFORE_NH = "oa|uy|uê|a|ê|i|y"
_CLOSABLE = "uyê|iê|yê|oa|oă|oe|oo|uâ|uê|uô|ươ|uy|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
_SYLLABLE = re.compile(
    f"^{_ONSET}(?:(?:{_OPEN})|(?:{_BEFORE_NH})(?:nh|ch)|(?:{_CLOSABLE})(?:ng|[cmnptk])?)$"
)
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` (one word, any case, NFC or NFD) is a well-formed Vietnamese syllable."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    if not _SYLLABLE.match(base):
        return False
    # a stopped syllable (-c, -ch, -p, -t) takes only the acute or the dot below
    return not (
        tones and base.endswith(("c", "p", "t", "k")) and tones[0] not in {"\u0301", "\u0323"}
    )


_VIETNAMESE_ONLY = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9\u0300-\u0323]")


def has_vietnamese_letters(s: str) -> bool:
    """Whether ``s`` has a letter only Vietnamese uses (ă, đ, ơ, ư, ạ...): it is real Unicode."""
    return _VIETNAMESE_ONLY.search(s) is not None


# --- legacy encodings -------------------------------------------------------------------------

_DATA = resources.files("reconcile.text") / "data" / "legacy"
_ASCII_SPLIT = re.compile(r"[\s!-/:-@\[-`{-~]+")


def _rows(name: str) -> list[dict[str, str]]:
    with (_DATA / name).open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def _tcvn3_table() -> dict[int, str]:
    """TCVN3 byte, as Windows-1252 reads it, to its Unicode letter (see data/legacy/tcvn3.csv)."""
    table = {}
    for row in _rows("tcvn3.csv"):
        read_as = bytes([int(row["byte"], 16)]).decode("cp1252")
        table[ord(read_as)] = row["unicode"]
    return table


@cache
def _vni_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """VNI sequences (longest first) and their Unicode letters (see data/legacy/vni.csv)."""
    table = {row["vni"]: row["unicode"] for row in _rows("vni.csv")}
    alternatives = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(seq) for seq in alternatives)), table


def _from_tcvn3(word: str, upper: bool) -> str:
    converted = word.translate(_tcvn3_table())
    return converted.upper() if upper else converted


def _from_vni(word: str, upper: bool) -> str:
    pattern, table = _vni_pattern()
    return pattern.sub(lambda m: table[m.group(0)], word)


def _undo_utf8_as_cp1252(s: str) -> str | None:
    """UTF-8 bytes that were read as Windows-1252 ("CÃ´ng ty"), back to text; else None."""
    raw = bytearray()
    for ch in s:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return None
            raw.append(ord(ch))
    try:
        repaired = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return repaired if repaired != s else None


def _syllable_score(words: list[str]) -> int:
    return sum(1 for w in words if is_vietnamese_syllable(w))


def repair_legacy(s: str) -> str:
    """Text written in TCVN3 or VNI fonts (or UTF-8 read as Windows-1252), as Unicode.

    Returns ``s`` unchanged unless a conversion turns clearly more of its words into
    Vietnamese syllables: plain ASCII and real Unicode Vietnamese are never touched.
    """
    if s.isascii() or has_vietnamese_letters(s):
        return s
    undone = _undo_utf8_as_cp1252(s)
    if undone is not None:
        return nfc(undone)
    words = [w for w in _ASCII_SPLIT.split(s) if w and not w.isascii()]
    if not words:
        return s
    letters = [ch for ch in s if ch.isascii() and ch.isalpha()]
    all_caps = len(letters) >= 2 and all(ch.isupper() for ch in letters)
    original = _syllable_score(words)
    best, best_score = None, original
    for convert in (_from_tcvn3, _from_vni):
        score = _syllable_score([convert(w, False) for w in words])
        if score > best_score:
            best, best_score = convert, score
    if best is None or best_score * 2 < len(words):
        return s
    parts = re.split(r"(\s+)", s)
    out = []
    for part in parts:
        if not part or part.isspace() or part.isascii():
            out.append(part)
            continue
        ascii_letters = [ch for ch in part if ch.isascii() and ch.isalpha()]
        # "Hµ" or "§¤": a word with fewer than two letters cannot say, the whole text can
        own_case = len(ascii_letters) >= 2
        upper = all(ch.isupper() for ch in ascii_letters) if own_case else all_caps
        out.append(best(part, upper))
    return nfc("".join(out))
