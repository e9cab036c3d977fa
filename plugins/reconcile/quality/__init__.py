"""Validation (Great Expectations suites from ``expectations/``), quarantine, data-quality report."""
