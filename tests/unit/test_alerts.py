"""The failure e-mail: attached only when someone is configured to be told, and worded from the
task's context without failing on what a task had not set yet."""

from __future__ import annotations

from types import SimpleNamespace

import jinja2

from reconcile.airflow.alerts import BODY, SUBJECT, failure_notifiers

CONFIGURED = {"alerts": {"to": ["du-lieu@bhxh.test"], "smtp_conn_id": "reconcile_alerts",
                         "from_email": "doi-chieu@bhxh.test"}}  # fmt: skip


def render(template: str, **context: object) -> str:
    return (
        jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(template).render(context)
    )


def test_no_recipient_no_notifier() -> None:
    assert failure_notifiers({}) == [] and failure_notifiers({"alerts": {"to": []}}) == []
    (notifier,) = failure_notifiers(CONFIGURED)
    assert notifier.to == ["du-lieu@bhxh.test"] and notifier.smtp_conn_id == "reconcile_alerts"
    assert notifier.subject == SUBJECT and notifier.html_content == BODY


def test_the_message_names_the_task_the_province_the_quarter_and_the_error() -> None:
    ti = SimpleNamespace(task_id="province.rules", map_index=0, log_url="http://airflow/log")
    context = {"dag": SimpleNamespace(dag_id="quarterly_reconciliation"), "ti": ti,
               "province": "82", "params": {"quarter": "2025Q3"},  # no "day": not this DAG's
               "run_id": "manual__1", "exception": "ValueError: boom"}  # fmt: skip
    subject = render(SUBJECT, **context)
    assert subject == ("[BHXH đối chiếu] quarterly_reconciliation: province.rules – tỉnh 82 "
                       "thất bại")  # fmt: skip
    body = render(BODY, **context)
    for said in ("province.rules [0]", "tỉnh: 82", "2025Q3", "manual__1", "ValueError: boom",
                 "http://airflow/log"):  # fmt: skip
        assert said in body, said


def test_a_failure_before_the_task_named_its_province_still_renders() -> None:
    context = {"dag": SimpleNamespace(dag_id="enterprise_changes"),
               "ti": SimpleNamespace(task_id="land", map_index=-1, log_url="x"),
               "params": {"day": "2025-09-24"}, "run_id": "r"}  # fmt: skip
    assert "tỉnh" not in render(SUBJECT, **context)
    body = render(BODY, **context)
    assert "2025-09-24" in body and "(from the run date)" in body and "Error: -" in body


def test_a_wrong_alerts_setting_is_refused_with_the_key() -> None:
    import pytest

    from reconcile.airflow.alerts import AlertConfig
    from reconcile.errors import ConfigError

    for wrong, said in (
        ({"to": ["nobody"]}, "alerts.to"),
        ({"to": ["a@b.vn"], "run_deadline_minutes": 0}, "run_deadline_minutes"),
        ({"to": ["a@b.vn"], "run_deadline_minutes": "10h"}, "run_deadline_minutes"),
        ({"to": ["a@b.vn"], "recipients": ["c@d.vn"]}, "recipients"),
    ):
        with pytest.raises(ConfigError, match=said):
            AlertConfig.from_options({"alerts": wrong})
    assert AlertConfig.from_options({"alerts": {"to": "a@b.vn"}}).to == ("a@b.vn",)


def test_the_deadline_is_set_from_the_configuration() -> None:
    from datetime import timedelta

    from airflow.sdk.definitions.deadline import DeadlineReference

    from reconcile.airflow.alerts import deadline_missed, run_deadline

    assert run_deadline({}) is None
    alert = run_deadline({"alerts": {**CONFIGURED["alerts"], "run_deadline_minutes": 90}})
    assert alert.interval == timedelta(minutes=90)
    assert alert.reference == DeadlineReference.DAGRUN_QUEUED_AT
    assert alert.callback.path == f"{deadline_missed.__module__}.deadline_missed"
    assert alert.callback.kwargs["to"] == ["du-lieu@bhxh.test"]
    default = run_deadline(CONFIGURED)
    assert default.interval == timedelta(minutes=600)


# the context Airflow gives a deadline callback: the run as the REST API shows it, the deadline
DEADLINE_CONTEXT = {
    "dag_run": {"dag_id": "quarterly_reconciliation", "dag_run_id": "scheduled__2026-01-09",
                "logical_date": "2026-01-09T23:00:00Z", "conf": {}, "state": "running",
                "queued_at": "2026-01-09T23:00:05Z"},
    "deadline": {"id": "d1", "deadline_time": "2026-01-10T09:00:05Z"},
}  # fmt: skip


def test_the_deadline_message_names_the_quarter_the_provinces_and_the_run() -> None:
    from reconcile.airflow.alerts import deadline_message

    subject, body = deadline_message(DEADLINE_CONTEXT, 600)
    # logical date 10/1 06:00 in Vietnam: the quarter that closed before it
    assert "2025Q4" in subject and "quá hạn" in subject and "600" in subject
    for said in ("scheduled__2026-01-09", "every province", "the whole run", "2026-01-10T09:00"):
        assert said in body, said
    manual = {**DEADLINE_CONTEXT, "dag_run": {**DEADLINE_CONTEXT["dag_run"], "conf": {
        "quarter": "2025Q2", "provinces": ["82", "<b>86</b>"]}}}  # fmt: skip
    subject, body = deadline_message(manual, 5)
    assert "2025Q2" in subject and "82, &lt;b&gt;86&lt;/b&gt;" in body


def test_the_deadline_callback_sends_one_e_mail_through_the_smtp_provider(monkeypatch) -> None:
    import asyncio
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    from reconcile.airflow.alerts import deadline_missed

    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope) -> str:
            received.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv(
            "AIRFLOW_CONN_RECONCILE_ALERTS",
            f"smtp://127.0.0.1:{port}/?disable_ssl=true&disable_tls=true&timeout=10",
        )
        asyncio.run(deadline_missed(to=["du-lieu@bhxh.test"], from_email="doi-chieu@bhxh.test",
                                    smtp_conn_id="reconcile_alerts", minutes=600,
                                    context=DEADLINE_CONTEXT))  # fmt: skip
    finally:
        controller.stop()
    (mail,) = received
    assert "2025Q4" in mail["subject"] and "du-lieu@bhxh.test" in mail["to"]
    assert "scheduled__2026-01-09" in mail.get_body(("html",)).get_content()
