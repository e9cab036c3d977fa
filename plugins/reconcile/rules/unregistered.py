"""NOT_REGISTERED and its review: active firms with employees and no unit linked, each first
looked for among the roll's unlinked units (``match/search.py``) before anyone is accused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from reconcile.match.search import search_roll
from reconcile.quarter import Quarter
from reconcile.rules import money
from reconcile.rules.catalog import Rule
from reconcile.rules.finding_rows import ACTIVE_TAX, finding_row, int_or_zero
from reconcile.rules.partition import Partition
from reconcile.values import present


def _would_be_unregistered(
    firms: pd.DataFrame, linked: set[str], quarter: Quarter, catalog: dict[str, Rule]
) -> Iterator[tuple[Any, Rule, int, int]]:
    """(firm, rule, days active, employees) of each active firm with employees and no unit linked."""
    evasion, late = catalog["NOT_REGISTERED"], catalog["NOT_REGISTERED_LATE"]
    window = int(evasion.thresholds["registration_days"])
    grace = int(evasion.thresholds["grace_days"])
    minimum = int(evasion.thresholds["min_employees"])
    for firm in firms.itertuples(index=False):
        if firm.tax_code in linked:
            continue
        if present(firm.tax_status) not in ACTIVE_TAX | {None}:
            continue
        if present(firm.registry_status) not in {"active", None}:
            continue
        if present(firm.tax_status) is None and present(firm.registry_status) is None:
            continue
        employees = max(int_or_zero(firm.pit_employees), int_or_zero(firm.declared_employees))
        started = present(firm.started_on)
        if employees < minimum or started is None:
            continue
        days = (quarter.last_day - started).days
        if days <= window:
            continue
        yield firm, (evasion if days > window + grace else late), days, employees


def _search_words(found: dict[str, Any]) -> str:
    """The comparison with the unit found, in words an inspector can check."""
    parts = [
        f"tên giống {found['name_score']:.0f}/100 (so khớp tập từ), {found['partial_score']:.0f}/100 "
        f"(so khớp một phần): «{found['firm_core']}» ~ «{found['unit_core']}»"
    ]
    if found["words_only_in_firm"]:
        parts.append(f"đơn vị thiếu từ «{found['words_only_in_firm']}»")
    if found["words_only_in_unit"]:
        parts.append(f"đơn vị có thêm từ «{found['words_only_in_unit']}»")
    parts.append(SEARCH_COMMUNE.get(found["commune"], SEARCH_COMMUNE[None]))
    if found.get("same_address"):
        parts.append("cùng địa chỉ (số nhà, đường, ấp/tổ)")
    if found.get("address_only"):
        parts.append(
            "tên khác hẳn nhưng cùng địa chỉ và cùng loại hình: doanh nghiệp có thể đã đổi tên"
        )
    parts.append(SEARCH_TAX_CODE[found["tax_code_relation"]])
    return "; ".join(parts)


SEARCH_COMMUNE = {
    "same": "cùng xã/phường",
    "different": "khác xã/phường",
    None: "không xác định được xã/phường để so",
}
SEARCH_TAX_CODE = {
    "equal": "MST trên danh sách trùng gốc 10 số",
    "one_digit": "MST trên danh sách lệch một chữ số",
    "shared": "MST trên danh sách có một dãy số trùng",
    "missing": "MST trên danh sách trống",
    "different": "MST trên danh sách khác",
}


def unregistered(
    part: Partition,
    linked: set[str],
    unlinked_units: pd.DataFrame,
    rejected: set[tuple[str, str]],
    stats: dict[str, Any],
) -> Iterator[dict[str, Any]]:
    """NOT_REGISTERED(_LATE), unless a unit left unlinked on the roll may be the firm's: then
    NOT_REGISTERED_REVIEW, which accuses no one and counts no money as evasion.

    ``linked``: the firms with a link of either band; ``unlinked_units``: the units with none."""
    quarter, province, catalog = part.quarter, part.province, part.catalog
    review = catalog["NOT_REGISTERED_REVIEW"]
    window = int(catalog["NOT_REGISTERED"].thresholds["registration_days"])
    accused = list(_would_be_unregistered(part.firms, linked, quarter, catalog))
    searched = pd.DataFrame(
        [(f.tax_code, f.name, f.address) for f, _, _, _ in accused],
        columns=["tax_code", "name", "address"],
    )
    found = search_roll(searched, unlinked_units, province, rejected, review.thresholds, stats)
    found_by_firm = {row["tax_code"]: row for row in found.to_dict("records")}
    for firm, rule, days, employees in accused:
        evidence = {
            "started_on": firm.started_on.isoformat(),
            "days_active_at_quarter_end": days,
            "pit_employees": present(firm.pit_employees),
            "declared_employees": present(firm.declared_employees),
            "tax_status": present(firm.tax_status),
            "registry_status": present(firm.registry_status),
            "employer_unit": None,
        }
        if present(getattr(firm, "status_notice", None)):  # history/timeline.firm_as_of
            evidence["status_notice"] = firm.status_notice
        at_stake = money.unregistered(employees, days - window, quarter, part.terms)
        unit = found_by_firm.get(firm.tax_code)
        if unit is None:
            evidence["roll_search"] = (
                f"Đã tìm trong {len(unlinked_units)} đơn vị chưa liên kết của tỉnh (so tên nới lỏng, "
                "xã/phường, MST): không có đơn vị nào có thể là doanh nghiệp này"
            )
            yield finding_row(
                rule,
                quarter,
                province,
                firm.tax_code,
                None,
                firm.name,
                firm.address,
                evidence,
                at_stake,
            )
            continue
        evidence.update(
            candidate_unit=unit["unit_code"],
            candidate_unit_name=unit["unit_name"],
            candidate_comparison=_search_words(unit),
            would_be_rule=rule.code,
            money_if_not_registered=at_stake,
            review_reason=(
                f"Không kết luận {rule.code}: đơn vị {unit['unit_code']} «{unit['unit_name']}» chưa liên kết "
                "với doanh nghiệp nào và có thể là đơn vị của doanh nghiệp này; cần xác minh trước khi "
                "kết luận trốn đóng. Đúng là đơn vị này: chọn «Đúng là đơn vị này» (liên kết từ quý sau); "
                "không phải: chọn «Không phải đơn vị này» (quý sau xét lại như chưa đăng ký)"
            ),
        )
        yield finding_row(
            review,
            quarter,
            province,
            firm.tax_code,
            unit["unit_code"],
            firm.name,
            firm.address,
            evidence,
            0,
        )
