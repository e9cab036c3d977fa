"""The DAG's task bodies: settings inside Airflow, the run's quarter, and one call per step.

Imports of the heavy parts (pandas, SQLAlchemy, Great Expectations) happen inside the
functions, when a task runs, never when the scheduler parses the DAG file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from reconcile.errors import ReconcileError, UsageError
from reconcile.quarter import LOCAL_TZ, Quarter, resolve_quarter
from reconcile.settings import Settings

if TYPE_CHECKING:
    from airflow.sdk import Context

T = TypeVar("T")
P = ParamSpec("P")


def no_retry_for_bad_input(step: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a step; an error that no retry can fix (a refused file) fails the task at once.

    Airflow retries a failed task (two retries here); for a partner's bad file that is only
    the same error three times over. ``ReconcileError.retryable`` says which is which; anything
    else (a database restarting, a worker lost) keeps Airflow's retries.
    """
    try:
        return step(*args, **kwargs)
    except ReconcileError as exc:
        if exc.retryable:
            raise
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(exc)) from exc


def task_boundary(body: Callable[P, T]) -> Callable[P, T]:
    """Every task body below runs through ``no_retry_for_bad_input``: a bad setting, a bad
    param or a refused file fails its task at once, whichever step finds it."""

    @functools.wraps(body)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return no_retry_for_bad_input(body, *args, **kwargs)

    return run


def settings() -> Settings:
    """Settings from the environment, with the warehouse from an Airflow connection if named."""
    from reconcile.airflow.hooks import warehouse_url_from_connection

    return Settings.from_env(warehouse_url=warehouse_url_from_connection())


def quarter_of(context: Context) -> Quarter:
    """The quarter this DAG run processes: the ``quarter`` param, else the one before its logical date."""
    params = context.get("params") or {}
    return resolve_quarter(params.get("quarter"), context.get("logical_date"))


@task_boundary
def upgrade_warehouse() -> dict[str, Any]:
    """Bring the warehouse's tables to this code's version (Alembic; ``python -m reconcile db
    upgrade`` does the same by hand): the first task of the DAGs that write to it."""
    from reconcile.warehouse import migrate
    from reconcile.warehouse.engine import make_engine

    url = settings().warehouse_url
    engine = make_engine(url)
    try:
        applied = migrate.upgrade(engine)
    finally:
        engine.dispose()
    return {
        "warehouse": migrate.warehouse_url_shown(url),
        "applied": applied,
        "revision": migrate.head_revision(),
    }


@task_boundary
def decide_quarter(context: Context) -> str:
    from reconcile.steps import start_run

    quarter = quarter_of(context)
    start_run(settings(), quarter, context["run_id"])
    return str(quarter)


@task_boundary
def fetch_from_api(quarter: str) -> dict[str, Any]:
    """Land the feeds a partner serves over HTTP (``partner_api`` in the settings), if any.

    ``partner_api: {feeds: [tax, registry], provinces: ["82"]}`` with the Airflow connection
    ``reconcile_partner_api``; nothing configured, nothing fetched. The files land in the
    landing folder like any other and the ``land`` task registers them.
    """
    config = settings()
    api = config.options.get("partner_api") or {}
    feeds = api.get("feeds") or []
    provinces = api.get("provinces") or config.options.get("provinces") or []
    if not feeds or not provinces:
        return {"fetched": [], "note": "no partner_api feeds configured"}
    from reconcile.airflow.http_hook import PartnerApiHook

    written = []
    with PartnerApiHook().get_conn() as source:
        for feed in feeds:
            for province in provinces:
                written.append(str(source.land_to(config.landing_dir, feed, quarter, province)))
    return {"fetched": written}


@task_boundary
def land(quarter: str) -> dict[str, Any]:
    from reconcile.airflow.hooks import LandingZoneHook
    from reconcile.steps import land as land_files

    config = settings()
    return land_files(
        config, Quarter.parse(quarter), LandingZoneHook(config.landing_dir).get_conn()
    )


def add_to_context(context: Context, **values: object) -> None:
    """Put ``values`` in the task's context, for its templates to read once the task ends.

    Airflow's ``Context`` type lists only Airflow's own keys, but at run time it is a dict that
    a task adds its own to (Airflow's docs on ``map_index_template`` do so): hence the cast."""
    cast("dict[str, Any]", context).update(values)


def name_map_index(context: Context | None, **names: object) -> None:
    """Give the task's ``map_index_template`` its value (Airflow renders it from the context
    once the task ends), so that the UI lists mapped tasks as 82, 86 or a file's name."""
    if context is not None:
        add_to_context(context, **names)


@task_boundary
def ingest(file_id: str, context: Context | None = None) -> dict[str, Any]:
    from reconcile.steps import ingest as ingest_file
    from reconcile.warehouse import feed_files
    from reconcile.warehouse.engine import get_engine

    config = settings()
    with get_engine(config.warehouse_url).connect() as conn:
        name_map_index(context, file_name=feed_files.file_name_of(conn, file_id) or file_id)
    return ingest_file(config, file_id)


