"""The warehouse as the first released version made it (revision 0001_baseline), for tests.

``git show 5790957:plugins/reconcile/warehouse/schema.py``, kept as it was, except that the
staging tables are written out instead of built from the feed contract (which has moved on):
their columns are those of ``feeds/data/spec.yaml`` as first released, with the tax feed's
``province`` already named ``stated_province`` (2231c76, four minutes after 5790957: under
SQLAlchemy 2 the original name collides with the partition column and the schema does not
import) and without the ``changes`` feed (d9e0975, migration 0004).

Created with ``metadata.create_all`` and no ``alembic_version`` table: exactly what a warehouse
of that version looks like. Never import it from the package.
"""

from __future__ import annotations

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

metadata = MetaData()

QUARTER = String(6)
PROVINCE = String(2)
TAX_CODE = String(32)

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
    Column("status", String(16), nullable=False, comment="landed, loaded or failed"),
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

_KIND_TYPES = {
    "tax_code": TAX_CODE,
    "date": Date,
    "money": BigInteger,
    "count": Integer,
    "status": String(32),
    "code": String(64),
    "text": Text,
}


_FEED_COLUMNS = {
    "tax": {
        "tax_code": "tax_code", "name": "text", "address": "text", "stated_province": "text",
        "tax_office": "text", "registered_on": "date", "status": "status",
        "status_since": "date", "pit_employees": "count", "pit_wage_bill": "money",
        "industry": "code",
    },
    "registry": {
        "enterprise_code": "tax_code", "name": "text", "short_name": "text",
        "foreign_name": "text", "legal_form": "text", "address": "text",
        "representative": "text", "founded_on": "date", "status": "status",
        "status_since": "date", "suspended_until": "date", "declared_employees": "count",
        "payment_cycle": "text", "industry": "code",
    },
    "roll": {
        "unit_code": "code", "name": "text", "tax_code": "tax_code", "address": "text",
        "office": "text", "joined_on": "date", "status": "status",
        "insured_employees": "count", "wage_bill": "money", "due": "money", "paid": "money",
        "arrears": "money", "arrears_months": "count", "reminded_on": "date",
    },
    "decisions": {
        "case_id": "code", "decision": "status", "note": "text", "inspector": "text",
        "decided_on": "date",
    },
}  # fmt: skip


def _staging_table(feed: str) -> Table:
    columns = [
        Column("file_id", String(64), primary_key=True),
        Column("row_number", Integer, primary_key=True),
        Column("quarter", QUARTER, nullable=False),
        Column("province", PROVINCE, nullable=False),
    ]
    for name, kind in _FEED_COLUMNS[feed].items():
        columns.append(Column(name, _KIND_TYPES[kind]))
    columns.append(Column("raw", Text))
    return Table(
        f"staged_{feed}",
        metadata,
        *columns,
        Index(f"ix_staged_{feed}_partition", "quarter", "province"),
    )


staged = {feed: _staging_table(feed) for feed in _FEED_COLUMNS}

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
    Index("ix_finding_partition", "quarter", "province"),
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
    Column("case_id", String(96), primary_key=True),
    Column("decided_on", Date, primary_key=True),
    Column("decision", String(32), nullable=False),
    Column("note", Text),
    Column("inspector", Text),
    Column("file_id", String(64)),
    Column("quarter", QUARTER),
)

run = Table(
    "run",
    metadata,
    Column("run_id", String(250), primary_key=True),
    Column("quarter", QUARTER, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),
    Column("counts", JSON),
    Column("versions", JSON),
)
