"""The linking benchmark: generated feeds in, ``link_partition`` timed, links scored on the truth.

Preparing the frames (generating the feeds and reading them into the ``firm`` and
``employer_unit`` partitions the warehouse would hold) is timed apart: only ``link_partition``
is what is measured. The files are read by the pipeline's reader (``feeds.readers``), then
staged column by column with the project's own cell parsers, each distinct value parsed once:
a fast path for the generator's clean files (no broken rows), not the pipeline's cleaning,
which keeps every fault of real partner files.

Sizes: ``province`` is 50,000 firms in Đồng Tháp (82) with the generator's default noise;
``national`` is 1,000,000 firms over the 34 provinces with a roll of which about a third
carries no usable tax code (blank, mistyped, or the parent's code on a branch). ``--noise hard``
runs either size with ``NoiseRates.hard()``, the profile written from how rolls go wrong in
practice rather than from what the matcher handles, and prints recall per kind for it.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import time
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconcile.quarter import Quarter
from reconcile_dev.bench.synth import peak_memory_mb

if TYPE_CHECKING:
    import pandas as pd

    from reconcile_dev.synth import NoiseRates

QUARTER = "2025Q3"
FEED_FILES = (("tax", "csv"), ("registry", "xlsx"), ("roll", "csv"))
# Kinds of roll noise after which the unit's tax code does not name its firm.
FUZZY_NOISE = ("tax_code_blank", "tax_code_typo", "parent_code")
LANDED_AT = datetime(2025, 10, 6, 8, 0, tzinfo=UTC)


def national_noise() -> NoiseRates:
    """Default noise, but a third of the roll without a usable tax code.

    Blank 25 % and mistyped 8 % of the firms' units, plus the parent's code on 20 % of branch
    units (about 2 % of the roll): with the orphans' blank codes, about a third of the roll.
    """
    from reconcile_dev.synth import NoiseRates

    return NoiseRates(tax_code_blank=0.25, tax_code_typo=0.08)


SIZES: dict[str, dict[str, Any]] = {
    "province": {"firms": 50_000, "provinces": "82", "noise": None},
    "national": {"firms": 1_000_000, "provinces": "all", "noise": national_noise},
}


@dataclass
class Partition:
    """One province's frames as the warehouse holds them, and the generator's truth for it."""

    province: str
    firms: pd.DataFrame  # columns FIRM_COLUMNS
    units: pd.DataFrame  # columns UNIT_COLUMNS
    truth_links: list[dict[str, str]]  # rows of links.csv: tax_code, unit_code, noise
    unit_noise: dict[str, str]  # unit code -> noise kinds joined by "|" (units.csv)
    truth_firms: int  # rows of firms.csv
    unreadable_cells: int = 0  # cells no parser could read (None in the frames; expected 0)


def clean_trouble() -> Any:
    """Partner files without broken rows: plain UTF-8, no title block, total or repeated row,
    duplicates or broken keys; header spellings, case and column order still vary."""
    from reconcile_dev.synth import TroubleRates

    keep = {"header_variant", "header_no_diacritics", "header_upper", "shuffled_columns"}
    return TroubleRates(**{f.name: 0.0 for f in fields(TroubleRates) if f.name not in keep})


def province_codes(provinces: str | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(provinces, tuple):
        return provinces
    if provinces == "all":
        from reconcile.text.admin_units import provinces as all_provinces

        return tuple(p.code for p in all_provinces())
    return tuple(p.strip() for p in provinces.split(",") if p.strip())


# ---------------------------------------------------------------- reading the generated files
def _text(value: object) -> str | None:
    """What cleaning makes of a text cell: NFC, legacy fonts repaired, single spaces."""
    from reconcile.text.unicode import nfc, repair_legacy

    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    text = " ".join((text if text.isascii() else nfc(repair_legacy(text))).split())
    return text or None


def _converter(kind: str, vocabulary: str | None) -> Any:
    from reconcile.feeds.cleaning import parse_amount, parse_date, parse_status
    from reconcile.text import tax_code as tax_codes

    if kind == "tax_code":
        return lambda v: None if (code := tax_codes.parse(v)) is None else code.text
    if kind == "date":
        return parse_date
    if kind in ("money", "count"):
        return parse_amount
    if kind == "status":
        return (lambda v: parse_status(v, vocabulary)) if vocabulary else (lambda v: None)
    if kind == "code":
        return lambda v: None if (text := _text(v)) is None else text.replace(" ", "")
    return _text


def _read_rows(path: Path, feed: str) -> tuple[list[object], list[list[object]]]:
    """The header as written and the data rows of a generated file, read by the pipeline's
    reader (``read_table``: a CSV or a workbook, the header found below any title block)."""
    from reconcile.feeds.readers import read_table
    from reconcile.feeds.spec import specs

    table = read_table(path, specs()[feed])
    width = max((*table.headers, *table.columns, *table.extra_columns), default=-1) + 1
    header: list[object] = [table.headers.get(i) for i in range(width)]
    return header, [cells for _, cells in table.rows]


def _staged(feed: str, header: list[object], rows: list[list[object]]) -> tuple[Any, int]:
    """Typed columns under canonical names, plus ``landed_at`` and ``row_number``, as the
    staging table would give them; and the number of cells no parser could read."""
    import pandas as pd

    from reconcile.feeds.cleaning import CellError
    from reconcile.feeds.spec import specs

    spec = specs()[feed]
    positions: dict[str, int] = {}
    for at, cell in enumerate(header):
        canonical = spec.canonical(cell)
        if canonical is not None and canonical not in positions:
            positions[canonical] = at
    missing = [c for c in spec.required if c not in positions]
    if missing:
        raise ValueError(f"{feed}: no column for {', '.join(missing)} in the header {header}")
    data: dict[str, list[object]] = {}
    bad = 0
    for name, column in spec.columns.items():
        position = positions.get(name)
        if position is None:
            data[name] = [None] * len(rows)
            continue
        values = [row[position] if position < len(row) else None for row in rows]
        convert = _converter(column.kind, column.vocabulary)
        parsed: dict[object, object] = {}  # each distinct value parsed once
        for value in set(values):
            try:
                parsed[value] = convert(value)
            except CellError:
                parsed[value] = None
                bad += values.count(value)
        data[name] = [parsed[v] for v in values]
    frame = pd.DataFrame(data, dtype=object)
    frame["landed_at"] = LANDED_AT
    frame["row_number"] = range(1, len(rows) + 1)
    return frame, bad


def _read_feed(path: Path, feed: str) -> tuple[Any, int]:
    return _staged(feed, *_read_rows(path, feed))


def _truth_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def prepare_province(landing: Path, truth: Path, quarter: str, province: str) -> Partition:
    """Read one generated province into its partition frames and truth."""
    from reconcile.warehouse.partitions import build_firms, build_units
    from reconcile_dev.synth.generate import file_name

    folder = Path(landing) / quarter / province
    staged, bad = {}, 0
    for feed, ext in FEED_FILES:
        staged[feed], unread = _read_feed(
            folder / file_name(feed, province, Quarter.parse(quarter), ext), feed
        )
        bad += unread
    firms = build_firms(staged["tax"], staged["registry"], quarter, province)
    units = build_units(staged["roll"], quarter, province)
    base = Path(truth) / quarter / province
    truth_links = [
        {"tax_code": r["tax_code"], "unit_code": r["unit_code"], "noise": r["noise"]}
        for r in _truth_rows(base / "links.csv")
    ]
    unit_noise = {r["unit_code"]: r["noise"] for r in _truth_rows(base / "units.csv")}
    with open(base / "firms.csv", encoding="utf-8", newline="") as handle:
        truth_firms = sum(1 for _ in csv.reader(handle)) - 1
    return Partition(province, firms, units, truth_links, unit_noise, truth_firms, bad)


def generate_feeds(
    firms: int,
    provinces: tuple[str, ...],
    seed: int,
    folder: Path,
    workers: int = 2,
    noise: NoiseRates | None = None,
) -> Any:
    """One quarter of clean-file feeds and their truth in ``folder``/landing, ``folder``/truth.
    ``firms`` is the total, spread evenly over the provinces."""
    from reconcile_dev.synth import NoiseRates, SynthConfig, generate

    per_province = -(-firms // len(provinces))
    config = SynthConfig(
        quarters=(Quarter.parse(QUARTER),),
        provinces=provinces,
        firms=per_province,
        seed=seed,
        trouble=clean_trouble(),
        noise=noise or NoiseRates(),
    )
    folder = Path(folder)
    return generate(config, folder / "landing", folder / "truth", workers=workers)


def read_frames(folder: Path, provinces: tuple[str, ...], workers: int = 2) -> dict[str, Partition]:
    """The partitions of feeds generated in ``folder``, provinces read in parallel processes."""
    folder = Path(folder)
    jobs = [(folder / "landing", folder / "truth", QUARTER, p) for p in provinces]
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            parts = list(pool.map(prepare_province, *zip(*jobs, strict=True)))
    else:
        parts = [prepare_province(*job) for job in jobs]
    return {part.province: part for part in parts}


def synth_frames(
    firms: int,
    provinces: tuple[str, ...],
    seed: int,
    folder: Path,
    workers: int = 2,
    noise: NoiseRates | None = None,
) -> dict[str, Partition]:
    """Generate ``firms`` firms (in all) over ``provinces`` into ``folder`` and read them back
    as each province's ``firm`` and ``employer_unit`` frames with the truth."""
    provinces = tuple(str(p).zfill(2) for p in provinces)
    generate_feeds(firms, provinces, seed, folder, workers, noise)
    return read_frames(folder, provinces, workers)


