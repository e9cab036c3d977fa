"""Splink 5's side of ``bench peers``: an ordinary setup a data team would write, on the CSV files
the command wrote, run by ``.venv-bench/bin/python`` (stdlib, DuckDB and Splink only: nothing of
``reconcile`` is imported, so that this file runs in the bench environment).

The setup, as Splink's documentation and examples would lead one to write it:

- cleaning in DuckDB: lower case, diacritics stripped (đ read as d), anything in brackets (an
  English name) dropped, legal forms and their usual abbreviations taken out of the name as
  whole words; punctuation made spaces; tax codes kept to their digits and dash;
- comparisons: the tax code exactly; the name's core and the address by Jaro-Winkler at
  thresholds (exact, >= 0.95, >= 0.88, >= 0.7 for the name; exact, >= 0.95, >= 0.85, >= 0.7
  for the address);
- candidates: the same tax code; or the same province, the same last word of the name's core
  and the same first letter of the word before it; or the same province, the same word before
  the last and the same first letter of the last (``--blocking word-pairs``, the default; with
  ``--blocking words`` a word alone, the setup first tried, which at 200,000 firms makes about
  470 million pairs and does not finish);
- training: the prior from the tax code's deterministic links (recall 0.7), u by random
  sampling (``max_pairs`` 1e7 by default, seeded), m by expectation maximisation in two
  sessions (blocked on the tax code, then on province and the name's last two words; with
  ``words``, on province and the last word);
- prediction above a match probability (0.9 by default), then per unit its best firm (highest
  probability; ties to the lower tax code): a unit belongs to one firm, a firm has many units.

Usage: ``python peers_splink.py --firms F.csv --units U.csv --out links.csv --stats
stats.json [--progress progress.txt] [--threads 2] [--seed 42] [--threshold 0.9]``. Input
columns: ``unique_id, province, tax_code, name, address``. Output: ``unit_code, tax_code,
match_probability``, one row per linked unit; the stats file has the time of each phase.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Legal forms and their usual abbreviations, after lower case and diacritics stripped; longest
# first, taken out as whole words anywhere in the name.
LEGAL_FORMS = (
    "trach nhiem huu han mot thanh vien",
    "trach nhiem huu han hai thanh vien tro len",
    "trach nhiem huu han",
    "hai thanh vien tro len",
    "mot thanh vien",
    "doanh nghiep tu nhan",
    "van phong dai dien",
    "dia diem kinh doanh",
    "hop tac xa",
    "chi nhanh",
    "cong ty",
    "co phan",
    "hop danh",
    "tnhh",
    "mtv",
    "htx",
    "dntn",
    "ctcp",
    "cty",
    "cn",
    "vpdd",
)

CLEAN_SQL = """
create or replace table {name}_clean as
with folded as (
    select
        unique_id,
        province,
        nullif(regexp_replace(upper(coalesce(tax_code, '')), '[^0-9-]', '', 'g'), '')
            as tax_code,
        replace(strip_accents(lower(coalesce(name, ''))), 'đ', 'd') as name_folded,
        replace(strip_accents(lower(coalesce(address, ''))), 'đ', 'd') as address_folded
    from {name}_in
), cleaned as (
    select
        unique_id,
        province,
        tax_code,
        trim(regexp_replace(
            regexp_replace(
                regexp_replace(regexp_replace(name_folded, '\\([^)]*\\)', ' ', 'g'),
                               '[^a-z0-9 ]', ' ', 'g'),
                '\\b({forms})\\b', ' ', 'g'),
            ' +', ' ', 'g')) as name_core,
        trim(regexp_replace(regexp_replace(address_folded, '[^a-z0-9 ]', ' ', 'g'), ' +', ' ',
             'g')) as address
    from folded
)
select
    unique_id,
    province,
    tax_code,
    nullif(name_core, '') as name_core,
    nullif(address, '') as address,
    nullif(string_split(name_core, ' ')[-1], '') as name_last,
    case when len(string_split(name_core, ' ')) >= 2
         then string_split(name_core, ' ')[-2] end as name_before_last,
    nullif(left(string_split(name_core, ' ')[-1], 1), '') as name_last_initial,
    case when len(string_split(name_core, ' ')) >= 2
         then left(string_split(name_core, ' ')[-2], 1) end as name_before_last_initial
