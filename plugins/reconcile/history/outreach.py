"""The weekly outreach list: new firms to reach inside their 30-day registration window, and
firms closed this week whose units still pay or owe.

Pure functions on the history's periods and the latest roll; the workbook writer follows.
The registration window (Social Insurance Law 41/2024 Art. 28(1): 30 days) and how far back a
new firm is listed (60 days) come from the NOT_REGISTERED rule's thresholds and the settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reconcile.history.events import CLOSED
from reconcile.history.timeline import Period, as_of
from reconcile.publish.labels import label
from reconcile.publish.masking import mask_value
from reconcile.publish.neutral import put
from reconcile.publish.xlsx import save_deterministic

LOOKBACK_DAYS = 60


@dataclass(frozen=True)
class NewFirm:
    tax_code: str
    name: str
    address: str
    province: str
    registered_on: date
    declared_employees: int | None
    days_left: int  # in the registration window; below 0: the window has passed
    representative: str | None


@dataclass(frozen=True)
class ClosedFirm:
    tax_code: str
    name: str
    province: str
    status: str
    status_since: date
    unit_code: str
    unit_status: str | None
    insured_employees: int | None
    arrears: int | None


def new_firms(
    history: dict[str, list[Period]],
    on_roll: set[str],
    day: date,
    window_days: int = 30,
    lookback_days: int = LOOKBACK_DAYS,
) -> list[NewFirm]:
    """Firms registered in the ``lookback_days`` up to ``day``, trading on ``day``, that declare
    employees (at registration) or have them (the tax side's head count), and whose tax code (or its root) is not on the roll; least time left first."""
    found = []
    for tax_code, firm_periods in history.items():
        now = as_of(firm_periods, day)
        if now is None or now.registered_on is None:
            continue
        if not day - timedelta(days=lookback_days) <= now.registered_on <= day:
            continue
        if now.status not in ("active", None):
            continue
        if not max(now.declared_employees or 0, now.pit_employees or 0) > 0:
            continue  # neither declares nor has employees
        if tax_code in on_roll or tax_code[:10] in on_roll:
            continue
        left = (now.registered_on + timedelta(days=window_days) - day).days
        found.append(
            NewFirm(
                tax_code,
                now.name or "",
                now.address or "",
                now.province or "",
                now.registered_on,
                now.declared_employees,
                left,
                now.representative,
            )
        )
    return sorted(found, key=lambda f: (f.days_left, f.tax_code))


def closed_this_week(
    history: dict[str, list[Period]], units: Iterable[dict], day: date, days: int = 7
) -> list[ClosedFirm]:
    """Firms whose status turned closed (dissolved, bankrupt, revoked, tax code closed) in the
    ``days`` up to ``day``, with each unit of theirs on the roll that still pays, still
    declares insured employees, or owes: close its books now."""
    units_of: dict[str, list[dict]] = {}
    for unit in units:
        if unit.get("tax_code"):
            units_of.setdefault(unit["tax_code"], []).append(unit)
    found = []
    start = day - timedelta(days=days - 1)
    for tax_code, firm_periods in history.items():
        now = as_of(firm_periods, day)
        if now is None or now.status not in CLOSED or now.status_since is None:
            continue
        if not start <= now.status_since <= day:
            continue
        for unit in units_of.get(tax_code, []):
            insured, arrears = unit.get("insured_employees") or 0, unit.get("arrears") or 0
            if unit.get("status") == "paying" or insured > 0 or arrears > 0:
                found.append(
                    ClosedFirm(
                        tax_code,
                        now.name or "",
                        now.province or "",
                        now.status,
                        now.status_since,
                        unit["unit_code"],
                        unit.get("status"),
                        unit.get("insured_employees"),
                        unit.get("arrears"),
                    )
                )
    return sorted(found, key=lambda f: (f.status_since, f.tax_code, f.unit_code))


NEW_COLUMNS = [
    ("days_left", "Số ngày còn lại để đăng ký", 14),
    ("tax_code", "Mã số thuế", 16),
    ("name", "Tên doanh nghiệp", 45),
    ("address", "Địa chỉ", 45),
    ("declared_employees", "Số lao động dự kiến", 12),
    ("registered_on", "Ngày đăng ký thành lập", 14),
    ("representative", "Người đại diện theo pháp luật", 24),
    ("contacted_on", "Ngày liên hệ", 14),
    ("note", "Ghi chú", 30),
]
CLOSED_COLUMNS = [
    ("tax_code", "Mã số thuế", 16),
    ("name", "Tên doanh nghiệp", 45),
    ("status", "Tình trạng", 18),
    ("status_since", "Từ ngày", 14),
    ("unit_code", "Mã đơn vị", 12),
    ("unit_status", "Trạng thái đơn vị", 14),
    ("insured_employees", "Số lao động tham gia", 12),
    ("arrears", "Số nợ", 16),
]


def closed_rows(closed: list[ClosedFirm]) -> list[dict]:
    """The closed firms as the workbook and the page show them: statuses in words."""
    return [
        {
            **firm.__dict__,
            "status": label("firm_status", firm.status),
            "unit_status": label("unit_status", firm.unit_status),
        }
        for firm in closed
    ]


def _sheet(sheet, columns, rows: list[dict]) -> None:
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E78")
    for col, (_, header, width) in enumerate(columns, start=1):
        cell = put(sheet, 1, col, header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(rows, start=2):
        for col, (key, _, _) in enumerate(columns, start=1):
            cell = put(sheet, r, col, row.get(key))
            if isinstance(row.get(key), date):
                cell.number_format = "DD/MM/YYYY"
            elif key == "arrears":
                cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def write_outreach(
    path: Path,
    province: str,
    day: date,
    new: list[NewFirm],
    closed: list[ClosedFirm],
    mask: bool = True,
) -> Path:
    """The week's list for one province: new firms to reach, then closed firms to close."""
    book = Workbook()
    first = book.active
    first.title = "Doanh nghiệp mới"
    rows = []
    for firm in new:
        row = dict(firm.__dict__)
        if mask and row["representative"]:
            row["representative"] = mask_value(row["representative"])
        rows.append(row)
    _sheet(first, NEW_COLUMNS, rows)
    closing = book.create_sheet("Đã đóng, còn đóng hoặc nợ")
    _sheet(closing, CLOSED_COLUMNS, closed_rows(closed))
    about = book.create_sheet("Giới thiệu")
    put(about, 1, 1, f"Danh sách vận động đăng ký BHXH – tỉnh {province} – tuần đến {day:%d/%m/%Y}")
    put(
        about,
        2,
        1,
        "Doanh nghiệp mới: đăng ký thành lập trong 60 ngày qua, có lao động dự kiến, "
        "chưa có trên danh sách đơn vị; sắp theo số ngày còn lại trong hạn 30 ngày "
        "đăng ký (Luật BHXH 41/2024/QH15, Điều 28 khoản 1); số âm: đã quá hạn.",
    )
    put(
        about,
        3,
        1,
        "Đã đóng, còn đóng/nợ: doanh nghiệp giải thể, phá sản, bị thu hồi GCN hoặc "
        "đóng MST trong tuần mà đơn vị vẫn còn đóng, còn lao động hoặc còn nợ: chốt "
        "sổ và thu hồi nợ ngay.",
    )
    about.column_dimensions["A"].width = 120
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_deterministic(book, path)
