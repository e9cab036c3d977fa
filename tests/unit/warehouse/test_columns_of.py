"""A frame's columns said once, by its table (``schema.columns_of``)."""

from __future__ import annotations

import pytest

from reconcile.match.linked import LINK_COLUMNS
from reconcile.rules.cases import STATUS_COLUMNS
from reconcile.rules.finding_rows import FINDING_COLUMNS
from reconcile.warehouse import schema
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS


def test_the_partition_comes_first_then_the_table_order() -> None:
    assert schema.columns_of(schema.case_status) == ["quarter", "case_id", "province", "status"]
    assert schema.columns_of(schema.case_status, first=schema.PARTITION) == [
        "quarter",
        "province",
        "case_id",
        "status",
    ]
    assert schema.columns_of(schema.case_status, without=["province"]) == [
        "quarter",
        "case_id",
        "status",
    ]


def test_an_unknown_column_is_refused() -> None:
    with pytest.raises(KeyError, match="case_status has no column nope"):
        schema.columns_of(schema.case_status, first=["nope"])


def test_the_frames_written_to_a_table_have_its_columns_in_their_order() -> None:
    assert FIRM_COLUMNS[:4] == ["quarter", "province", "tax_code", "root"]
    assert UNIT_COLUMNS[:4] == ["quarter", "province", "unit_code", "name"]
    assert LINK_COLUMNS == [
        "quarter",
        "province",
        "unit_code",
        "tax_code",
        "method",
        "weight",
        "band",
        "evidence",
    ]
    assert FINDING_COLUMNS[:4] == ["quarter", "province", "case_id", "rule"]
    assert FINDING_COLUMNS[-2:] == ["money_at_stake", "money_counted"]
    assert STATUS_COLUMNS == ["quarter", "case_id", "province", "status"]
    for columns, table in (
        (FIRM_COLUMNS, schema.firm),
        (UNIT_COLUMNS, schema.employer_unit),
        (LINK_COLUMNS, schema.link),
        (FINDING_COLUMNS, schema.finding),
    ):
        assert sorted(columns) == sorted(c.name for c in table.columns)