from cleaned
"""

# Candidate pairs for prediction, and the block of the second EM session. "word-pairs" (the
# default): the last word of the name's core with the first letter of the word before it, or
# that word with the last word's first letter. "words": one word alone (the last, or the one
# before it): about 470 million pairs at 200,000 firms in two provinces, which does not finish.
BLOCKING = {
    "word-pairs": (
        (("province", "name_last", "name_before_last_initial"),
         ("province", "name_before_last", "name_last_initial")),
        ("province", "name_last", "name_before_last"),
    ),
    "words": (
        (("province", "name_last"), ("province", "name_before_last")),
        ("province", "name_last"),
    ),
}  # fmt: skip


def _progress(path: Path | None, phase: str) -> None:
    if path is not None:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{time.time():.3f} {phase}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=Path, required=True)
    parser.add_argument("--units", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--progress", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--max-pairs", type=float, default=1e7)
    parser.add_argument("--blocking", choices=sorted(BLOCKING), default="word-pairs")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    _progress(args.progress, "importing")
    import duckdb
    import splink
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    imported = time.perf_counter()
    _progress(args.progress, "reading")
    con = duckdb.connect()
    con.execute(f"set threads = {int(args.threads)}")
    for name, path in (("firms", args.firms), ("units", args.units)):
        con.execute(
            f"create table {name}_in as select * from read_csv(?, header = true, "  # noqa: S608
            "all_varchar = true)",
            [str(path)],
        )
    read = time.perf_counter()

    _progress(args.progress, "cleaning")
    forms = "|".join(form.replace(" ", " +") for form in LEGAL_FORMS)
    for name in ("firms", "units"):
        con.execute(CLEAN_SQL.format(name=name, forms=forms))
    cleaned = time.perf_counter()

    _progress(args.progress, "training")
    name_rules, em_rule = BLOCKING[args.blocking]
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ExactMatch("tax_code"),
            cl.JaroWinklerAtThresholds("name_core", [0.95, 0.88, 0.7]),
            cl.JaroWinklerAtThresholds("address", [0.95, 0.85, 0.7]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("tax_code"),
            *(block_on(*columns) for columns in name_rules),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    db_api = DuckDBAPI(con)
    firms = db_api.register("firms_clean", dataset_display_name="firms")
    units = db_api.register("units_clean", dataset_display_name="units")
    linker = Linker([firms, units], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("tax_code")], recall=0.7
    )
    _progress(args.progress, "training: u by random sampling")
    prior = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=args.max_pairs, seed=args.seed)
    _progress(args.progress, "training: m by expectation maximisation")
    sampled = time.perf_counter()
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("tax_code"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on(*em_rule))
    trained = time.perf_counter()

    _progress(args.progress, "predicting")
    predictions = linker.inference.predict(threshold_match_probability=args.threshold)
    predicted = time.perf_counter()
    table = predictions.physical_name
    pairs = con.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608

    _progress(args.progress, "best match per unit")
    # A unit belongs to one firm: each unit's best firm among the pairs above the threshold.
    con.execute(
        f"""
        create table best as
        with pairs as (
            select
                case when source_dataset_l = 'units' then unique_id_l else unique_id_r end
                    as unit_code,
                case when source_dataset_l = 'units' then unique_id_r else unique_id_l end
                    as tax_code,
                match_probability
            from {table}
        )
        select unit_code, tax_code, match_probability from (
            select *, row_number() over (
                partition by unit_code order by match_probability desc, tax_code
            ) as rank
            from pairs
        ) where rank = 1
        """  # noqa: S608
    )
    linked = time.perf_counter()
    con.execute("copy best to ? (header, delimiter ',')", [str(args.out)])
    n_links = con.execute("select count(*) from best").fetchone()[0]
    _progress(args.progress, "done")

    params = {"prior": linker._settings_obj._probability_two_random_records_match}
    stats = {
        "splink": splink.__version__,
        "duckdb": duckdb.__version__,
        "threads": args.threads,
        "threshold": args.threshold,
        "max_pairs": args.max_pairs,
        "blocking": args.blocking,
        "pairs_above_threshold": int(pairs),
        "links": int(n_links),
        "seconds": {
            "import": round(imported - started, 3),
            "read": round(read - imported, 3),
            "clean": round(cleaned - read, 3),
            "train": round(trained - cleaned, 3),
            "train_prior": round(prior - cleaned, 3),
            "train_u": round(sampled - prior, 3),
            "train_em": round(trained - sampled, 3),
            "predict": round(predicted - trained, 3),
            "best_match": round(linked - predicted, 3),
        },
        "linking_seconds": round(linked - read, 3),
        "parameters": params,
    }
    args.stats.write_text(json.dumps(stats, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
