"""The DAG task helpers: which provinces a run takes, and the names of mapped tasks."""

from __future__ import annotations

import pytest

from reconcile.airflow.tasks import chosen_provinces, name_map_index

LANDING = {"provinces": ["82", "86"]}


def test_without_the_param_every_province_with_files_runs() -> None:
    assert chosen_provinces(LANDING, {"params": {"provinces": None}}) == ["82", "86"]
    assert chosen_provinces(LANDING, {"params": {}}) == ["82", "86"]


def test_the_param_chooses_and_a_wrong_code_fails_the_task_with_the_fix() -> None:
    from airflow.sdk.exceptions import AirflowFailException

    assert chosen_provinces(LANDING, {"params": {"provinces": ["86", "82", "86"]}}) == ["82", "86"]
    with pytest.raises(AirflowFailException, match="87 is the old code of Đồng Tháp.*use 82"):
        chosen_provinces(LANDING, {"params": {"provinces": ["87"]}})


def test_a_mapped_task_is_named_through_its_context() -> None:
    context: dict = {}
    name_map_index(context, province="82")
    assert context == {"province": "82"}
    name_map_index(None, province="82")  # outside Airflow (the CLI): nothing to name


def test_a_partner_api_refusal_fails_the_task_at_once_and_an_outage_is_retried() -> None:
    import pytest
    from airflow.sdk.exceptions import AirflowFailException

    from reconcile.airflow.tasks import no_retry_for_bad_input
    from reconcile.sources.http_api import PartnerApiAuthError, PartnerApiError

    def refused() -> None:
        raise PartnerApiAuthError("https://api/tax", "the token was refused", 401)

    def down() -> None:
        raise PartnerApiError("https://api/tax", "gave up after 4 attempts", 503, retryable=True)

    with pytest.raises(AirflowFailException, match="HTTP 401"):
        no_retry_for_bad_input(refused)
    with pytest.raises(PartnerApiError, match="HTTP 503"):  # Airflow's retries still apply
        no_retry_for_bad_input(down)


def test_every_task_body_fails_at_once_on_a_bad_setting(tmp_path, monkeypatch) -> None:
    """A misspelt setting, found by whichever task reads the settings first, fails that task
    without Airflow's retries: the same file gives the same error."""
    import inspect

    import pytest
    from airflow.sdk.exceptions import AirflowFailException

    from reconcile.airflow import tasks

    bodies = [
        tasks.decide_quarter, tasks.fetch_from_api, tasks.land, tasks.ingest,
        tasks.chosen_provinces, tasks.load, tasks.link, tasks.rules, tasks.publish,
        tasks.summarise, tasks.verdict, tasks.chase_missing_feeds, tasks.land_changes,
        tasks.update_history, tasks.publish_outreach, tasks.fetch_changes, tasks.day_of,
    ]  # fmt: skip
    assert all(hasattr(body, "__wrapped__") for body in bodies)
    config = tmp_path / "reconcile.yaml"
    config.write_text("provinces: ['99']\n", encoding="utf-8")
    monkeypatch.setenv("RECONCILE_CONFIG", str(config))
    with pytest.raises(AirflowFailException, match="99"):
        tasks.land("2025Q3")
    with pytest.raises(AirflowFailException, match="YYYY-MM-DD"):
        tasks.day_of({"params": {"day": "2025-13-40"}})
    assert inspect.signature(tasks.load) == inspect.signature(tasks.load.__wrapped__)
