"""E-mail the data team, through the SMTP provider's own notifier (a kept library, not an SMTP
client of ours), when something needs a person:

- a task fails for good (``on_failure_callback`` of every DAG);
- a partner's feed has not arrived by its due day (the ``feed_arrivals`` DAG's check fails, and
  its failure e-mail says which partner and province: ``reconcile.arrivals``);
- a quarterly run has not finished by its deadline (an Airflow deadline alert, run by the
  triggerer: ``deadline_missed``).

Who is told, through which Airflow connection, and the deadline are configuration (``alerts:``
in the file named by RECONCILE_CONFIG)::

    alerts:
      to: [du-lieu@bhxh.example.vn]
      smtp_conn_id: reconcile_alerts      # an smtp connection, e.g. AIRFLOW_CONN_RECONCILE_ALERTS
      from_email: doi-chieu@bhxh.example.vn
      run_deadline_minutes: 600           # a quarterly run not finished 10 h after it was queued

With no ``to``, nothing is attached (and the DAGs are as before).
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any, cast

# ``alerts:`` checked (a wrong value stops the DAG file's import loudly rather than leaving the
# data team untold): a section of the configuration's model
from reconcile.config.model import DEFAULT_RUN_DEADLINE_MINUTES, AlertConfig

__all__ = [
    "BODY",
    "DEFAULT_RUN_DEADLINE_MINUTES",
    "SUBJECT",
    "AlertConfig",
    "deadline_message",
    "deadline_missed",
    "failure_notifiers",
    "run_deadline",
]

# Jinja, rendered by Airflow with the failed task's context (undefined names are errors there):
# every name is tested before use, as a failure may come before the task has set its province
# or file, and each DAG has its own params (the quarter's, or the day's). A task may name what
# went wrong in words (``alert``) and the quarter it was about (``quarter``) in its context.
SUBJECT = (
    "[BHXH đối chiếu] {{ dag.dag_id }}: "
    "{{ ti.task_id if ti is defined and ti else 'lần chạy' }}"
    "{% if province is defined %} – tỉnh {{ province }}{% endif %}"
    "{% if file_name is defined %} – tệp {{ file_name }}{% endif %}"
    "{% if alert is defined %} – {{ alert }}{% else %} thất bại{% endif %}"
)
BODY = """
<p>Tác vụ thất bại / a task failed.</p>
<ul>
<li>DAG: {{ dag.dag_id }}</li>
<li>Task: {{ ti.task_id if ti is defined and ti else '-' }}
{%- if ti is defined and ti and ti.map_index is not none and ti.map_index >= 0 %} [{{ ti.map_index }}]{% endif %}</li>
{% if province is defined %}<li>Province / tỉnh: {{ province }}</li>{% endif %}
{% if file_name is defined %}<li>File / tệp: {{ file_name }}</li>{% endif %}
<li>Quarter / quý: {{ quarter if quarter is defined else params.get('quarter') or '(from the run date)' if params is defined else '-' }}</li>
{% if params is defined and params.get('day') %}<li>Day / ngày: {{ params.get('day') }}</li>{% endif %}
<li>Run: {{ run_id if run_id is defined else '-' }}</li>
<li>Error: {{ exception if exception is defined else reason if reason is defined else '-' }}</li>
{% if ti is defined and ti and ti.log_url is defined %}<li>Log: {{ ti.log_url }}</li>{% endif %}
</ul>
"""


def failure_notifiers(options: dict[str, Any]) -> list[Any]:
    """The notifiers to attach as ``on_failure_callback`` (empty when no one is to be told)."""
    config = AlertConfig.from_options(options)
    if not config.on:
        return []
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    return [SmtpNotifier(**config.notifier_kwargs(), subject=SUBJECT, html_content=BODY)]


def run_deadline(options: dict[str, Any]) -> Any:
    """The quarterly DAG's ``deadline``: ``deadline_missed`` e-mails when a run has not finished
    ``run_deadline_minutes`` after it was queued; ``None`` when no one is to be told."""
    config = AlertConfig.from_options(options)
    if not config.on:
        return None
    from airflow.sdk.definitions.deadline import AsyncCallback, DeadlineAlert, DeadlineReference

    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=config.run_deadline_minutes),
        callback=AsyncCallback(
            deadline_missed,
            kwargs={**config.notifier_kwargs(), "minutes": config.run_deadline_minutes},
        ),
        name="run_deadline",
    )


def deadline_message(context: dict[str, Any], minutes: int) -> tuple[str, str]:
    """Subject and HTML body of the deadline e-mail, from the context Airflow gives a deadline
    callback (the run as its REST API shows it, and the deadline)."""
    from reconcile.quarter import resolve_quarter

    run = context.get("dag_run") or {}
    conf = run.get("conf") or {}
    dag_id = str(run.get("dag_id") or "?")
    run_id = str(run.get("dag_run_id") or run.get("run_id") or "?")
    try:
        quarter = str(resolve_quarter(conf.get("quarter"), _instant(run.get("logical_date"))))
    except Exception:  # a message is still worth sending without the quarter
        quarter = "?"
    provinces = ", ".join(conf.get("provinces") or []) or "mọi tỉnh có tệp / every province"
    deadline = (context.get("deadline") or {}).get("deadline_time")
    subject = f"[BHXH đối chiếu] {dag_id}: quý {quarter} chưa xong sau {minutes} phút – quá hạn"
    items = {
        "DAG": dag_id,
        "Task": "the whole run (not finished by its deadline) / cả lần chạy",
        "Quarter / quý": quarter,
        "Province / tỉnh": provinces,
        "Run": run_id,
        "State": run.get("state") or "?",
        "Queued at": run.get("queued_at") or "?",
        "Deadline": deadline or "?",
    }
    body = (
        "<p>Lần chạy chưa xong đúng hạn / a run has not finished by its deadline. It goes on; "
        "look at its grid for the task still running or waiting.</p><ul>"
        + "".join(f"<li>{escape(k)}: {escape(str(v))}</li>" for k, v in items.items())
        + "</ul>"
    )
    return subject, body


async def deadline_missed(
    *,
    to: list[str],
    smtp_conn_id: str,
    minutes: int,
    from_email: str | None = None,
    context: dict[str, Any] | None = None,
) -> None:
    """The deadline alert's callback, awaited by the triggerer: one e-mail through the SMTP
    provider's notifier, worded in Python (Airflow renders no template for these callbacks)."""
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    subject, body = deadline_message(context or {}, minutes)
    notifier = SmtpNotifier(
        to=to,
        from_email=from_email,
        smtp_conn_id=smtp_conn_id,
        subject=subject,
        html_content=body,
    )
    await notifier.async_notify(cast(Any, context or {}))  # a deadline's, not a task's context


def _instant(value: Any) -> Any:
    from datetime import datetime

    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value
