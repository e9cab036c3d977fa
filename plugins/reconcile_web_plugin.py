"""The inspectors' web application in Airflow's menu, served by the api-server under /reconcile.

Sign-in is Airflow's; the users file ``RECONCILE_WEB_USERS`` maps Airflow users to a role and
provinces (see ``reconcile/web/airflow_auth.py``). The app is built on its first request.
"""

from airflow.plugins_manager import AirflowPlugin

from reconcile.web.airflow_auth import MENU_NAME, URL_PREFIX, LazyApp


class ReconcileWebPlugin(AirflowPlugin):
    name = "reconcile_web"
    fastapi_apps = [{"app": LazyApp(), "url_prefix": URL_PREFIX, "name": MENU_NAME}]
    # no url_route: a link in the menu, not an iframe (the app refuses to be framed)
    external_views = [{"name": MENU_NAME, "href": f"{URL_PREFIX}/cases", "destination": "nav"}]
