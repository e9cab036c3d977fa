"""The quarantine files sent back to partners: one per landed file, in Vietnamese, one column per
field under the partner's own header, the line in the partner's file and the reasons in words.

The rows go through the real reader, cleaning and validation (``validate_frame`` with the lines
and the headers as written, as ``steps.ingest`` calls it), so they are what the warehouse holds.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from reconcile.feeds.cleaning import clean
from reconcile.feeds.readers import read_table
from reconcile.feeds.spec import specs
from reconcile.publish.quarantine_csv import reason_vi, write_quarantine_csv
from reconcile.quality.expectations import load_suite, validate_frame
from reconcile.quality.quarantine import split_rows, written_headers
from reconcile.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "cases.yaml"
REASONS, LINE = "Lý do bị cách ly", "Dòng trong tệp"

# the partner's own spellings and order, a column of their own, a personal column, a header
# row repeated in the middle, a formula, a bad date, a duplicate and a total row
REGISTRY_CSV = (
    "Tên DN;MSDN;Người đại diện theo pháp luật;Ngày thành lập;Ghi chú của Sở\r\n"
    "Công ty A;0100233488;Nguyễn Văn An;01/02/2020;\r\n"
    'Công ty B;0100233489;Trần Thị Bình;01/02/2020;=HYPERLINK("http://x")\r\n'
    "Tên DN;MSDN;Người đại diện theo pháp luật;Ngày thành lập;Ghi chú của Sở\r\n"
    "Công ty C;0314409058;Lê Văn Cường;31/02/2020;\r\n"
    "Công ty A;0100233488;Nguyễn Văn An;01/02/2020;\r\n"
    "Tổng cộng;;;;\r\n"
)


def _ingested(tmp_path: Path, name: str, text: str, feed: str) -> tuple[pd.DataFrame, Path]:
    """The file's quarantined rows as the warehouse holds them, and its kept validation."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    spec = specs()[feed]
    table = read_table(path, spec)
    frame = clean(table, spec)
    columns = [c for c in frame.columns if c not in ("raw", "reasons", "line")]
    candidates = frame[frame["reasons"].map(len) == 0].reset_index()
    suite = load_suite(Settings.from_env().expectations_dir, feed)
    about = {"file_name": name, "feed": feed, "headers": written_headers(table)}
    outcome = validate_frame(candidates[columns], suite, name, lines=list(candidates["line"]),
                             about=about)  # fmt: skip
    for position, reasons in outcome.row_reasons.items():
        index = candidates.at[position, "index"]
        frame.at[index, "reasons"] = [*frame.at[index, "reasons"], *reasons]
    _, rejected = split_rows(frame)
    rejected = rejected.assign(file_id=name, feed=feed)
    rejected["reasons"] = rejected["reasons"].map(" | ".join)
    validations = tmp_path / "validations"
    validations.mkdir(exist_ok=True)
    (validations / f"{name}.json").write_text(json.dumps(outcome.result, default=str), "utf-8")
    return rejected, validations


def _write(tmp_path: Path, **options: bool) -> tuple[Path, list[dict[str, str]], list[str]]:
    name = "registry_82_2025Q3.csv"
    rows, validations = _ingested(tmp_path, name, REGISTRY_CSV, "registry")
    files = pd.DataFrame({"file_id": [name], "file_name": [name], "feed": ["registry"],
                          "status": ["loaded"], "rows_read": [6], "message": [None]})  # fmt: skip
    index = write_quarantine_csv(rows, files, tmp_path / "out" / "quarantine_82_2025Q3.csv",
                                 validations=validations, **options)  # fmt: skip
    path = index.parent / "quarantine_registry_82_2025Q3.csv"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return path, list(reader), list(reader.fieldnames or [])


