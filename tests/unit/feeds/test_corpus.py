"""The corpus of bad feed files (tests/corpus): every case of FEEDS.md, read as ingest reads it.

Each file is read, cleaned and validated with its feed's suite from ``expectations/`` exactly as
``reconcile.steps.ingest`` chains them (without the warehouse), then held to its manifest entry:
the good rows planted are the rows accepted, with their values; each bad row is quarantined with
its reason; an unreadable file raises ``FeedFileError`` naming the file, the row and the fault.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from reconcile.feeds.cleaning import clean
from reconcile.feeds.errors import FeedFileError
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import FeedSpec, specs
from reconcile.quality.expectations import load_suite, validate_frame
from reconcile.quality.quarantine import split_rows
from reconcile.text.unicode import header_key

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus"
EXPECTATIONS = ROOT / "expectations"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))[
    "cases"
]

# The bad inputs FEEDS.md and the issue name; each must be covered by at least one case.
REQUIRED_COVERAGE = [
    "header spellings",
    "no diacritics",
    "any case",
    "any column order",
    "unknown extra columns kept in raw",
    "UTF-8",
    "UTF-8 BOM",
    "Windows-1258 (cp1258) with combining tone marks",
    "UTF-16 CSV",
    "semicolon CSV",
    "xlsx with title block",
    "xlsx with merged cells",
    "trailing empty columns",
    "blank tax code",
    "invalid tax code",
    "the same firm twice (exact duplicate)",
    "the same firm twice (same key, other content)",
    "header row repeated mid-file",
    "total row at the bottom",
    "file cut off mid-row",
    "wrong file in the wrong slot",
    "empty file",
    "header-only file",
    "not a spreadsheet (.xlsx that is really text)",
    "binary garbage .csv",
    "dates in all forms",
    "dates as Excel serials",
    "thousands separators",
    "tax codes that lost their leading zero",
    "JSON lines with a broken line",
]


def ingest_frame(path: Path, spec: FeedSpec, name: str) -> pd.DataFrame:
    """read -> clean -> validate -> row reasons, as ``steps.ingest`` does it (no warehouse)."""
    table = read_table(path, spec, display_name=name)
    frame = clean(table, spec)
    columns = [c for c in frame.columns if c not in ("raw", "reasons", "line")]
    candidates = frame[frame["reasons"].map(len) == 0].reset_index()
    outcome = validate_frame(candidates[columns], load_suite(EXPECTATIONS, spec.name), name)
    if outcome.table_failures:
        raise FeedFileError(name, "; ".join(outcome.table_failures))
    for position, reasons in outcome.row_reasons.items():
        index = candidates.at[position, "index"]
        frame.at[index, "reasons"] = [*frame.at[index, "reasons"], *reasons]
    return frame


def plain(value: object) -> object:
    """A frame cell as the manifest writes it: ISO dates, ints, None for every kind of missing."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    return value


def test_the_corpus_covers_every_bad_input_of_the_contract() -> None:
    assert len(CASES) >= 25
    covered = {item for case in CASES for item in case["covers"]}
    assert not [item for item in REQUIRED_COVERAGE if item not in covered]
    assert {case["feed"] for case in CASES} == set(specs())
    assert all((CORPUS / "files" / case["file"]).is_file() for case in CASES)
    assert sorted(p.name for p in (CORPUS / "files").iterdir()) == sorted(c["file"] for c in CASES)


def test_every_header_spelling_of_every_feed_is_in_the_corpus() -> None:
    for feed, spec in specs().items():
        written = {header_key(h) for c in CASES if c["feed"] == feed for h in c.get("headers", [])}
        missing = [
            spelling
            for column in spec.columns.values()
            for spelling in column.headers
            if header_key(spelling) not in written
        ]
        assert not missing, f"{feed}: no corpus file spells {missing}"


def test_the_committed_corpus_is_what_the_script_builds() -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    files, manifest = module.build(CORPUS / "files")
    again, manifest_again = module.build(CORPUS / "files")
    assert files == again and manifest == manifest_again, "make_corpus.py is not deterministic"
    assert manifest == (CORPUS / "cases.yaml").read_text(encoding="utf-8")
    stale = [name for name, data in files.items() if (CORPUS / "files" / name).read_bytes() != data]
    assert not stale, f"rerun tests/corpus/make_corpus.py: {stale}"


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_case(case: dict[str, Any]) -> None:
    spec = specs()[case["feed"]]
    path = CORPUS / "files" / case["file"]
    name = case["file"]
    if case["outcome"] == "fatal":
        with pytest.raises(FeedFileError) as caught:
            ingest_frame(path, spec, name)
        error, expected = caught.value, case["error"]
        message = str(error)
        assert message.startswith(name), message
        assert error.row == expected["row"], message
        if expected["row"] is not None:
            assert f"row {expected['row']}" in message
        for phrase in expected["fault"]:
            assert phrase in error.fault, message
        return

    if "header_line" in case:
        assert read_table(path, spec, display_name=name).header_line == case["header_line"]
    frame = ingest_frame(path, spec, name)
    accepted, rejected = split_rows(frame)
    assert len(frame) == case["accepted"] + len(case["quarantined"]), frame[["line", "reasons"]]
    assert sorted(accepted["line"]) == case["accepted_lines"], rejected[["line", "reasons"]]
    assert len(accepted) == case["accepted"]
    reasons = {int(r.line): " | ".join(r.reasons) for r in rejected.itertuples()}
    assert sorted(reasons) == [q["line"] for q in case["quarantined"]], reasons
    for item in case["quarantined"]:
        assert item["reason"] in reasons[item["line"]], (item, reasons[item["line"]])
    by_line = accepted.set_index("line")
    for line, values in (case.get("values") or {}).items():
        got = {column: plain(by_line.at[line, column]) for column in values}
        assert got == values, f"line {line}"
    for line, fragments in (case.get("raw_contains") or {}).items():
        raw = frame.set_index("line").at[line, "raw"]
        for fragment in fragments:
            assert fragment in raw, raw
