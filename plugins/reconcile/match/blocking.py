"""Candidate generation: which unit-firm pairs are worth comparing at all.

Keys are a record's rarest name tokens and adjacent token pairs (a key shared by too many firms
blocks nothing), its tax code with any one digit masked (a mistyped digit), and its tax code as
a parent root (a branch unit carrying its parent's code); for a unit whose name no candidate
has, typo keys, its street address, and its hamlet with a word of its name. The work grows
with the number of records times the number of keys, not with the product of the two sides.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconcile.match.features import Record
from reconcile.text.unicode import fold


def name_keys(record: Record) -> list[str]:
    """Rare tokens and adjacent pairs, the whole core, and the whole name without spaces (a
    moved or missing space)."""
    tokens = record.distinct
    keys = [f"t:{t}" for t in tokens]
    keys += [f"p:{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    if record.core:
        keys.append(f"c:{record.core}")
    if record.squeezed:
        keys.append(f"n:{record.squeezed}")
    return keys


def _deletions(text: str) -> set[str]:
    """The text and the text with any one letter deleted: two spellings one edit apart (a
    letter changed, added, dropped, or two swapped) share one of these."""
    return {text} | {text[:i] + text[i + 1 :] for i in range(len(text))}


def typo_keys_of(record: Record) -> list[str]:
    """Keys that survive one typo and a moved space: the deletion neighbourhood of each pair
    of adjacent distinctive tokens written without its space (of the one token, for a
    one-word name of four letters or more)."""
    tokens = record.distinct
    pieces = [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    if len(tokens) == 1 and len(tokens[0]) >= 4:
        pieces = [tokens[0]]
    return [f"d:{v}" for piece in pieces if len(piece) <= 24 for v in _deletions(piece)]


def address_keys(record: Record) -> list[str]:
    """The street part of the address as written (its first part, with a number in it: a house,
    a lot, a hamlet), alone and with the part after it: firms at one address are few, and the
    part is read the same whether the commune after it is written in its old or new shape."""
    parts = [fold(part) for part in record.address.split(",")]
    first = " ".join(parts[0].split()) if parts else ""
    if not any(ch.isdigit() for ch in first):
        # a hamlet or street named without a number ("Ấp Tân Hội"): many firms of a province
        # share its name, and few of them a word of the unit's name (``hamlet_block_size``)
        if len(first.split()) < 3:
            return []
        return [f"h:{first}|{token}" for token in sorted(set(record.distinct))]
    if len(first.split()) < 2:
        return []
    keys = [f"a:{first}"]
    if len(parts) > 1:
        keys.append(f"a:{first}|{' '.join(parts[1].split())}")
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


@dataclass(frozen=True)
class BlockingLimits:
    """How wide blocking casts its net: ``blocking:`` of the matching options."""

    max_block_size: int
    keys_per_record: int
    typo_keys_per_record: int
    address_block_size: int
    hamlet_block_size: int

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> BlockingLimits:
        settings = options["blocking"]
        return cls(
            int(settings["max_block_size"]),
            int(settings["keys_per_record"]),
            int(settings.get("typo_keys_per_record", 0)),
            int(settings.get("address_block_size", 0)),
            int(settings.get("hamlet_block_size", 0)),
        )


class Index:
    """The firms' keys, built once and asked for several sets of units (the units to match,
    and the units sampled to train the model)."""

    def __init__(self, firms: list[Record], typo_keys: bool) -> None:
        self.firms = firms
        self.typo_keys = typo_keys
        index: dict[str, list[int]] = defaultdict(list)
        for i, firm in enumerate(firms):
            for key in set(name_keys(firm)):
                index[key].append(i)
            if typo_keys:
                for key in set(typo_keys_of(firm)):
                    index[key].append(i)
                for key in set(address_keys(firm)):
                    index[key].append(i)
            if firm.tax_code:
                root = firm.tax_code[:10]
                index[f"r:{root}"].append(i)
                for key in code_keys(root):
                    index[key].append(i)
        self.index = index
        self.frequency = Counter({key: len(members) for key, members in index.items()})

    def candidates(self, units: Iterable[Record], limits: BlockingLimits) -> dict[str, set[int]]:
        """unit key -> indexes into the firms of the firms worth comparing with it.

        A second pass on typo keys (``typo_keys_per_record`` of the rarest), for the units whose
        name no candidate of the first has, finds the firm when every rare token of the unit is
        mistyped, or a space moved inside one."""
        index, frequency, firms = self.index, self.frequency, self.firms
        max_block_size, keys_per_record = limits.max_block_size, limits.keys_per_record
        typo_keys_per_record = limits.typo_keys_per_record if self.typo_keys else 0
        address_block_size, hamlet_block_size = limits.address_block_size, limits.hamlet_block_size
        result: dict[str, set[int]] = {}
        for unit in units:
            found: set[int] = set()
            keys = [k for k in set(name_keys(unit)) if 0 < frequency.get(k, 0) <= max_block_size]
            keys.sort(key=lambda k: (frequency[k], k))
            for key in keys[:keys_per_record]:
                found.update(index[key])
            # the second pass only for a unit whose name no candidate has as it is written
            # (spaces aside): each pass adds candidates, and with them doubt for every pair
            if typo_keys_per_record and not any(firms[i].squeezed == unit.squeezed for i in found):
                typo = [
                    k for k in set(typo_keys_of(unit)) if 0 < frequency.get(k, 0) <= max_block_size
                ]
                typo.sort(key=lambda k: (frequency[k], k))
                for key in typo[:typo_keys_per_record]:
                    found.update(index[key])
                # and the firms at the unit's street address, or in its hamlet, where few are
                for key in address_keys(unit):
                    limit = address_block_size if key.startswith("a:") else hamlet_block_size
                    if 0 < frequency.get(key, 0) <= limit:
                        found.update(index[key])
            if unit.tax_digits:
                found.update(index.get(f"r:{unit.tax_digits[:10]}", ()))
                for key in code_keys(unit.tax_digits) + swapped_roots(unit.tax_digits):
                    found.update(index.get(key, ()))
            result[unit.key] = found
        return result


def candidates(
    units: Iterable[Record],
    firms: list[Record],
    max_block_size: int,
    keys_per_record: int,
    typo_keys_per_record: int = 0,
    address_block_size: int = 0,
    hamlet_block_size: int = 0,
) -> dict[str, set[int]]:
    """unit key -> indexes into ``firms`` of the firms worth comparing with it (``Index``)."""
    limits = BlockingLimits(
        max_block_size, keys_per_record, typo_keys_per_record, address_block_size, hamlet_block_size
    )
    return Index(firms, bool(typo_keys_per_record)).candidates(units, limits)
