"""An Airflow deployment on this machine, as the compose file runs it but without Docker.

api-server, scheduler, dag-processor, triggerer (deadline alerts' callbacks) and Celery
workers run as separate processes from the
project's virtual environment, with their metadata in their own PostgreSQL database, Redis as
the Celery broker and the warehouse in another PostgreSQL database. Tests drive it only through
the REST API, as an operator would.

Each deployment gets fresh databases, a Celery queue of its own (on the Redis it is given),
free ports and a throwaway AIRFLOW_HOME, so it cannot disturb anything else on the machine,
and everything it started is killed and dropped on ``stop``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy.engine import make_url

from databases import create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW = Path(sys.executable).with_name("airflow")
DAG_ID = "quarterly_reconciliation"
USER = "reconcile"

# how long the deployment waits on itself before giving up with the logs in the message
BOOT_TIMEOUT_S = 240
RUN_TIMEOUT_S = 900
# a task whose worker vanished is noticed after this many seconds without a heartbeat
HEARTBEAT_TIMEOUT_S = 30


class DeploymentError(AssertionError):
    """The deployment did not come up or a run did not end as expected; carries the logs' tails."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Deployment:
    """A running deployment: where it keeps things, and how to reach and break it."""

    home: Path
    postgres_admin_url: str
    redis_url: str
    landing_dir: Path
    worker_concurrency: int = 2
    pool_slots: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. an alerts configuration
    metadata_url: str = ""
    warehouse_url: str = ""
    api_url: str = ""
    queue: str = ""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _password: str = ""
    _token: str = ""
    _worker_starts: int = 0
    _jwt_secret: str = ""
    _log_port: int = 0

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "logs").mkdir(exist_ok=True)
        self.metadata_url = create_database(self.postgres_admin_url, "airflow_test")
        self.warehouse_url = create_database(self.postgres_admin_url, "reconcile_test")
        self.queue = f"reconcile_test_{uuid.uuid4().hex[:8]}"
        self.api_url = f"http://127.0.0.1:{free_port()}"
        self._password = secrets.token_urlsafe(16)
        (self.home / "passwords.json").write_text(json.dumps({USER: self._password}))
        # the inspectors' pages (the reconcile_web plugin) map Airflow's user to a role here
        (self.home / "web_users.yaml").write_text(
            json.dumps({"users": {USER: {"name": "Quản trị thử", "role": "admin"}}})
        )
        self._airflow("db", "migrate")
        self._airflow("pools", "set", "warehouse", str(self.pool_slots), "Province steps")
        port = self.api_url.rsplit(":", 1)[1]
        self._spawn("api-server", "api-server", "--port", port, "--workers", "1")
        self._spawn("scheduler", "scheduler")
        self._spawn("dag-processor", "dag-processor")
        self._spawn("triggerer", "triggerer")
        self.start_worker()
        self._wait_for_api()

    def stop(self) -> None:
        for name in list(self.processes):
            self._kill(name)
        for url in (self.metadata_url, self.warehouse_url):
            if url:
                drop_database(self.postgres_admin_url, url)

    def environment(self) -> dict[str, str]:
        """Airflow configured only through AIRFLOW__SECTION__KEY variables, as in the compose file."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "RECONCILE_"))}
        metadata = make_url(self.metadata_url)
        env.update({
            "AIRFLOW_HOME": str(self.home),
            "PYTHONPATH": str(ROOT / "plugins"),
            "GX_ANALYTICS_ENABLED": "False",
            "NO_COLOR": "1",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "5",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "passwords.json"),
            "AIRFLOW__API_AUTH__JWT_SECRET": self._jwt_secret,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata.render_as_string(hide_password=False),
            "AIRFLOW__CELERY__BROKER_URL": self.redis_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata.set(drivername="postgresql").render_as_string(hide_password=False),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.worker_concurrency),
            "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": "reconcile.airflow.celery_config.CELERY_CONFIG",
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.home / "logs"),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self._log_port),
            # only the runs a test triggers: unpausing would otherwise start the latest
            # scheduled quarter (seen: 2026Q3, with no files) beside them
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT_S),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
            "RECONCILE_HOME": str(ROOT),
            "RECONCILE_LANDING_DIR": str(self.landing_dir),
            "RECONCILE_DATA_DIR": str(self.home / "data"),
            "RECONCILE_OUTPUT_DIR": str(self.home / "output"),
            "RECONCILE_WAREHOUSE_URL": self.warehouse_url,
            "RECONCILE_WEB_USERS": str(self.home / "web_users.yaml"),
        })  # fmt: skip
        env.update(self.extra_env)
        return env

    def __post_init__(self) -> None:
        # one secret for every process: the api-server signs the tokens the workers present
        self._jwt_secret = secrets.token_urlsafe(32)
        self._log_port = free_port()

    # ------------------------------------------------------------ processes
    def _airflow(self, *args: str) -> None:
        log = self.home / "logs" / f"cli-{args[0]}.log"
        with log.open("ab") as out:
            done = subprocess.run([str(AIRFLOW), *args], env=self.environment(), stdout=out,
                                  stderr=subprocess.STDOUT, timeout=BOOT_TIMEOUT_S, check=False)  # fmt: skip
        if done.returncode != 0:
            raise DeploymentError(f"airflow {' '.join(args)} failed:\n{_tail(log)}")

    def airflow_output(self, *args: str) -> str:
        """What an ``airflow`` command prints in this deployment's environment."""
        done = subprocess.run([str(AIRFLOW), *args], env=self.environment(), capture_output=True,
                              text=True, timeout=BOOT_TIMEOUT_S, check=False)  # fmt: skip
        if done.returncode != 0:
            raise DeploymentError(f"airflow {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.home / "logs" / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [str(AIRFLOW), *args], env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start_worker(self) -> None:
        self._worker_starts += 1
        self._spawn("worker", "celery", "worker", "--queues", self.queue,
                    "--concurrency", str(self.worker_concurrency),
                    "--celery-hostname", f"{self.queue}-{self._worker_starts}@%h")  # fmt: skip

    def kill_worker(self) -> list[int]:
        """SIGKILL the Celery worker and every process under it, as if its machine had died.

        Airflow puts each task in a process group of its own, so killing the worker's group
        alone would leave a task running; the whole tree goes here.
        """
        return self._kill("worker")

    def _kill(self, name: str) -> list[int]:
        process = self.processes.pop(name)
        try:
            tree = [
                psutil.Process(process.pid),
                *psutil.Process(process.pid).children(recursive=True),
            ]
        except psutil.NoSuchProcess:
            tree = []
        for proc in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        psutil.wait_procs(tree, timeout=30)
        return [proc.pid for proc in tree]

    def logs(self, lines: int = 40) -> str:
        return "\n".join(
            f"--- {path.name}\n{_tail(path, lines)}"
            for path in sorted((self.home / "logs").glob("*.log"))
        )

    def _check_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        if dead:
            raise DeploymentError(f"deployment process(es) exited: {dead}\n{self.logs()}")

    # ------------------------------------------------------------ REST API
    def _wait_for_api(self) -> None:
        self.wait_for(
            lambda: self._get_token(), "the api-server to hand out a token", BOOT_TIMEOUT_S
        )
        self.wait_for(lambda: self.api("GET", f"/api/v2/dags/{DAG_ID}", missing_ok=True),
                      f"the dag-processor to parse {DAG_ID}", BOOT_TIMEOUT_S)  # fmt: skip

    def _get_token(self) -> bool:
        try:
            reply = httpx.post(f"{self.api_url}/auth/token",
                               json={"username": USER, "password": self._password}, timeout=10)  # fmt: skip
        except httpx.TransportError:
            return False
        if reply.status_code >= 300:
            return False
        self._token = reply.json()["access_token"]
        return True

    def api(self, method: str, path: str, missing_ok: bool = False, **kwargs: Any) -> Any:
        reply = httpx.request(method, f"{self.api_url}{path}", timeout=30,
                              headers={"Authorization": f"Bearer {self._token}"}, **kwargs)  # fmt: skip
        if missing_ok and reply.status_code == 404:
            return None
        if reply.status_code >= 300:
            raise DeploymentError(f"{method} {path}: HTTP {reply.status_code} {reply.text[:500]}")
        return reply.json() if reply.content else {}

    def page(self, path: str, signed_in: bool = True) -> httpx.Response:
        """A page as the Airflow UI's browser fetches it: with the ``_token`` cookie, or none."""
        cookies = {"_token": self._token} if signed_in else None
        return httpx.get(f"{self.api_url}{path}", cookies=cookies, timeout=30)

    def wait_for(self, check: Callable[[], Any], what: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            result = check()
            if result:
                return result
            time.sleep(0.5)
        raise DeploymentError(f"gave up after {timeout:.0f} s waiting for {what}\n{self.logs()}")

    # ------------------------------------------------------------ DAG runs
    def trigger(self, quarter: str, logical_date: str) -> str:
        """A quarterly run of ``quarter``."""
        return self.trigger_dag(DAG_ID, {"quarter": quarter}, logical_date, f"test__{quarter}")

    def trigger_dag(self, dag_id: str, conf: dict[str, Any], logical_date: str | None,
                    name: str = "test") -> str:  # fmt: skip
        """A run of any DAG (unpaused first) with ``conf`` as its params."""
        run_id = f"{name}__{uuid.uuid4().hex[:6]}"
        self.wait_for(lambda: self.api("GET", f"/api/v2/dags/{dag_id}", missing_ok=True),
                      f"the dag-processor to parse {dag_id}", BOOT_TIMEOUT_S)  # fmt: skip
        self.api("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})
        self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns",
                 json={"dag_run_id": run_id, "logical_date": logical_date, "conf": conf})  # fmt: skip
        return run_id

    def runs(self, dag_id: str = DAG_ID) -> list[dict[str, Any]]:
        return self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 100})["dag_runs"]

    def run_ids(self, dag_id: str = DAG_ID) -> set[str]:
        return {run["dag_run_id"] for run in self.runs(dag_id)}

    def run_state(self, run_id: str, dag_id: str = DAG_ID) -> str:
        return self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]

    def task_instances(self, run_id: str, dag_id: str = DAG_ID) -> list[dict[str, Any]]:
        reply = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                         params={"limit": 1000})  # fmt: skip
        return reply["task_instances"]

    def wait_for_run(self, run_id: str, timeout: float = RUN_TIMEOUT_S,
                     dag_id: str = DAG_ID) -> str:  # fmt: skip
        state = self.wait_for(
            lambda: (s := self.run_state(run_id, dag_id)) in ("success", "failed") and s,
            f"run {run_id} to end", timeout,
        )  # fmt: skip
        if state != "success":
            states = sorted((ti["task_id"], ti["map_index"], ti["state"], ti["try_number"])
                            for ti in self.task_instances(run_id, dag_id))  # fmt: skip
            raise DeploymentError(f"run {run_id} ended {state}; tasks: {states}\n{self.logs()}")
        return state


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(unreadable: {exc})"
