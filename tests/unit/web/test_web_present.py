"""How values read on a page: money, days, times in Vietnam, evidence in words, masking."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reconcile.web import present


def test_money_days_and_times() -> None:
    assert present.money(1_234_567) == "1.234.567 ₫"
    assert present.day(date(2025, 5, 2)) == "02/05/2025"
    assert present.day("2025-05-02") == "02/05/2025"
    # stored in UTC, read in Vietnam (UTC+7); a time without a zone is UTC
    assert present.moment(datetime(2025, 5, 3, 20, 30, tzinfo=UTC)) == "04/05/2025 03:30"
    assert present.moment(datetime(2025, 5, 3, 20, 30)) == "04/05/2025 03:30"
    assert present.quarter_words("2025Q3") == "Quý 3/2025"


def test_evidence_reads_in_words_never_keys() -> None:
    items = dict(
        present.evidence_items(
            '{"started_on": "2021-05-04", "tax_status": "suspended", "wage_bill": 12000000}'
        )
    )
    assert items == {
        "Ngày bắt đầu hoạt động": "04/05/2021",
        "Trạng thái thuế": "Tạm ngừng kinh doanh",
        "Quỹ lương đóng BHXH (tháng)": "12.000.000",
    }


def test_confirmed_reads_as_a_link_answer_on_a_link_question() -> None:
    assert present.decision_words("confirmed") == "Xác nhận vi phạm"
    assert present.decision_words("confirmed", link_question=True) == "Đúng là đơn vị này"
    assert "confirmed_link" not in present.decision_codes()
    assert all("{" not in words for _, words in present.rule_choices())


def test_personal_columns_are_masked_for_those_who_may_not_see_them() -> None:
    assert present.personal("Nguyễn Văn An", "representative", show=False) == "N. V. A."
    assert present.personal("Nguyễn Văn An", "representative", show=True) == "Nguyễn Văn An"
    assert present.personal("Công ty A", "name", show=False) == "Công ty A"
