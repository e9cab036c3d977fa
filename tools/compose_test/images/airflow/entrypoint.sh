#!/usr/bin/env bash
# Entrypoint of the local Airflow stand-in (tools/compose_test/images/airflow/Dockerfile).
#
# Written for this project, after the behaviour documented for the official image's entrypoint
# (https://airflow.apache.org/docs/docker-stack/entrypoint.html), limited to what
# docker-compose.yaml relies on:
#   - the container must run with group 0; an unknown uid gets a passwd entry (HOME=/home/airflow);
#   - umask 0002;
#   - waits for the metadata database (`airflow db check`, CONNECTION_CHECK_MAX_COUNT tries, default
#     20, CONNECTION_CHECK_SLEEP_TIME s apart, default 3; 0 tries skips every wait);
#   - _AIRFLOW_DB_MIGRATE (or the deprecated _AIRFLOW_DB_UPGRADE) non-empty: `airflow db migrate`,
#     whose failure is ignored, as in the official image;
#   - _AIRFLOW_WWW_USER_CREATE non-empty: `airflow users create` with _AIRFLOW_WWW_USER_USERNAME
#     (default admin), _AIRFLOW_WWW_USER_PASSWORD or _AIRFLOW_WWW_USER_PASSWORD_CMD (required),
#     _FIRSTNAME, _LASTNAME, _EMAIL, _ROLE (default Admin); a failure (user exists) is ignored;
#   - first argument `bash` or `python`: runs it with the remaining arguments (after the DB wait);
#   - otherwise runs `airflow <arguments>`, a leading `airflow` dropped; for `scheduler` and
#     `celery ...` it first waits for the Celery broker when the executor is CeleryExecutor.
# Not reproduced: _PIP_ADDITIONAL_REQUIREMENTS, the LD_PRELOAD of libstdc++, the PYTHONPATH added
# for root (here Airflow is in a virtualenv that is first on PATH for every user).
AIRFLOW_COMMAND="${1:-}"

set -euo pipefail

CONNECTION_CHECK_MAX_COUNT="${CONNECTION_CHECK_MAX_COUNT:-20}"
CONNECTION_CHECK_SLEEP_TIME="${CONNECTION_CHECK_SLEEP_TIME:-3}"

retry() {
    # retry <description> <command...>: CONNECTION_CHECK_MAX_COUNT tries.
    local what="$1" tries=0 out
    shift
    until out="$("$@" 2>&1)"; do
        tries=$((tries + 1))
        if (( tries >= CONNECTION_CHECK_MAX_COUNT )); then
            echo >&2
            echo "ERROR! ${what}: no success after ${tries} tries. Last output:" >&2
            echo "${out}" >&2
            exit 1
        fi
        echo -n "." >&2
        sleep "${CONNECTION_CHECK_SLEEP_TIME}"
    done
    (( tries == 0 )) || echo >&2
}

broker_reachable() {
    python - "$1" <<'PY'
import socket, sys
from urllib.parse import urlsplit

url = urlsplit(sys.argv[1])
ports = {"redis": 6379, "rediss": 6379, "amqp": 5672, "pyamqp": 5672, "sqla+postgresql": 5432}
port = url.port or ports.get(url.scheme, 0)
if not url.hostname or not port:
    print(f"no host/port in the broker URL (scheme {url.scheme!r}): not checked")
    sys.exit(0)
socket.create_connection((url.hostname, port), timeout=5).close()
PY
}

if [[ "$(id -g)" != "0" ]]; then
    if [[ "$(id -u)" == "50000" ]]; then
        echo "WARNING! Run the image with GID 0, even as the airflow user (uid 50000)." >&2
    else
        echo "ERROR! Run the image with GID 0 (started with uid $(id -u), gid $(id -g))." >&2
        exit 1
    fi
fi

umask 0002

if ! whoami &>/dev/null; then
    if [[ -w /etc/passwd ]]; then
        echo "default:x:$(id -u):0:default user:${AIRFLOW_USER_HOME_DIR}:/sbin/nologin" >>/etc/passwd
    fi
    export HOME="${AIRFLOW_USER_HOME_DIR}"
fi

if (( CONNECTION_CHECK_MAX_COUNT > 0 )); then
    retry "airflow db check" airflow db check
fi

if [[ -n "${_AIRFLOW_DB_MIGRATE:-}" || -n "${_AIRFLOW_DB_UPGRADE:-}" ]]; then
    airflow db migrate || true
fi

if [[ -n "${_AIRFLOW_WWW_USER_CREATE:-}" ]]; then
    password=""
    if [[ -n "${_AIRFLOW_WWW_USER_PASSWORD_CMD:-}" ]]; then
        password="$(eval "${_AIRFLOW_WWW_USER_PASSWORD_CMD}")"
    elif [[ -n "${_AIRFLOW_WWW_USER_PASSWORD:-}" ]]; then
        password="${_AIRFLOW_WWW_USER_PASSWORD}"
    fi
    unset _AIRFLOW_WWW_USER_PASSWORD _AIRFLOW_WWW_USER_PASSWORD_CMD
    if [[ -z "${password}" ]]; then
        echo "ERROR! _AIRFLOW_WWW_USER_CREATE is set but no _AIRFLOW_WWW_USER_PASSWORD(_CMD)." >&2
        exit 1
    fi
    airflow users create \
        --username "${_AIRFLOW_WWW_USER_USERNAME:-admin}" \
        --firstname "${_AIRFLOW_WWW_USER_FIRSTNAME:-Airflow}" \
        --lastname "${_AIRFLOW_WWW_USER_LASTNAME:-Admin}" \
        --email "${_AIRFLOW_WWW_USER_EMAIL:-airflowadmin@example.com}" \
        --role "${_AIRFLOW_WWW_USER_ROLE:-Admin}" \
        --password "${password}" || true
fi

case "${AIRFLOW_COMMAND}" in
    bash) shift; exec /bin/bash "$@" ;;
    python) shift; exec python "$@" ;;
    airflow) shift; AIRFLOW_COMMAND="${1:-}" ;;
esac

if [[ "${AIRFLOW_COMMAND}" =~ ^(scheduler|celery)$ ]] && (( CONNECTION_CHECK_MAX_COUNT > 0 )); then
    if [[ "$(airflow config get-value core executor)" == "CeleryExecutor" ]]; then
        retry "Celery broker" broker_reachable "$(airflow config get-value celery broker_url)"
    fi
fi

exec airflow "$@"
