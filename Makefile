# The two commands: `make demo` (the demo quarter through Airflow) and `make test` (the suite).
# Each creates .venv from the pinned requirements.txt on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
DEV_STAMP := $(VENV)/.requirements-dev-installed

DEMO_QUARTER ?= 2025Q3
DEMO_LOGICAL_DATE ?= 2025-10-10
DEMO_PROVINCE ?= 82
DEMO_FIRMS ?= 1500
DEMO_SEED ?= 2025
# the change notices up to the quarter's last day, then the quarter, then the Monday after
DEMO_CHANGES_DAY ?= 2025-09-30
DEMO_OUTREACH_DAY ?= 2025-10-13
UI_PORT ?= 8080
UI_TIMEZONE ?= Asia/Ho_Chi_Minh

# Where the demo keeps its files: the landing folder, the warehouse, the outputs and Airflow's
# home. `make demo VAR=/tmp/x` runs it elsewhere (tests/integration/test_demo_outputs.py does).
VAR ?= $(CURDIR)/var

export PYTHONPATH := $(CURDIR)/plugins
export RECONCILE_HOME := $(CURDIR)
export RECONCILE_LANDING_DIR ?= $(VAR)/landing
export RECONCILE_DATA_DIR ?= $(VAR)/data
export RECONCILE_OUTPUT_DIR ?= $(VAR)/output
export RECONCILE_WAREHOUSE_URL ?= sqlite:///$(VAR)/warehouse.db
export AIRFLOW_HOME := $(VAR)/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN := sqlite:///$(VAR)/airflow/airflow.db
export AIRFLOW__LOGGING__BASE_LOG_FOLDER := $(VAR)/airflow/logs
export GX_ANALYTICS_ENABLED := False
export NO_COLOR := 1

.PHONY: demo serve ui test test-distributed test-compose lint format venv dev clean requirements bench-env

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# the tests' and the lint's tools, over the runtime (never in the image)
dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(DEV_STAMP)

# Splink and DuckDB for `python -m reconcile bench peers`, in an environment of their own
# (never in .venv): the command runs Splink there, in its own process
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.requirements-bench-installed

bench-env: $(BENCH_STAMP)

$(BENCH_STAMP): requirements-bench.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements-bench.txt
	@touch $(BENCH_STAMP)

demo: venv
	@mkdir -p $(VAR)/airflow
	$(BIN)/airflow db migrate > $(VAR)/airflow/db-migrate.log 2>&1 || (cat $(VAR)/airflow/db-migrate.log; exit 1)
	$(BIN)/airflow pools set warehouse 4 "Province steps writing to the warehouse" >> $(VAR)/airflow/db-migrate.log 2>&1
	$(BIN)/python -m reconcile synth --quarters $(DEMO_QUARTER) --provinces $(DEMO_PROVINCE) \
		--firms $(DEMO_FIRMS) --seed $(DEMO_SEED) --notices
	$(BIN)/airflow dags test enterprise_changes $(DEMO_CHANGES_DAY) > $(VAR)/airflow/dags-test-changes.log 2>&1 \
		|| (tail -n 80 $(VAR)/airflow/dags-test-changes.log; echo "the DAG run failed: see $(VAR)/airflow/dags-test-changes.log"; exit 1)
	$(BIN)/airflow dags test quarterly_reconciliation $(DEMO_LOGICAL_DATE) > $(VAR)/airflow/dags-test.log 2>&1 \
		|| (tail -n 80 $(VAR)/airflow/dags-test.log; echo "the DAG run failed: see $(VAR)/airflow/dags-test.log"; exit 1)
	$(BIN)/airflow dags test new_firm_outreach $(DEMO_OUTREACH_DAY) > $(VAR)/airflow/dags-test-outreach.log 2>&1 \
		|| (tail -n 80 $(VAR)/airflow/dags-test-outreach.log; echo "the DAG run failed: see $(VAR)/airflow/dags-test-outreach.log"; exit 1)
	@echo "Airflow run logs: $(VAR)/airflow/dags-test-changes.log, dags-test.log, dags-test-outreach.log"
	@$(BIN)/python -m reconcile summary --quarter $(DEMO_QUARTER)
	@ls $(RECONCILE_OUTPUT_DIR)/outreach/$(DEMO_OUTREACH_DAY)/*/outreach_*.xlsx

serve: venv
	$(BIN)/python -m reconcile serve --demo

# Airflow's UI on the demo's runs (after `make demo`), on this machine only: every visitor is
# an admin, with no sign-in (Simple auth manager, all admins), so it listens on 127.0.0.1.
# [core] default_timezone as in docker-compose.yaml; Airflow 3's UI itself shows the browser's
# time zone (its user menu changes it): there is no server-side display default any more.
ui: venv
	@test -f $(VAR)/airflow/airflow.db || (echo "no demo runs yet: run make demo first"; exit 1)
	@echo "Airflow UI on http://127.0.0.1:$(UI_PORT)/ (local only, no sign-in); Ctrl-C stops it"
	@echo "Times show in the browser's time zone; to pick Asia/Ho_Chi_Minh: user menu > Timezone"
	AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True AIRFLOW__CORE__DEFAULT_TIMEZONE=$(UI_TIMEZONE) \
		$(BIN)/airflow api-server \
		--host 127.0.0.1 --port $(UI_PORT) --workers 1

test: dev
	$(BIN)/python -m pytest

# only the Airflow deployment on Celery (part of `make test`): about four minutes
test-distributed: dev
	$(BIN)/python -m pytest tests/distributed -s

# docker-compose.yaml and the Dockerfile built and run for real (not part of `make test`): as
# root, with a Docker engine (started, or installed from Debian's docker.io, when none answers),
# the official images or cached local stand-ins; brings the stack up, runs the demo quarter
# through the REST API, kills the Celery worker mid-task, tears it all down. About 10 minutes
# with the images cached, 15 the first time (docs/deployment.md, "Testing the compose deployment").
test-compose: venv
	@test "$$(id -u)" = 0 || (echo "make test-compose needs root (it runs dockerd and chowns the mounted folders)"; exit 1)
	python3 tools/compose_test/driver.py all

lint: dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: dev
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VAR)

# after changing requirements.in or requirements-dev.in: a full freeze to review; the runtime
# pins go to requirements.txt, the tests' and the lint's alone to requirements-dev.txt
requirements: dev
	$(BIN)/python -m pip freeze --exclude-editable > requirements.lock.tmp && echo "review requirements.lock.tmp, then split it into requirements.txt and requirements-dev.txt"
