"""A synthetic province: partner files with realistic noise and faults, and their ground truth.

>>> from reconcile.quarter import Quarter
>>> from reconcile.synth import SynthConfig, generate
>>> config = SynthConfig(quarters=(Quarter.parse("2025Q2"), Quarter.parse("2025Q3")))
>>> result = generate(config, landing_dir, truth_dir)  # doctest: +SKIP

Deterministic for a given seed: the same configuration writes byte-identical files.
"""

from reconcile.synth.config import NoiseRates, ProblemRates, SynthConfig, SynthResult, TroubleRates
from reconcile.synth.generate import generate

__all__ = ["NoiseRates", "ProblemRates", "SynthConfig", "SynthResult", "TroubleRates", "generate"]