# ---------------------------------------------------------------- the benchmark
def needs_fuzzy(partition: Partition) -> set[str]:
    """Units whose true firm an exact tax-code link cannot find: the roll's code is blank,
    mistyped or the parent's, or after normalisation is not the firm's code."""
    written = dict(zip(partition.units["unit_code"], partition.units["tax_code"], strict=True))
    out = set()
    for link in partition.truth_links:
        unit = link["unit_code"]
        kinds = set(partition.unit_noise.get(unit, link.get("noise", "")).split("|"))
        if kinds.intersection(FUZZY_NOISE) or written.get(unit) != link["tax_code"]:
            out.add(unit)
    return out


def _f(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def _row(name: str, s: dict[str, Any]) -> str:
    return (
        f"    {name:<30} {s['expected']:>9,} {s['predicted']:>10,} {s['correct']:>9,}  "
        f"{_f(s['precision'])} {_f(s['recall'])} {_f(s['f1'])}"
    )


def _link_one(job: tuple[str, Any, Any]) -> tuple[str, float, dict[str, Any], Any]:
    from reconcile.match import link_partition

    code, firms, units = job
    started = time.perf_counter()
    result = link_partition(firms, units)
    return code, time.perf_counter() - started, result.stats or {}, result.links


def bench_link(
    firms: int,
    provinces: str | tuple[str, ...],
    seed: int,
    workers: int,
    folder: Path | None,
    noise: NoiseRates | None = None,
) -> str:
    """Generate and read the frames (timed apart), time ``link_partition`` per province, and
    score the links in band "link" against the truth; the printable figures."""
    from reconcile_dev.evaluation import evaluate_links, score
    from reconcile_dev.synth import NoiseRates, profile_name

    codes = province_codes(provinces)
    noise = noise or NoiseRates()
    profile = profile_name(noise)
    if profile == "custom" and noise == national_noise():
        profile = "default (national: a third of the roll without a usable tax code)"
    target = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="reconcile-bench-link-"))
    try:
        started = time.perf_counter()
        generate_feeds(firms, codes, seed, target, workers, noise)
        generating = time.perf_counter() - started
        started = time.perf_counter()
        parts = read_frames(target, codes, workers)
        reading = time.perf_counter() - started
    finally:
        if folder is None:
            shutil.rmtree(target, ignore_errors=True)
    prepared_mb, _ = peak_memory_mb()

    times: dict[str, float] = {}
    stages: dict[str, float] = {}
    pairs = candidates = 0
    linked: list[Any] = []
    started = time.perf_counter()
    # Provinces are independent partitions, as in the DAG's mapped tasks: with workers > 1 they
    # are linked in parallel processes, each holding one province at a time.
    jobs = [(code, part.firms, part.units) for code, part in parts.items()]
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_link_one, jobs))
    else:
        results = [_link_one(job) for job in jobs]
    for code, seconds, stats, links_of_province in results:
        times[code] = seconds
        pairs += int(stats.get("pairs_scored", 0) or 0)
        candidates += int(stats.get("candidates", 0) or 0)
        for stage, stage_seconds in (stats.get("seconds_by_stage") or {}).items():
            stages[stage] = stages.get(stage, 0.0) + float(stage_seconds)
        linked.append(links_of_province)
    linking_total = time.perf_counter() - started
    linked_mb, child_mb = peak_memory_mb()

    import pandas as pd

    links = pd.concat(linked, ignore_index=True) if linked else pd.DataFrame()
    in_band = links[links["band"] == "link"] if not links.empty else links
    review = links[links["band"] == "review"] if not links.empty else links
    predicted = (
        dict(zip(in_band["unit_code"], in_band["tax_code"], strict=True)) if len(in_band) else {}
    )
    truth_links = [link for part in parts.values() for link in part.truth_links]
    unit_noise = {u: n for part in parts.values() for u, n in part.unit_noise.items()}
    quality = evaluate_links(truth_links, unit_noise, predicted)
    fuzzy_units = set().union(*(needs_fuzzy(part) for part in parts.values()))
    expected = {(link["unit_code"], link["tax_code"]) for link in truth_links}
    fuzzy = score(
        (pair for pair in expected if pair[0] in fuzzy_units),
        (pair for pair in predicted.items() if pair[0] in fuzzy_units),
    ).as_dict()
    exact_able = score(
        (pair for pair in expected if pair[0] not in fuzzy_units),
        (pair for pair in predicted.items() if pair[0] not in fuzzy_units),
    ).as_dict()
    review_right = (
        len(expected & set(zip(review["unit_code"], review["tax_code"], strict=True)))
        if len(review)
        else 0
    )

    n_firms = sum(len(p.firms) for p in parts.values())
    n_units = sum(len(p.units) for p in parts.values())
    no_code = sum(int(p.units["tax_code"].isna().sum()) for p in parts.values())
    truth_firms = sum(p.truth_firms for p in parts.values())
    unreadable = sum(p.unreadable_cells for p in parts.values())
    summed = sum(times.values())
    slowest = max(times, key=lambda province: times[province]) if times else "-"
    methods = (
        ", ".join(f"{m} {c:,}" for m, c in links["method"].value_counts().items())
        if not links.empty
        else "none"
    )
    per_province = -(-firms // len(codes))
    header = (
        f"    {'':<30} {'expected':>9} {'predicted':>10} {'correct':>9}  "
        f"{'prec.':>6} {'recall':>6} {'F1':>6}"
    )
    lines = [
        f"link benchmark: {len(codes)} province(s) x {per_province:,} firms, one quarter ({QUARTER}), "
        f"seed {seed}, {workers} worker(s)",
        f"  noise profile: {profile}",
        f"  roll tax-code noise: blank {noise.tax_code_blank:.0%}, mistyped {noise.tax_code_typo:.0%}, "
        f"leading zero lost {noise.tax_code_no_zero:.0%} of 0-codes, parent's code {noise.parent_code:.0%} of branches",
        f"  firms {n_firms:,} (truth {truth_firms:,})   units {n_units:,}   "
        f"units without a valid tax code {no_code:,} ({no_code / max(n_units, 1):.1%})   "
        f"units needing fuzzy matching {len(fuzzy_units):,} ({len(fuzzy_units) / max(n_units, 1):.1%})",
        f"  preparing (not measured): generate {generating:,.1f} s, read and build frames {reading:,.1f} s"
        + (f"   unreadable cells {unreadable:,}" if unreadable else ""),
        f"  link_partition: {summed:,.1f} s summed over provinces, {linking_total:,.1f} s in all   "
        f"({n_units / max(summed, 1e-9):,.0f} units/s; slowest province {slowest} "
        f"{times.get(slowest, 0.0):,.1f} s)",
    ]
    if stages:
        lines.append(
            "    by stage: "
            + ", ".join(f"{stage} {seconds:,.1f} s" for stage, seconds in stages.items())
        )
    lines += [
        f"  pairs scored {pairs:,} ({pairs / max(n_units, 1):,.1f} per unit)   candidates {candidates:,}",
        f"  links: {len(in_band):,} in band link, {len(review):,} in band review "
        f"({review_right:,} of them right); by method: {methods}",
        f"  peak memory: this process {prepared_mb:,.0f} MB after preparing, {linked_mb:,.0f} MB "
        f"after linking" + (f"; largest worker {child_mb:,.0f} MB" if child_mb else ""),
        "  links in band link against the truth:",
        header,
        _row("all", quality["overall"]),
        _row("needing fuzzy matching", fuzzy),
        _row("exact tax code suffices", exact_able),
    ]
    lines += [_row(f"noise: {kind}", s) for kind, s in quality["by_noise"].items()]
    # The same kinds among the units an exact tax code cannot link: there a kind's recall is the
    # fuzzy matcher's alone (above, units whose code links them exactly lift every kind).
    fuzzy_quality = evaluate_links(
        [link for link in truth_links if link["unit_code"] in fuzzy_units],
        {u: n for u, n in unit_noise.items() if u in fuzzy_units},
        {u: c for u, c in predicted.items() if u in fuzzy_units},
    )
    lines.append("  the same among units needing fuzzy matching:")
    lines += [_row(f"fuzzy, {kind}", s) for kind, s in fuzzy_quality["by_noise"].items()]
    weakest = min(
        (
            (kind, s["recall"])
            for kind, s in fuzzy_quality["by_noise"].items()
            if s["recall"] is not None and s["expected"] >= 20
        ),
        key=lambda item: item[1],
        default=None,
    )
    if weakest is not None:
        lines.append(
            f"  weakest kind of noise ({profile}, units needing fuzzy matching, 20 or more): "
            f"{weakest[0]} recall {weakest[1]:.3f}"
        )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """``python -m reconcile bench link``: ``--noise hard`` runs ``NoiseRates.hard()`` at any
    size (it already leaves about a third of the roll without a usable code)."""
    from reconcile_dev.synth import noise_profile

    size = SIZES[args.size]
    profile = getattr(args, "noise", None) or "default"
    if profile == "default":
        noise = size["noise"]() if size["noise"] else None
    else:
        noise = noise_profile(profile)
    print(
        bench_link(
            args.firms or size["firms"],
            args.provinces or size["provinces"],
            args.seed,
            args.workers,
            args.folder,
            noise,
        )
    )
    return 0
