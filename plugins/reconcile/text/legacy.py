"""Text in the 8-bit font encodings of old desktop software (TCVN3/ABC, VNI-Windows) read as
Windows-1252, or UTF-8 read as Windows-1252, turned back into Unicode: repaired before folding,
because folding mojibake loses the letters. The tables are data (``data/legacy/*.csv``)."""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources
from itertools import product

from reconcile.text.folding import nfc
from reconcile.text.syllables import is_vietnamese_syllable

_DATA = resources.files("reconcile.text") / "data"


_VIETNAMESE_ONLY = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9\u0300-\u0323]")


def has_vietnamese_letters(s: str) -> bool:
    """Whether ``s`` has a letter only Vietnamese uses (ă, đ, ơ, ư, ạ...): it is real Unicode."""
    return _VIETNAMESE_ONLY.search(s) is not None


_ASCII_SPLIT = re.compile(r"[\s!-/:-@\[-`{-~]+")


def _rows(name: str) -> list[dict[str, str]]:
    with (_DATA / "legacy" / name).open(encoding="utf-8") as handle:
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


# Windows-1252 leaves five bytes undefined; a program that read UTF-8 as Windows-1252 and
# wrote it back turned those bytes into "?" (Ä? for Đ, á»? for ọ/ỏ/ờ/ề/Ố, Ã? for Á/Í/Ý).
# Where a "?" stands for a missing byte each is tried, the letters Vietnamese uses most after
# that lead byte first, and the first spelling that reads as a Vietnamese word is kept.
_LOST_BYTE_ORDER = {
    0xC3: (0x81, 0x8D, 0x9D, 0x8F, 0x90),  # Á Í Ý
    0xC4: (0x90, 0x81, 0x8D, 0x8F, 0x9D),  # Đ
    0xBB: (0x8D, 0x9D, 0x8F, 0x81, 0x90),  # ọ ờ ỏ ề Ố (after E1 BB)
}


_LOST_BYTE_DEFAULT = (0x90, 0x8D, 0x9D, 0x8F, 0x81)


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
    repaired: str | None
    try:
        repaired = raw.decode("utf-8")
    except UnicodeDecodeError:
        repaired = _fill_lost_bytes(bytes(raw))
        if repaired is None:
            return None
    return repaired if repaired != s else None


