"""Write the landing files and the ground truth, a province at a time (memory stays bounded).

Landing: ``<landing>/<quarter>/<province>/<feed>_<province>_<quarter>.<ext>`` with the tax feed
as CSV, the registry as .xlsx and the roll as CSV. Truth: ``<truth>/<quarter>/<province>/``
``firms.csv``, ``units.csv``, ``links.csv``, ``findings.csv``, ``file_faults.csv`` and
``config.json`` (the configuration, the rules' definitions used, and each file's presentation).
With ``config.notices``, also the daily change notices (``notices.py``): landing
``<landing>/changes/<YYYY-MM-DD>/``, truth ``<truth>/changes/<quarter>/<province>/``.
"""

from __future__ import annotations

import csv
import json
import logging
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import TYPE_CHECKING

from reconcile.quarter import Quarter
from reconcile_dev.synth import truth
from reconcile_dev.synth.config import SynthConfig, SynthResult
from reconcile_dev.synth.files import Fault, apply_faults, plan_file, write_csv, write_xlsx
from reconcile_dev.synth.records import registry_rows, roll_rows, tax_rows, unit_noise
from reconcile_dev.synth.reference import WAGE_FLOORS, Geography, geography, tax_code_of_status
from reconcile_dev.synth.world import CLOSED_STATES, ProvinceWorld, Snapshot, quarter_tag, streams

if TYPE_CHECKING:
    from reconcile_dev.synth.notices import ProvinceNotices

log = logging.getLogger(__name__)

FEEDS = (("tax", "csv"), ("registry", "xlsx"), ("roll", "csv"))
FIRM_COLUMNS = [
    "tax_code", "name", "unit_code", "legal_form", "parent_tax_code", "old_province", "commune_code",
    "wage_region", "registered_on", "founded_on", "tax_status", "tax_status_code", "registry_status",
    "employees", "pit_employees", "declared_employees", "insured_employees", "expected_rules", "roll_noise",
]  # fmt: skip
UNIT_COLUMNS = [
    "unit_code", "tax_code", "kind", "wage_region", "roll_status", "insured_employees", "wage_bill",
    "arrears", "arrears_months", "reminded_on", "expected_rules", "noise",
]  # fmt: skip


def file_name(feed: str, province: str, quarter: Quarter, ext: str) -> str:
    return f"{feed}_{province}_{quarter}.{ext}"


def stamp_of(quarter: Quarter) -> datetime:
    """When the partner 'exported' the file: fixed, so that .xlsx files are byte-identical."""
    return datetime.combine(quarter.last_day + timedelta(days=5), clock(8, 0))


