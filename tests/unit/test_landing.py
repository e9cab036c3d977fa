from __future__ import annotations

import builtins
import io
import logging
import os
import stat
import threading
from datetime import date
from pathlib import Path

import pytest

from reconcile.landing import LocalLandingZone, safe_file_name, sha256_of
from reconcile.quarter import Quarter


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("tax_82_2025Q3.csv", True),
        ("Danh sách đơn vị.xlsx", True),
        ("../etc/passwd", False),
        ("a/b.csv", False),
        (".hidden.csv", False),
        ("..csv", False),
        ("x" * 200 + ".csv", False),
        ("tax\x00.csv", False),
    ],  # fmt: skip
)
def test_only_plain_file_names_are_used(name: str, safe: bool) -> None:
    assert (safe_file_name(name) is not None) is safe


def test_listing_follows_the_quarter_province_layout(tmp_path: Path) -> None:
    base = tmp_path / "2025Q3"
    (base / "82").mkdir(parents=True)
    (base / "86").mkdir()
    (base / "notes").mkdir()
    (base / "82" / "tax_a.csv").write_text("x", encoding="utf-8")
    (base / "82" / "readme.txt").write_text("x", encoding="utf-8")
    (base / "86" / "roll_b.xlsx").write_bytes(b"x")
    (base / "86" / ".partial").write_bytes(b"x")
    (tmp_path / "2025Q2" / "82").mkdir(parents=True)
    (tmp_path / "2025Q2" / "82" / "tax_old.csv").write_text("x", encoding="utf-8")
    found = LocalLandingZone(tmp_path).list_files(Quarter.parse("2025Q3"))
    assert [(f.province, f.name, f.feed) for f in found] == [
        ("82", "readme.txt", None),
        ("82", "tax_a.csv", "tax"),
        ("86", "roll_b.xlsx", "roll"),
    ]
    assert LocalLandingZone(tmp_path).list_files(Quarter.parse("2024Q1")) == []


def test_content_hash_ignores_the_name(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"same bytes")
    (tmp_path / "b.csv").write_bytes(b"same bytes")
    (tmp_path / "c.csv").write_bytes(b"other bytes")
    assert (
        sha256_of(tmp_path / "a.csv")
        == sha256_of(tmp_path / "b.csv")
        != sha256_of(tmp_path / "c.csv")
    )


# ---------------------------------------------------------------- links, FIFOs, escapes
NORMAL = [("82", "roll_b.xlsx"), ("82", "tax_a.csv"), ("87", "decisions_ok.csv")]


@pytest.fixture
def traps(tmp_path: Path) -> tuple[Path, Path]:
    """A landing root holding normal files among every kind of trap; and a folder outside it."""
    root, outside = tmp_path / "landing", tmp_path / "outside"
    (outside / "86").mkdir(parents=True)
    (outside / "86" / "tax_86_theirs.csv").write_text("secret", encoding="utf-8")
    (outside / "quarter" / "82").mkdir(parents=True)
    (outside / "quarter" / "82" / "tax_82_theirs.csv").write_text("secret", encoding="utf-8")
    (outside / "secret.csv").write_text("secret", encoding="utf-8")
    base = root / "2025Q3"
    (base / "82").mkdir(parents=True)
    (base / "87").mkdir()
    for province, name in NORMAL:
        (base / province / name).write_text(f"{province} {name}", encoding="utf-8")
    (base / "82" / "roll_82_x.csv").symlink_to("/etc/passwd")  # the probe's link
    (base / "82" / "tax_82_y.csv").symlink_to(outside / "secret.csv")
    (base / "82" / "tax_82_inside.csv").symlink_to(base / "82" / "tax_a.csv")  # inside: refused too
    os.mkfifo(base / "82" / "registry_82_pipe.csv")
    (base / "86").symlink_to(outside / "86", target_is_directory=True)
    (root / "2025Q4").symlink_to(outside / "quarter", target_is_directory=True)
    return root, outside