def _fill_lost_bytes(raw: bytes) -> str | None:
    """Decode ``raw`` where some continuation bytes were written as "?"; None if it will not."""
    mended = bytearray(raw)
    for i in range(
        1, len(mended)
    ):  # à (C3 A0), Ạ (E1 BA A0)... whose no-break space became a space
        lead2 = 0xC2 <= mended[i - 1] <= 0xDF
        lead3 = i >= 2 and 0xE0 <= mended[i - 2] <= 0xEF and 0x80 <= mended[i - 1] <= 0xBF
        if mended[i] == 0x20 and (lead2 or lead3):
            mended[i] = 0xA0
    words = bytes(mended).split(b" ")
    out = []
    for word in words:
        try:
            out.append(word.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        holes = [i for i, byte in enumerate(word) if byte == 0x3F]
        if not holes or len(holes) > 3:
            return None
        found = None
        orders = [
            _LOST_BYTE_ORDER.get(word[i - 1], _LOST_BYTE_DEFAULT) if i else _LOST_BYTE_DEFAULT
            for i in holes
        ]
        for combination in product(*orders):
            filled = bytearray(word)
            for index, byte in zip(holes, combination, strict=True):
                filled[index] = byte
            try:
                text = filled.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if found is None:
                found = text
            letters = "".join(ch for ch in text if ch.isalpha())
            cased = letters in (letters.lower(), letters.upper(), letters.capitalize())
            if letters and cased and is_vietnamese_syllable(letters.lower()):
                found = text
                break
        if found is None:
            return None
        out.append(found)
    text = " ".join(out)
    # what comes back must be Latin script (Vietnamese is): "Ô Loan" is no broken "Ô\xa0Loan"
    if any(ord(ch) > 0x24F and not 0x1E00 <= ord(ch) <= 0x1EFF for ch in text):
        return None
    return text


# Latin-1 letters that real Vietnamese text uses; the other characters of the legacy tables
# are a sign of legacy text, as is a capital inside a lower-case word ("nÊm").
_VIETNAMESE_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")


_INNER_CAPITAL = re.compile("[a-zß-öø-ÿ][À-ÖØ-Þ]")


@cache
def _vni_marks() -> re.Pattern[str]:
    """VNI letter pairs that ordinary Unicode spelling never has ("aù", "eâ"; not "oà")."""
    pairs = [r["vni"] for r in _rows("vni.csv") if len(r["vni"]) == 2 and not r["in_unicode"]]
    return re.compile("|".join(re.escape(p) for p in pairs))


def _looks_legacy(s: str) -> bool:
    """Characters, capitals or letter pairs that real Vietnamese text does not have."""
    signatures = _signatures()
    if any(ch in signatures["tcvn3"] or ch in signatures["vni"] for ch in s if not ch.isascii()):
        return True
    return _INNER_CAPITAL.search(s) is not None or _vni_marks().search(s) is not None


def _word_ok(word: str) -> bool:
    """A syllable, in lower case, capitals, or with a capital initial only."""
    letters = word[1:]
    cased = word.islower() or word.isupper() or (word[:1].isupper() and letters == letters.lower())
    return cased and is_vietnamese_syllable(word)


@cache
def _signatures() -> dict[str, frozenset[str]]:
    """Characters each legacy encoding uses that real Vietnamese text never does."""
    tcvn3 = {chr(code) for code in _tcvn3_table()}
    vni = {ch for seq in _vni_pattern()[1] for ch in seq}
    return {
        "tcvn3": frozenset(ch for ch in tcvn3 if ch not in _VIETNAMESE_LATIN1),
        "vni": frozenset(ch for ch in vni if not ch.isascii() and ch not in _VIETNAMESE_LATIN1),
    }


def repair_legacy(s: str) -> str:
    """Text written in TCVN3 or VNI fonts (or UTF-8 read as Windows-1252), as Unicode.

    Returns ``s`` unchanged unless it shows signs of legacy text (characters or capitals that
    real Vietnamese does not have) and a conversion turns more of its words into Vietnamese
    syllables: plain ASCII and real Unicode Vietnamese are never touched.
    """
    if s.isascii() or has_vietnamese_letters(s):
        return s
    undone = _undo_utf8_as_cp1252(s)
    if undone is not None:
        return nfc(undone)
    if not _looks_legacy(s):
        return s
    words = [w for w in _ASCII_SPLIT.split(s) if w and not w.isascii()]
    letters = [ch for ch in s if ch.isascii() and ch.isalpha()]
    all_caps = len(letters) >= 2 and all(ch.isupper() for ch in letters)
    signatures = _signatures()
    evidence = {  # when both conversions read equally well, the one whose marks are there
        "tcvn3": sum(ch in signatures["tcvn3"] for ch in s),
        "vni": sum(ch in signatures["vni"] for ch in s) + len(_vni_marks().findall(s)),
    }
    valid_before = sum(map(_word_ok, words))
    best, best_rank = None, (0, 0)
    for name, convert in (("tcvn3", _from_tcvn3), ("vni", _from_vni)):
        valid = sum(_word_ok(convert(w, _upper(w, all_caps))) for w in words)
        rank = (valid, evidence[name])
        if valid > valid_before and rank > best_rank:
            best, best_rank = convert, rank
    if best is None or best_rank[0] * 2 < len(words):
        return s
    out = []
    for part in re.split(r"(\s+)", s):
        out.append(part if part.isascii() else best(part, _upper(part, all_caps)))
    return nfc("".join(out))


def _upper(part: str, all_caps: bool) -> bool:
    """Whether a TCVN3 word was typed in capitals: its own letters say so, or the whole text."""
    ascii_letters = [ch for ch in part if ch.isascii() and ch.isalpha()]
    if len(ascii_letters) >= 2:  # "Hµ" or "§¤" cannot say alone
        return all(ch.isupper() for ch in ascii_letters)
    return all_caps
