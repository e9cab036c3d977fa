"""The linking benchmark's harness on a tiny generation: frames as the warehouse holds them,
and the printed figures consistent (never timed: the figures are for people to read)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconcile.text.tax_code import normalise
from reconcile.warehouse.partitions import FIRM_COLUMNS, UNIT_COLUMNS
from reconcile_dev.bench import link as bl


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bl.Partition]]:
    folder = tmp_path_factory.mktemp("bench-link")
    return folder, bl.synth_frames(300, ("82",), seed=5, folder=folder, workers=1)


def test_frames_have_the_partition_columns_and_every_firm(
    generated: tuple[Path, dict[str, bl.Partition]],
) -> None:
    _, parts = generated
    assert list(parts) == ["82"]
    part = parts["82"]
    assert list(part.firms.columns) == FIRM_COLUMNS and list(part.units.columns) == UNIT_COLUMNS
    assert len(part.firms) == part.truth_firms > 0 and part.unreadable_cells == 0
    assert set(part.units["unit_code"]) == set(part.unit_noise)
    codes = [c for c in part.units["tax_code"] if c is not None]
    assert codes and all(normalise(c) == c for c in codes)
    assert part.units["tax_code"].isna().any()  # blank and mistyped codes are there
    firm_codes = set(part.firms["tax_code"])
    assert all(link["tax_code"] in firm_codes for link in part.truth_links)
    for frame in (part.firms, part.units):
        assert set(frame["quarter"]) == {"2025Q3"} and set(frame["province"]) == {"82"}


def test_units_needing_fuzzy_matching(generated: tuple[Path, dict[str, bl.Partition]]) -> None:
    _, parts = generated
    part = parts["82"]
    fuzzy = bl.needs_fuzzy(part)
    written = dict(zip(part.units["unit_code"], part.units["tax_code"], strict=True))
    for link in part.truth_links:
        noisy = set(link["noise"].split("|")) & set(bl.FUZZY_NOISE)
        assert (link["unit_code"] in fuzzy) == bool(
            noisy or written[link["unit_code"]] != link["tax_code"]
        )
    assert fuzzy and len(fuzzy) < len(part.truth_links)


def test_the_pipelines_reader_reads_what_openpyxl_reads(
    generated: tuple[Path, dict[str, bl.Partition]],
) -> None:
    from openpyxl import load_workbook

    folder, _ = generated
    path = folder / "landing" / "2025Q3" / "82" / "registry_82_2025Q3.xlsx"
    header, rows = bl._read_rows(path, "registry")
    fast = [header, *rows]
    book = load_workbook(path, read_only=True, data_only=True)
    slow = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert len(fast) == len(slow)
    fast_frame, fast_bad = bl._staged("registry", fast[0], fast[1:])
    slow_frame, slow_bad = bl._staged("registry", slow[0], slow[1:])
    assert fast_bad == slow_bad == 0
    assert fast_frame.equals(slow_frame)


def test_bench_link_prints_consistent_figures() -> None:
    import reconcile.match

    if not hasattr(reconcile.match, "link_partition"):
        pytest.skip("reconcile.match.link_partition is not built yet")
    text = bl.bench_link(300, "82", seed=5, workers=1, folder=None)
    assert text.startswith("link benchmark: 1 province(s) x 300 firms")
    pairs = re.search(r"pairs scored ([\d,]+)", text)
    assert pairs and int(pairs.group(1).replace(",", "")) >= 0
    assert re.search(r"link_partition: [\d.,]+ s summed over provinces, [\d.,]+ s in all", text)
    assert re.search(r"peak memory: this process [\d,]+ MB", text)
    rows = {
        m.group(1).strip(): [int(v.replace(",", "")) for v in m.groups()[1:4]] + [m.group(5)]
        for m in re.finditer(
            r"^    (all|needing fuzzy matching|exact tax code suffices|noise: \w+)\s+"
            r"([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+(.*)$",
            text,
            re.MULTILINE,
        )
    }
    assert {"all", "needing fuzzy matching", "exact tax code suffices", "noise: clean"} <= set(rows)
    for expected, predicted, correct, rates in rows.values():
        assert 0 <= correct <= min(expected, predicted)
        for value in rates.split():
            assert value == "-" or 0.0 <= float(value) <= 1.0
    all_, fuzzy, exact = (
        rows["all"],
        rows["needing fuzzy matching"],
        rows["exact tax code suffices"],
    )
    assert fuzzy[0] + exact[0] == all_[0] and fuzzy[2] + exact[2] == all_[2]


def test_bench_link_runs_the_hard_profile_and_says_so() -> None:
    import reconcile.match
    from reconcile_dev.synth import NoiseRates

    if not hasattr(reconcile.match, "link_partition"):
        pytest.skip("reconcile.match.link_partition is not built yet")
    text = bl.bench_link(400, "82", seed=5, workers=1, folder=None, noise=NoiseRates.hard())
    assert "  noise profile: hard\n" in text and "blank 25%" in text
    kinds = set(re.findall(r"^    noise: (\w+)\s", text, re.MULTILINE))
    assert {"spaces", "name_typo", "other_street", "tax_code_blank", "clean"} <= kinds
    assert re.search(r"weakest kind of noise \(hard, [^)]*\): \w+ recall [\d.]+", text)
    fuzzy = set(re.findall(r"^    fuzzy, (\w+)\s", text, re.MULTILINE))
    assert "tax_code_blank" in fuzzy and "clean" not in fuzzy  # a clean unit's code links it
    default = bl.bench_link(200, "82", seed=5, workers=1, folder=None)
    assert "  noise profile: default\n" in default and "noise: spaces" not in default


def test_bench_link_command_takes_the_noise_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    from reconcile.cli import build_parser
    from reconcile_dev.synth import NoiseRates

    seen = {}

    def fake(firms, provinces, seed, workers, folder, noise):  # type: ignore[no-untyped-def]
        seen["noise"] = noise
        return "figures"

    monkeypatch.setattr(bl, "bench_link", fake)
    for argv, expected in (
        (["bench", "link", "--noise", "hard"], NoiseRates.hard()),
        (["bench", "link"], None),  # the province size's own (default) rates
        (["bench", "link", "--size", "national"], bl.national_noise()),
        (["bench", "link", "--size", "national", "--noise", "hard"], NoiseRates.hard()),
    ):
        assert bl.main(build_parser().parse_args(argv)) == 0
        assert seen["noise"] == expected, argv
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "link", "--noise", "easy"])