@pytest.fixture
def opened(traps: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every path opened or listed once the traps are set; opening or listing anything outside
    the landing root, or any FIFO, fails the test at once (instead of reading elsewhere, or
    hanging)."""
    root = traps[0].resolve()
    seen: list[Path] = []

    def guard(path: object) -> None:
        if isinstance(path, int):
            return  # an open descriptor: its path was checked when it was opened
        resolved = Path(os.fsdecode(path)).resolve()
        seen.append(resolved)
        if not resolved.is_relative_to(root):
            raise AssertionError(f"touched outside the landing root: {path}")
        if resolved.exists() and stat.S_ISFIFO(resolved.stat().st_mode):
            raise AssertionError(f"opened a FIFO: {path}")

    def spy(real):
        def wrapper(path=".", *args, **kwargs):
            guard(path)
            return real(path, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(builtins.open))
    monkeypatch.setattr(io, "open", spy(io.open))
    monkeypatch.setattr(os, "open", spy(os.open))
    monkeypatch.setattr(os, "listdir", spy(os.listdir))
    monkeypatch.setattr(os, "scandir", spy(os.scandir))
    return seen


def test_links_fifos_and_linked_folders_are_ignored_and_never_opened(
    traps: tuple[Path, Path], opened: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    root, outside = traps
    zone = LocalLandingZone(root)
    with caplog.at_level(logging.WARNING, logger="reconcile.landing"):
        found = zone.list_files(Quarter.parse("2025Q3"))
        hashes = [sha256_of(f.path) for f in found]  # what steps.land does next

    assert [(f.province, f.name) for f in found] == NORMAL
    assert all(f.path == root / "2025Q3" / f.province / f.name for f in found)
    assert len(set(hashes)) == len(NORMAL)
    reasons = {i.entry: i.reason for i in zone.ignored}
    assert set(reasons) == {
        "2025Q3/82/registry_82_pipe.csv",
        "2025Q3/82/roll_82_x.csv",
        "2025Q3/82/tax_82_inside.csv",
        "2025Q3/82/tax_82_y.csv",
        "2025Q3/86",
    }
    assert reasons["2025Q3/82/registry_82_pipe.csv"].startswith("not a regular file (a FIFO")
    for entry in ("roll_82_x.csv", "tax_82_inside.csv", "tax_82_y.csv"):
        assert reasons[f"2025Q3/82/{entry}"].startswith("a symbolic link")
        assert "copy the file in instead of linking it" in reasons[f"2025Q3/82/{entry}"]
    assert reasons["2025Q3/86"].startswith("a symbolic link")
    # the warnings name each entry and say why, never where a link points
    for entry in reasons:
        assert f"ignored {entry}: {reasons[entry]}" in caplog.text
    assert "/etc/passwd" not in caplog.text and str(outside) not in caplog.text
    # only the landing root was listed, only the normal files were opened
    files_opened = {p for p in opened if p.is_file()}
    assert files_opened == {(root / "2025Q3" / p / n).resolve() for p, n in NORMAL}


def test_a_quarter_folder_that_is_a_link_is_ignored(
    traps: tuple[Path, Path], opened: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    root, outside = traps
    zone = LocalLandingZone(root)
    with caplog.at_level(logging.WARNING, logger="reconcile.landing"):
        assert zone.list_files(Quarter.parse("2025Q4")) == []
    assert [(i.entry, i.reason.split(":")[0]) for i in zone.ignored] == [
        ("2025Q4", "a symbolic link")
    ]
    assert "ignored 2025Q4: a symbolic link" in caplog.text and str(outside) not in caplog.text
    assert opened == []  # not even listed


def test_a_landing_root_that_is_a_link_is_the_operators_choice_and_is_followed(
    tmp_path: Path,
) -> None:
    real = tmp_path / "srv" / "landing"
    (real / "2025Q3" / "82").mkdir(parents=True)
    (real / "2025Q3" / "82" / "tax_a.csv").write_text("x", encoding="utf-8")
    (tmp_path / "landing").symlink_to(real, target_is_directory=True)
    zone = LocalLandingZone(tmp_path / "landing")
    assert [f.name for f in zone.list_files(Quarter.parse("2025Q3"))] == ["tax_a.csv"]
    assert zone.ignored == []


@pytest.mark.parametrize("swapped_to", ["outside", "another province"])
def test_a_province_folder_swapped_for_a_link_while_listing_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swapped_to: str
) -> None:
    """The race the link checks alone would miss: ``82`` passes ``lstat`` as a real folder,
    then becomes a link before its files are looked at; the real-path check refuses them."""
    root = tmp_path / "landing"
    (root / "2025Q3" / "82").mkdir(parents=True)
    (root / "2025Q3" / "82" / "tax_82.csv").write_text("ours", encoding="utf-8")
    elsewhere = tmp_path / "outside" if swapped_to == "outside" else root / "2025Q3" / "83"
    elsewhere.mkdir(parents=True)
    (elsewhere / "tax_82.csv").write_text("theirs", encoding="utf-8")
    real_listdir = os.listdir

    def listdir_then_swap(path="."):
        names = real_listdir(path)
        if Path(path) == root / "2025Q3" / "82":
            os.rename(path, tmp_path / "moved_away")
            os.symlink(elsewhere, path, target_is_directory=True)
        return names

    monkeypatch.setattr(os, "listdir", listdir_then_swap)
    zone = LocalLandingZone(root)
    found = zone.list_files(Quarter.parse("2025Q3"))
    assert [f.name for f in found if f.province == "82"] == []
    [refused] = [i for i in zone.ignored if i.entry == "2025Q3/82/tax_82.csv"]
    expected = "outside the landing folder" if swapped_to == "outside" else "elsewhere in the"
    assert expected in refused.reason and "copy the file in" in refused.reason


def test_hashing_refuses_a_link_swapped_in_after_listing(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_bytes(b"x")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    with pytest.raises(OSError, match="a symbolic link, not read"):
        sha256_of(tmp_path / "link.csv")
    assert len(sha256_of(tmp_path / "real.csv")) == 64


def test_hashing_refuses_a_fifo_swapped_in_after_listing_instead_of_hanging(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException | str] = []

    def hash_fifo() -> None:
        try:
            outcome.append(sha256_of(fifo))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=hash_fifo, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():  # it waits for a writer: give it one, so that the test ends
        with open(fifo, "wb"):
            pass
        worker.join(timeout=5)
        pytest.fail("sha256_of waited on a FIFO")
    [error] = outcome
    assert isinstance(error, OSError) and "not a regular file" in str(error)


def test_a_file_with_an_unsafe_name_is_refused_escaped_and_kept_out_of_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for folder, good in ((tmp_path / "2025Q3" / "82", "tax_ok.csv"),
                         (tmp_path / "changes" / "2025-09-24", "changes_ok.csv")):  # fmt: skip
        folder.mkdir(parents=True)
        (folder / "tax\nx.csv").write_text("a", encoding="utf-8")
        (folder / good).write_text("a", encoding="utf-8")
    zone = LocalLandingZone(tmp_path)
    with caplog.at_level(logging.WARNING, logger="reconcile.landing"):
        found = zone.list_files(Quarter.parse("2025Q3"))
        notices, refused = zone.scan_changes(until=date(2025, 9, 30))
    assert [f.name for f in found] == ["tax_ok.csv"]
    assert [f.name for f in notices] == ["changes_ok.csv"]
    for entries in (zone.ignored, refused):
        (entry,) = entries
        assert entry.reason == "not a plain file name" and "\\n" in entry.entry  # escaped
    assert "tax\nx" not in caplog.text and "not a plain file name" in caplog.text
