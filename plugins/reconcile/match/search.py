"""Before a firm is called unregistered: look for it among the roll's units left unlinked.

The linker is strict on purpose (a wrong link hides a violation); this search is loose on
purpose (a missed link accuses a compliant firm). It looks for each firm the rules would
accuse among the province's units that have no link and are not in the review band, with
looser matching than the linker:

- names compared on their folded core without legal form (``features.record``): the words
  that name the firm (trade words dropped) by ``token_set_ratio`` (a dropped word scores 100:
  the shorter name's words all stand in the longer) and ``partial_ratio`` (from 8 letters
  on), the whole core by the plain ratio (typos);
- support from the address (the same 2025 commune, old addresses mapped as the matcher maps
  them) and from the tax code (the same 10-digit root, one digit mistyped or two swapped, or
  a run of at least ``min_shared_digits`` digits in common).

A pair is judged by the shape of its names (``name_shape``: the words that name the firm,
near spellings taken as the same word) and its support:

| shape | plausible when |
|---|---|
| same words | the communes are not known to differ |
| one word dropped | the same commune; or communes unknown and two words shared |
| a numeral dropped (II, 79) | the same commune |
| several words dropped | never (a place or a person's name inside a longer one) |
| words differ on both sides | the same commune and the whole names at least 90 alike |
| any shared word, tax-code support | always |
| any (``address_only``) | the same street address in the same commune (either shape), the same legal form, no other valid code on the roll: the firm renamed since the roll was written |

A unit whose roll code is another valid code needs the same commune and the same words or one
dropped. Names must first reach ``min_name`` (best of token-set, plain and partial ratio),
``min_name_with_code`` with tax-code support.

Blocking keeps it fast on a large province: a firm is compared only with units sharing one of
its name tokens that is rare among the unlinked units, one of its communes (a vectorised
``rapidfuzz.process.cdist`` per commune, with a score cut-off, on the names and on the street
addresses), or its tax code with one digit masked. Each unit is offered to one firm at most (the best-scoring), each firm keeps its best
unit. Pure: DataFrames in, a DataFrame out.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Hamming

from reconcile.match.features import Record, commune_relation, place, record
from reconcile.text.legal_forms import DEPENDENT_FORMS

SEARCH_COLUMNS = [
    "tax_code", "unit_code", "unit_name", "unit_address", "firm_core", "unit_core",
    "name_score", "partial_score", "ratio_score", "name_shape", "words_only_in_firm", "words_only_in_unit",
    "commune", "unit_communes", "tax_code_relation", "same_address", "address_only", "score",
]  # fmt: skip

DEFAULTS: dict[str, Any] = {
    # a name token shared by more unlinked units than this does not block (too common)
    "max_block_size": 300,
    # commune blocks: a pair is kept when the names' token-set ratio reaches this
    "commune_cutoff": 70,
    # names (best of token-set, plain and partial ratio) at least this close are judged...
    "min_name": 85,
    # ...and down to this one when the tax code supports the pair
    "min_name_with_code": 60,
    # two words this alike (OSA similarity) are one word misspelt
    "near_spelling": 0.8,
    # names whose words differ on both sides: the whole core at least this close (typos)
    "min_ratio_words_differ": 90,
    # a run of this many digits shared by the two codes supports the pair
    "min_shared_digits": 7,
    # the same street address: the streets' plain ratio at least this (in one commune)
    "same_street": 95,
}


@dataclass(frozen=True)
class _Side:
    records: list[Record]
    cores: list[str]
    words: list[str]  # the name without trade words (distinctive tokens), else the core


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _side(records: list[Record]) -> _Side:
    return _Side(
        records, [r.core for r in records], [" ".join(r.distinct) or r.core for r in records]
    )


def _shares_run(a: str, b: str, length: int) -> bool:
    """Whether ``a`` and ``b`` have ``length`` consecutive digits in common."""
    return any(a[i : i + length] in b for i in range(len(a) - length + 1))


def tax_code_relation(unit: Record, firm: Record, min_shared: int) -> str:
    """How the unit's code as written relates to the firm's: equal, one_digit, shared, missing, different."""
    digits, code = unit.tax_digits, (firm.tax_code or "").replace("-", "")
    if not digits:
        return "missing"
    if not code:
        return "different"
    if digits == code or digits[:10] == code[:10]:
        return "equal"
    a, b = digits[:10], code[:10]
    if len(a) == len(b) == 10:
        distance = Hamming.distance(a, b)
        if distance == 1 or (distance == 2 and sorted(a) == sorted(b)):
            return "one_digit"
    if _shares_run(digits, code, min_shared):
        return "shared"
    return "different"


def _masked(digits: str) -> list[str]:
    root = digits[:10]
    if len(root) != 10:
        return []
    return [f"{root[:i]}_{root[i + 1 :]}" for i in range(10)]


def _candidates(
    firms: _Side, units: _Side, opts: dict[str, Any]
) -> tuple[dict[int, set[int]], dict[int, set[int]], dict[int, set[int]]]:
    """firm index -> unit indexes worth scoring (rare shared token, same commune, near code),
    the same for the pairs whose codes are equal or one digit apart, and for the pairs at the
    same street address."""
    found: dict[int, set[int]] = defaultdict(set)
    near_code: dict[int, set[int]] = defaultdict(set)
    same_address: dict[int, set[int]] = defaultdict(set)
    # 1. a name token rare among the unlinked units
    by_token: dict[str, list[int]] = defaultdict(list)
    for j, unit in enumerate(units.records):
        for token in set(unit.distinct):
            by_token[token].append(j)
    limit = int(opts["max_block_size"])
    for i, firm in enumerate(firms.records):
        for token in set(firm.distinct):
            members = by_token.get(token)
            if members and len(members) <= limit:
                found[i].update(members)
    # 2. a near tax code (one digit masked)
    by_code: dict[str, list[int]] = defaultdict(list)
    for j, unit in enumerate(units.records):
        for key in _masked(unit.tax_digits):
            by_code[key].append(j)
    for i, firm in enumerate(firms.records):
        for key in _masked((firm.tax_code or "").replace("-", "")):
            found[i].update(by_code.get(key, ()))
            near_code[i].update(by_code.get(key, ()))
    # 3. the same commune, names scored in one vectorised pass per commune
    firms_in: dict[str, list[int]] = defaultdict(list)
    units_in: dict[str, list[int]] = defaultdict(list)
    for i, firm in enumerate(firms.records):
        for commune in place(firm).either_shape:
            firms_in[commune].append(i)
    for j, unit in enumerate(units.records):
        for commune in place(unit).either_shape:
            units_in[commune].append(j)
    cutoff, street_cutoff = float(opts["commune_cutoff"]), float(opts["same_street"])
    for commune, members in firms_in.items():
        others = units_in.get(commune)
        if not others:
            continue
        scores = process.cdist([firms.words[i] for i in members], [units.words[j] for j in others],
                               scorer=fuzz.token_set_ratio, score_cutoff=cutoff, dtype=np.uint8, workers=1)  # fmt: skip
        rows, cols = scores.nonzero()
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            found[members[r]].add(others[c])
        # 4. the same street address in that commune, whatever the names
        streets = process.cdist([place(firms.records[i]).street for i in members],
                                [place(units.records[j]).street for j in others], scorer=fuzz.ratio,
                                score_cutoff=street_cutoff, dtype=np.uint8, workers=1)  # fmt: skip
        rows, cols = streets.nonzero()
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            street = place(firms.records[members[r]]).street
            # the numbers (house, lot, hamlet) equal: Số 14 is not Số 142
            if street and _NUMBERS.findall(street) == _NUMBERS.findall(
                place(units.records[others[c]]).street
            ):
                found[members[r]].add(others[c])
                same_address[members[r]].add(others[c])
    return found, near_code, same_address


def _pair_keys(blocks: dict[int, set[int]], width: int) -> np.ndarray:
    """Pairs as sorted unique integers firm * width + unit."""
    keys = [i * width + j for i, members in blocks.items() for j in members]
    return np.unique(np.asarray(keys, dtype=np.int64))


def _scores(firms: _Side, units: _Side, fi: np.ndarray, uj: np.ndarray) -> dict[str, np.ndarray]:
    """The name scores of the candidate pairs (firm ``fi[k]``, unit ``uj[k]``), vectorised."""

    def pairwise(left: list[str], right: list[str], scorer: Any) -> np.ndarray:
        a, b = [left[i] for i in fi.tolist()], [right[j] for j in uj.tolist()]
        return process.cpdist(a, b, scorer=scorer, dtype=np.float32, workers=1)

    name = pairwise(firms.words, units.words, fuzz.token_set_ratio)
    ratio = pairwise(firms.cores, units.cores, fuzz.ratio)
    partial = pairwise(firms.words, units.words, fuzz.partial_ratio)
    # a short name is a substring of many: partial similarity counts from 8 letters on
    shortest = np.minimum(
        np.fromiter((len(firms.words[i]) for i in fi.tolist()), dtype=np.int32, count=len(fi)),
        np.fromiter((len(units.words[j]) for j in uj.tolist()), dtype=np.int32, count=len(uj)),
    )
    best = np.maximum(np.maximum(name, ratio), np.where(shortest >= 8, partial * 0.95, 0))
    return {"name": name, "ratio": ratio, "partial": partial, "best": best}


_NUMBERS = re.compile(r"\d+")
_NUMERALS = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
# the words of legal forms and of "branch of ... at": a clerk's typo in one ("một thành vêin",
# "THNÀH", "tạại") keeps the whole legal form in the name core, where it is not a name
_LEGAL_WORDS = frozenset(
    ["cong", "ty", "cty", "trach", "nhiem", "huu", "han", "tnhh", "mot", "thanh", "vien", "mtv",
     "co", "phan", "cp", "doanh", "nghiep", "tu", "nhan", "dntn", "chi", "nhanh", "tai", "hop",
     "tac", "xa", "van", "phong", "dai", "dien", "vpdd", "dia", "diem", "kinh"]
)  # fmt: skip
_DOUBLED = re.compile(r"(.)\1")


def _misspelt_legal(token: str) -> bool:
    """A legal form's word with two letters swapped, a letter doubled, or (five letters or
    more) one letter mistyped: vêin, THNÀH, tạại, nhiệp. Not a word of a name (Phát, Hoàn)."""
    if token in _LEGAL_WORDS:
        return False
    if _DOUBLED.sub(r"\1", token) in _LEGAL_WORDS:
        return True
    for word in _LEGAL_WORDS:
        if len(word) != len(token) or len(word) < 4:
            continue
        if sorted(word) == sorted(token) and OSA.distance(word, token) == 1:
            return True
        if len(word) >= 5 and Hamming.distance(word, token) == 1:
            return True
    return False


def _legal_noise(extra: list[str]) -> list[str]:
    """The words of ``extra`` that belong to a legal form a clerk misspelt (then left in the
    name core): the legal words around the misspelt one, and after a misspelt "tại" the place
    of the branch; or extra words that are all legal words, two or more."""
    if not any(_misspelt_legal(t) for t in extra):
        # a legal form of several words the parser did not take whole ("nhiem huu han")
        return list(extra) if len(extra) >= 2 and all(t in _LEGAL_WORDS for t in extra) else []
    noise: list[str] = []
    for i, token in enumerate(extra):
        if _misspelt_legal(token) and _DOUBLED.sub(r"\1", token) == "tai":
            return noise + extra[i:]
        if token in _LEGAL_WORDS or _misspelt_legal(token):
            noise.append(token)
    return noise


def name_shape(firm: Record, unit: Record, near: float) -> tuple[str, list[str], list[str], int]:
    """How the words that name the two differ: (shape, words only the firm has, words only the
    unit has, words shared). A word of one side that is a near spelling (OSA similarity at
    least ``near``) of a word of the other is shared. Shapes: ``same``; ``word_dropped`` (one
    side has every word of the other, in the same order, and one more), ``numeral_dropped`` (that word tells
    numbered firms apart: HIỆP PHÁT / HIỆP PHÁT II), ``words_dropped`` (more than one);
    ``words_differ`` (each side has words the other lacks); ``different`` (no word shared)."""
    only_firm = [t for t in firm.distinct if t not in unit.distinct]
    only_unit = [t for t in unit.distinct if t not in firm.distinct]
    for token in list(only_firm):
        close = next((t for t in only_unit if OSA.normalized_similarity(token, t) >= near), None)
        if close is not None:
            only_firm.remove(token)
            only_unit.remove(close)
    for noise in (_legal_noise(only_firm), _legal_noise(only_unit)):
        for token in noise:
            (only_firm if token in only_firm else only_unit).remove(token)
    shared = len([t for t in firm.distinct if t not in only_firm and t not in _LEGAL_WORDS]) or (
        len(firm.distinct) - len(only_firm)
    )
    if shared <= 0:
        return "different", only_firm, only_unit, 0
    if not only_firm and not only_unit:
        return "same", only_firm, only_unit, shared
    if only_firm and only_unit:
        return "words_differ", only_firm, only_unit, shared
    extra = only_firm or only_unit
    if len(extra) > 1:
        return "words_dropped", only_firm, only_unit, shared
    longer, shorter = (unit, firm) if only_unit else (firm, unit)
    if [t for t in longer.distinct if t in shorter.distinct] != [
        t for t in shorter.distinct if t in longer.distinct
    ]:
        return "words_differ", only_firm, only_unit, shared  # the same words in another order
    numeral = extra[0].isdigit() or extra[0] in _NUMERALS
    return ("numeral_dropped" if numeral else "word_dropped"), only_firm, only_unit, shared


def _plausible(shape: str, shared: int, commune: str | None, code: str, other_valid_code: bool,
               ratio: float, opts: dict[str, Any]) -> bool:  # fmt: skip
    """Whether the unit may be the firm's registration: the name's shape, with support."""
    if code in ("equal", "one_digit", "shared"):
        return shape != "different"  # the tax code speaks; any shared word will do
    same_place = commune == "same"
    if other_valid_code:  # the roll names another valid code: only a near name in the same commune
        return same_place and shape in ("same", "word_dropped")
    if shape == "same":
        return commune != "different"
    if shape == "word_dropped":
        return same_place or (commune is None and shared >= 2)
    if shape == "numeral_dropped":
        return same_place
    if shape == "words_differ":  # typos beyond near spellings: the whole name must be close
        return same_place and ratio >= float(opts["min_ratio_words_differ"])
    return False


def _renamed(firm: Record, unit: Record, code: str) -> bool:
    """Whether the unit may be the firm under the name it had before it renamed itself: the
    pair was found at the same street address, both are head offices or both branches, the
    legal forms are the same where both are written, and the roll names no other valid code."""
    if code == "different" and unit.tax_code:
        return False
    forms = firm.legal_forms - DEPENDENT_FORMS, unit.legal_forms - DEPENDENT_FORMS
    # a branch written with no company form ("CHI NHÁNH HÒA LỘC") says nothing against it
    return firm.dependent == unit.dependent and (forms[0] == forms[1] or not all(forms))


def _judge(firm: Record, unit: Record, name: float, partial: float, ratio: float, best: float,
           opts: dict[str, Any], same_address: bool = False) -> dict[str, Any] | None:  # fmt: skip
    """The pair's support, or None when the unit is not a plausible registration."""
    if not firm.core or not unit.core:
        return None
    code = tax_code_relation(unit, firm, int(opts["min_shared_digits"]))
    code_support = code in ("equal", "one_digit", "shared")
    renamed = same_address and _renamed(firm, unit, code)
    if not renamed and best < float(opts["min_name_with_code"]):
        return None
    if not renamed and not code_support and best < float(opts["min_name"]):
        return None
    shape, only_firm, only_unit, shared = name_shape(firm, unit, float(opts["near_spelling"]))
    unit_place, firm_place = place(unit), place(firm)
    commune = commune_relation(unit_place, firm_place)
    if commune == "either_shape":
        commune = "same"  # one side wrote the commune in its pre-2025 shape: the same place
    other_valid_code = code == "different" and bool(unit.tax_code)
    by_name = _plausible(shape, shared, commune, code, other_valid_code, ratio, opts)
    if not by_name and not renamed:
        return None
    score = best + (10 if commune == "same" else 0) + (15 if code_support else 0)
    score += {"same": 5, "word_dropped": 3}.get(shape, 0) - (0 if by_name else 100)
    score += fuzz.token_sort_ratio(firm.core, unit.core) / 100  # ties: the closer whole name
    return {
        "unit_code": unit.key, "unit_name": unit.name, "unit_address": unit.address,
        "firm_core": firm.core, "unit_core": unit.core,
        "name_score": round(name, 1), "partial_score": round(partial, 1), "ratio_score": round(ratio, 1),
        "name_shape": shape, "words_only_in_firm": " ".join(only_firm), "words_only_in_unit": " ".join(only_unit),
        "commune": commune, "unit_communes": ",".join(sorted(unit_place.commune_codes)),
        "tax_code_relation": code, "same_address": same_address, "address_only": not by_name,
        "score": round(score, 1),
    }  # fmt: skip


