"""Derive the compact administrative-unit tables the project ships from the shared source lists.

Run once when the source lists change:  python tools/derive_admin_units.py ../shared/data/admin_units
The pipeline never reads the source folder; it reads the CSVs written into
plugins/reconcile/text/data/admin_units/ (with their attribution beside them).
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "plugins/reconcile/text/data/admin_units"

TYPES = ("Thành phố", "Thị trấn", "Thị xã", "Tỉnh", "Phường", "Xã", "Đặc khu", "Quận", "Huyện")


def split_type(full_name: str) -> tuple[str, str]:
    for kind in TYPES:
        if full_name.startswith(kind + " "):
            return kind, full_name[len(kind) + 1 :]
    return "", full_name


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with open(OUT / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(sorted(rows))
    print(f"{name}: {len(rows)} rows")


def main(source: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    merges = json.loads((source / "merges_new_to_old.json").read_text(encoding="utf-8"))["data"]
    splits = json.loads((source / "splits_old_to_new.json").read_text(encoding="utf-8"))["data"]

    provinces, communes = [], []
    for province in merges:
        kind, name = split_type(province["name"])
        provinces.append([province["level1_id"], name, kind])
        for commune in province["level2s"]:
            ckind, cname = split_type(commune["name"])
            communes.append([commune["level2_id"], cname, ckind, province["level1_id"]])
    write("provinces.csv", ["code", "name", "type"], provinces)
    write("communes.csv", ["code", "name", "type", "province_code"], communes)

    old_provinces, new_of_old_commune = [], {}
    for province in splits:
        kind, name = split_type(province["name"])
        (new_code,) = {s["new_id"] for s in province["splits"]}
        old_provinces.append([province["level1_id"], name, kind, new_code])
        for commune in province["level3s"]:
            new_of_old_commune[commune["level3_id"]] = "|".join(
                s["new_id"] for s in commune["splits"]
            )
    write("old_provinces.csv", ["code", "name", "type", "new_province_code"], old_provinces)

    old_communes = []
    with open(source / "old_units_2025-03.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            old_communes.append(
                [
                    row["commune_code"],
                    row["commune_name"],
                    row["commune_type"],
                    row["district_code"],
                    row["district_name"],
                    row["district_type"],
                    row["province_code"],
                    new_of_old_commune.get(row["commune_code"], ""),
                ]
            )
    write(
        "old_communes.csv",
        [
            "code",
            "name",
            "type",
            "district_code",
            "district_name",
            "district_type",
            "province_code",
            "new_commune_codes",
        ],
        old_communes,
    )
    shutil.copy(source / "LICENSE.dvhcvn-20250701", OUT / "LICENSE.dvhcvn-20250701")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/admin_units"))
