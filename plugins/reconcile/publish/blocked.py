"""The workbook of a province that could not be judged: why, and what to do, instead of cases.

A province whose roll, tax or registry file is missing or was refused gets no findings (they
would rest on a feed that is not there). An empty cases sheet would read as "no cases", so its
workbook has one sheet that says, in words, which file is missing or refused and why.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from reconcile.publish.xlsx import save_deterministic
from reconcile.warehouse.readiness import Readiness

HEADLINE = "CHƯA CÓ DANH SÁCH HỒ SƠ: dữ liệu của tỉnh trong quý chưa đủ để đối chiếu"
WHAT_TO_DO = (
    "Hướng xử lý: đề nghị đơn vị gửi lại tệp đã sửa cùng tên vào thư mục tiếp nhận, hoặc "
    "bộ phận dữ liệu loại tệp lỗi (python -m reconcile files reject <mã tệp> --reason ...), "
    "rồi chạy lại quý. Khi đủ dữ liệu, danh sách hồ sơ sẽ được lập lại."
)


def write_blocked_workbook(state: Readiness, path: Path, title: str) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    lines = [
        (title, Font(bold=True, size=14)),
        ("", None),
        (HEADLINE, Font(bold=True, size=12, color="C00000")),
        (f"Quý: {state.quarter}   Tỉnh (mã mới): {state.province}", None),
        ("", None),
        *((f"• {gap.describe_vi()}", None) for gap in state.gaps),
        ("", None),
        (WHAT_TO_DO, None),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row, 1)
        cell.value = text
        cell.data_type = "s"  # a file's name or a fault from a feed is text, never a formula
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
    sheet.column_dimensions["A"].width = 120
    return save_deterministic(book, path)