def search_roll(firms: pd.DataFrame, units: pd.DataFrame, province: str,
                rejected: Iterable[tuple[str, str]] = (), options: dict[str, Any] | None = None,
                stats: dict[str, Any] | None = None) -> pd.DataFrame:  # fmt: skip
    """The plausible unit (at most one) of each firm among ``units``, one row per firm found.

    ``firms``: tax_code, name, address; ``units``: unit_code, name, address, tax_code,
    tax_code_raw (the province's units with no link and not in the review band); ``rejected``:
    (unit code, tax code) pairs an inspector said are not the same, never proposed again.
    ``stats`` (if given) receives the counts and seconds.
    """
    opts = {**DEFAULTS, **(options or {})}
    started = time.perf_counter()
    if firms.empty or units.empty:
        if stats is not None:
            stats.update(firms=len(firms), units=len(units), pairs=0, found=0, seconds=0.0)
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    firm_records = [record(str(f.tax_code), _text(f.name), _text(f.address), province, _text(f.tax_code),
                           _text(f.tax_code)) for f in firms.itertuples(index=False)]  # fmt: skip
    unit_records = [record(str(u.unit_code), _text(u.name), _text(u.address), province, _text(u.tax_code),
                           _text(u.tax_code_raw)) for u in units.itertuples(index=False)]  # fmt: skip
    firm_side, unit_side = _side(firm_records), _side(unit_records)
    blocks, near_code, same_address = _candidates(firm_side, unit_side, opts)
    refused = {(str(u), str(t)) for u, t in rejected}
    width = len(unit_records)
    keys = _pair_keys(blocks, width)
    found: list[tuple[float, str, str, dict[str, Any]]] = []
    if len(keys):
        fi, uj = keys // width, keys % width
        scores = _scores(firm_side, unit_side, fi, uj)
        # below min_name a pair needs a tax code equal or one digit apart (blocked on above)
        coded = np.isin(keys, _pair_keys(near_code, width))
        at_address = np.isin(keys, _pair_keys(same_address, width))
        keep = (
            (scores["best"] >= float(opts["min_name"]))
            | at_address
            | ((scores["best"] >= float(opts["min_name_with_code"])) & coded)
        )
        for k in np.flatnonzero(keep).tolist():
            firm, unit = firm_records[int(fi[k])], unit_records[int(uj[k])]
            if (unit.key, firm.key) in refused:
                continue
            judged = _judge(firm, unit, float(scores["name"][k]), float(scores["partial"][k]),
                            float(scores["ratio"][k]), float(scores["best"][k]), opts,
                            bool(at_address[k]))  # fmt: skip
            if judged is not None:
                found.append((judged["score"], firm.key, unit.key, judged))
    taken_firms: set[str] = set()
    taken_units: set[str] = set()
    rows = []
    for _score, tax_code, unit_code, judged in sorted(
        found, key=lambda item: (-item[0], item[1], item[2])
    ):
        if tax_code in taken_firms or unit_code in taken_units:
            continue
        taken_firms.add(tax_code)
        taken_units.add(unit_code)
        rows.append({"tax_code": tax_code, **judged})
    if stats is not None:
        stats.update(firms=len(firms), units=len(units), pairs=len(keys), found=len(rows),
                     seconds=round(time.perf_counter() - started, 3))  # fmt: skip
    return pd.DataFrame(rows, columns=SEARCH_COLUMNS)
