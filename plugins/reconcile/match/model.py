"""Levels into one weight (Fellegi-Sunter, as Splink does it), learned from the partition itself.

m = P(level | match), u = P(level | non-match). The exact tax-code links are free training
matches; the fuzzy candidate pairs, nearly all of them non-matches, give u. A pair's evidence is
the sum over comparisons of log2(m/u); its probability is weighed against the unit's other
candidates (``Model.posteriors``, ``weigh``). The levels are those declared in ``levels.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reconcile.match.compare import Comparison
from reconcile.match.levels import DECLARED
from reconcile.match.pairs import ComparedPair, ScoredPair

PLAUSIBLE = -5.0  # log2 Bayes factor below which a candidate takes no share of the prior
# the comparisons whose weights are learned from the partition; the tax code's are priors
LEARNED = tuple(name for name, comparison in DECLARED.items() if comparison.learned)


@dataclass
class Model:
    bayes: dict[str, dict[str, float]]  # comparison -> level -> log2(m/u)
    prior: float  # log2 odds that a candidate pair is a match, pairs taken alone
    trained_on: int  # training matches used (0: priors only)
    m: dict[str, dict[str, float]] = field(default_factory=dict)
    u: dict[str, dict[str, float]] = field(default_factory=dict)
    present: float = 0.8  # probability that a unit's firm is among its candidates

    def contributions(self, comparison: Comparison) -> dict[str, float]:
        out = {}
        for name, level in comparison.by_name().items():
            if level is None:
                out[name] = 0.0
            else:
                out[name] = self.bayes.get(name, {}).get(level, 0.0)
        return out

    def posteriors(self, comparisons: Sequence[Comparison]) -> list[tuple[float, float]]:
        """(weight, probability) of each of one unit's candidate pairs, as alternatives.

        A unit is one employer at most one firm: with probability ``present`` its firm is
        among its K candidates, each as likely a priori (``present / K``). A pair's
        probability is its share of the evidence against the other candidates and against
        "none of them": a lone candidate with plain evidence is likely, two alike are each
        in doubt. The weight is the pair's log2 odds before the competition.
        """
        if not comparisons:
            return []
        evidence = [sum(self.contributions(c).values()) for c in comparisons]
        k = max(1, sum(e > PLAUSIBLE for e in evidence))
        prior = self.present / k
        top = max(evidence)
        # scaled by 2**-top so that no term overflows
        terms = [prior * 2.0 ** (e - top) for e in evidence]
        rest = (1.0 - self.present) * 2.0 ** (-top)
        total = rest + sum(terms)
        prior_odds = math.log2(prior / (1.0 - prior)) if prior < 1.0 else 60.0
        return [(prior_odds + e, t / total) for e, t in zip(evidence, terms, strict=True)]


def _distribution(
    pairs: Sequence[Comparison], name: str, levels: set[str], smoothing: float
) -> dict[str, float]:
    counts = Counter(p.by_name()[name] for p in pairs if p.by_name()[name] is not None)
    total = sum(counts.values()) + smoothing * len(levels)
    return {level: (counts[level] + smoothing) / total for level in levels}


def train(
    matches: Sequence[Comparison],
    candidates: Sequence[Comparison],
    expected_matches: int,
    pairs_to_decide: int,
    options: dict[str, Any],
) -> Model:
    """m from ``matches`` (exact links compared as a fuzzy pair would be), u from ``candidates``
    (non-matches); the prior is the share of the ``pairs_to_decide`` that can be matches."""
    settings = options["model"]
    smoothing = float(settings["smoothing"])
    bayes: dict[str, dict[str, float]] = {}
    m_all: dict[str, dict[str, float]] = {}
    u_all: dict[str, dict[str, float]] = {}
    use_data = len(matches) >= int(settings["min_training_pairs"]) and candidates
    for name in LEARNED:
        levels = {
            level for p in (*matches, *candidates) if (level := p.by_name()[name]) is not None
        }
        if not levels:
            continue
        if use_data:
            m = _distribution(matches, name, levels, smoothing)
            u = _distribution(candidates, name, levels, smoothing)
        else:
            m = u = dict.fromkeys(levels, 1.0 / len(levels))
        m_all[name], u_all[name] = m, u
        bayes[name] = {level: math.log2(m[level] / u[level]) for level in levels}
    priors = settings["tax_code_priors"]
    bayes["tax_code"] = {level: math.log2(p["m"] / p["u"]) for level, p in priors.items()}
    m_all["tax_code"] = {level: p["m"] for level, p in priors.items()}
    u_all["tax_code"] = {level: p["u"] for level, p in priors.items()}
    share = min(max(expected_matches, 1) / max(pairs_to_decide, 1), 0.5)
    prior = math.log2(share / (1 - share))
    # untrained, the levels weigh nothing: a lone candidate must not look likely for being alone
    present = float(settings.get("present", 0.8)) if use_data else share
    return Model(bayes, prior, len(matches) if use_data else 0, m_all, u_all, present)


def weigh(pairs: Sequence[ComparedPair], model: Model, review_at: float) -> list[ScoredPair]:
    """Each pair's probability among its unit's candidates (``Model.posteriors``); the pairs
    below ``review_at`` are dropped."""
    by_unit: dict[str, list[ComparedPair]] = {}
    for pair in pairs:
        by_unit.setdefault(pair.unit.key, []).append(pair)
    out = []
    for group in by_unit.values():
        posteriors = model.posteriors([pair.comparison for pair in group])
        for pair, (weight, probability) in zip(group, posteriors, strict=True):
            if probability >= review_at:
                out.append(ScoredPair(pair.unit, pair.firm, pair.comparison, weight, probability))
    return out
