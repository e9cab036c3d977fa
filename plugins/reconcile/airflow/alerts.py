"""E-mail when a task fails, through the SMTP provider's own notifier (a kept library, not an
SMTP client of ours).

Who is told, and through which Airflow connection, is configuration (``alerts:`` in the file
named by RECONCILE_CONFIG)::

    alerts:
      to: [du-lieu@bhxh.example.vn]
      smtp_conn_id: reconcile_alerts      # an smtp connection, e.g. AIRFLOW_CONN_RECONCILE_ALERTS
      from_email: doi-chieu@bhxh.example.vn

With no ``to``, no notifier is attached (and the DAGs are as before). The message says the
DAG, the task and what it was mapped over (the province or the file), the quarter or the day
of the run, the run, the error and where the log is.
"""

from __future__ import annotations

from typing import Any

# Jinja, rendered by Airflow with the failed task's context (undefined names are errors there):
# every name is tested before use, as a failure may come before the task has set its province
# or file, and each DAG has its own params (the quarter's, or the day's)
SUBJECT = (
    "[BHXH đối chiếu] {{ dag.dag_id }}: "
    "{{ ti.task_id if ti is defined and ti else 'lần chạy' }}"
    "{% if province is defined %} – tỉnh {{ province }}{% endif %}"
    "{% if file_name is defined %} – tệp {{ file_name }}{% endif %} thất bại"
)
BODY = """
<p>Tác vụ thất bại / a task failed.</p>
<ul>
<li>DAG: {{ dag.dag_id }}</li>
<li>Task: {{ ti.task_id if ti is defined and ti else '-' }}
{%- if ti is defined and ti and ti.map_index is not none and ti.map_index >= 0 %} [{{ ti.map_index }}]{% endif %}</li>
{% if province is defined %}<li>Province / tỉnh: {{ province }}</li>{% endif %}
{% if file_name is defined %}<li>File / tệp: {{ file_name }}</li>{% endif %}
<li>Quarter / quý: {{ params.get('quarter') or '(from the run date)' if params is defined else '-' }}</li>
{% if params is defined and params.get('day') %}<li>Day / ngày: {{ params.get('day') }}</li>{% endif %}
<li>Run: {{ run_id if run_id is defined else '-' }}</li>
<li>Error: {{ exception if exception is defined else reason if reason is defined else '-' }}</li>
{% if ti is defined and ti and ti.log_url is defined %}<li>Log: {{ ti.log_url }}</li>{% endif %}
</ul>
"""


def failure_notifiers(options: dict[str, Any]) -> list[Any]:
    """The notifiers to attach as ``on_failure_callback`` (empty when no one is to be told)."""
    alerts = options.get("alerts") or {}
    to = alerts.get("to") or []
    if not to:
        return []
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    return [
        SmtpNotifier(
            to=list(to),
            from_email=alerts.get("from_email"),
            smtp_conn_id=alerts.get("smtp_conn_id", "smtp_default"),
            subject=SUBJECT,
            html_content=BODY,
        )
    ]
