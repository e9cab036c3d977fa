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
