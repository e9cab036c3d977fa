"""The whole quarter through the same steps as the DAG, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

import known_feeds as known
from reconcile.pipeline import run_quarter
from reconcile.publish.labels import labels
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.text.admin_units import communes
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from workbook_reading import case_rows, case_sheets, rule_of

Q3 = Quarter.parse("2025Q3")


def _settings(tmp_path: Path, warehouse_url: str) -> Settings:
    return Settings.from_env(
        landing_dir=tmp_path / "landing",
        data_dir=tmp_path / "data",
        output_dir=tmp_path / "output",
        warehouse_url=warehouse_url,
    )


def _table_rows(url: str, table, **filters) -> list[tuple]:
    with get_engine(url).connect() as conn:
        frame = read_frame(conn, table, **filters)
    return sorted(tuple(str(v) for v in row) for row in frame.itertuples(index=False))


def test_known_quarter_flags_the_named_cases(tmp_path: Path, warehouse_url: str) -> None:
    settings = _settings(tmp_path, warehouse_url)
    known.write_known_quarter(settings.landing_dir)
    summary = run_quarter(settings, Q3, "test-run")

    with get_engine(warehouse_url).connect() as conn:
        findings = read_frame(conn, t.finding, quarter="2025Q3")
        links = read_frame(conn, t.link, quarter="2025Q3")
        quarantined = read_frame(conn, t.quarantine, quarter="2025Q3")
    found = {
        (rule, tax or unit)
        for rule, tax, unit in zip(
            findings["rule"], findings["tax_code"], findings["unit_code"], strict=True
        )
    }
    assert found == known.EXPECTED_FINDINGS
    assert known.COMPLIANT not in set(findings["tax_code"])
    # every finding carries its article of law and its evidence
    assert all("41/2024" in basis for basis in findings["legal_basis"])
    evasion = findings[findings["rule"] == "ARREARS_EVASION"].iloc[0]
    assert (
        evasion["evidence"]["days_past_due_at_quarter_end"] == 92
    )  # May unpaid, due 30/06; 31+31+30 days to 30/09
    assert evasion["evidence"]["reminded_on"] == "2025-08-15"

    # exact links: the lost leading zero is restored, the branch links to its parent
    methods = dict(zip(links["unit_code"], links["method"], strict=True))
    assert methods["TZ0001A"] == "exact"
    assert methods["TZ0006F"] == "exact_parent"
    assert "TZ0007G" not in methods

    # quarantine: each bad row of the tax file, with its reason; good rows all went through
    assert summary["feeds"]["tax"] == {"files": 1, "rows_accepted": 9, "rows_quarantined": 6}
    assert summary["feeds"]["roll"] == {"files": 1, "rows_accepted": 7, "rows_quarantined": 1}
    assert summary["feeds"]["registry"] == {"files": 1, "rows_accepted": 4, "rows_quarantined": 1}
    tax_reasons = dict(
        zip(
            quarantined.loc[quarantined["feed"] == "tax", "row_number"],
            quarantined.loc[quarantined["feed"] == "tax", "reasons"],
            strict=True,
        )
    )
    assert "check digit" in tax_reasons[10]
    assert "not a tax code" in tax_reasons[11]
    assert "tax_code: blank" in tax_reasons[12]
    assert "duplicate of row 1" in tax_reasons[13]
    assert tax_reasons[14] == "repeated header row"
    assert tax_reasons[15] == "total row"

    # the published quarantine masks personal data; the warehouse keeps it for the agency
    # (one file per partner file, beside the province's list of its files)
    listing = Path(summary["published"][0]["quarantine"])
    assert "quarantine_registry_82_2025Q3.csv" in listing.read_text(encoding="utf-8-sig")
    published_quarantine = (listing.parent / "quarantine_registry_82_2025Q3.csv").read_text(
        encoding="utf-8-sig"
    )
    assert "Hoàng Thị Em" not in published_quarantine and "H. T. E." in published_quarantine
    assert published_quarantine.startswith("MSDN,Tên DN,Loại hình,Người đại diện,")
    assert "Hoàng Thị Em" in quarantined.loc[quarantined["feed"] == "registry", "raw"].iloc[0]

    # the workbook lists exactly the cases, largest stake first
    workbook_path = Path(summary["published"][0]["workbook"])
    sheets = case_sheets(workbook_path)
    wards = {f"{c.type} {c.name}" for c in communes("82")}
    assert len(sheets) >= 3 and set(sheets) <= wards | {
        "Khác"
    }  # a sheet per ward, by the 2025 units
    assert (
        "Phường Mỹ Phong" in sheets
    )  # "Xã Mỹ Phong, Thành phố Mỹ Tho, Tỉnh Tiền Giang" before 2025
    rows = case_rows(workbook_path)
    assert list(rows[0])[:3] == ["Mã hồ sơ", "Tình trạng hồ sơ", "Vi phạm"]
    assert {
        (rule_of(r["Vi phạm"]), r["Mã số thuế"] or r["Mã đơn vị"])
        for r in rows
        if r["Mức độ"] != labels()["severity"]["0"]
    } == known.EXPECTED_FINDINGS
    for rows_of_sheet in sheets.values():
        stakes = [r["Số tiền ước tính (VND)"] for r in rows_of_sheet]
        assert stakes == sorted(stakes, reverse=True)
    assert (
        json.loads(Path(summary["summary_path"]).read_text(encoding="utf-8"))["findings_by_rule"][
            "NOT_REGISTERED"
        ]
        == 1
    )


def test_rerun_lands_nothing_again_and_leaves_the_same_rows(
    tmp_path: Path, warehouse_url: str
) -> None:
    settings = _settings(tmp_path, warehouse_url)
    known.write_known_quarter(settings.landing_dir)
    first = run_quarter(settings, Q3, "run-1")
    before = {name: _table_rows(warehouse_url, table, quarter="2025Q3") for name, table in
              [("firm", t.firm), ("employer_unit", t.employer_unit), ("link", t.link), ("finding", t.finding)]}  # fmt: skip
    csv_before = Path(first["published"][0]["csv"]).read_bytes()
    xlsx_before = Path(first["published"][0]["workbook"]).read_bytes()

    second = run_quarter(settings, Q3, "run-2")
    assert first["files"]["landed_now"] == 3
    assert second["files"]["landed_now"] == 0
    assert second["files"]["skipped_seen_before"] == 3
    for name, table in [
        ("firm", t.firm),
        ("employer_unit", t.employer_unit),
        ("link", t.link),
        ("finding", t.finding),
    ]:
        assert _table_rows(warehouse_url, table, quarter="2025Q3") == before[name], name
    assert Path(second["published"][0]["csv"]).read_bytes() == csv_before
    assert Path(second["published"][0]["workbook"]).read_bytes() == xlsx_before
    with get_engine(warehouse_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.feed_file)).scalar_one() == 3
    assert second["cases_by_status"] == first["cases_by_status"]


def test_two_quarters_stay_apart_and_cases_carry_over(tmp_path: Path, warehouse_url: str) -> None:
    settings = _settings(tmp_path, warehouse_url)
    known.write_known_quarter(settings.landing_dir, quarter="2025Q2")
    known.write_known_quarter(settings.landing_dir, quarter="2025Q3")
    # the Q2 files are byte-identical to Q3's: content-hash dedup would skip them, so make Q3's differ
    roll = settings.landing_dir / "2025Q3" / "82" / "roll_82_2025Q3.csv"
    roll.write_bytes(roll.read_bytes().replace(b"TZ0002B", b"TZ0002X"))
    for name in ("tax_82_2025Q3.csv", "registry_82_2025Q3.xlsx"):
        path = settings.landing_dir / "2025Q3" / "82" / name
        path.write_bytes(path.read_bytes() + (b"\n" if name.endswith(".csv") else b""))
    q2 = run_quarter(settings, Quarter.parse("2025Q2"), "q2")
    q3 = run_quarter(settings, Q3, "q3")
    assert q2["files"]["in_warehouse"] == 3 and q3["files"]["in_warehouse"] == 3
    with get_engine(warehouse_url).connect() as conn:
        units_q2 = set(read_frame(conn, t.employer_unit, quarter="2025Q2")["unit_code"])
        units_q3 = set(read_frame(conn, t.employer_unit, quarter="2025Q3")["unit_code"])
        statuses = read_frame(conn, t.case_status, quarter="2025Q3")
        cases = read_frame(conn, t.case)
    assert "TZ0002B" in units_q2 and "TZ0002B" not in units_q3 and "TZ0002X" in units_q3
    by_case = dict(zip(statuses["case_id"], statuses["status"], strict=True))
    assert by_case[f"UNREGISTERED-{known.MISSING}"] == "persisting"
    assert by_case["CLOSED_ON_ROLL-TZ0002B"] == "resolved"
    assert by_case["CLOSED_ON_ROLL-TZ0002X"] == "new"
    first_seen = dict(zip(cases["case_id"], cases["first_seen"], strict=True))
    assert first_seen[f"UNREGISTERED-{known.MISSING}"] == "2025Q2"


@pytest.mark.parametrize("limit", [0.2])
def test_a_file_with_too_many_bad_rows_fails_naming_file_and_reasons(
    tmp_path: Path, limit: float
) -> None:
    from reconcile.feeds.errors import FeedFileError
    from reconcile.steps import ingest, land

    settings = _settings(tmp_path, f"sqlite:///{tmp_path / 'w.db'}")
    settings.options["max_bad_row_share"] = limit
    known.write_known_quarter(settings.landing_dir)
    landing = land(settings, Q3)
    tax_id = next(f["file_id"] for f in landing["landed"] if f["feed"] == "tax")
    with pytest.raises(FeedFileError) as error:
        ingest(settings, tax_id)
    message = str(error.value)
    assert "tax_82_2025Q3.csv" in message and "6 of 15 rows quarantined" in message
    assert "example rows: 10, 11, 12" in message


def test_a_corrected_file_replaces_the_earlier_one_and_the_replacement_is_recorded(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, f"sqlite:///{tmp_path / 'w.db'}")
    folder = known.write_known_quarter(settings.landing_dir)
    first = run_quarter(settings, Q3, "first")
    roll = folder / "roll_82_2025Q3.csv"
    # the corrected roll drops the dissolved firm's unit (TZ0002B)
    lines = roll.read_bytes().split(b"\n")
    roll.write_bytes(b"\n".join(line for line in lines if not line.startswith(b"TZ0002B")))
    second = run_quarter(settings, Q3, "second")
    assert second["files"]["landed_now"] == 1 and second["files"]["replaced_by_corrections"] == 1
    assert second["feeds"]["roll"]["rows_accepted"] == first["feeds"]["roll"]["rows_accepted"] - 1
    with get_engine(settings.warehouse_url).connect() as conn:
        files = read_frame(conn, t.feed_file, feed="roll")
        units = set(read_frame(conn, t.employer_unit, quarter="2025Q3")["unit_code"])
        findings = set(read_frame(conn, t.finding, quarter="2025Q3")["case_id"])
    by_status = {row.status: row for row in files.itertuples(index=False)}
    assert set(by_status) == {"replaced", "loaded"}
    assert by_status["replaced"].message.startswith(f"replaced by {by_status['loaded'].file_id}")
    assert by_status["loaded"].message == f"replaces {by_status['replaced'].file_id}"
    assert "TZ0002B" not in units and "CLOSED_ON_ROLL-TZ0002B" not in findings


def test_data_docs_record_every_validation_of_the_quarter(tmp_path: Path) -> None:
    settings = _settings(tmp_path, f"sqlite:///{tmp_path / 'w.db'}")
    settings.options["data_docs"] = True  # an optional extra: off by default
    known.write_known_quarter(settings.landing_dir)
    summary = run_quarter(settings, Q3, "docs")
    index = Path(summary["data_docs"])
    assert index.name == "index.html" and index.is_file()
    pages = sorted(p.relative_to(index.parent).as_posix() for p in index.parent.rglob("*.html"))
    for feed in ("tax", "registry", "roll"):
        assert f"expectations/{feed}_feed.html" in pages
        assert any(p.startswith(f"validations/{feed}_feed/") for p in pages)
    html = index.read_text(encoding="utf-8")
    assert "tax_feed" in html and "roll_feed" in html
    tax_page = next(index.parent.glob("validations/tax_feed/**/*.html")).read_text(encoding="utf-8")
    # the tax file's planted faults show as failed expectations with their rows
    assert "Unsuccessful Expectations" in tax_page and "0312687878-001x" in tax_page
