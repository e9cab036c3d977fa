"""One hook per external system the pipeline talks to: the landing zone and the warehouse."""

from __future__ import annotations

import os
from pathlib import Path

from airflow.sdk import BaseHook

from reconcile.landing import LocalLandingZone


class LandingZoneHook(BaseHook):
    """A local (or mounted) landing folder. The connection's ``extra.path`` overrides settings.

    SFTP and HTTP landing zones will be hooks of their own, returning the same interface.
    """

    conn_name_attr = "landing_conn_id"
    default_conn_name = "reconcile_landing"
    conn_type = "fs"
    hook_name = "Reconciliation landing zone"

    def __init__(self, default_path: Path, landing_conn_id: str | None = None) -> None:
        super().__init__()
        self.landing_conn_id = landing_conn_id
        self.default_path = default_path

    def get_conn(self) -> LocalLandingZone:
        path = self.default_path
        if self.landing_conn_id:
            extra = self.get_connection(self.landing_conn_id).extra_dejson
            path = Path(extra.get("path", path))
        return LocalLandingZone(path)


def warehouse_url_from_connection(conn_id: str | None = None) -> str | None:
    """The warehouse URL from an Airflow connection, when ``RECONCILE_WAREHOUSE_CONN_ID`` names one."""
    conn_id = conn_id or os.environ.get("RECONCILE_WAREHOUSE_CONN_ID")
    if not conn_id:
        return None
    connection = BaseHook.get_connection(conn_id)
    uri = connection.get_uri()
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg2://" + uri[len("postgres://") :]
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg2://" + uri[len("postgresql://") :]
    return uri
