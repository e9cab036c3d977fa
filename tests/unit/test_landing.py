from __future__ import annotations

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