def _write_table(path: Path, columns: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def _text(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def generate(
    config: SynthConfig, landing_dir: Path, truth_dir: Path, workers: int = 1
) -> SynthResult:
    """Generate every province and quarter of ``config``; ``workers`` > 1 runs provinces in
    parallel processes (each province is its own random stream, so the files are the same)."""
    started = time.perf_counter()
    landing_dir, truth_dir = Path(landing_dir), Path(truth_dir)
    result = SynthResult([], [], {}, {}, 0, 0, 0.0)
    jobs = [(config, province, landing_dir, truth_dir) for province in config.provinces]
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            parts = list(pool.map(_province, *zip(*jobs, strict=True)))
    else:
        parts = [_province(*job) for job in jobs]
    for part in parts:
        result.notices += part.notices
        result.files += part.files
        result.truth_files += part.truth_files
        result.counts.update(part.counts)
        result.findings.update(part.findings)
        result.firms += part.firms
        result.units += part.units
    if config.notices:  # a day's file holds every province's notices of that day
        from reconcile_dev.synth.notices import write_files

        result.files += write_files(config, result.notices, landing_dir)
        result.notices = []
    result.elapsed = time.perf_counter() - started
    return result


def _province(
    config: SynthConfig, province: str, landing_dir: Path, truth_dir: Path
) -> SynthResult:
    """One province over all quarters: its world lives only while it is written."""
    result = SynthResult([], [], {}, {}, 0, 0, 0.0)
    geo = geography(province)
    world = ProvinceWorld(config, geo)
    notices = None
    if config.notices:
        from reconcile_dev.synth.notices import ProvinceNotices

        notices = ProvinceNotices(config, geo)
    for quarter in config.quarters:
        snap = world.advance(quarter)
        _quarter(config, geo, snap, landing_dir, truth_dir, result)
        if notices is not None:
            _notices(notices, snap, truth_dir, result)
        result.firms += len(snap.firms)
        result.units += len(snap.units)
        log.info("%s %s: %d firms, %d units", quarter, province, len(snap.firms), len(snap.units))
    return result


def _notices(
    notices: ProvinceNotices, snap: Snapshot, truth_dir: Path, result: SynthResult
) -> None:
    """The quarter's change notices: kept for the day files, written to the truth now."""
    from reconcile_dev.synth.notices import write_truth

    renamed = {
        view.unit.firm: view.unit.name
        for view in snap.units
        if view.unit.firm is not None and "renamed" in view.unit.noise
    }
    written = notices.quarter(snap, renamed)
    result.notices += written
    result.truth_files += write_truth(notices, snap, written, truth_dir)


def _quarter(
    config: SynthConfig,
    geo: Geography,
    snap: Snapshot,
    landing_dir: Path,
    truth_dir: Path,
    result: SynthResult,
) -> None:
    quarter, province = snap.quarter, geo.code
    tag = quarter_tag(quarter)
    _, py = streams(config.seed, province, 2, tag)
    feed_rows = {
        "tax": tax_rows(snap, geo, py),
        "registry": registry_rows(snap, geo, py),
        "roll": roll_rows(snap, geo, py),
    }
    expected = truth.findings(snap)
    flagged_firms = {f.firm for f in expected if f.firm is not None}
    flagged_units = {f.unit for f in expected if f.unit is not None}

    def firm_safe(i: int) -> bool:
        view = snap.firms[i]
        return (
            i not in flagged_firms
            and view.unit is not None
            and view.unit not in flagged_units
            and view.firm.state not in CLOSED_STATES
            and view.tax_status == "active"
            and view.registry_status == "active"
        )

    out_dir = landing_dir / str(quarter) / province
    out_dir.mkdir(parents=True, exist_ok=True)
    hidden: dict[str, set[int]] = {}
    faults: list[tuple[str, Fault]] = []
    plans: dict[str, dict[str, object]] = {}
    used_firms: set[int] = set()
    roll_codes: dict[int, object] = {}  # the roll's tax codes as written, after file faults
    period = f"Quý {quarter.number}/{quarter.year}"
    for number, (feed, ext) in enumerate(FEEDS):
        _, frng = streams(config.seed, province, 3, tag, number)
        rows = feed_rows[feed]
        if feed == "roll":
            safe = []
            for j, _ in rows:
                unit = snap.units[j].unit
                firm = unit.firm
                safe.append(
                    j not in flagged_units
                    and (
                        firm is None
                        or (
                            firm not in flagged_firms
                            and firm not in used_firms
                            and not truth.would_be_unregistered(snap, firm)
                        )
                    )
                )
        else:
            safe = [firm_safe(i) and i not in used_firms for i, _ in rows]
        written, file_faults, hidden_here = apply_faults(feed, rows, safe, config.trouble, frng)
        if feed != "roll":
            used_firms |= hidden_here
        else:
            unit_index = {snap.units[j].unit.code: j for j, _ in rows}
            roll_codes = {
                unit_index[str(record["unit_code"])]: record.get("tax_code")
                for record in written
                if isinstance(record, dict) and record.get("unit_code") in unit_index
            }
        hidden[feed] = hidden_here
        name = file_name(feed, province, quarter, ext)
        plan = plan_file(feed, name, ext, period, geo.name, config.trouble, frng)
        path = out_dir / name
        if ext == "csv":
            write_csv(path, plan, written)
        else:
            write_xlsx(path, plan, written, stamp_of(quarter))
        result.files.append(path)
        result.counts[(feed, str(quarter), province)] = len(written)
        plans[name] = plan.describe()
        faults.extend((name, f) for f in file_faults)

    final = truth.findings(snap, hidden["tax"], hidden["registry"], hidden["roll"], roll_codes)
    # The fault victims were chosen so that a fault changes no finding, except that a roll code
    # with a broken check digit is a data fix (ROLL_TAX_CODE_FIX) when the unit has a firm.
    roll_name = file_name("roll", province, quarter, "csv")
    broken = {f.key for name, f in faults if name == roll_name and f.fault == "invalid_tax_code"}
    before = set(expected)
    added = [f for f in final if f not in before]
    if [f for f in final if f not in added] != expected or any(
        f.rule != "ROLL_TAX_CODE_FIX" or f.unit_code not in broken for f in added
    ):
        raise RuntimeError(f"{quarter} {province}: file faults changed the expected findings")
    _write_truth(config, geo, snap, final, faults, plans, truth_dir, result)


def _write_truth(
    config: SynthConfig,
    geo: Geography,
    snap: Snapshot,
    final: list[truth.Finding],
    faults: list[tuple[str, Fault]],
    plans: dict[str, dict[str, object]],
    truth_dir: Path,
    result: SynthResult,
) -> None:
    quarter, province = snap.quarter, geo.code
    folder = truth_dir / str(quarter) / province
    folder.mkdir(parents=True, exist_ok=True)
    by_firm: dict[int, list[str]] = {}
    by_unit: dict[int, list[str]] = {}
    for f in final:
        if f.firm is not None:
            by_firm.setdefault(f.firm, []).append(f.rule)
        if f.unit is not None:
            by_unit.setdefault(f.unit, []).append(f.rule)
        key = (f.rule, str(quarter), province)
        result.findings[key] = result.findings.get(key, 0) + 1

    firm_rows: list[list[object]] = []
    link_rows: list[list[object]] = []
    for i, view in enumerate(snap.firms):
        firm = view.firm
        unit = snap.units[view.unit] if view.unit is not None else None
        noise = "|".join(unit_noise(unit, quarter)) if unit is not None else ""
        firm_rows.append(
            [
                firm.tax_code,
                firm.name,
                unit.unit.code if unit else "",
                firm.legal_form,
                snap.firms[firm.parent].firm.tax_code if firm.parent is not None else "",
                firm.commune.province_code,
                firm.new_commune,
                firm.region,
                firm.registered_on.isoformat(),
                firm.founded_on.isoformat(),
                view.tax_status,
                tax_code_of_status(view.tax_status),
                view.registry_status,
                view.employees,
                _text(view.pit_employees),
                _text(view.declared_employees),
                unit.insured if unit else "",
                "|".join(sorted(set(by_firm.get(i, [])))),
                noise,
            ]
        )
        if unit is not None:
            link_rows.append([firm.tax_code, unit.unit.code, noise])
    unit_rows: list[list[object]] = []
    for j, unit_view in enumerate(snap.units):
        firm_index = unit_view.unit.firm
        unit_rows.append(
            [
                unit_view.unit.code,
                snap.firms[firm_index].firm.tax_code if firm_index is not None else "",
                "firm" if firm_index is not None else "orphan",
                unit_view.unit.region,
                unit_view.status,
                unit_view.insured,
                unit_view.wage_bill,
                unit_view.arrears,
                unit_view.arrears_months,
                _text(unit_view.reminded_on),
                "|".join(sorted(set(by_unit.get(j, [])))),
                "|".join(unit_noise(unit_view, quarter)),
            ]
        )
    paths: dict[str, tuple[list[str], list[list[object]]]] = {
        "firms.csv": (FIRM_COLUMNS, firm_rows),
        "units.csv": (UNIT_COLUMNS, unit_rows),
        "links.csv": (["tax_code", "unit_code", "noise"], link_rows),
        "findings.csv": (
            ["rule", "tax_code", "unit_code"],
            [[f.rule, f.tax_code, f.unit_code] for f in final],
        ),
        "file_faults.csv": (
            ["file", "row", "fault", "key", "column"],
            [[name, f.row, f.fault, f.key, f.column] for name, f in faults],
        ),
    }
    for name, (columns, rows) in paths.items():
        _write_table(folder / name, columns, rows)
        result.truth_files.append(folder / name)
    meta = {
        "quarter": str(quarter),
        "province": province,
        "province_name": geo.name,
        "config": config.as_dict(),
        "files": plans,
        "definitions": truth.DEFINITIONS,
        "wage_floors": {since.isoformat(): list(values) for since, values in WAGE_FLOORS},
        "wage_regions": "illustrative: urban wards of centrally-run cities I, their communes II/III; "
        "elsewhere wards II/III, communes III/IV (see reference._region)",
        "counts": {"firms": len(snap.firms), "units": len(snap.units), "findings": len(final)},
        "data_row_numbering": "1-based index of the row below the header row (title rows not counted)",
    }
    with open(folder / "config.json", "w", encoding="utf-8") as handle:
        json.dump(meta, handle, ensure_ascii=False, indent=2, sort_keys=True)
        handle.write("\n")
    result.truth_files.append(folder / "config.json")
