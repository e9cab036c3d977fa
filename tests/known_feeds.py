"""A small landing folder whose every outcome is known by hand: the named cases of the tests.

Quarter 2025Q3 (ends 30/09/2025), province 82. Real, valid tax codes from DOMAIN.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook, load_workbook

from reconcile_dev.synth.noise import to_cp1258

COMPLIANT = "0100233488"  # paying unit, nothing owed
MISSING = "0314409058"  # active since 2024 with 12 employees, no unit: NOT_REGISTERED
DISSOLVED = "0100112437"  # dissolved, its unit still paying: CLOSED_FIRM_ON_ROLL
EVADER = "0312687878"  # unit owes 5 months, reminded: ARREARS_EVASION
NEW_LATE = "0316764844"  # registered 41 days before quarter end, 8 employees: NOT_REGISTERED_LATE
TOO_NEW = "2000109850"  # registered 15 days before quarter end: nothing yet
LATE_PAYER = "2000261622"  # unit owes 4 months, never reminded: ARREARS_LATE
SMALL_LAG = "2000108818"  # owes 3 months (30 days past due), reminded: nothing
BRANCH_PARENT = "1900346700"  # a branch unit -001 links to its parent firm

EXPECTED_FINDINGS = {
    ("NOT_REGISTERED", MISSING),
    ("CLOSED_FIRM_ON_ROLL", DISSOLVED),
    ("ARREARS_EVASION", EVADER),
    ("NOT_REGISTERED_LATE", NEW_LATE),
    ("ARREARS_LATE", LATE_PAYER),
    (
        "STOPPED_PAYING",
        LATE_PAYER,
    ),  # its unit paused paying while the firm is active with 9 employees
}

# fmt: off
TAX_HEADER = ["Mã số thuế", "Tên người nộp thuế", "Địa chỉ", "Ngày cấp MST", "TTHAI", "Số LĐ QTT", "Tổng tiền lương", "Ghi chú nội bộ"]
TAX_ROWS = [
    [COMPLIANT, "Công ty TNHH Hiệp Phát", "Số 5 đường 30/4, Phường Mỹ Tho, Tỉnh Đồng Tháp", "15/01/2020", "00", "25", "1.500.000.000", "x"],
    [MISSING, "CÔNG TY CỔ PHẦN TÂN HẢI", "Ấp 3, Xã Mỹ Phong, Thành phố Mỹ Tho, Tỉnh Tiền Giang", "2024-03-01", "Đang hoạt động", "12", "600,000,000", ""],
    [DISSOLVED, "Doanh nghiệp tư nhân Minh Long", "Phường Cao Lãnh, Tỉnh Đồng Tháp", "01/06/2018", "01", "0", "", ""],
    [EVADER, "Công ty TNHH MTV Phú Thịnh", "KCN Mỹ Tho, Phường Mỹ Tho, Tỉnh Đồng Tháp", "10-02-2019", "00", "40", "2400000000", ""],
    [NEW_LATE, "Công ty TNHH Vận tải Sông Tiền", "Phường Sa Đéc, Tỉnh Đồng Tháp", "2025-08-20", "00", "", "", ""],
    [TOO_NEW, "Công ty TNHH 257", "Phường Mỹ Tho, Tỉnh Đồng Tháp", "2025-09-15", "00", "3", "", ""],
    [LATE_PAYER, "Hợp tác xã Nông sản Tân Phước", "Xã Tân Phước, Tỉnh Đồng Tháp", "45000", "00", "9", "", ""],
    [SMALL_LAG, "Công ty CP Thủy sản Cửu Long", "Phường Mỹ Tho, Tỉnh Đồng Tháp", "01/01/2015", "00", "30", "", ""],
    [BRANCH_PARENT, "Công ty TNHH Xây dựng Bình Minh", "Phường Mỹ Tho, Tỉnh Đồng Tháp", "01/01/2016", "00", "6", "", ""],
    # bad rows, each with its reason
    ["0100233489", "Công ty TNHH Sai Số", "Phường Mỹ Tho", "01/01/2020", "00", "1", "", ""],  # check digit
    ["0312687878-001x", "Chi nhánh lỗi", "", "", "00", "", "", ""],  # not a code
    ["", "Công ty không mã", "", "", "00", "", "", ""],  # blank code
    ["0100233488", "Công ty TNHH Hiệp Phát", "Số 5 đường 30/4, Phường Mỹ Tho, Tỉnh Đồng Tháp", "15/01/2020", "00", "25", "1.500.000.000", "x"],  # duplicate
    TAX_HEADER,  # header repeated mid-file
    ["Tổng cộng", "", "", "", "", "125", "4.500.000.000", ""],  # total row
]
TAX_BAD_ROWS = {10: "check digit", 11: "not a tax code", 12: "blank", 13: "duplicate", 14: "repeated header", 15: "total row"}

REGISTRY_HEADER = ["MSDN", "Tên DN", "Loại hình", "Người đại diện", "Ngày thành lập", "Tình trạng pháp lý", "Số lao động dự kiến"]
REGISTRY_ROWS = [
    [COMPLIANT, "Công ty TNHH Hiệp Phát", "Công ty TNHH hai thành viên trở lên", "Nguyễn Văn An", "2020-01-10", "Đang hoạt động", 20],
    [MISSING, "Công ty cổ phần Tân Hải", "Công ty cổ phần", "Trần Thị Bình", "2024-02-20", "Đang hoạt động", 10],
    [DISSOLVED, "Doanh nghiệp tư nhân Minh Long", "Doanh nghiệp tư nhân", "Lê Văn Cường", "2018-05-01", "Đã giải thể, phá sản, chấm dứt tồn tại", 5],
    [NEW_LATE, "Công ty TNHH Vận tải Sông Tiền", "Công ty TNHH một thành viên", "Phạm Văn Dũng", "2025-08-20", "Đang hoạt động", 8],
    ["0312687879", "Công ty mã sai", "Công ty TNHH", "Hoàng Thị Em", "2020-01-01", "Đang hoạt động", 3],  # check digit
]

ROLL_HEADER = ["Mã đơn vị", "Tên đơn vị", "MST", "Địa chỉ", "Trạng thái", "Số LĐ tham gia", "Tổng quỹ lương", "Số phải đóng", "Số đã đóng", "Số nợ", "Số tháng nợ", "Ngày đôn đốc"]
ROLL_ROWS = [
    ["TZ0001A", "CÔNG TY TNHH HIỆP PHÁT", "100233488", "Phường Mỹ Tho", "Đang đóng", 25, 125000000, 120000000, 120000000, 0, 0, ""],
    ["TZ0002B", "DNTN Minh Long", DISSOLVED, "Phường Cao Lãnh", "Đang đóng", 5, 25000000, 24000000, 24000000, 0, 0, ""],
    ["TZ0003C", "Cty TNHH MTV Phú Thịnh", EVADER, "KCN Mỹ Tho", "Đang đóng", 40, 200000000, 192000000, 0, 320000000, 5, "15/08/2025"],
    ["TZ0004D", "HTX Nông sản Tân Phước", LATE_PAYER, "Xã Tân Phước", "Tạm dừng đóng", 9, 40000000, 38400000, 0, 51200000, 4, ""],
    ["TZ0005E", "Công ty CP Thủy sản Cửu Long", SMALL_LAG, "Phường Mỹ Tho", "Đang đóng", 30, 150000000, 144000000, 96000000, 48000000, 3, "01/09/2025"],
    ["TZ0006F", "CN Công ty TNHH Xây dựng Bình Minh", f"{BRANCH_PARENT}-001", "Phường Mỹ Tho", "Đang đóng", 6, 30000000, 28800000, 28800000, 0, 0, ""],
    ["TZ0007G", "Đơn vị không rõ MST", "", "Phường Mỹ Tho", "Đang đóng", 2, 10000000, 9600000, 9600000, 0, 0, ""],
    ["", "Đơn vị thiếu mã", "", "", "Đang đóng", 1, 5000000, 4800000, 4800000, 0, 0, ""],  # blank unit code
]
ROLL_BAD_ROWS = {8: "unit_code blank"}
# fmt: on


def _write_csv(path: Path, header: list, rows: list, encoding: str) -> None:
    with open(
        path, "w", newline="", encoding="utf-8" if encoding == "cp1258" else encoding
    ) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    if encoding == "cp1258":
        text = path.read_text(encoding="utf-8")
        path.write_bytes(to_cp1258(text))


def write_known_quarter(landing: Path, quarter: str = "2025Q3", province: str = "82") -> Path:
    folder = landing / quarter / province
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / f"tax_{province}_{quarter}.csv", TAX_HEADER, TAX_ROWS, "utf-8-sig")
    _write_csv(folder / f"roll_{province}_{quarter}.csv", ROLL_HEADER, ROLL_ROWS, "cp1258")
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH DOANH NGHIỆP THÀNH LẬP, THAY ĐỔI, GIẢI THỂ"])
    sheet.append([f"Kỳ báo cáo: {quarter}"])
    sheet.append([])
    sheet.append(REGISTRY_HEADER)
    for row in REGISTRY_ROWS:
        sheet.append(row)
    sheet.merge_cells("A1:G1")
    book.save(folder / f"registry_{province}_{quarter}.xlsx")
    return folder


def copy_as_quarter(
    landing: Path, quarter: str, source: str = "2025Q3", province: str = "82"
) -> None:
    """A later quarter's feeds: ``source``'s with new bytes (a file seen before is skipped)."""
    origin, target = landing / source / province, landing / quarter / province
    target.mkdir(parents=True, exist_ok=True)
    for path in origin.iterdir():
        copy = target / path.name.replace(source, quarter)
        copy.write_bytes(path.read_bytes())
        if copy.suffix == ".csv":
            copy.write_bytes(copy.read_bytes() + b"\n" * int(quarter[-1]))
        else:
            book = load_workbook(copy)
            book.active["A2"] = f"Kỳ báo cáo: {quarter}"
            book.save(copy)
