"""Write the wage-region table the rules and the generator read: new commune code -> region 1-4.

ILLUSTRATIVE. The gazetted list (Decree 74/2024/NĐ-CP appendix, by commune) is not among the
project's sources, so this table applies a stand-in scheme: in the centrally-run cities wards
are region I and communes II or III; elsewhere wards II or III and communes III or IV. An
agency replaces plugins/reconcile/rules/data/wage_regions.csv with the real list; the code does
not change.   Run: python tools/derive_wage_regions.py
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMUNES = ROOT / "plugins/reconcile/text/data/admin_units/communes.csv"
OUT = ROOT / "plugins/reconcile/rules/data/wage_regions.csv"
CITY_PROVINCES = {"01", "31", "46", "48", "79", "92"}


def region(province: str, code: str, kind: str) -> int:
    number = int(code)
    if province in CITY_PROVINCES:
        return 1 if kind == "Phường" else (2 if number % 3 else 3)
    if kind == "Phường":
        return 2 if number % 3 == 0 else 3
    return 3 if number % 2 == 0 else 4


def main() -> None:
    with open(COMMUNES, encoding="utf-8") as handle:
        rows = [(r["code"], r["province_code"], region(r["province_code"], r["code"], r["type"]))
                for r in csv.DictReader(handle)]  # fmt: skip
    with open(OUT, "w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# ILLUSTRATIVE wage regions by new commune: see tools/derive_wage_regions.py\n"
        )
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["commune_code", "province_code", "region"])
        writer.writerows(sorted(rows))
    print(f"{OUT}: {len(rows)} communes")


if __name__ == "__main__":
    main()
