"""The warehouse's Alembic migrations (reconcile.warehouse.migrate), on SQLite and PostgreSQL.

The chain 0001 -> head must build exactly ``schema.metadata``; a warehouse of the first
released version (``schema_0001``, made as that version made it: ``create_all``, no version
table) keeps its rows; warehouses made before migrations are recognised at whatever revision
their tables show; a warehouse from a newer version is refused.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import schema_0001 as v1
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, inspect, text

from reconcile import cli
from reconcile.errors import ConfigError
from reconcile.warehouse import migrate
from reconcile.warehouse import schema as t
from reconcile.warehouse.store import read_frame

HINT = (
    "schema.py changed without a migration: add one in "
    "plugins/reconcile/warehouse/migrations/versions (python -m reconcile db revision -m ...)"
)
HEAD = "0007_finding_add_money_counted"


@pytest.fixture
def engine(warehouse_url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(warehouse_url)
    yield engine
    engine.dispose()


def differences(engine: Engine) -> list:
    """What Alembic's autogenerate would change to make the database match ``schema.py``.

    On SQLite there is nothing to ignore: its dialect keeps no comments, so Alembic does not
    compare them there (PostgreSQL does, and the tests run on both)."""
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), t.metadata)


def version(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def upgrade_to(engine: Engine, revision: str) -> None:
    """Run the real migrations up to ``revision`` (not create_all)."""
    with engine.begin() as conn:
        config = migrate.alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def forget_version(engine: Engine) -> None:
    """What a warehouse made before migrations looks like: no alembic_version table."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))


def test_the_revision_chain_is_the_documented_one() -> None:
    assert migrate.revisions() == [
        "0001_baseline",
        "0002_finding_case_indexes",
        "0003_decision_by_province",
        "0004_firm_history",
        "0005_source_cursor",
        "0006_firm_history_pit_employees",
        HEAD,
    ]
    assert migrate.head_revision() == HEAD


def test_the_migrations_build_exactly_the_schema(engine: Engine) -> None:
    applied = migrate.upgrade(engine, by_migrations=True)

    assert applied == migrate.revisions()
    assert version(engine) == [HEAD]
    assert differences(engine) == [], HINT


def test_a_new_warehouse_is_created_at_head_in_one_step(engine: Engine) -> None:
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    assert migrate.upgrade(engine) == migrate.revisions()

    assert version(engine) == [HEAD]
    assert differences(engine) == []
    # create_all + stamp: no migration ran (0003 would have dropped and rebuilt decision)
    assert not any(s.lstrip().upper().startswith("DROP") for s in statements)


