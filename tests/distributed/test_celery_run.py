"""The quarterly DAG on Airflow's distributed engine: api-server, scheduler, dag-processor and a
Celery worker on this machine, PostgreSQL for the metadata and the warehouse, Redis as broker.

Two quarters of three provinces run through the REST API. The first runs undisturbed; in the
second the worker is killed (with every process under it) while a mapped province task is
running, and restarted. Both quarters must end with exactly the rows the same feeds give when
the steps run one after another in a single process (``run_quarter``): nothing lost, nothing
written twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import DateTime, select

from airflow_deployment import DAG_ID, Deployment, DeploymentError, free_port
from databases import fresh_postgres_database
from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile_dev.synth import SynthConfig, generate

pytestmark = [pytest.mark.distributed, pytest.mark.postgres, pytest.mark.slow]

PROVINCES = ("01", "82", "86")
QUARTERS = {"2025Q2": "2025-07-10T00:00:00Z", "2025Q3": "2025-10-10T00:00:00Z"}
FIRMS = 400  # a province's link step then takes a few seconds: long enough to be caught running
DEADLINE_MINUTES = 1
# columns that say when or where a row was written, not what it says
NOT_CONTENT = {"stored_path"}


def snapshot(url: str, quarter: str | None = None) -> dict[str, list[tuple[str, ...]]]:
    """Every warehouse table's rows as sorted tuples (a multiset: duplicates would show)."""
    tables: dict[str, list[tuple[str, ...]]] = {}
    with get_engine(url).connect() as conn:
        for table in t.metadata.sorted_tables:
            if table.name == "run":
                continue
            columns = [c for c in table.columns
                       if not isinstance(c.type, DateTime) and c.name not in NOT_CONTENT]  # fmt: skip
            query = select(*columns)
            if quarter is not None:
                if "quarter" not in table.columns:
                    continue
                query = query.where(table.c.quarter == quarter)
            tables[table.name] = sorted(tuple(map(str, row)) for row in conn.execute(query))
    return tables


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feeds")
    config = SynthConfig(quarters=tuple(Quarter.parse(q) for q in QUARTERS), provinces=PROVINCES,
                         firms=FIRMS, seed=11)  # fmt: skip
    generate(config, folder / "landing", folder / "truth")
    return folder / "landing"


