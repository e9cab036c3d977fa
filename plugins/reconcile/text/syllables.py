"""Whether a word is a well-formed Vietnamese syllable, with its diacritics or typed without them
(the syllable shape is data: ``data/syllables.yaml``).

Used to tell legacy mojibake from real text: after the right conversion nearly every word is a
well-formed syllable; before it (or after the wrong one) most words are not. The firm-name
parser uses it too, to tell a word from a legal form glued to one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

from reconcile.text.folding import fold

_DATA = resources.files("reconcile.text") / "data"


_SHAPED = frozenset("ăâêôơư")


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


_STOPPED_TONES = {"\u0301", "\u0323"}


@dataclass(frozen=True)
class _Phonotactics:
    onsets: tuple[str, ...]
    codas: tuple[str, ...]  # longest first, then "" for an open syllable
    stopped: frozenset[str]
    open_only: frozenset[str]
    closed_only: frozenset[str]
    either: frozenset[str]
    before_nh_ch: frozenset[str]


@cache
def _phonotactics() -> _Phonotactics:
    """The syllable shape from data/syllables.yaml."""
    with (_DATA / "syllables.yaml").open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    clusters = spec["clusters"]
    return _Phonotactics(
        onsets=(*sorted(spec["onsets"], key=len, reverse=True), ""),
        codas=(*sorted(spec["codas"], key=len, reverse=True), ""),
        stopped=frozenset(spec["stopped"]),
        open_only=frozenset(clusters["open_only"]),
        closed_only=frozenset(clusters["closed_only"]),
        either=frozenset(clusters["either"]),
        before_nh_ch=frozenset(clusters["before_nh_ch"]),
    )


def _tone_in_place(cluster: str, at: int, closed: bool) -> bool:
    """Whether the tone sits where Vietnamese spelling puts it (old or new style)."""
    if len(cluster) == 1:
        return True
    shaped = [i for i, ch in enumerate(cluster) if ch in _SHAPED]
    if shaped:
        return at == shaped[-1]
    if closed:
        return at == len(cluster) - 1
    if len(cluster) == 3:
        return at == 1
    if cluster in {"oa", "oe", "uy"}:
        return True  # hòa (old style) and hoà (new style) are both written
    return at == 0


@lru_cache(maxsize=1 << 17)
def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` (one word, any case, NFC or NFD) is a well-formed Vietnamese syllable.

    Checks onset, vowel cluster, final consonant, one tone at most, and where the tone sits:
    enough to tell "Việt" from its mojibake "ViÖt" or "Vieät" without a dictionary.
    """
    letters: list[str] = []
    tone_at: int | None = None
    tone = ""
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            if tone_at is not None or not letters:
                return False
            tone_at, tone = len(letters) - 1, ch
        elif unicodedata.combining(ch):
            if not letters:
                return False
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        else:
            letters.append(ch)
    base = "".join(letters)
    shape = _phonotactics()
    for onset in shape.onsets:
        if not base.startswith(onset):
            continue
        for coda in shape.codas:
            if not base.endswith(coda) or len(onset) + len(coda) >= len(base):
                continue
            cluster = base[len(onset) : len(base) - len(coda)]
            if coda:
                allowed = cluster in shape.closed_only or cluster in shape.either
                if coda in {"nh", "ch"}:
                    allowed = cluster in shape.before_nh_ch
            else:
                allowed = cluster in shape.open_only or cluster in shape.either
            if not allowed:
                continue
            if tone_at is None:
                return True
            at = tone_at - len(onset)
            if not 0 <= at < len(cluster) or not _tone_in_place(cluster, at, bool(coda)):
                continue
            # a stopped syllable (-c, -ch, -p, -t) takes only the acute or the dot below
            if coda in shape.stopped and tone not in _STOPPED_TONES:
                continue
            return True
    return False


@cache
def _folded_shapes() -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str], frozenset[str]]:
    """Onsets, codas, open and closed vowel clusters with their diacritics removed."""
    shape = _phonotactics()

    def plain(items: Iterable[str]) -> list[str]:
        return [fold(item) for item in items]

    return (
        tuple(sorted(set(plain(shape.onsets)), key=len, reverse=True)),
        tuple(sorted(set(plain(shape.codas)), key=len, reverse=True)),
        frozenset(plain(shape.open_only | shape.either)),
        frozenset(plain(shape.closed_only | shape.either | shape.before_nh_ch)),
    )


@lru_cache(maxsize=1 << 16)
def is_folded_syllable(word: str) -> bool:
    """Whether ``word``, written without diacritics, is a Vietnamese syllable with its
    diacritics taken off ("thuong" for "thương"): the check for names typed without them."""
    base = word.lower()
    if not base.isascii() or not base.isalpha():
        return False
    onsets, codas, open_clusters, closed_clusters = _folded_shapes()
    for onset in onsets:
        if not base.startswith(onset):
            continue
        for coda in codas:
            if base.endswith(coda) and len(onset) + len(coda) < len(base):
                cluster = base[len(onset) : len(base) - len(coda)]
                if cluster in (closed_clusters if coda else open_clusters):
                    return True
    return False
