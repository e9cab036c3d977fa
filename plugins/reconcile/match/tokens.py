"""Name tokens that tell firms apart, and the trade words that do not.

Trade words are phrases (``thương mại``, ``dịch vụ``, ``văn phòng``): a token is a trade word
only where the whole phrase stands, so that the ``Phong`` of THÁI PHONG, the ``Dũng`` of TRUNG
DŨNG and the ``An`` of AN TÂN stay names.
"""

from __future__ import annotations

from functools import cache

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


def distinctive_tokens(tokens: tuple[str, ...] | list[str]) -> list[str]:
    """The tokens left when every trade phrase is taken out."""
    tokens = list(tokens)
    phrases = trade_phrases()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in phrases:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out
