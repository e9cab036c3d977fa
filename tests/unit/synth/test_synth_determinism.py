"""The same seed gives byte-identical files; the configuration is checked."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest
from synth_support import ROOT, make, quarters, tree_bytes

from reconcile.quarter import Quarter
from reconcile_dev.synth import NoiseRates, SynthConfig

CONFIG = SynthConfig(
    quarters=quarters("2025Q2", "2025Q3"), provinces=("82", "79"), firms=250, seed=123
)


def test_the_same_seed_gives_byte_identical_files(tmp_path) -> None:
    first = make(tmp_path / "a", CONFIG)
    second = make(tmp_path / "b", CONFIG)
    a = tree_bytes(first.landing, first.truth)
    b = tree_bytes(second.landing, second.truth)
    assert a.keys() == b.keys() and len(a) == 2 * 2 * (3 + 6)
    assert [k for k in a if a[k] != b[k]] == []


def test_the_same_seed_gives_the_same_files_in_another_process(tmp_path) -> None:
    """String hashing differs between processes: nothing may depend on set order."""
    here = make(tmp_path / "here", CONFIG)
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT / "plugins")!r})
        from reconcile.quarter import Quarter
        from reconcile_dev.synth import SynthConfig, generate
        config = SynthConfig(quarters=(Quarter(2025, 2), Quarter(2025, 3)), provinces=("82", "79"), firms=250, seed=123)
        out = Path({str(tmp_path / "there")!r})
        generate(config, out / "landing", out / "truth")
    """)
    env = dict(os.environ, PYTHONHASHSEED="4242")
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=ROOT)
    there = tmp_path / "there"
    assert tree_bytes(here.landing, here.truth) == tree_bytes(there / "landing", there / "truth")


def test_another_seed_gives_other_firms(tmp_path) -> None:
    one = make(tmp_path / "one", replace(CONFIG, provinces=("82",)))
    two = make(tmp_path / "two", replace(CONFIG, provinces=("82",), seed=124))
    names_one = {f["name"] for f in one.partitions[0].table("firms.csv")}
    names_two = {f["name"] for f in two.partitions[0].table("firms.csv")}
    assert len(names_one & names_two) < 0.2 * len(names_one)


def test_a_province_does_not_depend_on_the_others(tmp_path) -> None:
    alone = make(tmp_path / "alone", replace(CONFIG, provinces=("79",)))
    together = make(tmp_path / "together", CONFIG)
    assert tree_bytes(alone.landing / "2025Q3" / "79") == tree_bytes(
        together.landing / "2025Q3" / "79"
    )


def test_the_configuration_is_checked() -> None:
    with pytest.raises(ValueError, match="consecutive"):
        SynthConfig(quarters=(Quarter(2025, 1), Quarter(2025, 3)))
    with pytest.raises(ValueError, match="at least one quarter"):
        SynthConfig(quarters=())
    config = SynthConfig(quarters=("2025Q3",), provinces=(82,))  # type: ignore[arg-type]
    assert config.quarters == (Quarter(2025, 3),) and config.provinces == ("82",)
    with pytest.raises(ValueError, match="unknown new province"):
        SynthConfig(quarters=quarters("2025Q3"), provinces=("83",))  # Bến Tre's old code
    with pytest.raises(ValueError, match="between 0 and 1"):
        SynthConfig(quarters=quarters("2025Q3"), noise=replace(NoiseRates(), typo=1.5))
    with pytest.raises(ValueError, match="add up"):
        SynthConfig(
            quarters=quarters("2025Q3"),
            noise=replace(NoiseRates(), tax_code_blank=0.9, parent_code=0.2),
        )


def test_parallel_provinces_write_the_same_files(tmp_path) -> None:
    from reconcile_dev.synth import generate

    serial = make(tmp_path / "serial", CONFIG)
    result = generate(
        CONFIG, tmp_path / "parallel" / "landing", tmp_path / "parallel" / "truth", workers=2
    )
    assert result.counts == serial.result.counts and result.findings == serial.result.findings
    assert [p.relative_to(tmp_path / "parallel") for p in result.files] == [
        p.relative_to(tmp_path / "serial") for p in serial.result.files
    ]
    assert tree_bytes(serial.landing, serial.truth) == tree_bytes(
        tmp_path / "parallel" / "landing", tmp_path / "parallel" / "truth"
    )
