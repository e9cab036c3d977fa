"""The deployment files agree with each other, with the docs and with the package.

Checked without Docker: docker-compose.yaml (services, shared settings, executor, broker, databases,
volumes, RECONCILE_* variables), Dockerfile (base image at the pinned Airflow version, pinned
requirements installed), .dockerignore, and the tables of docs/deployment.md. Where the Compose
plugin exists, ``docker compose config -q`` validates the file as Docker reads it.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DOCS = ROOT / "docs" / "deployment.md"
REQUIREMENTS = ROOT / "requirements.txt"
SETTINGS = ROOT / "plugins" / "reconcile" / "settings.py"
FEED_SPEC = ROOT / "plugins" / "reconcile" / "feeds" / "data" / "spec.yaml"

INFRA_SERVICES = {"postgres", "redis"}
AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
}
PROFILE_SERVICES = {"airflow-cli": "debug", "flower": "flower"}
ALL_AIRFLOW_SERVICES = AIRFLOW_SERVICES | set(PROFILE_SERVICES)
COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
    "flower": "celery flower",
}
PROJECT_FOLDERS = ("dags", "plugins", "expectations", "sql", "config", "logs")

_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::?-(?P<default>(?:[^{}]|\{[^{}]*\})*))?\}")


# --------------------------------------------------------------------------- helpers


def interpolate(value: str) -> str:
    """Resolve ``${NAME:-default}`` the way Compose does when NAME is unset (nested, innermost first)."""
    text = value.replace("$$", "\0")
    while True:
        resolved = _VARIABLE.sub(lambda m: m.group("default") or "", text)
        if resolved == text:
            return resolved.replace("\0", "$")
        text = resolved


def substitution_names(text: str) -> set[str]:
    return set(re.findall(r"(?<!\$)\$\{(\w+)", text))


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    data = yaml.safe_load(compose_text)
    assert isinstance(data, dict), "docker-compose.yaml must be a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def common(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["x-airflow-common"]


@pytest.fixture(scope="module")
def common_env(common: dict[str, Any]) -> dict[str, str]:
    return {key: interpolate(str(value)) for key, value in common["environment"].items()}


@pytest.fixture(scope="module")
def docs_text() -> str:
    return DOCS.read_text(encoding="utf-8")


def markdown_table(text: str, heading: str) -> list[list[str]]:
    """Rows (header and separator left out) of the first table after the given heading line."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    except StopIteration:
        pytest.fail(f"docs/deployment.md has no heading {heading!r}")
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        stripped = line.strip()
        if stripped.startswith("#"):
            break
        if stripped.startswith("|"):
            rows.append([cell.strip() for cell in stripped.strip("|").split("|")])
        elif rows:
            break
    assert len(rows) >= 3, f"the table under {heading!r} has no data rows"
    assert set(rows[1][0]) <= set(":- "), f"the table under {heading!r} lacks a separator row"
    return rows[2:]


def names_in_first_column(rows: list[list[str]]) -> set[str]:
    names: set[str] = set()
    for row in rows:
        found = re.findall(r"`([^`]+)`", row[0])
        assert found, f"no `name` in the first cell of {row}"
        names.update(found)
    return names


def pinned_airflow_version() -> str:
    match = re.search(r"^apache-airflow==(\S+)\s*$", REQUIREMENTS.read_text(), re.MULTILINE)
    assert match, "requirements.txt does not pin apache-airflow==X"
    return match.group(1)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    logical, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    pairs = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        pairs.append((keyword.upper(), arguments.strip()))
    return pairs


# --------------------------------------------------------------------------- compose: services


def test_compose_has_exactly_the_expected_services(services: dict[str, Any]) -> None:
    assert set(services) == INFRA_SERVICES | AIRFLOW_SERVICES | set(PROFILE_SERVICES)


def test_optional_services_are_behind_profiles(services: dict[str, Any]) -> None:
    for name, profile in PROFILE_SERVICES.items():
        assert services[name].get("profiles") == [profile], name
    for name in INFRA_SERVICES | AIRFLOW_SERVICES:
        assert "profiles" not in services[name], f"{name} must start with a plain `up`"