@task_boundary
def chosen_provinces(landing: dict[str, Any], context: Context) -> list[str]:
    """The provinces to run: the ``provinces`` param's (checked against the 34 codes), else
    every province with files this quarter."""
    from reconcile.errors import UsageError
    from reconcile.text.admin_units import check_province

    chosen = (context.get("params") or {}).get("provinces")
    if not chosen:
        return landing["provinces"]
    try:
        return sorted({check_province(code) for code in chosen})
    except UsageError as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"the provinces param: {exc}") from exc


@task_boundary
def load(province: str, quarter: str, context: Context | None = None) -> dict[str, Any]:
    from reconcile.steps import load as load_partition

    name_map_index(context, province=province)
    return load_partition(settings(), Quarter.parse(quarter), province)


@task_boundary
def link(province: str, quarter: str, context: Context | None = None) -> dict[str, Any]:
    from reconcile.steps import link as link_province

    name_map_index(context, province=province)
    return link_province(settings(), Quarter.parse(quarter), province)


@task_boundary
def rules(province: str, quarter: str, context: Context | None = None) -> dict[str, Any]:
    from reconcile.steps import apply_rules

    name_map_index(context, province=province)
    return apply_rules(settings(), Quarter.parse(quarter), province)


@task_boundary
def publish(province: str, quarter: str, context: Context | None = None) -> dict[str, Any]:
    from reconcile.steps import publish as publish_partition

    name_map_index(context, province=province)
    return publish_partition(settings(), Quarter.parse(quarter), province)


@task_boundary
def summarise(quarter: str, landing: dict[str, Any] | None, run_id: str) -> dict[str, Any]:
    from reconcile.steps import summarise as write_summary

    return write_summary(settings(), Quarter.parse(quarter), run_id, landing)


@task_boundary
def verdict(summary: dict[str, Any]) -> dict[str, Any]:
    """Fail the run, once everything is published, if a file was refused or a province blocked."""
    from reconcile.steps import verdict as check

    return check(summary)


@task_boundary
def chase_missing_feeds(context: Context) -> dict[str, Any]:
    """Fail, so that the data team is e-mailed, when a partner's feed of the quarter before is
    not in the landing folder by its due day (``reconcile.arrivals``); outside the days of the
    chase, or with every file in, succeed and say so."""
    from reconcile.arrivals import FeedsMissing, check_arrivals

    config = settings()
    day = day_of(context)
    params = context.get("params") or {}
    quarter = Quarter.parse(params["quarter"]) if params.get("quarter") else None
    check = check_arrivals(config.options, config.landing_dir, day, quarter)
    if check is None:
        return {"day": day.isoformat(), "note": "no quarter's feeds are being chased today"}
    if check.missing:
        # the failure e-mail's subject and body read these (reconcile.airflow.alerts)
        add_to_context(
            context,
            province=", ".join(check.missing_provinces),
            quarter=str(check.quarter),
            alert=f"chưa nhận đủ tệp quý {check.quarter}",
        )
        raise FeedsMissing(check)  # not retryable: fails the task at once
    return check.as_dict()


# ---------------------------------------------------------------- enterprise_changes, outreach
@task_boundary
def day_of(context: Context) -> date:
    """The day a change-notices or outreach run is for: the ``day`` param (YYYY-MM-DD), else
    the run's logical date in Vietnam (a run at 07:00 on the 5th takes the notices up to the
    5th)."""
    params = context.get("params") or {}
    if params.get("day"):
        try:
            return date.fromisoformat(str(params["day"]))
        except ValueError:
            raise UsageError(
                f"the day param {params['day']!r} is not a date: write it YYYY-MM-DD"
            ) from None
    logical: object = context.get("logical_date") or context.get("run_after")
    if logical is None:
        raise UsageError("a manual run without a logical date needs the day param (YYYY-MM-DD)")
    if isinstance(logical, datetime):
        return logical.astimezone(LOCAL_TZ).date()
    if isinstance(logical, date):
        return logical
    raise UsageError(f"the run's logical date {logical!r} is not a date")


@task_boundary
def land_changes(day: str) -> dict[str, Any]:
    from reconcile.history.steps import land_changes as land_notices

    return land_notices(settings(), date.fromisoformat(day))


@task_boundary
def update_history(file_ids: list[str]) -> dict[str, Any]:
    from reconcile.history.steps import update_history as rebuild

    return rebuild(settings(), file_ids)


@task_boundary
def publish_outreach(day: str) -> dict[str, Any]:
    from reconcile.history.steps import publish_outreach as publish_lists

    return publish_lists(settings(), date.fromisoformat(day))


@task_boundary
def fetch_changes(day: str) -> dict[str, Any]:
    """The partner API's change notices (``partner_api: {changes: true}`` in the settings, the
    ``reconcile_partner_api`` connection), from the cursor kept in the warehouse; nothing
    configured, nothing fetched."""
    config = settings()
    if not (config.options.get("partner_api") or {}).get("changes"):
        return {"file": None, "note": "partner_api.changes is not configured"}
    from reconcile.airflow.http_hook import PartnerApiHook
    from reconcile.history.steps import fetch_changes as fetch

    with PartnerApiHook().get_conn() as source:
        return fetch(config, date.fromisoformat(day), source)
