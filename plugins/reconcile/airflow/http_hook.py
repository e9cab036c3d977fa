"""The partner HTTP API as an Airflow hook: its connection gives the base URL and the bearer token.

Connection ``reconcile_partner_api`` (type ``http``), for example from the environment::

    AIRFLOW_CONN_RECONCILE_PARTNER_API='https://:TOKEN@partner.example:443/api/v1'

host, port and schema (the path) make the base URL; the password, or the extra ``token``, is the
bearer token. The extra ``base_url`` (a whole URL) overrides host, port and schema; the extras
``page_size``, ``timeout``, ``max_retries`` and ``backoff`` override the source's defaults.
``docs/sources.md`` has the API contract and the JSON form of the connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook

if TYPE_CHECKING:
    from airflow.sdk import Connection

    from reconcile.sources.http_api import HttpApiSource

_TUNABLES = {"page_size": int, "timeout": float, "max_retries": int, "backoff": float}


def partner_api_base_url(connection: Connection) -> str:
    """The API's base URL from a connection: extra ``base_url``, else scheme://host[:port]/schema."""
    extra = connection.extra_dejson
    if extra.get("base_url"):
        return str(extra["base_url"]).rstrip("/")
    host = (connection.host or "").strip().rstrip("/")
    if not host:
        raise ValueError(
            f"connection {connection.conn_id!r} has no host (nor an extra 'base_url') "
            "for the partner API"
        )
    path = (connection.schema or "").strip().strip("/")
    if "://" in host:  # the host holds a whole URL (the HTTP provider's habit)
        return f"{host}/{path}" if path else host
    scheme = str(extra.get("scheme") or "").lower()
    if path.lower() in ("http", "https"):  # schema as the scheme (the HTTP provider's habit)
        scheme, path = scheme or path.lower(), ""
    if not scheme:
        scheme = "https" if (connection.conn_type or "").lower() == "https" else "http"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    netloc = f"{host}:{connection.port}" if connection.port else host
    return f"{scheme}://{netloc}/{path}" if path else f"{scheme}://{netloc}"


class PartnerApiHook(BaseHook):
    """Builds an ``HttpApiSource`` from the ``reconcile_partner_api`` connection."""

    conn_name_attr = "partner_api_conn_id"
    default_conn_name = "reconcile_partner_api"
    conn_type = "http"
    hook_name = "Reconciliation partner API"

    def __init__(self, partner_api_conn_id: str = default_conn_name, **source_options: Any) -> None:
        super().__init__()
        self.partner_api_conn_id = partner_api_conn_id
        self.source_options = source_options

    def get_conn(self) -> HttpApiSource:
        from reconcile.sources.http_api import HttpApiSource

        connection = self.get_connection(self.partner_api_conn_id)
        extra = connection.extra_dejson
        token = connection.password or extra.get("token")
        if not token:
            raise ValueError(
                f"connection {self.partner_api_conn_id!r} has no bearer token: set its password "
                "(or its extra 'token')"
            )
        _mask(str(token))
        options = {
            name: kind(extra[name])
            for name, kind in _TUNABLES.items()
            if extra.get(name) is not None
        }
        options.update(self.source_options)
        return HttpApiSource(partner_api_base_url(connection), str(token), **options)

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["login"],
            "relabeling": {"password": "Bearer token", "schema": "Path (e.g. api/v1)"},
            "placeholders": {
                "host": "partner.example",
                "extra": '{"page_size": 500, "timeout": 30, "max_retries": 3}',
            },
        }


def _mask(token: str) -> None:
    """Have Airflow's log masking hide the token, even when it came from the extra."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # pragma: no cover - older task SDKs
        return
    mask_secret(token)
