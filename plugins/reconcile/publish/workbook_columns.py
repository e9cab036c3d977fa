"""The inspectors' workbook's shape: its columns (key, Vietnamese header, width), its sheets'
names, and which columns hold money, dates or wrapped text. The web export and the decisions
read back rely on these, so they are named once, here."""

from __future__ import annotations

COLUMNS: list[tuple[str, str, int]] = [
    # (key, Vietnamese header, width)
    ("case_id", "Mã hồ sơ", 30),
    ("case_status", "Tình trạng hồ sơ", 14),
    ("title", "Vi phạm", 50),
    ("rule", "Mã quy tắc", 22),
    ("severity", "Mức độ", 8),
    ("legal_basis", "Căn cứ pháp lý", 36),
    ("tax_code", "Mã số thuế", 16),
    ("unit_code", "Mã đơn vị", 12),
    ("name", "Tên doanh nghiệp / đơn vị", 45),
    ("representative", "Người đại diện", 20),
    ("address", "Địa chỉ", 45),
    ("group", "Xã/phường", 18),
    ("evidence", "Bằng chứng", 60),
    ("link", "Liên kết", 40),
    # the row's share of its firm's money, each missing employee or unpaid amount once
    # (rules/money.py counted): the column sums to the firm's, and the quarter's, total
    ("money_counted", "Số tiền ước tính (VND)", 20),
    ("firm_findings", "Các vi phạm khác của doanh nghiệp", 60),
    ("action", "Hướng xử lý", 30),
    ("history", "Lịch sử kết luận", 50),
    ("decision", "Kết luận", 22),
    ("note", "Ghi chú", 30),
    ("inspector", "Cán bộ kiểm tra", 20),
    ("decided_on", "Ngày kết luận", 14),
]


HEADERS = [header for _, header, _ in COLUMNS]


REVIEW_COLUMNS: list[tuple[str, str, int]] = [
    ("case_id", "Mã hồ sơ", 34),
    ("unit_code", "Mã đơn vị", 12),
    ("unit_name", "Tên đơn vị (danh sách BHXH)", 45),
    ("unit_address", "Địa chỉ đơn vị", 40),
    ("tax_code", "Mã số thuế (doanh nghiệp)", 16),
    ("firm_name", "Tên doanh nghiệp (thuế, ĐKKD)", 45),
    ("firm_address", "Địa chỉ doanh nghiệp", 40),
    ("explanation", "Vì sao có thể là cùng một đơn vị", 70),
    ("decision", "Kết luận", 22),
    ("note", "Ghi chú", 30),
]


REVIEW_SHEET = "Cần xem xét liên kết"


FIXES_SHEET = "Sửa dữ liệu mã số thuế"


# columns the rows carry for the code (the rule's code) that an inspector does not read: the
# sheet shows the rule's title; the CSV twin keeps every column
SHEET_HIDDEN = frozenset({"rule"})


# columns written as numbers in the money format, and as real dates (dd/mm/yyyy)
MONEY_KEYS = frozenset({"money_at_stake", "money_counted"})


DATE_KEYS = frozenset({"decided_on"})


# columns whose text wraps in its cell (as does any column 30 wide or more), rows made as tall
WRAPPED_KEYS = frozenset({"evidence", "title", "legal_basis", "explanation"})


# findings whose question is "is this unit the firm's?": their decision cell offers the link
# choices (Đúng là đơn vị này / Không phải đơn vị này), read back as a link decision
LINK_QUESTION_RULES = frozenset({"NOT_REGISTERED_REVIEW"})


def sheet_columns(columns: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The columns a sheet shows: all but those kept for the code (:data:`SHEET_HIDDEN`)."""
    return [column for column in columns if column[0] not in SHEET_HIDDEN]


SUMMARY_SHEET = "Tổng hợp"


SUMMARY_WIDTH = 70  # the summary's first column: a rule's title on one or two lines
