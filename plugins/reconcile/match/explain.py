"""What a fuzzy link rests on, stored with it as its evidence: the workbook and the web pages
say it in words (``publish/workbook.describe_evidence``, ``web/present.link_comparisons``)."""

from __future__ import annotations

from typing import Any

from reconcile.match.features import place
from reconcile.match.model import Model
from reconcile.match.pairs import ScoredPair


def explain(pair: ScoredPair, model: Model) -> dict[str, Any]:
    """The strings compared, each level (as declared in ``levels.py``) and its weight, the
    prior (log2 odds: the share of the unit's plausible candidates) and the probability among
    them."""
    unit, firm, comparison = pair.unit, pair.firm, pair.comparison
    contributions = model.contributions(comparison)
    return {
        "probability": round(pair.probability, 5),
        "unit_name": unit.core,
        "firm_name": firm.core,
        "name_score": comparison.scores["name"],
        "street_score": comparison.scores["street"],
        "levels": comparison.levels,
        "weights": {k: round(v, 2) for k, v in contributions.items()},
        "prior": round(pair.weight - sum(contributions.values()), 2),
        "roll_tax_code": unit.tax_digits or None,
        "unit_communes": sorted(place(unit).commune_codes),
        "firm_communes": sorted(place(firm).commune_codes),
    }
