"""Name tokens that tell firms apart, and the trade words that do not.

Trade words are phrases (``thương mại``, ``dịch vụ``, ``văn phòng``): a token is a trade word
only where the whole phrase stands, so that the ``Phong`` of THÁI PHONG, the ``Dũng`` of TRUNG
DŨNG and the ``An`` of AN TÂN stay names.
"""

from __future__ import annotations

from functools import cache, lru_cache

from reconcile.settings import load_yaml_list, package_data


@cache
def trade_phrases() -> tuple[tuple[str, ...], ...]:
    phrases = {
        tuple(p.split()) for p in load_yaml_list(package_data("match/data/trade_words.yaml"))
    }
    return tuple(sorted(phrases, key=lambda p: (-len(p), p)))


def join_initials(tokens: tuple[str, ...]) -> list[str]:
    """Single letters run together into one token: A.T.P -> atp."""
    out: list[str] = []
    letters = ""
    for token in tokens:
        if len(token) == 1 and token.isalpha():
            letters += token
            continue
        if letters:
            out.append(letters)
            letters = ""
        out.append(token)
    if letters:
        out.append(letters)
    return out


@cache
def _phrases_by_first_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in trade_phrases():  # longest first
        index.setdefault(phrase[0], []).append(phrase)
    return {word: tuple(phrases) for word, phrases in index.items()}


@lru_cache(maxsize=200_000)
def phrase_spans(tokens: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Where the trade phrases stand: (start, end) of each, longest phrase first at each place."""
    by_first = _phrases_by_first_word()
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        for phrase in by_first.get(tokens[i], ()):
            if tokens[i : i + len(phrase)] == phrase:
                spans.append((i, i + len(phrase)))
                i += len(phrase)
                break
        else:
            i += 1
    return tuple(spans)


def distinctive_tokens(tokens: tuple[str, ...] | list[str]) -> list[str]:
    """The tokens left when every trade phrase is taken out."""
    tokens = tuple(tokens)
    inside = {i for start, end in phrase_spans(tokens) for i in range(start, end)}
    return [t for i, t in enumerate(tokens) if i not in inside]


def cut_phrase(tokens: tuple[str, ...], missing: set[str], other: set[str]) -> bool:
    """Whether ``missing`` (tokens of ``tokens`` the other name lacks) are pieces of a trade
    phrase the other name has only a piece of: THƯƠNG MẠI written MẠI, XÂY DỰNG written XÂY.

    The piece kept must not be a phrase itself: VẬT LIỆU XÂY DỰNG beside XÂY DỰNG is a trade
    left out, not a word cut short."""
    phrases = set(trade_phrases())
    for start, end in phrase_spans(tokens):
        span = tokens[start:end]
        kept = tuple(t for t in span if t in other)
        if kept and len(kept) < len(span) and kept not in phrases and missing & set(span):
            return True
    return False
