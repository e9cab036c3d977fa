"""The legal forms and abbreviations of firm names, as data (``data/legal_forms.yaml``,
``data/abbreviations.yaml``): checked, folded and indexed once, with each alias also spelled
with one of its spaces missing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from reconcile.text.unicode import fold, nfc

_DATA = resources.files("reconcile.text") / "data"


DEPENDENT_FORMS = frozenset({"CN", "VPDD", "DDKD"})


@dataclass(frozen=True)
class _Alias:
    words: tuple[str, ...]
    parts: tuple[str, ...]
    start_only: bool
    after: frozenset[str]  # only right after an alias with one of these parts ("Công ty HD")


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
        after = frozenset(entry.get("after", ()))
        if after - set(forms):
            raise ValueError(f"legal_forms.yaml: unknown forms {after - set(forms)} in {entry}")
        start_only = entry.get("where", "anywhere") == "start"
        # the alias as written, and with one of its spaces missing ("trach nhiemhuu han")
        spellings = [words] + [
            (*words[:j], words[j] + words[j + 1], *words[j + 2 :]) for j in range(len(words) - 1)
        ]
        for spelling in spellings:
            alias = _Alias(spelling, tuple(entry["parts"]), start_only, after)
            by_first.setdefault(spelling[0], []).append(alias)
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


def legal_form_label(code: str) -> str:
    """The Vietnamese label of a canonical legal-form code (the code itself when unknown)."""
    return _labels().get(code, code)


@cache
def _form_words() -> frozenset[str]:
    """Every word of every alias of three letters or more, and the one-word aliases."""
    out: set[str] = set()
    for group in _rules().aliases.values():
        for alias in group:
            out.update(w for w in alias.words if len(w) >= 3 or len(alias.words) == 1)
    return frozenset(w for w in out if w.isalpha() and len(w) >= 2)


@cache
def _squeezed_aliases() -> tuple[dict[str, _Alias], int]:
    """Each alias with its spaces taken out ("congtytnhh" is two: "congty", "tnhh"), and the
    length of the longest."""
    out: dict[str, _Alias] = {}
    for group in _rules().aliases.values():
        for alias in group:
            out.setdefault("".join(alias.words), alias)
    return out, max(map(len, out))
