"""Benchmarks that print their figures (``python -m reconcile bench ...``, docs/benchmarks.md):
``synth`` the generator, ``link`` the linker, ``pipeline`` every step of the DAG, ``peers`` this
project against Splink, ``web`` the pages, ``changes`` the change-notice history."""
