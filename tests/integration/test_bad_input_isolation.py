"""One partner's bad file stops nothing else, and a province is never judged on half its feeds.

Province 86's roll is replaced by bytes that are no spreadsheet: its file is refused as a file,
86 publishes a workbook that says why instead of cases, 82 publishes as it would have, the run
says it is incomplete; a rerun does not read the refused file again; a corrected file of the
same name puts 86 back. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reconcile import cli
from reconcile.pipeline import run_quarter
from reconcile.publish.blocked import HEADLINE
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile_dev.synth import SynthConfig, generate

Q3 = Quarter.parse("2025Q3")


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings.from_env(landing_dir=tmp_path / "landing", data_dir=tmp_path / "data",
                             output_dir=tmp_path / "output", warehouse_url=url)  # fmt: skip


def _two_provinces(settings: Settings, tmp_path: Path) -> Path:
    generate(SynthConfig(quarters=(Q3,), provinces=("82", "86"), firms=300, seed=11),
             settings.landing_dir, tmp_path / "truth")  # fmt: skip
    return next((settings.landing_dir / "2025Q3" / "86").glob("roll_*"))


def _findings(url: str, province: str) -> list[tuple]:
    with get_engine(url).connect() as conn:
        frame = read_frame(conn, t.finding, quarter="2025Q3", province=province)
    return sorted(tuple(map(str, row)) for row in frame.itertuples(index=False))


def _run_status(url: str, run_id: str) -> str:
    with get_engine(url).connect() as conn:
        return conn.execute(select(t.run.c.status).where(t.run.c.run_id == run_id)).scalar_one()


def test_a_refused_file_blocks_only_its_province(tmp_path: Path, warehouse_url: str) -> None:
    settings = _settings(tmp_path, warehouse_url)
    roll = _two_provinces(settings, tmp_path)
    good_bytes = roll.read_bytes()
    roll.write_bytes(b"PK\x03\x04 this was never a workbook" + bytes(range(256)) * 8)

    summary = run_quarter(settings, Q3, "bad-86")

    # 82 is published in full; 86 is blocked, with the file and the fault named
    assert summary["provinces"]["82"]["status"] == "published"
    assert summary["provinces"]["86"]["status"] == "blocked"
    assert roll.name in summary["provinces"]["86"]["why"]
    assert summary["files"]["failed"] == [roll.name]
    # exactly two problems: the file refused, and its province blocked (no step failed)
    assert len(summary["problems"]) == 2, summary["problems"]
    refused, blocked = summary["problems"]
    assert refused.startswith(f"{roll.name} (province 86, roll) refused")
    assert blocked.startswith("province 86 blocked")
    assert _run_status(warehouse_url, "bad-86") == "incomplete"
    findings_82 = _findings(warehouse_url, "82")
    assert findings_82, "province 82 must be judged although 86's roll was refused"
    assert _findings(warehouse_url, "86") == []

    # 86's workbook says why, and there is no cases CSV that would read as "no cases"
    folder_86 = settings.output_dir / "2025Q3" / "86"
    book = load_workbook(folder_86 / "cases_86_2025Q3.xlsx")
    assert book.sheetnames == ["Tổng hợp"]
    text = "\n".join(str(c.value) for c in book.active["A"] if c.value)
    assert HEADLINE in text and roll.name in text
    assert not (folder_86 / "cases_86_2025Q3.csv").exists()
    # the refused file is in 86's quarantine file, as a file, with its fault
    quarantine = (folder_86 / "quarantine_86_2025Q3.csv").read_text(encoding="utf-8-sig")
    refusal = next(line for line in quarantine.splitlines() if line.startswith(roll.name))
    fault = summary["files"]["failed_details"][0]["message"]
    assert "Bị từ chối cả tệp" in refusal and fault.split(": ", 1)[1][:40] in refusal
    assert (settings.output_dir / "2025Q3" / "82" / "cases_82_2025Q3.csv").exists()

    # the quality report names the blocked province first, with the file
    report = Path(summary["quality_report"]).read_text(encoding="utf-8")
    blocked_section = report[report.index('<section id="blocked"') :].split("</section>")[0]
    assert 'data-province="86"' in blocked_section and roll.name in blocked_section
    assert 'data-province="82"' not in blocked_section

    # a rerun does not read the refused file again: nothing to ingest, same outcome
    again = run_quarter(settings, Q3, "bad-86-again")
    assert again["files"]["landed_now"] == 0 and again["files"]["failed"] == [roll.name]
    assert again["provinces"]["86"]["status"] == "blocked"
    assert _findings(warehouse_url, "82") == findings_82

    # the partner's corrected file, same name: 86 is judged, 82 is as it was
    roll.write_bytes(good_bytes)
    fixed = run_quarter(settings, Q3, "fixed-86")
    assert fixed["problems"] == []
    assert fixed["provinces"]["86"]["status"] == "published"
    assert _run_status(warehouse_url, "fixed-86") == "success"
    assert _findings(warehouse_url, "86")
    assert _findings(warehouse_url, "82") == findings_82
    assert (folder_86 / "cases_86_2025Q3.csv").exists()
    assert 'id="blocked"' not in Path(fixed["quality_report"]).read_text(encoding="utf-8")


def test_files_reject_and_retry_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    settings = _settings(tmp_path, url)
    roll = _two_provinces(settings, tmp_path)
    roll.write_bytes(b"\x00\x01\x02 not text at all \xff\xfe" * 100)
    where = ["--landing", str(settings.landing_dir), "--data", str(settings.data_dir),
             "--output", str(settings.output_dir), "--warehouse", url]  # fmt: skip

    assert (
        cli.main(["run", "--quarter", "2025Q3", "--run-id", "first", *where]) == cli.EXIT_INCOMPLETE
    )
    out, err = capsys.readouterr()
    assert "Province 86 BLOCKED" in out and roll.name in out and "incomplete" in err

    with get_engine(url).connect() as conn:
        file_id = conn.execute(
            select(t.feed_file.c.file_id).where(t.feed_file.c.file_name == roll.name)
        ).scalar_one()
    assert cli.main(["files", "list", "--quarter", "2025Q3", *where]) == 0
    assert f"{file_id[:12]}  86  roll      failed" in capsys.readouterr().out

    # an id that is not one is refused with a message, not a traceback
    assert cli.main(["files", "reject", "zz", "--reason", "x", *where]) == 2
    assert "not a file id" in capsys.readouterr().err

    # rejected: set aside, so 86 now lacks a roll, which still blocks it (named as missing)
    assert (
        cli.main(["files", "reject", file_id[:8], "--reason", "wrong file", "--by", "qa", *where])
        == 0
    )
    assert (
        cli.main(["run", "--quarter", "2025Q3", "--run-id", "second", *where])
        == cli.EXIT_INCOMPLETE
    )
    out, _ = capsys.readouterr()
    assert "no roll file" in out

    # retried: read again on the next run (and refused again, since the bytes are the same)
    assert cli.main(["files", "retry", file_id[:8], *where]) == 0
    capsys.readouterr()
    assert (
        cli.main(["run", "--quarter", "2025Q3", "--run-id", "third", *where]) == cli.EXIT_INCOMPLETE
    )
    with get_engine(url).connect() as conn:
        status = conn.execute(
            select(t.feed_file.c.status).where(t.feed_file.c.file_id == file_id)
        ).scalar_one()
    assert status == "failed"


def test_a_run_killed_long_ago_is_marked_abandoned(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from reconcile import steps

    url = f"sqlite:///{tmp_path / 'w.db'}"
    settings = _settings(tmp_path, url)
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(t.run.insert(), [
            {"run_id": "killed", "quarter": "2025Q2", "status": "running",
             "started_at": datetime.now(UTC) - timedelta(hours=13)},
            {"run_id": "busy", "quarter": "2025Q2", "status": "running",
             "started_at": datetime.now(UTC) - timedelta(minutes=5)},
        ])  # fmt: skip
    steps.start_run(settings, Q3, "new")
    with engine.connect() as conn:
        status = dict(conn.execute(select(t.run.c.run_id, t.run.c.status)).all())
    assert status == {"killed": "abandoned", "busy": "running", "new": "running"}


def test_a_misspelt_limit_fails_the_step_not_the_file(tmp_path: Path) -> None:
    import known_feeds as known
    from reconcile import steps
    from reconcile.errors import ConfigError
    from reconcile.settings import DEFAULTS

    url = f"sqlite:///{tmp_path / 'w.db'}"
    settings = Settings.from_env(landing_dir=tmp_path / "landing", data_dir=tmp_path / "data",
                                 output_dir=tmp_path / "output", warehouse_url=url,
                                 options={**DEFAULTS, "limits": {"max_rowz": 10}})  # fmt: skip
    known.write_known_quarter(settings.landing_dir)
    file_id = steps.land(settings, Q3)["to_ingest"][0]
    with pytest.raises(ConfigError, match="max_rowz.*did you mean 'max_rows'") as caught:
        steps.ingest(settings, file_id)
    assert not caught.value.retryable
    with get_engine(url).connect() as conn:
        status = conn.execute(
            select(t.feed_file.c.status).where(t.feed_file.c.file_id == file_id)
        ).scalar_one()
    assert status == "landed"  # still to ingest once the configuration is put right