def test_one_column_per_field_under_the_partners_header_then_line_and_reasons(tmp_path: Path) -> None:  # fmt: skip
    path, rows, header = _write(tmp_path)
    assert header == ["Tên DN", "MSDN", "Người đại diện theo pháp luật", "Ngày thành lập",
                      "Ghi chú của Sở", LINE, REASONS]  # fmt: skip
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads it
    by_line = {int(r[LINE]): r for r in rows}
    # lines of the partner's file (the header is line 1), not positions in a frame
    assert sorted(by_line) == [3, 4, 5, 6, 7]
    assert by_line[3][REASONS] == "MSDN: sai chữ số kiểm tra (mã số thuế không hợp lệ)"
    assert by_line[5][REASONS].startswith("Ngày thành lập: “31/02/2020” không phải ngày hợp lệ")
    assert by_line[6][REASONS] == "Trùng hoàn toàn với dòng 2"
    assert by_line[7][REASONS] == "Dòng tổng cộng"
    assert by_line[3]["Tên DN"] == "Công ty B" and by_line[3]["MSDN"] == "0100233489"


def test_personal_fields_are_masked_and_a_repeated_header_row_is_shown_as_written(tmp_path: Path) -> None:  # fmt: skip
    _, rows, _ = _write(tmp_path)
    text = json.dumps(rows, ensure_ascii=False)
    for name in ("Trần Thị Bình", "Lê Văn Cường", "Nguyễn Văn An"):
        assert name not in text
    by_line = {int(r[LINE]): r for r in rows}
    assert by_line[3]["Người đại diện theo pháp luật"] == "T. T. B."
    header = by_line[4]
    assert header[REASONS] == "Dòng tiêu đề lặp lại"
    assert (
        header["Người đại diện theo pháp luật"] == "Người đại diện theo pháp luật"
    )  # not N. d. d…
    assert header["Ghi chú của Sở"] == "Ghi chú của Sở" and header["MSDN"] == "MSDN"


def test_a_row_taken_for_a_header_keeps_a_name_in_it_masked(tmp_path: Path) -> None:
    """Two header words are enough to read a row as a repeated header: a name beside them is
    still masked (only values that are headers are shown as written)."""
    text = "MSDN,Tên DN,Người đại diện\r\n0100233488,Công ty A,Nguyễn Văn An\r\nMSDN,Tên DN,Phạm Văn Hùng\r\n"  # fmt: skip
    rows, validations = _ingested(tmp_path, "registry_82_2025Q3.csv", text, "registry")
    assert list(rows["reasons"]) == ["repeated header row"]
    files = pd.DataFrame({"file_id": ["registry_82_2025Q3.csv"], "file_name": ["registry_82_2025Q3.csv"]})  # fmt: skip
    index = write_quarantine_csv(rows, files, tmp_path / "out" / "q.csv", validations=validations)
    published = (index.parent / "quarantine_registry_82_2025Q3.csv").read_text(encoding="utf-8-sig")
    assert "Phạm Văn Hùng" not in published and "P. V. H." in published


def test_cells_are_neutral(tmp_path: Path) -> None:
    _, rows, _ = _write(tmp_path, mask_unknown=False)
    formula = next(r for r in rows if int(r[LINE]) == 3)["Ghi chú của Sở"]
    assert formula == '\'=HYPERLINK("http://x")'


def test_the_province_list_names_each_file_its_status_and_quarantine_file(tmp_path: Path) -> None:
    name = "registry_82_2025Q3.csv"
    rows, validations = _ingested(tmp_path, name, REGISTRY_CSV, "registry")
    files = pd.DataFrame({
        "file_id": [name, "b", "c"], "file_name": [name, "roll_82_2025Q3.xlsx", "tax_old.csv"],
        "feed": ["registry", "roll", "tax"], "status": ["loaded", "failed", "replaced"],
        "rows_read": [6, None, 4],
        "message": [None, "roll_82_2025Q3.xlsx, row 3: 9 of 10 rows quarantined, more than the "
                    "limit of 50%; worst reasons: x (9); example rows: 1", None],
    })  # fmt: skip
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "quarantine_tax_old.csv").write_text("an earlier run's file")
    index = write_quarantine_csv(rows, files, folder / "quarantine_82_2025Q3.csv",
                                 validations=validations)  # fmt: skip
    with open(index, encoding="utf-8-sig", newline="") as handle:
        listed = list(csv.DictReader(handle))
    assert [r["Tệp đã gửi"] for r in listed] == [name, "roll_82_2025Q3.xlsx"]
    assert listed[0]["Tệp các dòng bị cách ly"] == "quarantine_registry_82_2025Q3.csv"
    assert listed[0]["Tình trạng"] == "Đã nhận" and listed[0]["Số dòng bị cách ly"] == "5"
    assert listed[1]["Tình trạng"] == "Bị từ chối cả tệp"
    assert listed[1]["Lý do từ chối cả tệp"].startswith("Dòng 3: 9 trong 10 dòng bị cách ly")
    assert sorted(p.name for p in folder.glob("*.csv")) == [
        "quarantine_82_2025Q3.csv", "quarantine_registry_82_2025Q3.csv"]  # fmt: skip


