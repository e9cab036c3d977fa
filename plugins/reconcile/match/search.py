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

Blocking keeps it fast on a large province (``search_blocks.py``): a firm is compared only
with units sharing one of its name tokens that is rare among the unlinked units, one of its
communes (a vectorised ``rapidfuzz.process.cdist`` per commune, with a score cut-off, on the
names and on the street addresses), or its tax code with one digit masked. The name's shape is
told by ``name_shape.py``. Each unit is offered to one firm at most (the best-scoring), each
firm keeps its best unit. Pure: DataFrames in, a DataFrame out.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import Hamming

from reconcile.match.features import Record, commune_relation, firm_record, place, unit_record
from reconcile.match.name_shape import name_shape
from reconcile.match.search_blocks import candidate_pairs, name_scores, pair_keys, side_of
from reconcile.text.legal_forms import DEPENDENT_FORMS

SEARCH_COLUMNS = [
    "tax_code",
    "unit_code",
    "unit_name",
    "unit_address",
    "firm_core",
    "unit_core",
    "name_score",
    "partial_score",
    "ratio_score",
    "name_shape",
    "words_only_in_firm",
    "words_only_in_unit",
    "commune",
    "unit_communes",
    "tax_code_relation",
    "same_address",
    "address_only",
    "score",
]

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


def _plausible(
    shape: str,
    shared: int,
    commune: str | None,
    code: str,
    other_valid_code: bool,
    ratio: float,
    opts: dict[str, Any],
) -> bool:
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


def _judge(
    firm: Record,
    unit: Record,
    name: float,
    partial: float,
    ratio: float,
    best: float,
    opts: dict[str, Any],
    same_address: bool = False,
) -> dict[str, Any] | None:
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
        "unit_code": unit.key,
        "unit_name": unit.name,
        "unit_address": unit.address,
        "firm_core": firm.core,
        "unit_core": unit.core,
        "name_score": round(name, 1),
        "partial_score": round(partial, 1),
        "ratio_score": round(ratio, 1),
        "name_shape": shape,
        "words_only_in_firm": " ".join(only_firm),
        "words_only_in_unit": " ".join(only_unit),
        "commune": commune,
        "unit_communes": ",".join(sorted(unit_place.commune_codes)),
        "tax_code_relation": code,
        "same_address": same_address,
        "address_only": not by_name,
        "score": round(score, 1),
    }


def search_roll(
    firms: pd.DataFrame,
    units: pd.DataFrame,
    province: str,
    rejected: Iterable[tuple[str, str]] = (),
    options: dict[str, Any] | None = None,
    stats: dict[str, Any] | None = None,
) -> pd.DataFrame:
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
    firm_records = [firm_record(f, province) for f in firms.itertuples(index=False)]
    unit_records = [unit_record(u, province) for u in units.itertuples(index=False)]
    firm_side, unit_side = side_of(firm_records), side_of(unit_records)
    blocks, near_code, same_address = candidate_pairs(firm_side, unit_side, opts)
    refused = {(str(u), str(t)) for u, t in rejected}
    width = len(unit_records)
    keys = pair_keys(blocks, width)
    found: list[tuple[float, str, str, dict[str, Any]]] = []
    if len(keys):
        fi, uj = keys // width, keys % width
        scores = name_scores(firm_side, unit_side, fi, uj)
        # below min_name a pair needs a tax code equal or one digit apart (blocked on above)
        coded = np.isin(keys, pair_keys(near_code, width))
        at_address = np.isin(keys, pair_keys(same_address, width))
        keep = (
            (scores["best"] >= float(opts["min_name"]))
            | at_address
            | ((scores["best"] >= float(opts["min_name_with_code"])) & coded)
        )
        for k in np.flatnonzero(keep).tolist():
            firm, unit = firm_records[int(fi[k])], unit_records[int(uj[k])]
            if (unit.key, firm.key) in refused:
                continue
            judged = _judge(
                firm,
                unit,
                float(scores["name"][k]),
                float(scores["partial"][k]),
                float(scores["ratio"][k]),
                float(scores["best"][k]),
                opts,
                bool(at_address[k]),
            )
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
        stats.update(
            firms=len(firms),
            units=len(units),
            pairs=len(keys),
            found=len(rows),
            seconds=round(time.perf_counter() - started, 3),
        )
    return pd.DataFrame(rows, columns=SEARCH_COLUMNS)
