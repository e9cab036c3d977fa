"""Firm names: the legal form, the distinguishing core, and any foreign name in parentheses.

Two feeds write one firm as "CÔNG TY TNHH MTV TM DV HIỆP PHÁT" and "Cty TNHH 1TV Thương mại
Dịch vụ Hiệp Phát"; a matcher must see the same legal form (TNHH_MTV) and the same core
("thuong mai dich vu hiep phat"), and must still tell "HIỆP PHÁT" from "HIỆP PHÁT II". The
legal forms and abbreviations are data (``data/legal_forms.yaml``, ``data/abbreviations.yaml``),
loaded by ``legal_form_table``; spaces that went astray are put back by ``name_spacing``, and
the place a branch's name gives is taken out by ``branch_place``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import OSA

from reconcile.text.branch_place import _branch_place
from reconcile.text.legal_form_table import DEPENDENT_FORMS, _labels, _rules, legal_form_label
from reconcile.text.name_spacing import _resegment_forms, _unglue_at, _unglue_case, _unglue_forms
from reconcile.text.unicode import fold, nfc, repair_legacy, word_pairs

__all__ = ["LEGAL_FORM_LABELS", "FirmName", "legal_form_label", "parse_name"]


if TYPE_CHECKING:
    LEGAL_FORM_LABELS: Mapping[str, str]


_PARENS = re.compile(r"\(([^()]*)\)?")


_SEGMENT_BREAK = re.compile(r"\s[-–—]\s|[,;|–—]")


@dataclass(frozen=True)
class FirmName:
    """A firm name taken apart: what kind of firm, and which one."""

    original: str
    folded: str
    legal_forms: tuple[str, ...]
    core: str
    tokens: tuple[str, ...]
    foreign: str | None
    # where a dependent unit is, as its name says it (folded), kept out of ``core``: the
    # "tại Mỹ An" of "Công ty TNHH X tại Mỹ An", the "Cần Thơ" of "Công ty X - CN Cần Thơ"
    branch_place: str | None = None
    # the name is a firm's name followed by "tại <place>", with no word for a branch: one of
    # that firm's branches all the same
    located: bool = False

    @property
    def is_dependent_unit(self) -> bool:
        """A branch, representative office or business location (a ``-NNN`` tax code), also
        when written as its parent's name "tại <place>"."""
        return self.located or any(form in DEPENDENT_FORMS for form in self.legal_forms)


def __getattr__(name: str) -> Any:
    # LEGAL_FORM_LABELS (canonical code -> Vietnamese label, read-only) is built on first use,
    # so that importing this module reads no file
    if name == "LEGAL_FORM_LABELS":
        return _labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _split_foreign(text: str) -> tuple[str, str | None]:
    """The name without its parentheses, and the text that was in them ("; "-joined)."""
    inside = [m.group(1).strip() for m in _PARENS.finditer(text)]
    inside = [part for part in inside if part]
    if not inside:
        return text, None
    outside = _PARENS.sub(" ", text)
    if not fold(outside):  # the whole name was in parentheses: that is the name
        return text.replace("(", " ").replace(")", " "), None
    return outside, "; ".join(" ".join(part.split()) for part in inside)


def _words_with_breaks(text: str) -> list[tuple[str, str, bool]]:
    """(accented, folded, starts a segment) for each word; a segment follows " - " or ","."""
    out: list[tuple[str, str, bool]] = []
    for segment in _SEGMENT_BREAK.split(text):
        for j, (accented, folded) in enumerate(word_pairs(segment)):
            out.append((accented, folded, j == 0))
    return out


def _match_forms(
    words: list[tuple[str, str, bool]],
) -> tuple[list[str], list[int], list[tuple[int, tuple[str, ...]]]]:
    """The legal-form parts found, in order, the indexes of the words that are not forms, and
    where each form starts (word index, its parts)."""
    rules = _rules()
    parts: list[str] = []
    rest: list[int] = []
    spans: list[tuple[int, tuple[str, ...]]] = []
    folded = [w[1] for w in words]
    i = 0
    in_prefix = False
    previous: tuple[str, ...] = ()  # the parts of the form that ends right before word i
    while i < len(words):
        if words[i][2]:
            in_prefix = True
        matched = None
        for alias in rules.aliases.get(folded[i], ()):
            n = len(alias.words)
            if (
                _same_words(tuple(folded[i : i + n]), alias.words)
                and (in_prefix or not alias.start_only)
                and (not alias.after or alias.after.intersection(previous))
            ):
                matched = alias
                break
        if matched is None:
            in_prefix = False
            previous = ()
            rest.append(i)
            i += 1
            continue
        parts.extend(matched.parts)
        spans.append((i, matched.parts))
        previous = matched.parts
        i += len(matched.words)
    return parts, rest, spans


