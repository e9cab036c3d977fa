"""A firm's history from its notices: the same whatever their order, duplicates or lateness."""

from __future__ import annotations

import random
from datetime import date

import pytest

from reconcile.history.events import notice_event, snapshot_events
from reconcile.history.timeline import as_of, effective_events, periods

CODE, OTHER = "0300000001", "0300000002"


def notice(number: int, kind: str, day: date, code: str = CODE, **extra: object):
    recorded = extra.pop("recorded_on", day)
    return notice_event(sender="Sở KH&ĐT", notice_id=f"N{number}", tax_code=code, kind=kind,
                        effective_on=day, recorded_on=recorded, **extra)  # fmt: skip


def a_year_of_notices():
    return [
        notice(1, "registered", date(2025, 1, 6), name="Công ty TNHH Sen Hồng",
               address="12 Lê Lợi, Phường Cao Lãnh", declared_employees=12),
        notice(2, "changed", date(2025, 3, 2), representative="Nguyễn Văn A"),
        notice(3, "changed", date(2025, 4, 15), name="Công ty TNHH Sen Hồng Đồng Tháp"),
        notice(4, "suspended", date(2025, 5, 1)),
        notice(5, "resumed", date(2025, 6, 20), recorded_on=date(2025, 7, 30)),  # late
        notice(6, "dissolved", date(2025, 8, 1)),  # wrong, and withdrawn by 7
        notice(7, "dissolved", date(2025, 8, 1), withdraws="N6", recorded_on=date(2025, 8, 9)),
        notice(8, "changed", date(2025, 9, 9), address="5 Hùng Vương, Phường Sa Đéc"),
        notice(1, "registered", date(2025, 1, 6), code=OTHER, name="Công ty CP Mỹ Trà"),
        notice(2, "tax_closed", date(2025, 7, 1), code=OTHER),
    ]  # fmt: skip


def test_the_history_is_the_same_shuffled_duplicated_and_resent_late() -> None:
    expected = periods(a_year_of_notices())
    rng = random.Random(7)
    for _ in range(50):
        notices = a_year_of_notices()
        resent = [n.__class__(**{**n.__dict__, "recorded_on": date(2025, 12, 1),
                                 "sender": "SKHĐT"}) for n in rng.sample(notices, 4)]  # fmt: skip
        mixed = notices + resent
        rng.shuffle(mixed)
        assert periods(mixed) == expected


def test_a_withdrawn_dissolution_leaves_the_firm_trading() -> None:
    history = [p for p in periods(a_year_of_notices()) if p.tax_code == CODE]
    after = as_of(history, date(2025, 8, 15))
    assert after is not None and after.status == "active"
    assert after.status_since == date(2025, 6, 20)  # resumed, told late, still counts
    assert [p.status for p in history] == ["active", "active", "active", "suspended", "active",
                                           "active"]  # fmt: skip
    without_withdrawal = [n for n in a_year_of_notices() if n.event_id != "N7"]
    dissolved = as_of([p for p in periods(without_withdrawal) if p.tax_code == CODE],
                      date(2025, 8, 15))  # fmt: skip
    assert dissolved is not None and dissolved.status == "dissolved"


def test_cancelling_a_cancellation_restores_the_notice() -> None:
    notices = [*a_year_of_notices(),
               notice(9, "dissolved", date(2025, 8, 1), withdraws="N7")]  # fmt: skip
    day = as_of([p for p in periods(notices) if p.tax_code == CODE], date(2025, 8, 15))
    assert day is not None and day.status == "dissolved" and day.status_by == "N6"


def test_fields_carry_on_and_the_first_name_is_back_filled() -> None:
    history = [p for p in periods(a_year_of_notices()) if p.tax_code == CODE]
    assert history[0].name == "Công ty TNHH Sen Hồng"
    assert history[0].representative is None  # told first by a change: before it, unknown
    assert as_of(history, date(2025, 3, 2)).representative == "Nguyễn Văn A"
    assert as_of(history, date(2025, 4, 14)).name == "Công ty TNHH Sen Hồng"
    assert as_of(history, date(2025, 4, 15)).name == "Công ty TNHH Sen Hồng Đồng Tháp"
    last = history[-1]
    assert last.valid_to is None and last.address == "5 Hùng Vương, Phường Sa Đéc"
    assert last.declared_employees == 12 and last.registered_on == date(2025, 1, 6)
    for earlier, later in zip(history, history[1:], strict=False):
        assert earlier.valid_to == later.valid_from  # no gap, no overlap
    assert as_of(history, date(2024, 12, 31)) is None


def test_a_cancellation_changes_nothing_of_its_own() -> None:
    only = [notice(1, "registered", date(2025, 1, 6)),
            notice(2, "dissolved", date(2025, 2, 1), withdraws="N99")]  # fmt: skip
    assert [p.status for p in periods(only)] == ["active"]
    assert [e.event_id for e in effective_events(only)] == ["N1"]


def test_a_days_last_event_decides_the_day() -> None:
    same_day = [notice(1, "registered", date(2025, 1, 6)),
                notice(2, "suspended", date(2025, 5, 1)), notice(3, "resumed", date(2025, 5, 1))]  # fmt: skip
    assert [(p.valid_from, p.status) for p in periods(same_day)] == [(date(2025, 1, 6), "active")]


def test_a_snapshot_tells_what_no_notice_did_and_a_notice_wins_after_it() -> None:
    firm = {"tax_code": CODE, "started_on": date(2019, 3, 1), "tax_status": "active",
            "registry_status": "active", "tax_status_since": None, "registry_status_since": None,
            "name": "Công ty TNHH Sen Hồng", "address": "12 Lê Lợi", "province": "82"}  # fmt: skip
    events = snapshot_events("2025Q2", date(2025, 6, 30), firm)
    events.append(notice(1, "dissolved", date(2025, 8, 1)))
    history = periods(events)
    assert as_of(history, date(2020, 1, 1)).status == "active"
    assert as_of(history, date(2020, 1, 1)).name == "Công ty TNHH Sen Hồng"  # back-filled
    assert history[0].registered_on == date(2019, 3, 1)
    end = as_of(history, date(2025, 9, 30))
    assert end.status == "dissolved" and end.status_from_notice
    closed = {**firm, "registry_status": "dissolved", "registry_status_since": date(2024, 5, 2)}
    told = as_of(periods(snapshot_events("2025Q2", date(2025, 6, 30), closed)), date(2025, 1, 1))
    assert told.status == "dissolved" and told.status_since == date(2024, 5, 2)
    assert not told.status_from_notice


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="not a change kind"):
        notice(1, "merged", date(2025, 1, 1))
