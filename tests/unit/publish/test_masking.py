from __future__ import annotations

import json

from reconcile.publish.masking import is_personal_header, mask_name, mask_number, mask_raw_record


def test_names_keep_initials_only() -> None:
    assert mask_name("Nguyễn Văn An") == "N. V. A."
    assert mask_name("  Trần   Thị Bình ") == "T. T. B."


def test_numbers_keep_their_last_three_digits() -> None:
    assert mask_number("0912 345 678") == "*******678"
    assert mask_number("079085001234") == "*********234"


def test_raw_record_masks_spec_and_header_personal_fields_and_keeps_the_rest() -> None:
    raw = json.dumps({"enterprise_code": "0100233488", "name": "Công ty A", "representative": "Lê Văn Cường",
                      "Số điện thoại": "0912345678", "Số CCCD người đại diện": "079085001234"}, ensure_ascii=False)  # fmt: skip
    masked = json.loads(mask_raw_record(raw, "registry"))
    assert masked["representative"] == "L. V. C."
    assert masked["Số điện thoại"] == "*******678"
    assert masked["Số CCCD người đại diện"] == "*********234"
    assert masked["enterprise_code"] == "0100233488" and masked["name"] == "Công ty A"


def test_personal_headers_in_any_spelling() -> None:
    assert is_personal_header("SO DIEN THOAI") and is_personal_header(
        "Người đại diện theo pháp luật"
    )
    assert not is_personal_header("Tên doanh nghiệp")