def test_every_airflow_service_is_built_from_the_common_anchor(
    compose_text: str, services: dict[str, Any], common: dict[str, Any]
) -> None:
    assert common["build"] == "."
    assert interpolate(common["image"]) == "bhxh-reconcile:latest"
    for name in ALL_AIRFLOW_SERVICES:
        block = re.search(rf"^  {re.escape(name)}:\n((?:    .*\n|\s*\n)+)", compose_text, re.M)
        assert block and "<<: *airflow-common\n" in block.group(1), f"{name} lacks the anchor"
        service = services[name]
        assert service["image"] == common["image"], name
        assert service["build"] == common["build"], name
        assert service["volumes"] == common["volumes"], name
        assert service["env_file"] == common["env_file"], name
        for key, value in common["environment"].items():
            assert service["environment"].get(key) == value, f"{name}: {key} differs from common"
    for name in INFRA_SERVICES:
        assert "build" not in services[name]
        assert not any(
            str(k).startswith("RECONCILE_") for k in services[name].get("environment", {})
        )


def test_commands_of_the_airflow_services(services: dict[str, Any]) -> None:
    for name, command in COMMANDS.items():
        assert services[name]["command"] == command, name
    assert services["airflow-apiserver"]["ports"] == ["8080:8080"]
    assert services["airflow-worker"]["environment"]["DUMB_INIT_SETSID"] == "0"


def test_long_running_services_have_healthchecks(services: dict[str, Any]) -> None:
    for name in INFRA_SERVICES | AIRFLOW_SERVICES - {"airflow-init"} | {"flower"}:
        check = services[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
    assert "/api/v2/" in " ".join(services["airflow-apiserver"]["healthcheck"]["test"])


def test_airflow_services_wait_for_healthy_infrastructure_and_init(
    services: dict[str, Any],
) -> None:
    for name in ALL_AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        for infra in INFRA_SERVICES:
            assert depends[infra] == {"condition": "service_healthy"}, f"{name} -> {infra}"
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"] == {
            "condition": "service_completed_successfully"
        }, name


# --------------------------------------------------------------------------- compose: settings


def test_executor_broker_and_metadata_database(common_env: dict[str, str]) -> None:
    assert common_env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert common_env["AIRFLOW__CELERY__BROKER_URL"] == "redis://:@redis:6379/0"
    assert (
        common_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        == "postgresql+psycopg2://airflow:airflow@postgres/airflow"
    )
    assert (
        common_env["AIRFLOW__CELERY__RESULT_BACKEND"]
        == "db+postgresql://airflow:airflow@postgres/airflow"
    )
    assert common_env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert (
        common_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
        == "http://airflow-apiserver:8080/execution/"
    )
    assert common_env["AIRFLOW__CORE__AUTH_MANAGER"].endswith(".FabAuthManager")


def test_every_provider_the_compose_file_names_is_pinned(common_env: dict[str, str]) -> None:
    """The image installs requirements.txt: a provider the settings rely on must be pinned there."""
    pinned = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for value in common_env.values():
        for provider in re.findall(r"airflow\.providers\.(\w+)\.", value):
            assert f"apache-airflow-providers-{provider}==" in pinned, provider


def test_postgres_matches_the_urls(services: dict[str, Any], common_env: dict[str, str]) -> None:
    env = {k: interpolate(str(v)) for k, v in services["postgres"]["environment"].items()}
    user, password, database = env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_DB"]
    assert common_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith(
        f"://{user}:{password}@postgres/{database}"
    )
    warehouse = common_env["RECONCILE_WAREHOUSE_URL"]
    assert warehouse == f"postgresql+psycopg2://{user}:{password}@postgres/warehouse"
    assert warehouse.rsplit("/", 1)[1] != database, "the warehouse must be its own database"


def test_the_password_has_one_source(compose_text: str) -> None:
    # Changing POSTGRES_PASSWORD must change every URL: no URL may hard-code the password.
    for line in compose_text.splitlines():
        if "@postgres/" in line:
            assert "airflow:${POSTGRES_PASSWORD:-airflow}@postgres/" in line, line


