"""Development tools beside the pipeline: the feed generator (``synth``), its ground truth's
scoring (``evaluation``) and the benchmarks (``bench``).

They serve the people who build and measure the pipeline, not the pipeline: nothing under
``reconcile`` imports this package except the command line, which adds its commands (``python -m
reconcile synth``, ``evaluate``, ``bench ...``) when it builds its parser; the DAGs never import
it (``tests/unit/test_dev_package.py`` checks both), and Airflow does not load it as a plugin
(``plugins/.airflowignore``). The generator reads the runtime's data files and shares its
admin-unit model (``reconcile.text.admin_units.OldCommune``), but never its cleaning code, so
that generated test data stays independent of what it tests.
"""
