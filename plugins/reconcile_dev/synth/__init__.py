"""A synthetic province: partner files with realistic noise and faults, and their ground truth.

>>> from reconcile.quarter import Quarter
>>> from reconcile_dev.synth import SynthConfig, generate
>>> config = SynthConfig(quarters=(Quarter.parse("2025Q2"), Quarter.parse("2025Q3")))
>>> result = generate(config, landing_dir, truth_dir)  # doctest: +SKIP

Deterministic for a given seed: the same configuration writes byte-identical files.

Two noise profiles: ``NoiseRates()`` (the default, whose files are unchanged since the hard
profile was added) and ``NoiseRates.hard()``, written from how rolls go wrong in practice (VNI
text, legal forms no table lists, dropped words, old communes, a quarter without tax code), so
that the matcher is measured on data it was not tuned to. ``SynthConfig(names=...)`` gives the
firms an agency's real registered names (``real_names.load_names``) instead of invented ones.
"""

from reconcile_dev.synth.config import (
    NoiseRates,
    ProblemRates,
    RealName,
    SynthConfig,
    SynthResult,
    TroubleRates,
    noise_profile,
    profile_name,
)
from reconcile_dev.synth.generate import generate

__all__ = [
    "NoiseRates",
    "ProblemRates",
    "RealName",
    "SynthConfig",
    "SynthResult",
    "TroubleRates",
    "generate",
    "noise_profile",
    "profile_name",
]