def test_warehouse_connection_is_left_to_the_deployment(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert "AIRFLOW_CONN_RECONCILE_WAREHOUSE" not in (service.get("environment") or {}), name
        assert "RECONCILE_WAREHOUSE_CONN_ID" not in (service.get("environment") or {}), name


def test_volumes_mount_the_project_and_the_data_folders(
    compose: dict[str, Any], common: dict[str, Any], common_env: dict[str, str]
) -> None:
    mounts = dict(reversed(volume.rsplit(":", 1)) for volume in common["volumes"])
    for folder in PROJECT_FOLDERS:
        assert mounts[f"/opt/airflow/{folder}"] == f"${{AIRFLOW_PROJ_DIR:-.}}/{folder}"
    assert mounts["/opt/airflow/landing"] == "${RECONCILE_LANDING_HOST_DIR:-./var/landing}"
    assert mounts["/opt/airflow/output"] == "${RECONCILE_OUTPUT_HOST_DIR:-./var/output}"
    data_volume = mounts["/opt/airflow/data"]
    assert data_volume in compose["volumes"], "the data volume must be declared"
    # The package's folders are the mounted ones.
    assert common_env["RECONCILE_HOME"] == "/opt/airflow"
    for variable, target in {
        "RECONCILE_LANDING_DIR": "/opt/airflow/landing",
        "RECONCILE_OUTPUT_DIR": "/opt/airflow/output",
        "RECONCILE_DATA_DIR": "/opt/airflow/data",
    }.items():
        assert common_env[variable] == target and target in mounts, variable
    assert common_env["RECONCILE_CONFIG"] == "", "no override file unless the deployment sets one"


def test_airflow_init_script(services: dict[str, Any]) -> None:
    init = services["airflow-init"]
    assert init["user"] == "0:0"
    assert init["environment"]["_AIRFLOW_WWW_USER_CREATE"] == "true"
    script = interpolate(init["command"][-1])
    assert "airflow pools set warehouse" in script
    assert "CREATE DATABASE" in script
    heredoc = re.search(r"<<'PY'[^\n]*\n(.*?)\nPY\n", script, re.S)
    assert heredoc, "the warehouse creation must be a python heredoc ending with PY"
    compile(heredoc.group(1), "airflow-init warehouse", "exec")
    bash = shutil.which("bash")
    if bash:
        result = subprocess.run([bash, "-n"], input=script, text=True, capture_output=True)
        assert result.returncode == 0, result.stderr


def _init_commands(services: dict[str, Any]) -> list[str]:
    """The airflow-init script's command lines, in order (no echo, no comment, no blank)."""
    script = interpolate(services["airflow-init"]["command"][-1])
    lines = [line.strip() for line in script.splitlines()]
    return [line for line in lines if line and not line.startswith(("echo", "#"))]


def _first(commands: list[str], needle: str) -> int:
    found = [i for i, line in enumerate(commands) if needle in line]
    assert found, f"airflow-init never runs {needle!r}"
    return found[0]


def test_airflow_init_migrates_airflow_then_the_warehouse(services: dict[str, Any]) -> None:
    commands = _init_commands(services)
    airflow_migrate = _first(commands, "airflow db migrate")
    warehouse_created = _first(commands, "CREATE DATABASE")
    warehouse_upgrade = _first(commands, "python -m reconcile db upgrade")
    pool = _first(commands, "airflow pools set warehouse")
    # the metadata database first, then the warehouse database, its tables, then the pool
    assert airflow_migrate < warehouse_created < warehouse_upgrade < pool
    for index in (airflow_migrate, warehouse_upgrade):
        assert commands[index].endswith("|| exit 1"), f"a failure must fail init: {commands[index]}"
    # python -m reconcile needs the mounted package on its path (Airflow adds it only for itself)
    assert "PYTHONPATH=/opt/airflow/plugins" in commands[warehouse_upgrade]
    # The entrypoint's own migration (_AIRFLOW_DB_MIGRATE) ignores a failure ("|| true") and
    # runs on any non-empty value: the script migrates instead, and only once.
    assert "_AIRFLOW_DB_MIGRATE" not in services["airflow-init"]["environment"]
    assert sum("airflow db migrate" in line for line in commands) == 1


def test_airflow_init_sees_the_warehouse_as_the_tasks_do(
    services: dict[str, Any], common: dict[str, Any]
) -> None:
    """RECONCILE_WAREHOUSE_URL from the common environment, and .env (where
    RECONCILE_WAREHOUSE_CONN_ID and AIRFLOW_CONN_RECONCILE_WAREHOUSE live) as env_file."""
    init, worker = services["airflow-init"], services["airflow-worker"]
    for variable in ("RECONCILE_WAREHOUSE_URL", "RECONCILE_HOME", "RECONCILE_CONFIG"):
        assert init["environment"][variable] == common["environment"][variable], variable
        assert init["environment"][variable] == worker["environment"][variable], variable
    assert init["env_file"] == common["env_file"] == worker["env_file"]
    assert init["volumes"] == worker["volumes"]  # plugins/ (the package) and sql/ are mounted


def test_the_time_zone_is_vietnam_time_everywhere(
    services: dict[str, Any], common_env: dict[str, str]
) -> None:
    zone = common_env["AIRFLOW__CORE__DEFAULT_TIMEZONE"]
    assert zone == "Asia/Ho_Chi_Minh"
    ZoneInfo(zone)  # a real IANA name
    for name in ALL_AIRFLOW_SERVICES:
        assert services[name]["environment"]["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == zone, name
    # the package's own local time zone (the DAGs' schedules and start dates) is the same one
    quarter = (ROOT / "plugins" / "reconcile" / "quarter.py").read_text(encoding="utf-8")
    assert f'LOCAL_TZ = ZoneInfo("{zone}")' in quarter
    # Airflow 3 removed [webserver] default_ui_timezone: setting it would do nothing
    for name, service in services.items():
        names = {str(key).upper() for key in service.get("environment") or {}}
        assert "AIRFLOW__WEBSERVER__DEFAULT_UI_TIMEZONE" not in names, name


def test_the_demo_ui_uses_the_same_time_zone(common_env: dict[str, str]) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^ui:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "the Makefile has no ui target"
    assert "AIRFLOW__CORE__DEFAULT_TIMEZONE=$(UI_TIMEZONE)" in recipe.group(1)
    default = re.search(r"^UI_TIMEZONE \?= (\S+)$", makefile, re.MULTILINE)
    assert default and default.group(1) == common_env["AIRFLOW__CORE__DEFAULT_TIMEZONE"]
    assert "--host 127.0.0.1" in recipe.group(1)


# --------------------------------------------------------------------------- compose vs docs vs package


def test_reconcile_variables_are_exactly_the_documented_ones(
    common: dict[str, Any], docs_text: str
) -> None:
    in_compose = {key for key in common["environment"] if key.startswith("RECONCILE_")}
    rows = markdown_table(docs_text, "### Set by docker-compose.yaml")
    assert in_compose == names_in_first_column(rows)
    # Fixed values in the table are the ones in the file.
    for row in rows:
        name, value = row[0].strip("`"), row[1]
        if not value.startswith("`${"):
            assert value == f"`{common['environment'][name]}`", name


def test_reconcile_variables_are_read_by_the_package(
    common: dict[str, Any], docs_text: str
) -> None:
    settings = SETTINGS.read_text(encoding="utf-8")
    read = set(re.findall(r"\bRECONCILE_[A-Z_]+\b", settings))
    in_compose = {key for key in common["environment"] if key.startswith("RECONCILE_")}
    optional = names_in_first_column(
        markdown_table(docs_text, "### Optional, not set by docker-compose.yaml")
    )
    assert in_compose <= read, f"not read by the package: {in_compose - read}"
    assert optional <= read, f"not read by the package: {optional - read}"
    assert not in_compose & optional
    assert read == in_compose | optional, "every variable of settings.py is documented once"


def test_compose_substitutions_are_documented(compose_text: str, docs_text: str) -> None:
    documented = names_in_first_column(
        markdown_table(
            docs_text, "### Read by docker-compose.yaml itself (from the environment or `.env`)"
        )
    ) | names_in_first_column(markdown_table(docs_text, "### Set by docker-compose.yaml"))
    undocumented = substitution_names(compose_text) - documented
    assert not undocumented, f"document these in docs/deployment.md: {sorted(undocumented)}"


def test_services_table_matches_the_compose_file(services: dict[str, Any], docs_text: str) -> None:
    assert names_in_first_column(markdown_table(docs_text, "## Services")) == set(services)


def test_docs_explain_the_operations(docs_text: str) -> None:
    for needle in (
        "docker compose build",
        "docker compose up airflow-init",
        "docker compose up -d",
        "--scale airflow-worker=",
        "http://localhost:8080",
        '{"quarter": "2025Q3"}',
        "RECONCILE_LANDING_HOST_DIR=",
        "AIRFLOW_CONN_RECONCILE_WAREHOUSE=",
        "RECONCILE_WAREHOUSE_CONN_ID=reconcile_warehouse",
        "RECONCILE_WAREHOUSE_URL=",
        "python -m reconcile db upgrade",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE",
        "Asia/Ho_Chi_Minh",
    ):
        assert needle in docs_text, needle


def test_docs_name_every_feed_of_the_landing_layout(docs_text: str) -> None:
    feeds = set(yaml.safe_load(FEED_SPEC.read_text(encoding="utf-8")))
    assert feeds, "the feed spec lists no feeds"
    landing = docs_text.split("## Partner files", 1)[1].split("\n## ", 1)[0]
    for feed in feeds:
        assert f"{feed}_" in landing and f"`{feed}`" in landing, feed
    assert "2025Q3/" in landing


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_extends_the_pinned_airflow_image() -> None:
    # FROM ${AIRFLOW_BASE_IMAGE}, whose ARG default (before the FROM) is the official image: a
    # build may name a local stand-in instead (tools/compose_test/), the default stays official.
    instructions = dockerfile_instructions()
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    assert froms == ["${AIRFLOW_BASE_IMAGE}"], froms
    before = instructions[: [keyword for keyword, _ in instructions].index("FROM")]
    defaults = [
        args.split("=", 1)[1].strip().strip("'\"")
        for keyword, args in before
        if keyword == "ARG"
        and args.split("=", 1)[0].strip() == "AIRFLOW_BASE_IMAGE"
        and "=" in args
    ]
    assert len(defaults) == 1, f"no single ARG AIRFLOW_BASE_IMAGE=<default> before FROM: {before}"
    base = defaults[0]
    match = re.fullmatch(r"apache/airflow:(?P<version>[\w.]+)-python(?P<python>\d+\.\d+)", base)
    assert match, base
    assert match["version"] == pinned_airflow_version()
    assert match["python"] == "3.11"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    minimum = re.search(r'requires-python\s*=\s*">=(\d+)\.(\d+)"', pyproject)
    assert minimum and tuple(map(int, match["python"].split("."))) >= tuple(
        map(int, minimum.groups())
    )


def test_the_image_requirements_carry_no_test_or_lint_tool() -> None:
    """requirements.txt is what runs (the image installs it); the tests' and the lint's tools
    are pinned in requirements-dev.txt, over it, and installed by `make test` only."""

    def pins(path: Path) -> dict[str, str]:
        found = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if "==" in line and not line.startswith("#"):
                name, version = line.split("==", 1)
                found[name.strip().lower()] = version.strip()
        return found

    runtime, dev = pins(REQUIREMENTS), pins(ROOT / "requirements-dev.txt")
    tools = {"pytest", "hypothesis", "ruff", "aiosmtpd", "iniconfig"}
    assert not tools & set(runtime), (
        f"test or lint tools in requirements.txt: {tools & set(runtime)}"
    )
    assert tools <= set(dev)
    assert all(runtime.get(name, version) == version for name, version in dev.items())
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: dev$", makefile, re.MULTILINE), "make test must install the dev pins"
    assert "requirements-dev" not in DOCKERFILE.read_text(encoding="utf-8")


def test_dockerfile_installs_exactly_the_requirements_as_airflow() -> None:
    instructions = dockerfile_instructions()
    copies = {}
    for keyword, args in instructions:
        if keyword in {"COPY", "ADD"}:
            parts = [p for p in shlex.split(args) if not p.startswith("--")]
            *sources, destination = parts
            for source in sources:
                copies[source] = destination
    assert "requirements.txt" in copies, "the Dockerfile does not copy requirements.txt"
    destination = copies["requirements.txt"]
    if destination.endswith("/"):
        destination += "requirements.txt"

    user = "airflow"  # the base image's user
    installs = []
    for keyword, args in instructions:
        if keyword == "USER":
            user = args.split(":")[0]
        if keyword == "RUN" and "pip install" in args:
            installs.append((user, shlex.split(args)))
    assert len(installs) == 1, "one pip install, of the requirements"
    user, words = installs[0]
    assert user == "airflow", "pip must run as the airflow user"
    files = [words[i + 1] for i, word in enumerate(words) if word in {"-r", "--requirement"}]
    assert files == [destination], files
    assert "apache-airflow==${AIRFLOW_VERSION}" in words, "Airflow must stay at the image's version"
    assert "--no-cache-dir" in words


def test_dockerignore_keeps_the_context_small_but_not_the_requirements() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (".venv", "var", ".git"):
        assert required in patterns or f"{required}/" in patterns, required
    assert any("__pycache__" in pattern for pattern in patterns)
    for pattern in patterns:
        assert not fnmatch.fnmatch("requirements.txt", pattern.lstrip("/")), pattern
        assert not fnmatch.fnmatch("Dockerfile", pattern.lstrip("/")), pattern


# --------------------------------------------------------------------------- Docker itself


def _compose_plugin() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="the docker compose plugin is not installed")
def test_docker_compose_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
