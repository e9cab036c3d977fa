"""The only part of the package that imports Airflow: hooks for external systems, task helpers."""
