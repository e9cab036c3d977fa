"""Where a quarter's outputs go: the one place that names the published files.

``<output>/<quarter>/`` holds the run's ``summary.json`` and the quarter's data-quality report;
each province's files sit in ``<output>/<quarter>/<province>/`` under the stem
``<province>_<quarter>``: the inspectors' workbook and CSV of cases, the quarantine CSV and the
province's data-quality report. ``publish`` writes by these names, the summary lists by them,
and the demo's recorded digests check them: a name changed here is a change for the people
who open the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconcile.quarter import Quarter
from reconcile.settings import Settings


@dataclass(frozen=True)
class PublishedFiles:
    """What ``publish`` wrote for one province (``cases_csv`` None for a blocked province)."""

    province: str
    workbook: Path
    cases_csv: Path | None
    quarantine_csv: Path

    def as_dict(self) -> dict[str, str | None]:
        return {
            "province": self.province,
            "workbook": str(self.workbook),
            "csv": str(self.cases_csv) if self.cases_csv else None,
            "quarantine": str(self.quarantine_csv),
        }


class OutputLayout:
    """The output folder of one quarter and the name of every file published into it."""

    def __init__(self, settings: Settings, quarter: Quarter | str) -> None:
        self.quarter = str(quarter)
        self.folder = settings.output_dir / self.quarter

    def province_folder(self, province: str) -> Path:
        return self.folder / province

    def stem(self, province: str) -> str:
        return f"{province}_{self.quarter}"

    def workbook(self, province: str) -> Path:
        """The inspectors' workbook of cases (or, for a blocked province, of why not)."""
        return self.province_folder(province) / f"cases_{self.stem(province)}.xlsx"

    def cases_csv(self, province: str) -> Path:
        return self.province_folder(province) / f"cases_{self.stem(province)}.csv"

    def quarantine_csv(self, province: str) -> Path:
        return self.province_folder(province) / f"quarantine_{self.stem(province)}.csv"

    @property
    def summary_json(self) -> Path:
        return self.folder / "summary.json"

    @property
    def data_docs(self) -> Path:
        """Great Expectations' Data Docs site, when the ``data_docs`` option asks for it."""
        return self.folder / "data_docs"

    def quality_report(self, province: str | None = None) -> Path:
        """The quarter's data-quality report, or one province's beside its workbook."""
        if province:
            return self.province_folder(province) / f"quality_{self.stem(province)}.html"
        return self.folder / f"quality_{self.quarter}.html"

    def published_provinces(self) -> list[str]:
        """The provinces with a folder of outputs on disk (two-digit codes), in code order."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.glob("[0-9][0-9]") if p.is_dir())

    def published(self, province: str) -> PublishedFiles:
        """The files of a province as ``publish`` names them; the cases CSV only if it is
        there (a blocked province has none)."""
        csv = self.cases_csv(province)
        return PublishedFiles(
            province,
            self.workbook(province),
            csv if csv.exists() else None,
            self.quarantine_csv(province),
        )
