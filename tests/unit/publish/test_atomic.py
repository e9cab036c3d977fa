"""Published files are replaced whole: a crash mid-write leaves the last good file readable.

The probe: a run killed during publish, or two runs at once, left ``cases_82_2025Q3.xlsx`` a
broken zip (BadZipFile) and the previous good copy gone, because the workbook was written, and
then rewritten, in place. Every published file now goes through ``atomic.atomic_path``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from reconcile.publish import atomic, neutral, quarantine_csv, xlsx
from reconcile.publish.atomic import atomic_path

ROOT = Path(__file__).resolve().parents[3]


def _temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f".*{atomic.TEMP_SUFFIX}"))


def _book(title: str, rows: int = 10) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet["A1"] = title
    for r in range(2, rows + 2):
        sheet.append([r, f"dòng {r}", r * 1000])
    return book


def test_an_exception_inside_the_write_leaves_the_earlier_file_and_no_temp(tmp_path: Path) -> None:
    """Half the new content is written, then the writer fails: the reader still sees the old
    file, byte for byte, and the half-written temporary file is gone."""
    target = tmp_path / "summary.json"
    target.write_text('{"old": true}', encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(target) as temp:
        assert temp.parent == target.parent and temp != target
        temp.write_text('{"new": tr', encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == '{"old": true}'
    assert _temp_files(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_a_successful_write_replaces_the_file_and_leaves_no_temp(tmp_path: Path) -> None:
    """The new content arrives under the final name; nothing else is left in the folder."""
    target = tmp_path / "out" / "summary.json"
    atomic.write_text(target, "mới", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "mới"
    atomic.write_text(target, "mới hơn", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "mới hơn"
    assert [p.name for p in target.parent.iterdir()] == ["summary.json"]


def test_a_workbook_save_that_fails_midway_keeps_the_last_good_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``save_deterministic`` dies after writing two zip entries (as a kill would stop it):
    the earlier workbook still opens with its own content, and no temp file is left."""
    target = tmp_path / "cases_82_2025Q3.xlsx"
    xlsx.save_deterministic(_book("lần 1"), target)
    before = target.read_bytes()
    calls = {"n": 0}
    real = zipfile.ZipFile.writestr

    def failing(self: zipfile.ZipFile, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError("killed")
        real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    with pytest.raises(OSError, match="killed"):
        xlsx.save_deterministic(_book("lần 2"), target)
    monkeypatch.undo()
    assert calls["n"] == 3  # it did fail in the middle of writing the new book
    assert target.read_bytes() == before
    assert load_workbook(target).active["A1"].value == "lần 1"
    assert _temp_files(tmp_path) == []


def test_published_csvs_are_replaced_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases and quarantine CSVs go through the same helper: a failing ``to_csv`` leaves
    the earlier file."""
    target = tmp_path / "quarantine_82_2025Q3.csv"
    empty = pd.DataFrame(columns=["file_id", "feed", "row_number", "line", "reasons", "raw"])
    quarantine_csv.write_quarantine_csv(
        empty, pd.DataFrame(columns=["file_id", "file_name"]), target
    )
    before = target.read_bytes()
    assert before.startswith("\ufeffTệp đã gửi,Nguồn dữ liệu,Tình trạng".encode())

    def partial(self: pd.DataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_bytes(b"file,feed\r\nhalf")
        raise OSError("killed")

    monkeypatch.setattr(pd.DataFrame, "to_csv", partial)
    with pytest.raises(OSError, match="killed"):
        neutral.write_csv(pd.DataFrame({"a": [1]}), target)
    assert target.read_bytes() == before
    assert _temp_files(tmp_path) == []


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from openpyxl import Workbook
    from reconcile.publish.xlsx import save_deterministic

    target = Path(sys.argv[1])
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "lần 2"
    for r in range(2, 40_000):
        sheet.append([r, f"Công ty số {r}", r * 1000, f"Phường {r % 97}"])
    print("ready", flush=True)
    while True:
        save_deterministic(book, target)
    """
)


def test_a_writer_killed_mid_save_leaves_the_earlier_workbook_readable(tmp_path: Path) -> None:
    """A process saving a big workbook over and over is SIGKILLed while its temporary file is
    being written (no handler, no cleanup can run). The workbook under the final name is a
    whole zip that opens: the earlier one, or a complete new one, never a torn mix."""
    target = tmp_path / "cases_82_2025Q3.xlsx"
    xlsx.save_deterministic(_book("lần 1"), target)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")])}  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, env=env)  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
        deadline = time.monotonic() + 60
        caught = False
        while time.monotonic() < deadline and not caught:
            for temp in _temp_files(tmp_path):
                try:
                    if temp.stat().st_size > 0:
                        caught = True
                        break
                except FileNotFoundError:
                    continue
            else:
                time.sleep(0.001)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert caught, "never saw the writer's temporary file"
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
    assert load_workbook(target, read_only=True).active["A1"].value in ("lần 1", "lần 2")


def test_two_writers_at_once_leave_one_whole_workbook(tmp_path: Path) -> None:
    """Two runs publishing the same province at the same moment: each writes its own
    temporary file and renames it; the last rename wins and the file is whole."""
    target = tmp_path / "cases_82_2025Q3.xlsx"
    errors: list[BaseException] = []

    def publish(title: str) -> None:
        try:
            for _ in range(5):
                xlsx.save_deterministic(_book(title, rows=2_000), target)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(f"lần {n}",)) for n in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert load_workbook(target).active["A1"].value in ("lần 1", "lần 2", "lần 3")
    assert _temp_files(tmp_path) == []
