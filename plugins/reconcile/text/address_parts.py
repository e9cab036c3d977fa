"""An address cut into parts and items: split on commas, semicolons and dashes (not inside
house numbers or province names), and each part read as plain words, street words or a unit
introduced by its term ("Phường", "P.", "Q3", "Thành phố"). The terms are data
(``data/address_terms.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from reconcile.text import admin_units as au
from reconcile.text.unicode import fold, nfc, strip_diacritics

_DATA = resources.files("reconcile.text") / "data"


_WORD = re.compile(r"[^\W_]+")


_SEPARATORS = re.compile(r"\s*[,;|\n\r\t]+\s*")


_DASH = re.compile(r"\s*[-–—]+\s*")


_GLUED = re.compile(r"^(p|f|q|phường|phuong|quận|quan|kp|ấp|ap|tổ|to|khóm|khom)(\d+[a-z]?)$")


@dataclass(frozen=True)
class _Word:
    accented: str
    folded: str
    dotted: bool = False
    glued: bool = False


@dataclass(frozen=True)
class _Term:
    accented: tuple[str, ...]
    folded: tuple[str, ...]
    kind: str  # commune, district, city, province, street
    type: str | None
    abbreviation: bool

    @property
    def has_diacritics(self) -> bool:
        return self.accented != self.folded


@dataclass
class _Item:
    kind: str  # plain, street, commune, district, city, province
    type: str | None = None
    words: list[_Word] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The folded name: what is compared."""
        return " ".join(w.folded for w in self.words)

    @property
    def written(self) -> str:
        """The name in lower case with its diacritics: what tells "Minh Quán" from "Minh Quân"."""
        return " ".join(w.accented for w in self.words)


@cache
def _terms() -> dict[str, tuple[_Term, ...]]:
    """Address terms indexed by their first folded word, longest first."""
    with (_DATA / "address_terms.yaml").open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    terms: list[_Term] = []
    for unit in spec["units"]:
        terms.append(
            _make_term(unit["text"], unit["level"], unit["type"], unit.get("abbreviation"))
        )
    for text in spec["street"]:
        terms.append(_make_term(str(text), "street", None, False))
    index: dict[str, list[_Term]] = {}
    for term in terms:
        index.setdefault(term.folded[0], []).append(term)
    return {
        k: tuple(sorted(v, key=lambda t: len(t.folded), reverse=True)) for k, v in index.items()
    }


def _make_term(text: str, kind: str, type_: str | None, abbreviation: Any) -> _Term:
    accented = tuple(_WORD.findall(nfc(text).lower()))
    folded = tuple(strip_diacritics(w) for w in accented)
    return _Term(accented, folded, kind, type_, bool(abbreviation))


def _segments(text: str) -> list[str]:
    """Parts of the address: split on commas, semicolons, and dashes not inside numbers."""
    parts: list[str] = []
    for chunk in _SEPARATORS.split(text):
        start = 0
        for m in _DASH.finditer(chunk):
            before, after = chunk[: m.start()], chunk[m.end() :]
            if before[-1:].isdigit() and after[:1].isdigit():
                continue  # "12-14 Lê Lợi" is one house number
            parts.append(chunk[start : m.start()])
            start = m.end()
        parts.append(chunk[start:])
    parts = [p.strip() for p in parts if p.strip()]
    return _join_split_provinces(parts)


@lru_cache(maxsize=1 << 16)
def _province_named(text: str) -> str | None:
    """The new province a part of an address names; a bare number there is a house or a ward."""
    return None if fold(text).replace(" ", "").isdigit() else au.province_code_by_name(text)


def _join_split_provinces(parts: list[str]) -> list[str]:
    """Rejoin a province name that has a dash in it ("Bà Rịa - Vũng Tàu", "Thừa Thiên - Huế")."""
    out: list[str] = []
    for part in parts:
        if out and _province_named(out[-1]) is None:
            joined = f"{out[-1]} {part}"
            if _province_named(joined) is not None:
                out[-1] = joined
                continue
        out.append(part)
    return out


def _words(segment: str) -> list[_Word]:
    low = nfc(segment).lower()
    words: list[_Word] = []
    for m in _WORD.finditer(low):
        token = m.group(0)
        dotted = low[m.end() : m.end() + 1] == "."
        glued = _GLUED.match(token)
        if glued:
            words.append(_Word(glued.group(1), strip_diacritics(glued.group(1)), glued=True))
            token = glued.group(2)
        words.append(_Word(token, strip_diacritics(token), dotted=dotted))
    return words


def _match_term(words: list[_Word], i: int, accents: bool) -> _Term | None:
    for term in _terms().get(words[i].folded, ()):
        n = len(term.folded)
        window = words[i : i + n]
        if len(window) < n:
            continue
        if accents and term.has_diacritics:
            if tuple(w.accented for w in window) != term.accented:
                continue
        elif tuple(w.folded for w in window) != term.folded:
            continue
        if term.abbreviation and not _abbreviation_counts(words, i, n):
            continue
        return term
    return None


def _abbreviation_counts(words: list[_Word], i: int, n: int) -> bool:
    """ "P." , "P7", "P 7" or "P Bến Nghé" at the start of a part: a unit; "Lô P" is not."""
    first = words[i]
    has_next = i + n < len(words)
    if first.dotted or first.glued:
        return has_next
    if has_next and words[i + n].folded.isdigit():
        return True
    return i == 0 and has_next


def _scan(segment: str) -> list[_Item]:
    """The items of one part of the address: leading plain words, then units and street runs."""
    words = _words(segment)
    accents = any(w.accented != w.folded for w in words)
    items: list[_Item] = []
    current = _Item("plain")
    i = 0
    while i < len(words):
        term = _match_term(words, i, accents)
        if (
            term is not None
            and term.abbreviation
            and term.kind != "street"
            and current.kind == "street"
        ):
            term = None  # "Lô F15", "Tổ 3 KP P7": a lot or block number, not a ward
        unit_just_opened = current.kind not in {"plain", "street"} and not current.words
        if term is not None and not unit_just_opened and i + len(term.folded) < len(words):
            if current.words or current.kind != "plain":
                items.append(current)
            current = _Item(term.kind, term.type)
            if term.kind == "street":
                current.words.extend(words[i : i + len(term.folded)])
            i += len(term.folded)
            continue
        current.words.append(words[i])
        i += 1
    if current.words:
        items.append(current)
    return items


@lru_cache(maxsize=1 << 17)
def _scanned(segment: str) -> tuple[tuple[str, str | None, tuple[_Word, ...]], ...]:
    """``_scan`` of a part, kept: the commune, district and province parts of a province's
    addresses repeat thousands of times. Frozen, since the parse changes its items' kinds."""
    return tuple((item.kind, item.type, tuple(item.words)) for item in _scan(segment))
