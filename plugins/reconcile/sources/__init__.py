"""Sources that fetch partner data and land it as files in the landing zone.

A source only fetches and writes one file per feed, quarter and province into the landing
zone's layout; landing it into the warehouse (hash, skip seen, keep a copy) stays ``steps.land``.
Nothing here imports Airflow: the hooks in ``reconcile.airflow`` build sources from connections.

- ``reconcile.sources.http_api``: a partner HTTP API that pages through JSON records with a
  bearer token (contract in ``docs/sources.md``).
"""
