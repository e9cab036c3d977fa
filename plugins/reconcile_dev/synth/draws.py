"""Weighted draws shared by the generator's world and its files."""

from __future__ import annotations

import random


def pick(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    """One value by its share; shares need not add to 1 (the last value takes the rest)."""
    u, acc = rng.random(), 0.0
    for value, share in options:
        acc += share
        if u < acc:
            return value
    return options[-1][0]
