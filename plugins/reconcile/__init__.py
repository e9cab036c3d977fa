"""Quarterly reconciliation of tax and business-registry feeds against the BHXH employer roll.

The package is the whole domain: Airflow only schedules it (see ``reconcile.airflow``), and
``python -m reconcile`` runs the same steps without a scheduler.
"""

__version__ = "0.1.0"
