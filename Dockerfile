# The reconciliation image: the official Airflow image plus the project's pinned requirements.
#
# Extends the image the official way (https://airflow.apache.org/docs/docker-stack/build.html):
# the Airflow version of the FROM line must equal the apache-airflow pin in requirements.txt
# (tests/test_deployment.py checks it), and "apache-airflow==${AIRFLOW_VERSION}" is passed to pip
# so that installing the requirements can never up- or downgrade Airflow itself.
#
# DAGs, plugins (the reconcile package), expectations, SQL and config are mounted by
# docker-compose.yaml, not baked in, so a code change needs no rebuild; only a change of
# requirements.txt does:  docker compose build
#
# AIRFLOW_BASE_IMAGE is the official image unless a build says otherwise: `make test-compose`
# builds FROM a local stand-in with the official layout where no registry can be reached
# (tools/compose_test/). The Airflow version of its default must equal the pin.
ARG AIRFLOW_BASE_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_BASE_IMAGE}

# pip runs as the airflow user (the image's default user), installing into the image's
# virtualenv at /home/airflow/.local; never as root.
USER airflow

COPY --chown=airflow:0 requirements.txt /requirements.txt
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /requirements.txt