@pytest.fixture(scope="module")
def reference(
    postgres_server: str, landing: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The same feeds through every step in one process, quarter after quarter."""
    url, drop = fresh_postgres_database(postgres_server)
    folder = tmp_path_factory.mktemp("reference")
    settings = Settings.from_env(landing_dir=landing, data_dir=folder / "data",
                                 output_dir=folder / "output", warehouse_url=url)  # fmt: skip
    for quarter in QUARTERS:
        run_quarter(settings, Quarter.parse(quarter), f"reference_{quarter}")
    try:
        yield url
    finally:
        drop()


class MailSink:
    """An SMTP server on 127.0.0.1 (aiosmtpd) keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def mail() -> Iterator[MailSink]:
    from aiosmtpd.controller import Controller

    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def deployment(postgres_server: str, redis_server: str, landing: Path, mail: MailSink,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:  # fmt: skip
    home = tmp_path_factory.mktemp("airflow")
    # the data team is told of a task that fails for good, of a feed not in by its day, and of
    # a quarterly run not finished a minute after it was queued (every run here takes longer)
    config = home / "reconcile.yaml"
    config.write_text(yaml.safe_dump({"alerts": {
        "to": ["du-lieu@bhxh.test"], "from_email": "doi-chieu@bhxh.test",
        "smtp_conn_id": "reconcile_alerts", "run_deadline_minutes": DEADLINE_MINUTES}}),
        encoding="utf-8")  # fmt: skip
    alerts = {
        "RECONCILE_CONFIG": str(config),
        "AIRFLOW_CONN_RECONCILE_ALERTS": f"smtp://127.0.0.1:{mail.port}/?disable_ssl=true"
        "&disable_tls=true&timeout=10&retry_limit=1",
    }
    running = Deployment(home=home, postgres_admin_url=postgres_server, redis_url=redis_server,
                         landing_dir=landing, extra_env=alerts)  # fmt: skip
    try:
        running.start()
        yield running
    finally:
        running.stop()


def task_logs(deployment: Deployment, run_id: str, task_id: str) -> dict[Path, str]:
    """The first attempt's log of each instance of ``task_id`` in the run, by path."""
    folder = deployment.home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}"
    return {path: path.read_text(encoding="utf-8", errors="replace")
            for path in sorted(folder.glob(f"task_id={task_id}/**/attempt=1.log"))}  # fmt: skip


def _running_province_tasks(deployment: Deployment, run_id: str) -> list[dict[str, Any]]:
    return [
        ti for ti in deployment.task_instances(run_id)
        if ti["state"] == "running" and ti["map_index"] >= 0 and ti["task_id"].startswith("province.")
    ]  # fmt: skip


def kill_worker_during_a_province_task(deployment: Deployment, run_id: str) -> list[dict[str, Any]]:
    """Kill the worker while a mapped province task runs; restart it; return what was cut off.

    A task still ``running`` once its worker is dead was cut off: only a worker reports an end.
    Should every running task have finished in the instant before the kill, try the next one.
    """
    for _ in range(3):
        deployment.wait_for(lambda: _running_province_tasks(deployment, run_id),
                            "a mapped province task to run", 600)  # fmt: skip
        deployment.kill_worker()
        interrupted = _running_province_tasks(deployment, run_id)
        deployment.start_worker()
        if interrupted:
            return interrupted
    raise DeploymentError("three kills in a row came just after a task ended")


def test_two_quarters_on_celery_with_a_worker_killed_mid_task(
    deployment: Deployment, reference: str
) -> None:
    # an undisturbed quarter
    first = deployment.trigger("2025Q2", QUARTERS["2025Q2"])
    deployment.wait_for_run(first)
    assert snapshot(deployment.warehouse_url, "2025Q2") == snapshot(reference, "2025Q2")
    # the worker imported Great Expectations once (reconcile.airflow.celery_config): the ingest
    # tasks forked from it validated their files without importing it again
    ingest_logs = task_logs(deployment, first, "ingest")
    ingests = [ti for ti in deployment.task_instances(first) if ti["task_id"] == "ingest"]
    assert ingests and len(ingest_logs) == len(ingests), sorted(ingest_logs)
    for path, text in ingest_logs.items():
        assert "ingested " in text, f"{path} is not the log of an ingest that ran"
        assert "imported Great Expectations in this task" not in text, path

    # the next quarter, with the worker killed under a running province task
    second = deployment.trigger("2025Q3", QUARTERS["2025Q3"])
    interrupted = kill_worker_during_a_province_task(deployment, second)
    started = time.monotonic()
    deployment.wait_for_run(second)
    recovered_in = time.monotonic() - started

    assert deployment.run_ids() == {first, second}
    after = {(ti["task_id"], ti["map_index"]): ti for ti in deployment.task_instances(second)}
    for ti in interrupted:
        again = after[(ti["task_id"], ti["map_index"])]
        assert again["state"] == "success"
        assert again["try_number"] > ti["try_number"], (
            f"{ti['task_id']}[{ti['map_index']}] was not retried"
        )
    mapped = [key for key in after if key[0].startswith("province.")]
    assert len(mapped) == 4 * len(PROVINCES)  # load, link, rules, publish for each province
    # the UI names the mapped tasks by their province, not 0, 1, 2 (map_index_template)
    for task_id in ("province.load", "province.publish"):
        named = {ti["rendered_map_index"] for key, ti in after.items() if key[0] == task_id}
        assert named == set(PROVINCES), (task_id, named)

    ours, theirs = snapshot(deployment.warehouse_url), snapshot(reference)
    assert ours.keys() == theirs.keys()
    for table in ours:
        assert ours[table] == theirs[table], f"{table} differs from the undisturbed run"
    assert ours["firm"] and ours["link"] and ours["finding"]
    with get_engine(deployment.warehouse_url).connect() as conn:
        provinces = set(conn.execute(select(t.firm.c.province).distinct()).scalars())
    assert provinces == set(PROVINCES)
    for province in PROVINCES:
        assert (
            deployment.home / "output" / "2025Q3" / province / f"cases_{province}_2025Q3.xlsx"
        ).is_file()
    assert (deployment.home / "output" / "2025Q3" / "summary.json").is_file()
    print(f"interrupted {[(ti['task_id'], ti['map_index']) for ti in interrupted]}; "
          f"run finished {recovered_in:.0f} s after the kill")  # fmt: skip


def test_a_refused_file_fails_its_own_task_and_every_province_still_runs(
    deployment: Deployment, landing: Path, mail: MailSink,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:  # fmt: skip
    """A quarter whose province 86 sent a roll that is no spreadsheet: that file's ingest task
    fails at once (no retry), every province's tasks run (86 publishes its "blocked" workbook),
    the summary is written, and the run ends failed through its last task, ``verdict``."""
    generate(SynthConfig(quarters=(Quarter.parse("2025Q4"),), provinces=PROVINCES, firms=100,
                         seed=12), landing, tmp_path_factory.mktemp("truth_q4"))  # fmt: skip
    roll = next((landing / "2025Q4" / "86").glob("roll_*"))
    roll.write_bytes(b"PK\x03\x04 not a workbook")

    told_before = len(mail.messages)
    run_id = deployment.trigger("2025Q4", "2026-01-10T00:00:00Z")
    with pytest.raises(DeploymentError, match="ended failed"):
        deployment.wait_for_run(run_id)
    tasks = {(ti["task_id"], ti["map_index"]): ti for ti in deployment.task_instances(run_id)}
    failed = [ti for ti in tasks.values() if ti["state"] == "failed"]
    assert [(ti["task_id"], ti["try_number"]) for ti in failed] == [("ingest", 1)]
    province_tasks = [ti for key, ti in tasks.items() if key[0].startswith("province.")]
    assert len(province_tasks) == 4 * len(PROVINCES)
    assert all(ti["state"] == "success" for ti in province_tasks)
    assert tasks[("summarise", -1)]["state"] == "success"
    assert tasks[("verdict", -1)]["state"] == "upstream_failed"

    output = deployment.home / "output" / "2025Q4"
    for province in ("01", "82"):
        assert (output / province / f"cases_{province}_2025Q4.csv").is_file()
    assert not (output / "86" / "cases_86_2025Q4.csv").exists()
    assert (output / "86" / "cases_86_2025Q4.xlsx").is_file()

    # the failed ingest task told the data team once, with the file, the quarter and the run
    # (beside the deadline's e-mail of this run, which test_a_run_past_its_deadline checks)
    failures = lambda: [m for m in mail.messages[told_before:] if "thất bại" in m["subject"]]  # noqa: E731
    deployment.wait_for(failures, "the failure e-mail", 60)
    time.sleep(5)  # and no second one
    (told,) = failures()
    body = told.get_body(("html",)).get_content()
    assert "ingest" in told["subject"] and roll.name in told["subject"], told["subject"]
    assert "2025Q4" in body and run_id in body and "du-lieu@bhxh.test" in told["to"]


def test_the_inspectors_pages_are_served_by_the_deployments_api_server(
    deployment: Deployment,
) -> None:
    """The reconcile_web plugin, loaded by this deployment's api-server, shows the cases that
    the Celery runs wrote, to Airflow's own signed-in user; ``airflow plugins`` lists it."""
    cases = select(t.case_status.c.quarter, t.case.c.case_id, t.case.c.tax_code).join(
        t.case, t.case.c.case_id == t.case_status.c.case_id
    )
    with get_engine(deployment.warehouse_url).connect() as conn:
        if not conn.execute(cases.limit(1)).first():  # this test run on its own
            deployment.wait_for_run(deployment.trigger("2025Q2", QUARTERS["2025Q2"]))
    with get_engine(deployment.warehouse_url).connect() as conn:
        quarter, case_id, tax_code = conn.execute(
            cases.where(t.case.c.tax_code.is_not(None)).order_by(t.case.c.case_id).limit(1)
        ).one()

    assert deployment.page("/reconcile/cases", signed_in=False).status_code == 401
    listing = deployment.page(f"/reconcile/cases?quarter={quarter}")
    assert listing.status_code == 200, listing.text[:500]
    assert "Quản trị thử" in listing.text  # the users file's name for Airflow's user
    one = deployment.page(f"/reconcile/cases/{case_id}?quarter={quarter}")
    assert one.status_code == 200, one.text[:500]
    assert tax_code in one.text

    plugins = deployment.airflow_output("plugins", "--output", "json")
    listed = {plugin["name"]: plugin for plugin in json.loads(plugins)}
    assert "reconcile_web" in listed, plugins[:1000]


def test_a_roll_not_in_by_its_due_day_e_mails_the_partner_and_province(
    deployment: Deployment, landing: Path, mail: MailSink
) -> None:
    """feed_arrivals, run as of 6 April 2026, finds 2026Q1's tax and registry files of every
    province but no roll of 82: its task fails at once and one e-mail names the quarter, the
    province, the task and the roll's sender."""
    for province in PROVINCES:
        source, target = landing / "2025Q3" / province, landing / "2026Q1" / province
        target.mkdir(parents=True, exist_ok=True)
        for path in source.iterdir():
            if not (province == "82" and path.name.startswith("roll")):
                (target / path.name).write_bytes(path.read_bytes())
    told_before = len(mail.messages)
    run_id = deployment.trigger_dag("feed_arrivals", {"day": "2026-04-06"}, None, "chase")
    with pytest.raises(DeploymentError, match="ended failed"):
        deployment.wait_for_run(run_id, dag_id="feed_arrivals")
    (task,) = deployment.task_instances(run_id, "feed_arrivals")
    assert (task["task_id"], task["state"], task["try_number"]) == (
        "chase_missing_feeds", "failed", 1)  # fmt: skip

    # (a quarterly run's deadline e-mail may come in between: not this test's)
    chased = lambda: [m for m in mail.messages[told_before:] if m not in _late(mail)]  # noqa: E731
    deployment.wait_for(chased, "the missing-feed e-mail", 60)
    time.sleep(5)  # and no second one
    (told,) = chased()
    body = told.get_body(("html",)).get_content()
    subject = told["subject"]
    assert "chase_missing_feeds" in subject and "tỉnh 82" in subject, subject
    assert "2026Q1" in subject and "2026Q1" in body
    assert "province 82: roll (Danh sách đơn vị BHXH)" in body, body
    assert "province 86" not in body and "province 01" not in body


def test_a_run_past_its_deadline_e_mails_once(deployment: Deployment, mail: MailSink) -> None:
    """Every quarterly run that was still going a minute after it was queued (all of this
    module's: each takes minutes) brought exactly one deadline e-mail, from the triggerer, with
    its quarter and run; none arrived for another run."""
    runs = [run for run in deployment.runs() if run["end_date"]]
    if not runs:  # this test run on its own
        deployment.wait_for_run(deployment.trigger("2025Q2", QUARTERS["2025Q2"]))
        runs = [run for run in deployment.runs() if run["end_date"]]
    for run in runs:
        took = (_instant(run["end_date"]) - _instant(run["queued_at"])).total_seconds()
        if took < DEADLINE_MINUTES * 60 + 30:  # too close to the deadline to say
            continue
        quarter, run_id = run["conf"]["quarter"], run["dag_run_id"]
        deployment.wait_for(lambda r=run_id: [m for m in _late(mail) if r in _html(m)],
                            f"the deadline e-mail of {run_id}", 120)  # fmt: skip
        (told,) = [m for m in _late(mail) if run_id in _html(m)]
        assert quarter in told["subject"] and "du-lieu@bhxh.test" in told["to"]
        assert "the whole run" in _html(told)
    run_ids = {run["dag_run_id"] for run in deployment.runs()}
    late = _late(mail)
    assert late, "no run took longer than its deadline: the test proved nothing"
    assert all(any(r in _html(m) for r in run_ids) for m in late)


def _late(mail: MailSink) -> list[EmailMessage]:
    return [m for m in mail.messages if "quá hạn" in m["subject"]]


def _html(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
