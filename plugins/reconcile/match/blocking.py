"""Candidate generation: which unit-firm pairs are worth comparing at all.

Keys are a record's rarest name tokens and adjacent token pairs (a key shared by too many firms
blocks nothing), its tax code with any one digit masked (a mistyped digit), and its tax code as
a parent root (a branch unit carrying its parent's code). The work grows with the number of
records times the number of keys, not with the product of the two sides.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from reconcile.match.features import Record


def name_keys(record: Record) -> list[str]:
    tokens = record.distinct
    keys = [f"t:{t}" for t in tokens]
    keys += [f"p:{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    if record.core:
        keys.append(f"c:{record.core}")
    return keys


def code_keys(digits: str) -> list[str]:
    """A 10-digit root with each position masked in turn: equal keys differ in at most one digit."""
    root = digits[:10]
    if len(root) != 10:
        return []
    return [f"m:{root[:i]}_{root[i + 1 :]}" for i in range(10)]


def swapped_roots(digits: str) -> list[str]:
    """The roots a code could be if two adjacent digits were typed the wrong way round."""
    root = digits[:10]
    if len(root) != 10:
        return []
    return [
        f"r:{root[:i]}{root[i + 1]}{root[i]}{root[i + 2 :]}"
        for i in range(9)
        if root[i] != root[i + 1]
    ]


def candidates(units: Iterable[Record], firms: list[Record], max_block_size: int,
               keys_per_record: int) -> dict[str, set[int]]:  # fmt: skip
    """unit key -> indexes into ``firms`` of the firms worth comparing with it."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, firm in enumerate(firms):
        for key in set(name_keys(firm)):
            index[key].append(i)
        if firm.tax_code:
            root = firm.tax_code[:10]
            index[f"r:{root}"].append(i)
            for key in code_keys(root):
                index[key].append(i)
    frequency = Counter({key: len(members) for key, members in index.items()})
    result: dict[str, set[int]] = {}
    for unit in units:
        found: set[int] = set()
        keys = [k for k in set(name_keys(unit)) if 0 < frequency.get(k, 0) <= max_block_size]
        keys.sort(key=lambda k: (frequency[k], k))
        for key in keys[:keys_per_record]:
            found.update(index[key])
        if unit.tax_digits:
            found.update(index.get(f"r:{unit.tax_digits[:10]}", ()))
            for key in code_keys(unit.tax_digits) + swapped_roots(unit.tax_digits):
                found.update(index.get(key, ()))
        result[unit.key] = found
    return result