def test_a_first_release_warehouse_is_upgraded_keeping_its_rows(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    v1.metadata.create_all(engine)
    landed = datetime(2025, 11, 2, 8, 30, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(v1.feed_file.insert(), [
            dict(file_id="f" * 64, quarter="2025Q4", province="86", feed="decisions",
                 file_name="decisions_86.xlsx", stored_path="x", size_bytes=1,
                 status="loaded", landed_at=landed),
            dict(file_id="t" * 64, quarter="2025Q4", province="86", feed="tax",
                 file_name="tax_86.csv", stored_path="y", size_bytes=2, status="loaded",
                 landed_at=landed),
        ])  # fmt: skip
        conn.execute(v1.staged["tax"].insert().values(
            file_id="t" * 64, row_number=1, quarter="2025Q4", province="86",
            tax_code="0101234567", name="Công ty A", stated_province="Vĩnh Long"))  # fmt: skip
        conn.execute(v1.firm.insert().values(
            quarter="2025Q4", tax_code="0101234567", province="86", root="0101234567",
            name="Công ty A", in_tax=True, in_registry=False))  # fmt: skip
        conn.execute(v1.employer_unit.insert().values(
            quarter="2025Q4", unit_code="U1", province="86", name="Công ty A",
            tax_code="0101234567", arrears=1_000_000))  # fmt: skip
        conn.execute(v1.case.insert(), [
            dict(case_id="ARREARS-U1", kind="arrears", province="86", unit_code="U1",
                 first_seen="2025Q4", last_seen="2025Q4"),
            dict(case_id="ARREARS-U2", kind="arrears", province="87", unit_code="U2",
                 first_seen="2025Q4", last_seen="2025Q4"),
        ])  # fmt: skip
        conn.execute(v1.finding.insert().values(
            quarter="2025Q4", case_id="ARREARS-U1", rule="arrears", province="86",
            severity=2, legal_basis="Art. 1", evidence={"months": 3},
            money_at_stake=1_000_000))  # fmt: skip
        conn.execute(v1.decision.insert(), [
            # from a landed file: that file's province and landing time
            dict(case_id="ARREARS-U1", decided_on=date(2025, 10, 20), decision="resolved",
                 note="ok", inspector="A", file_id="f" * 64, quarter="2025Q4"),
            # no file: its case's province
            dict(case_id="ARREARS-U2", decided_on=date(2025, 10, 21), decision="confirmed",
                 note=None, inspector="B", file_id=None, quarter="2025Q4"),
            # neither a landed file nor a known case: cannot be placed, not kept
            dict(case_id="GONE-1", decided_on=date(2025, 10, 22), decision="resolved",
                 note=None, inspector=None, file_id=None, quarter="2025Q4"),
        ])  # fmt: skip
        conn.execute(v1.run.insert().values(
            run_id="r1", quarter="2025Q4", started_at=landed, status="success"))  # fmt: skip

    with caplog.at_level(logging.INFO):
        applied = migrate.upgrade(engine)

    assert applied == migrate.revisions()[1:]
    assert "its tables match 0001_baseline" in caplog.text
    assert "1 old decision(s) name neither a landed file nor a known case" in caplog.text
    assert version(engine) == [HEAD]
    assert differences(engine) == []
    with engine.connect() as conn:
        decisions = read_frame(conn, t.decision).sort_values("case_id").to_dict("records")
        counts = {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()  # noqa: S608
            for table in ("feed_file", "staged_tax", "firm", "employer_unit", "case", "finding")
        }
        tax_row = conn.execute(text("SELECT stated_province FROM staged_tax")).scalar()
    assert counts == dict.fromkeys(counts, 1) | {"feed_file": 2, "case": 2}
    assert tax_row == "Vĩnh Long"
    assert [
        (d["decision_id"], d["case_id"], d["province"], d["source"], d["decision"])
        for d in decisions
    ] == [
        ("f" * 64 + ":legacy:1", "ARREARS-U1", "86", "workbook", "resolved"),
        ("unknown:legacy:2", "ARREARS-U2", "87", "workbook", "confirmed"),
    ]
    assert str(decisions[0]["decided_on"])[:10] == "2025-10-20"
    assert decisions[0]["landed_at"].replace(tzinfo=UTC) == landed.replace(tzinfo=UTC)
    assert decisions[0]["note"] == "ok" and decisions[0]["quarter"] == "2025Q4"
    # the indexes added after the first release reach it (what test_schema_indexes checked)
    inspector = inspect(engine)
    for table in t.metadata.sorted_tables:
        names = {i["name"] for i in inspector.get_indexes(table.name)}
        assert {index.name for index in table.indexes} <= names, table.name
    # a second start finds nothing to do and keeps the rows
    assert migrate.upgrade(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM decision")).scalar() == 2


@pytest.mark.parametrize("revision", migrate.revisions())
def test_a_warehouse_made_before_migrations_is_recognised_at_its_revision(
    engine: Engine, revision: str, caplog: pytest.LogCaptureFixture
) -> None:
    upgrade_to(engine, revision)
    forget_version(engine)

    with caplog.at_level(logging.INFO):
        applied = migrate.upgrade(engine)

    assert f"its tables match {revision}" in caplog.text
    assert applied == migrate.revisions()[migrate.revisions().index(revision) + 1 :]
    assert version(engine) == [HEAD]
    assert differences(engine) == []


def test_an_old_warehouse_reshaped_by_the_old_upgrade_step_gets_the_new_comments(
    engine: Engine,
) -> None:
    """Before migrations, create_all never altered an existing table: a warehouse from before
    13399cd kept the old status comments after its decision table was rebuilt; and the code
    between d9e0975 and 7d16686 had already made staged_changes."""
    upgrade_to(engine, "0003_decision_by_province")
    forget_version(engine)
    t.staged["changes"].create(engine)
    if engine.dialect.supports_comments:
        with engine.begin() as conn:
            conn.execute(text("COMMENT ON COLUMN feed_file.status IS 'landed, loaded or failed'"))
            conn.execute(text("COMMENT ON COLUMN run.status IS NULL"))
        assert differences(engine) != []  # the comments differ (and tables are missing)

    assert migrate.upgrade(engine) == migrate.revisions()[3:]

    assert differences(engine) == []


def test_a_current_warehouse_is_left_alone(engine: Engine) -> None:
    migrate.upgrade(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    assert migrate.upgrade(engine) == []
    assert migrate.current_revision(engine) == HEAD

    changes = [s for s in statements if s.split()[0].upper() not in ("SELECT", "PRAGMA")]
    assert changes == []


def test_a_warehouse_of_a_newer_version_is_refused(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    try:
        assert migrate.current_revision(engine) == "0099_from_the_future"
        with pytest.raises(ConfigError, match="newer version of reconcile; upgrade the code"):
            migrate.upgrade(engine)
        with pytest.raises(ConfigError, match="0099_from_the_future"):
            migrate.upgrade(engine)
    finally:  # the fixture's teardown opens the warehouse
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD})


def test_a_database_that_is_not_a_warehouse_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE dag_run (id INTEGER PRIMARY KEY)"))
    try:
        with pytest.raises(ConfigError, match="not a reconcile warehouse"):
            migrate.upgrade(engine)
        assert "feed_file" not in inspect(engine).get_table_names()
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE dag_run"))


def test_the_url_is_shown_without_its_password() -> None:
    shown = migrate.warehouse_url_shown("postgresql+psycopg2://reconcile:s3cret@db:5432/wh")
    assert "s3cret" not in shown and shown.endswith("@db:5432/wh")


def test_db_upgrade_and_current_from_the_command_line(
    warehouse_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECONCILE_WAREHOUSE_URL", warehouse_url)
    shown = migrate.warehouse_url_shown(warehouse_url)

    assert cli.main(["db", "current"]) == 0
    assert "no version" in capsys.readouterr().out

    assert cli.main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert f"warehouse {shown}" in out
    assert f"new warehouse: created at {HEAD}" in out

    assert cli.main(["db", "upgrade"]) == 0
    assert f"warehouse already at {HEAD}" in capsys.readouterr().out

    assert cli.main(["db", "current"]) == 0
    assert f"at {HEAD} (head)" in capsys.readouterr().out

    engine = create_engine(warehouse_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0005_source_cursor'"))
            conn.execute(text("ALTER TABLE firm_history DROP COLUMN pit_employees"))
            conn.execute(text("ALTER TABLE finding DROP COLUMN money_counted"))
        assert cli.main(["db", "current"]) == 0
        assert "behind head" in capsys.readouterr().out
        assert cli.main(["db", "upgrade"]) == 0
        assert f"applied {HEAD}" in capsys.readouterr().out
        assert differences(engine) == []

        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0099_x'"))
        assert cli.main(["db", "upgrade"]) == 1
        assert "error: the warehouse at" in capsys.readouterr().err
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD})
        engine.dispose()


def test_db_revision_drafts_the_next_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    folder = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS", folder)
    migrate._script.cache_clear()
    try:
        assert cli.main(["db", "revision", "-m", "Nothing new: a check"]) == 0
        path = folder / "versions" / "0008_nothing_new_a_check.py"
        assert str(path) in capsys.readouterr().out
        source = path.read_text(encoding="utf-8")
        # chained after head; schema.py matches the migrations, so nothing to do in it
        assert f"down_revision = '{HEAD}'" in source
        assert "op." not in source.split("def upgrade")[1]
        assert migrate.revisions()[-1] == "0008_nothing_new_a_check"
    finally:
        migrate._script.cache_clear()


@pytest.mark.postgres
def test_db_upgrade_migrates_the_warehouse_of_the_airflow_connection(
    postgres_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:  # fmt: skip
    """Compose's airflow-init runs ``db upgrade`` where the tasks take the warehouse from the
    connection named by RECONCILE_WAREHOUSE_CONN_ID: that one is migrated, not the default."""
    from sqlalchemy.engine import make_url

    from databases import fresh_postgres_database

    url, drop = fresh_postgres_database(postgres_server)
    try:
        parsed = make_url(url)
        monkeypatch.setenv("RECONCILE_WAREHOUSE_CONN_ID", "reconcile_warehouse")
        monkeypatch.setenv("AIRFLOW_CONN_RECONCILE_WAREHOUSE",
                           parsed.set(drivername="postgresql").render_as_string(hide_password=False))  # fmt: skip
        default = tmp_path / "default.db"
        monkeypatch.setenv("RECONCILE_WAREHOUSE_URL", f"sqlite:///{default}")
        assert cli.main(["db", "upgrade"]) == 0
        assert f"new warehouse: created at {HEAD}" in capsys.readouterr().out
        engine = create_engine(url)
        try:
            assert migrate.current_revision(engine) == HEAD
        finally:
            engine.dispose()
        assert not default.exists()
    finally:
        drop()