def _same_words(written: tuple[str, ...], alias: tuple[str, ...]) -> bool:
    """The alias's words, or for an alias of three words or more the same but for one letter
    (or two letters swapped: "thành vêin") of one word after the first (a word of three letters
    or more)."""
    if written == alias:
        return True
    if len(alias) < 3 or len(written) != len(alias):
        return False
    differ = [(a, b) for a, b in zip(written, alias, strict=True) if a != b]
    if len(differ) != 1:
        return False
    a, b = differ[0]
    return min(len(a), len(b)) >= 3 and OSA.distance(a, b) <= 1


def _combine(parts: list[str]) -> tuple[str, ...]:
    """Canonical codes from the parts found: TNHH + MTV -> TNHH_MTV, generic "Công ty" last."""
    forms = _rules().forms
    codes = list(dict.fromkeys(parts))
    for code, form in forms.items():
        triggers = form.get("from_parts") or []
        if not any(t in codes for t in triggers):
            continue
        absorbed = set(form.get("absorbs") or [])
        position = min(i for i, c in enumerate(codes) if c in absorbed or c in triggers)
        codes = [c for c in codes if c not in absorbed]
        codes.insert(min(position, len(codes)), code)
    specific = any(forms.get(c, {}).get("company") for c in codes)
    if specific:
        codes = [c for c in codes if not forms.get(c, {}).get("generic")]
    return tuple(codes)


def _split_glued(token: str, combinable: frozenset[str]) -> list[str] | None:
    """ "tmdvxd" -> ["tm", "dv", "xd"] when the token is made only of combinable abbreviations."""
    if not token.isalpha():
        return None
    best: list[list[str] | None] = [None] * (len(token) + 1)
    best[0] = []
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 3), end):
            head = best[start]
            if head is not None and token[start:end] in combinable:
                best[end] = [*head, token[start:end]]
                break
    result = best[len(token)]
    return result if result and len(result) >= 2 else None


def _core_tokens(words: list[tuple[str, str, bool]], keep: list[int], accents: bool) -> list[str]:
    rules = _rules()
    out: list[str] = []
    for i in keep:
        accented, folded, _ = words[i]
        if accented in rules.drop_accented or (
            not accents and folded in rules.drop_accented_folded
        ):
            continue
        if folded in rules.drop_folded:
            continue
        pieces = [folded]
        if folded not in rules.expand:
            pieces = _split_glued(folded, rules.combinable) or pieces
        for piece in pieces:
            out.extend(rules.expand.get(piece, (piece,)))
    return out


def parse_name(name: str) -> FirmName:
    """Take a firm name apart: legal forms, folded core with abbreviations expanded, foreign part.

    Legacy-encoded names are repaired first; the forms may be spelled out or abbreviated,
    repeated, or mixed ("CÔNG TY TNHH CÔNG TY TNHH X", "Cty TNHH 1TV X"). Numerals and every
    other word stay in ``core``: they are what tells two firms apart.
    """
    text = _unglue_case(_unglue_at(nfc(repair_legacy(name or ""))))
    main, foreign = _split_foreign(text)
    words = _words_with_breaks(main)
    accents = not all(accented == folded for accented, folded, _ in words)
    words = _unglue_forms(words)
    parts, keep, spans = _match_forms(words)
    resegmented = _resegment_forms(words, keep)
    if resegmented is not words:  # rare: read the forms again only where a space moved
        words = resegmented
        parts, keep, spans = _match_forms(words)
    keep, place, located = _branch_place(words, keep, spans, accents)
    tokens = tuple(_core_tokens(words, keep, accents))
    return FirmName(
        original=name,
        folded=fold(text),
        legal_forms=_combine(parts),
        core=" ".join(tokens),
        tokens=tokens,
        foreign=foreign,
        branch_place=place,
        located=located,
    )
