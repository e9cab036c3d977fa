"""What the agency's own system did to a firm's name and tax code, and Windows-1258 text.

Each noise kind is a small function; ``noisy_name`` applies the kinds drawn for a unit in a
fixed order and returns the kinds that actually changed something, so the ground truth names
only the noise that is really there.
"""

from __future__ import annotations

import random
import unicodedata
from functools import cache

from reconcile.synth.names import LEGAL_FORM_VARIANTS, ascii_fold

NAME_KINDS = ("legal_form", "reorder", "typo", "english_name", "upper", "no_diacritics", "nfd")
CODE_KINDS = ("tax_code_blank", "tax_code_typo", "tax_code_no_zero", "parent_code")
ADDRESS_KINDS = ("old_address",)
ALL_KINDS = NAME_KINDS + CODE_KINDS + ADDRESS_KINDS


def _legal_form(name: str, prefix: str, rng: random.Random) -> str:
    for known in sorted(LEGAL_FORM_VARIANTS, key=len, reverse=True):
        if name.startswith(known):
            choices = [v for v in LEGAL_FORM_VARIANTS[known] if v != known]
            variant = rng.choice(choices)
            rest = name[len(known) :]
            if known == "Chi nhánh":  # a branch: vary the parent's form too
                inner = rest.lstrip()
                for parent_form in sorted(LEGAL_FORM_VARIANTS, key=len, reverse=True):
                    if parent_form != "Chi nhánh" and inner.startswith(parent_form):
                        rest = (
                            " "
                            + rng.choice(LEGAL_FORM_VARIANTS[parent_form])
                            + inner[len(parent_form) :]
                        )
                        break
            return variant + rest
    return name


def _reorder(name: str, prefix: str, trades: tuple[str, ...], rng: random.Random) -> str:
    body = name[len(prefix) :].strip() if name.startswith(prefix) else name
    present = [t for t in trades if t and t.lower() in body.lower()]
    if len(present) >= 2:
        if rng.random() < 0.5:  # drop one trade word
            gone = rng.choice(present)
            out = (
                body.replace(gone + " - ", "").replace(" - " + gone, "").replace(gone + " ", "", 1)
            )
        else:  # swap the first two
            a, b = present[0], present[1]
            out = body.replace(a, "\0").replace(b, a).replace("\0", b)
    elif len(present) == 1:
        out = body.replace(present[0] + " ", "", 1)
    else:
        words = body.split()
        if len(words) >= 3:  # a person's name: drop the middle name
            out = " ".join(words[:1] + words[2:])
        else:
            return name
    out = " ".join(out.split())
    return f"{prefix} {out}" if name.startswith(prefix) else out


def _typo(name: str, rng: random.Random) -> str:
    words = name.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 3 and w.isalpha()]
    if not candidates:
        return name
    for _ in range(10):
        i = rng.choice(candidates[len(candidates) // 2 :] or candidates)
        word = words[i]
        j = rng.randrange(1, len(word) - 1)  # keep the first letter (and its capital) in place
        op = rng.random()
        if op < 0.35:  # two letters swapped
            new = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif op < 0.6:  # a letter dropped
            new = word[:j] + word[j + 1 :]
        elif op < 0.8:  # a letter doubled
            new = word[:j] + word[j] + word[j:]
        else:  # one letter's diacritic lost
            new = word[:j] + ascii_fold(word[j]) + word[j + 1 :]
        if new != word:
            words[i] = new
            return " ".join(words)
    return name


def noisy_name(
    name: str,
    english: str,
    prefix: str,
    trades: tuple[str, ...],
    kinds: tuple[str, ...],
    rng: random.Random,
) -> tuple[str, tuple[str, ...]]:
    applied: list[str] = []
    out = name
    for kind in NAME_KINDS:
        if kind not in kinds:
            continue
        if kind == "legal_form":
            new = _legal_form(out, prefix, rng)
        elif kind == "reorder":
            new = _reorder(out, prefix, trades, rng)
        elif kind == "typo":
            new = _typo(out, rng)
        elif kind == "english_name":
            new = f"{out} ({english})" if english else out
        elif kind == "upper":
            new = out.upper()
        elif kind == "no_diacritics":
            new = ascii_fold(out)
        else:  # nfd
            new = unicodedata.normalize("NFD", out)
        if new != out:
            applied.append(kind)
            out = new
    return out, tuple(applied)


def mistype_digit(code: str, rng: random.Random) -> str:
    """Change one digit of the 10-digit root: the check digit then never matches."""
    position = rng.randrange(10)
    digit = code[position]
    new = rng.choice([d for d in "0123456789" if d != digit])
    return code[:position] + new + code[position + 1 :]


# --- Windows-1258 -----------------------------------------------------------------------------
# cp1258 has the base letters (â ê ô ă ơ ư đ and some toned Latin-1 letters) and five combining
# tone marks; most precomposed Vietnamese letters are not in it. Decompose, recompose what the
# code page has, and keep the tone marks combining.

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


@cache
def _cp1258_form(char: str) -> str:
    try:
        char.encode("cp1258")
        return char
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFD", char)
    base = "".join(c for c in decomposed if c not in _TONES)
    tones = "".join(c for c in decomposed if c in _TONES)
    base = unicodedata.normalize("NFC", base)
    candidate = base + tones
    try:
        candidate.encode("cp1258")
    except UnicodeEncodeError:
        # A base letter with its tone precomposed may exist (e.g. "à"); else give up on the mark.
        composed = unicodedata.normalize("NFC", candidate)
        try:
            composed.encode("cp1258")
            return composed
        except UnicodeEncodeError:
            return ascii_fold(char) or "?"
    return candidate


@cache
def _cp1258_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for point in (*range(0x80, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(point)
        if unicodedata.category(char).startswith("L"):
            form = _cp1258_form(char)
            if form != char:
                table[point] = form
    return table


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text in Windows-1258; decoding and NFC give the NFC text back."""
    text = unicodedata.normalize("NFC", text).translate(_cp1258_table())
    try:
        return text.encode("cp1258")
    except UnicodeEncodeError:
        return "".join(_cp1258_form(c) for c in text).encode("cp1258")
