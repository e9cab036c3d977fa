"""The model stage, its first half: a training sample from the exact links, and the model
learned from it (m from the sample, u from the candidates its units would have had)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconcile.match.candidates import Candidates
from reconcile.match.compare import Comparison, compare
from reconcile.match.exact import ExactPair
from reconcile.match.features import Record, firm_record, record
from reconcile.match.model import Model, train
from reconcile.match.pairs import ComparedPair
from reconcile.values import text_or_none

TRAINING_SAMPLE = 1500


@dataclass(frozen=True)
class KnownMatch:
    """An exact link as records: the unit without its tax code, compared as a fuzzy pair
    would be, and its own firm."""

    unit: Record
    own: Record


def training_sample(exact_pairs: Sequence[ExactPair], province: str) -> list[KnownMatch]:
    """Up to ``TRAINING_SAMPLE`` exact links (the same sample on every run)."""
    sample = (
        list(exact_pairs)
        if len(exact_pairs) <= TRAINING_SAMPLE
        else random.Random(0).sample(list(exact_pairs), TRAINING_SAMPLE)
    )
    return [
        KnownMatch(
            record(
                u.unit_code, text_or_none(u.name), text_or_none(u.address), province, None, None
            ),
            firm_record(f, province),
        )
        for u, f in ((pair.unit, pair.firm) for pair in sample)
    ]


def train_model(
    sample: Sequence[KnownMatch],
    candidates: Candidates,
    fuzzy_pairs: Sequence[ComparedPair],
    units_to_match: int,
    options: dict[str, Any],
) -> Model:
    """m from a sample of exact links; u from the other candidates those units would have had.

    Blocking the sampled units against their own firms and the firms still unlinked gives
    non-matches as hard as the real candidates (names that share rare tokens), unlike random
    pairs. The fuzzy candidates themselves hold their true matches, so they serve for u only
    when the exact links are too few.
    """
    blocks = candidates.of([known.unit for known in sample])
    population = candidates.population
    matches: list[Comparison] = []
    non_matches: list[Comparison] = []
    for known in sample:
        matches.append(compare(known.unit, known.own, options))
        for index in blocks.get(known.unit.key, ()):
            # the firm's own head office and branches share its name by design and are told
            # apart by the legal-form and tax-code comparisons: as non-matches for the name
            # and address they would make an equal name look common
            if population[index].key[:10] != known.own.key[:10]:
                non_matches.append(compare(known.unit, population[index], options))
    fuzzy = [pair.comparison for pair in fuzzy_pairs]
    if len(non_matches) < int(options["model"]["min_training_pairs"]):
        non_matches += fuzzy
    return train(matches, non_matches, units_to_match, max(len(fuzzy), 1), options)