def _corpus_reasons() -> list[str]:
    """Every reason cleaning gives the corpus's bad files, and every expectation's reason."""
    cases = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["cases"]
    found: set[str] = set()
    for case in cases:
        if case["outcome"] != "rows":
            continue
        spec = specs()[case["feed"]]
        frame = clean(read_table(CORPUS.parent / "files" / case["file"], spec), spec)
        found.update(reason for reasons in frame["reasons"] for reason in reasons)
    for feed in sorted(specs()):
        for item in load_suite(Settings.from_env().expectations_dir, feed)["expectations"]:
            reason = (item.get("meta") or {}).get("reason", "")
            if not reason.startswith("column "):  # a missing column fails the file, not a row
                found.add(reason)
    return sorted(found)


REAL_REASONS = [
    "tax_code: check digit does not match (invalid tax code)",
    "tax_code: not a tax code (10 digits, or 10 digits and -NNN)",
    "unit_code: blank (required)",
    "repeated header row",
    "total row",
    "duplicate of row 1",
    "row cut off: the file ends in the middle of it",
    "no value in the feed's columns (a heading or a note, not a data row?)",
    "not JSON: Expecting value at column 1",
    "not a JSON object but list",
    "unreadable characters in name: the file is damaged here or mixes encodings",
    "registered_on: '31/02/2020' is not a date (expected dd/mm/yyyy or yyyy-mm-dd)",
    "registered_on: number 99999999 is not a date",
    "founded_on: 01/01/2099 is in the future",
    "pit_employees: 3.5 is not a whole number",
    "wage_bill: '12,5' is not a whole number",
    "wage_bill: 'abc' is not a number",
    "status: 'xyz' is not a known tax status",
    "decision: 'maybe' is not a known decision status",
    "arrears: negative arrears",
    "unit_code: not an agency unit code (letters and digits)",
    "enterprise_code: appears twice in the file",
    "tax_code 0100233488 already on row 2",
    "notice_id N1 (sender blank) already on row 3",
    "name: cell of 5,000 characters, longer than the limit of 4,000 (limits.max_cell_chars); "
    "the text kept in raw is cut",
    "case_id: no case C-1 in province 82: a case of another province, or a mistyped id",
    "case_id: no unit TZ1 on province 82's roll for the link case L-TZ1: a case of another "
    "province, or a mistyped id",
]


@pytest.mark.parametrize("reason", REAL_REASONS)
def test_every_reason_reads_in_vietnamese(reason: str) -> None:
    worded = reason_vi(reason, lambda key: {"tax_code": "Mã số thuế"}.get(key, key), offset=1)
    assert worded != reason
    english = ("blank", "not a", "check digit", "row", "cut off", "duplicate", "already", "is in")
    message = worded.split(": ", 1)[-1]
    assert not any(word in message for word in english), worded


def test_the_corpus_reasons_read_in_vietnamese() -> None:
    """Every reason the bad-file corpus and the suites give is worded by labels.yaml."""
    reasons = _corpus_reasons()
    assert len(reasons) > 10
    english = ("blank", "not a", "check digit", "row", "cut off", "duplicate", "already", "is in",
               "negative", "appears")  # fmt: skip
    for reason in reasons:
        worded = reason_vi(reason, lambda key: key, offset=1)
        message = worded.split(": ", 1)[-1] if ": " in worded else worded
        assert worded != reason and not any(w in message for w in english), (reason, worded)
