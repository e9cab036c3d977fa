"""The output layout names every published file, and the names are the ones the inspectors and
the partners have always received (the demo's digests check the files by them)."""

from __future__ import annotations

from pathlib import Path

from reconcile.publish.layout import OutputLayout
from reconcile.publish.quality_report import report_path
from reconcile.quarter import Quarter
from reconcile.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        output_dir=tmp_path / "out",
        data_dir=tmp_path / "data",
        landing_dir=tmp_path / "in",
        warehouse_url="sqlite://",
    )


def test_the_layout_names_the_files_of_a_quarter(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    layout = OutputLayout(settings, Quarter.parse("2025Q3"))
    out = tmp_path / "out" / "2025Q3"
    assert layout.folder == out
    assert layout.workbook("82") == out / "82" / "cases_82_2025Q3.xlsx"
    assert layout.cases_csv("82") == out / "82" / "cases_82_2025Q3.csv"
    assert layout.quarantine_csv("82") == out / "82" / "quarantine_82_2025Q3.csv"
    assert layout.summary_json == out / "summary.json"
    assert layout.quality_report() == out / "quality_2025Q3.html"
    assert layout.quality_report("82") == out / "82" / "quality_82_2025Q3.html"
    # the quality report names its files the same way (until it asks the layout)
    assert layout.quality_report() == report_path(settings, "2025Q3")
    assert layout.quality_report("82") == report_path(settings, "2025Q3", "82")


def test_what_was_published_is_listed_by_the_layouts_names(tmp_path: Path) -> None:
    layout = OutputLayout(_settings(tmp_path), "2025Q3")
    assert layout.published_provinces() == []
    for province in ("86", "82"):
        layout.province_folder(province).mkdir(parents=True)
        layout.workbook(province).write_bytes(b"")
    layout.cases_csv("82").write_text("")
    (layout.folder / "data_docs").mkdir()
    assert layout.published_provinces() == ["82", "86"]
    assert layout.published("82").cases_csv == layout.cases_csv("82")
    blocked = layout.published("86").as_dict()
    assert blocked == {
        "province": "86",
        "workbook": str(layout.workbook("86")),
        "csv": None,
        "quarantine": str(layout.quarantine_csv("86")),
    }
