"""The web benchmark on a tiny province: it builds its warehouse and prints positive figures."""

from __future__ import annotations

import argparse
import re

from reconcile_dev.bench import web as bench


def test_bench_web_prints_a_positive_median_for_each_page() -> None:
    text = bench.bench_web(firms=300, seed=7)
    assert text.startswith("web benchmark: province 82, 300 firms (seed 7)")
    medians = {
        name: float(value)
        for name, value in re.findall(r"^(.+?): median (\d+\.\d) ms", text, flags=re.MULTILINE)
    }
    assert set(medians) == {
        "cases, first page", "cases, commune + rule", "doubtful links, first page",
    }  # fmt: skip
    assert all(value > 0 for value in medians.values())
    cases = re.search(r"cases, first page: .*; ([\d,]+) counted", text)
    assert cases and int(cases.group(1).replace(",", "")) > 0  # the pipeline found cases
    assert "rule='" in text and "commune='" in text  # the filtered page had a filter
    built = re.search(r"built by the pipeline in (\d+\.\d) s", text)
    assert built and float(built.group(1)) > 0


def test_bench_web_command_is_registered_with_its_arguments() -> None:
    parser = argparse.ArgumentParser()
    bench_sub = parser.add_subparsers(dest="bench", required=True)
    bench.add_bench_web_command(bench_sub)
    args = parser.parse_args(["web", "--firms", "300", "--seed", "3"])
    assert (args.firms, args.seed, args.func) == (300, 3, bench._cmd_bench_web)
    assert parser.parse_args(["web"]).firms == 30000
