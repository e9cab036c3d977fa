"""Warehouse tables (SQLAlchemy Core), portable between SQLite and PostgreSQL.

Every data table carries ``quarter`` and ``province`` so that a step replaces exactly its own
partition. The staging tables (one per feed) are built from the feed contract so that a column
added to ``feeds/data/spec.yaml`` reaches the warehouse without a second edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from reconcile.feeds.spec import specs

metadata = MetaData()

QUARTER = String(6)
PROVINCE = String(2)
TAX_CODE = String(32)
# the columns that name a partition: the frames a step builds put them first
PARTITION = ("quarter", "province")


def columns_of(
    table: Table, *, first: Sequence[str] = (), without: Sequence[str] = ()
) -> list[str]:
    """``table``'s column names in the table's order, ``first`` moved to the front (in the
    order given) and ``without`` left out: a frame's columns said once, by its table."""
    names = [column.name for column in table.columns]
    missing = [name for name in (*first, *without) if name not in names]
    if missing:
        raise KeyError(f"{table.name} has no column {', '.join(missing)}")
    rest = [name for name in names if name not in first and name not in without]
    return [*first, *rest]


feed_file = Table(
    "feed_file",
    metadata,
    Column("file_id", String(64), primary_key=True, comment="SHA-256 of the file's bytes"),
    Column("quarter", QUARTER, nullable=False),
    Column("province", PROVINCE, nullable=False),
    Column("feed", String(16), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("stored_path", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("landed_at", DateTime(timezone=True), nullable=False),
    Column(
        "status",
        String(16),
        nullable=False,
        comment="landed, loaded, failed (refused as a file), replaced (by a corrected file) or "
        "rejected (set aside by a person)",
    ),
    Column("encoding", String(16)),
    Column("header_line", Integer),
    Column("rows_read", Integer),
    Column("rows_accepted", Integer),
    Column("rows_quarantined", Integer),
    Column("message", Text),
    Column("loaded_at", DateTime(timezone=True)),
    Index("ix_feed_file_partition", "quarter", "province", "feed"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("file_id", String(64), primary_key=True),
    Column("row_number", Integer, primary_key=True, comment="data row below the header, from 1"),
    Column("line", Integer, comment="line (CSV record) or sheet row in the file"),
    Column("quarter", QUARTER, nullable=False),
    Column("province", PROVINCE, nullable=False),
    Column("feed", String(16), nullable=False),
    Column("raw", Text, nullable=False, comment="the row as written, JSON"),
    Column("reasons", Text, nullable=False, comment="reasons joined with ' | '"),
    Index("ix_quarantine_partition", "quarter", "province"),
)

_KIND_TYPES: dict[str, Any] = {
    "tax_code": TAX_CODE,
    "date": Date,
    "money": BigInteger,
    "count": Integer,
    "status": String(32),
    "code": String(64),
    "text": Text,
}


def _staging_table(feed: str) -> Table:
    spec = specs()[feed]
    columns: list[Column[Any]] = [
        Column("file_id", String(64), primary_key=True),
        Column("row_number", Integer, primary_key=True),
        Column("quarter", QUARTER, nullable=False),
        Column("province", PROVINCE, nullable=False),
    ]
    for column in spec.columns.values():
        columns.append(Column(column.name, _KIND_TYPES[column.kind]))
    columns.append(Column("raw", Text))
    return Table(
        f"staged_{feed}",
        metadata,
        *columns,
        Index(f"ix_staged_{feed}_partition", "quarter", "province"),
    )


staged = {feed: _staging_table(feed) for feed in specs()}

firm = Table(
    "firm",
    metadata,
    Column("quarter", QUARTER, primary_key=True),
    Column("tax_code", TAX_CODE, primary_key=True),
    Column("province", PROVINCE, nullable=False),
    Column("root", String(10), nullable=False, comment="10-digit root; the parent of a branch"),
    Column("name", Text, nullable=False),
    Column("address", Text),
    Column("legal_form", Text),
    Column("industry", String(64)),
    Column("tax_status", String(32)),
    Column("tax_status_since", Date),
    Column("registry_status", String(32)),
    Column("registry_status_since", Date),
    Column("registered_on", Date),
    Column("founded_on", Date),
    Column("started_on", Date, comment="earliest of registered_on and founded_on"),
    Column("pit_employees", Integer),
    Column("pit_wage_bill", BigInteger),
    Column("declared_employees", Integer),
    Column("representative", Text, comment="personal data: never logged, masked in exports"),
    Column("in_tax", Boolean, nullable=False),
    Column("in_registry", Boolean, nullable=False),
    Index("ix_firm_partition", "quarter", "province"),
    Index("ix_firm_root", "quarter", "root"),
)

employer_unit = Table(
    "employer_unit",
    metadata,
    Column("quarter", QUARTER, primary_key=True),
    Column("unit_code", String(64), primary_key=True),
    Column("province", PROVINCE, nullable=False),
    Column("name", Text, nullable=False),
    Column("tax_code_raw", Text, comment="as written in the roll"),
    Column("tax_code", TAX_CODE, comment="normalised, valid codes only"),
    Column("address", Text),
    Column("office", Text),
    Column("joined_on", Date),
    Column("status", String(32)),
    Column("insured_employees", Integer),
    Column("wage_bill", BigInteger),
    Column("due", BigInteger),
    Column("paid", BigInteger),
    Column("arrears", BigInteger),
    Column("arrears_months", Integer),
    Column("reminded_on", Date),
    Index("ix_employer_unit_partition", "quarter", "province"),
    Index("ix_employer_unit_tax_code", "quarter", "tax_code"),
)

link = Table(
    "link",
    metadata,
    Column("quarter", QUARTER, primary_key=True),
    Column("unit_code", String(64), primary_key=True),
    Column("tax_code", TAX_CODE, nullable=False),
    Column("province", PROVINCE, nullable=False),
    Column("method", String(32), nullable=False, comment="exact, exact_parent, fuzzy, confirmed"),
    Column("weight", Float),
    Column("band", String(16), nullable=False, comment="link or review"),
    Column("evidence", JSON, nullable=False),
    Index("ix_link_partition", "quarter", "province"),
    Index("ix_link_tax_code", "quarter", "tax_code"),
)

finding = Table(
    "finding",
    metadata,
    Column("quarter", QUARTER, primary_key=True),
    Column("case_id", String(96), primary_key=True),
    Column("rule", String(48), primary_key=True),
    Column("province", PROVINCE, nullable=False),
    Column("tax_code", TAX_CODE),
    Column("unit_code", String(64)),
    Column("name", Text),
    Column("address", Text),
    Column("severity", Integer, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("money_at_stake", BigInteger, nullable=False),
    Column(
        "money_counted",
        BigInteger,
        comment="money_at_stake less what the firm's other findings already count "
        "(rules/money.py counted); NULL on rows written before it: rerun the quarter's rules",
    ),
    Index("ix_finding_partition", "quarter", "province"),
    # a province's earlier quarters (new, persisting, reopened) and a case's history
    Index("ix_finding_province", "province", "quarter"),
    Index("ix_finding_case", "case_id"),
)

case = Table(
    "case",
    metadata,
    Column("case_id", String(96), primary_key=True),
    Column("kind", String(48), nullable=False),
    Column("province", PROVINCE, nullable=False),
    Column("tax_code", TAX_CODE),
    Column("unit_code", String(64)),
    Column("first_seen", QUARTER, nullable=False),
    Column("last_seen", QUARTER, nullable=False),
    Index("ix_case_province", "province"),
)

case_status = Table(
    "case_status",
    metadata,
    Column("quarter", QUARTER, primary_key=True),
    Column("case_id", String(96), primary_key=True),
    Column("province", PROVINCE, nullable=False),
    Column("status", String(16), nullable=False, comment="new, persisting, reopened, resolved"),
    Index("ix_case_status_partition", "quarter", "province"),
)

decision = Table(
    "decision",
    metadata,
    # Every decision is kept: none is ever replaced by another's, and the latest one per case,
    # by (decided_on, landed_at, row_number), is the one that counts (rules/decisions.py).
    Column(
        "decision_id",
        String(128),
        primary_key=True,
        comment="workbook: <file_id>:<row_number>; web: an id of its own",
    ),
    Column("province", PROVINCE, nullable=False, comment="the province whose cases it decides"),
    Column("quarter", QUARTER, nullable=False, comment="the quarter it was landed in"),
    Column("case_id", String(96), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("decision", String(32), nullable=False),
    Column("note", Text),
    Column("inspector", Text, comment="personal data: masked in exports"),
    Column("source", String(16), nullable=False, comment="workbook or web"),
    Column("file_id", String(64), comment="the decisions file it came from"),
    Column("row_number", Integer),
    Column("landed_at", DateTime(timezone=True), nullable=False),
    Index("ix_decision_partition", "quarter", "province", "source"),
    Index("ix_decision_province", "province"),
    Index("ix_decision_case", "case_id"),
)

firm_history = Table(
    "firm_history",
    metadata,
    # Each firm's periods (reconcile/history/timeline.py), from the change notices and the
    # quarterly snapshots: national, keyed by tax code; a firm's rows are rebuilt whole.
    Column("tax_code", TAX_CODE, primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date, comment="the day it stopped being so; empty: still so"),
    Column("province", PROVINCE),
    Column("status", String(32)),
    Column("status_since", Date),
    Column("status_by", String(96), comment="the notice (or snapshot) that told the status"),
    Column("registered_on", Date),
    Column("name", Text),
    Column("address", Text),
    Column("representative", Text, comment="personal data: never logged, masked in exports"),
    Column("legal_form", Text),
    Column("declared_employees", Integer),
    Column("pit_employees", Integer, comment="from the quarterly tax files only"),
    Column("industry", String(64)),
    Column("opened_by", String(96), nullable=False),
    Index("ix_firm_history_province", "province", "valid_from"),
)


source_cursor = Table(
    "source_cursor",
    metadata,
    # Where an incremental source goes on from (the partner API's change notices: ``since``)
    Column("name", String(100), primary_key=True),
    Column("value", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


lock = Table(
    "lock",
    metadata,
    # What one run must write alone (a province's published files): a row while it is held.
    Column("name", String(200), primary_key=True),
    Column("holder", String(250), nullable=False, comment="host, process and run that hold it"),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
)

run = Table(
    "run",
    metadata,
    Column("run_id", String(250), primary_key=True),
    Column("quarter", QUARTER, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column(
        "status",
        String(16),
        nullable=False,
        comment="running, success, incomplete (a file refused or a province blocked), failed, or "
        "abandoned (still running when a later run found it long gone)",
    ),
    Column("counts", JSON),
    Column("versions", JSON),
)
