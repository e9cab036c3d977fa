"""Firm names: the legal form, the distinguishing core, and any foreign name in parentheses.

Two feeds write one firm as "CÔNG TY TNHH MTV TM DV HIỆP PHÁT" and "Cty TNHH 1TV Thương mại
Dịch vụ Hiệp Phát"; a matcher must see the same legal form (TNHH_MTV) and the same core
("thuong mai dich vu hiep phat"), and must still tell "HIỆP PHÁT" from "HIỆP PHÁT II". The
legal forms and abbreviations are data (``data/legal_forms.yaml``, ``data/abbreviations.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from reconcile.text.unicode import fold, nfc, repair_legacy, word_pairs

__all__ = ["LEGAL_FORM_LABELS", "FirmName", "legal_form_label", "parse_name"]

if TYPE_CHECKING:
    LEGAL_FORM_LABELS: Mapping[str, str]

_DATA = resources.files("reconcile.text") / "data"
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

    @property
    def is_dependent_unit(self) -> bool:
        """A branch, representative office or business location (a ``-NNN`` tax code)."""
        return any(form in {"CN", "VPDD", "DDKD"} for form in self.legal_forms)


@dataclass(frozen=True)
class _Alias:
    words: tuple[str, ...]
    parts: tuple[str, ...]
    start_only: bool


@dataclass(frozen=True)
class _Rules:
    forms: dict[str, dict[str, Any]]
    aliases: dict[str, tuple[_Alias, ...]]  # first word -> aliases, longest first
    expand: dict[str, tuple[str, ...]]
    combinable: frozenset[str]
    drop_folded: frozenset[str]
    drop_accented: frozenset[str]  # dropped only as written ("và", not "vá")...
    drop_accented_folded: frozenset[str]  # ...unless the whole name has no diacritics


def _load_yaml(name: str) -> dict[str, Any]:
    with (_DATA / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def _rules() -> _Rules:
    """The legal-form and abbreviation tables, folded and indexed once."""
    spec = _load_yaml("legal_forms.yaml")
    forms = spec["forms"]
    by_first: dict[str, list[_Alias]] = {}
    for entry in spec["aliases"]:
        words = tuple(fold(entry["text"]).split())
        unknown = set(entry["parts"]) - set(forms) - set(spec.get("modifiers", ()))
        if unknown:
            raise ValueError(f"legal_forms.yaml: unknown parts {unknown} in {entry}")
        alias = _Alias(words, tuple(entry["parts"]), entry.get("where", "anywhere") == "start")
        by_first.setdefault(words[0], []).append(alias)
    aliases = {
        first: tuple(sorted(group, key=lambda a: len(a.words), reverse=True))
        for first, group in by_first.items()
    }
    abbr = _load_yaml("abbreviations.yaml")
    expand = {fold(k): tuple(fold(v).split()) for k, v in abbr["expand"].items()}
    combinable = frozenset(fold(k) for k in abbr["combinable"])
    drop = [str(w) for w in abbr["drop"]]
    drop_folded = frozenset(fold(w) for w in drop if fold(w) == nfc(w).lower())
    drop_accented = frozenset(nfc(w).lower() for w in drop if fold(w) != nfc(w).lower())
    drop_accented_folded = frozenset(fold(w) for w in drop_accented)
    return _Rules(
        forms, aliases, expand, combinable, drop_folded, drop_accented, drop_accented_folded
    )


@cache
def _labels() -> Mapping[str, str]:
    return MappingProxyType({code: f["label"] for code, f in _rules().forms.items()})


def __getattr__(name: str) -> Any:
    # LEGAL_FORM_LABELS (canonical code -> Vietnamese label, read-only) is built on first use,
    # so that importing this module reads no file
    if name == "LEGAL_FORM_LABELS":
        return _labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def legal_form_label(code: str) -> str:
    """The Vietnamese label of a canonical legal-form code (the code itself when unknown)."""
    return _labels().get(code, code)


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


def _match_forms(words: list[tuple[str, str, bool]]) -> tuple[list[str], list[int]]:
    """The legal-form parts found, in order, and the indexes of the words that are not forms."""
    rules = _rules()
    parts: list[str] = []
    rest: list[int] = []
    folded = [w[1] for w in words]
    i = 0
    in_prefix = False
    while i < len(words):
        if words[i][2]:
            in_prefix = True
        matched = None
        for alias in rules.aliases.get(folded[i], ()):
            n = len(alias.words)
            if tuple(folded[i : i + n]) == alias.words and (in_prefix or not alias.start_only):
                matched = alias
                break
        if matched is None:
            in_prefix = False
            rest.append(i)
            i += 1
            continue
        parts.extend(matched.parts)
        i += len(matched.words)
    return parts, rest


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
    text = nfc(repair_legacy(name or ""))
    main, foreign = _split_foreign(text)
    words = _words_with_breaks(main)
    parts, keep = _match_forms(words)
    accents = not all(accented == folded for accented, folded, _ in words)
    tokens = tuple(_core_tokens(words, keep, accents))
    return FirmName(
        original=name,
        folded=fold(text),
        legal_forms=_combine(parts),
        core=" ".join(tokens),
        tokens=tokens,
        foreign=foreign,
    )
