"""The working-day calendar: overrides move running cases' deadlines; a year without official data
is confirmed by an administrator."""

from __future__ import annotations

from datetime import date

import pytest

from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.services.audit import list_audit_events
from engine.services.calendar_admin import PutOverride, calendar_of_year, confirm_year, delete_override, put_override
from tests.fakes.context import FakeContext
from tests.usecases.applications import ADMIN, accept, case_of

TUESDAY = date(2026, 9, 29)


def test_a_day_off_moves_a_running_cases_due_day_and_removing_it_moves_it_back(fake: FakeContext) -> None:
    case = accept(fake)
    assert case.due_on == date(2026, 10, 16)
    answer = put_override(PutOverride(TUESDAY, "holiday", "国办发明电〔2026〕1号", ADMIN), fake.ctx)
    assert answer["cases_updated"] == [case.number]
    assert case_of(fake, case.id).due_on == date(2026, 10, 19)
    assert TUESDAY.isoformat() in calendar_of_year(fake.ctx, 2026)["weekday_days_off"]
    assert delete_override(TUESDAY, ADMIN, fake.ctx)["cases_updated"] == [case.number]
    assert case_of(fake, case.id).due_on == date(2026, 10, 16)
    assert [e.type for e in list_audit_events(fake.ctx, 0, 100)][-2:] == [
        "CalendarOverridden", "CalendarOverrideRemoved"]


def test_an_override_needs_a_kind_a_reason_and_a_year_in_range(fake: FakeContext) -> None:
    for kind, reason, day in (("party", "x", TUESDAY), ("holiday", " ", TUESDAY), ("holiday", "x", date(1999, 1, 4))):
        with pytest.raises(InvalidInput):
            put_override(PutOverride(day, kind, reason, ADMIN), fake.ctx)
    with pytest.raises(NotFound):
        delete_override(TUESDAY, ADMIN, fake.ctx)


def test_a_year_without_official_data_is_confirmed_once_checked(fake: FakeContext) -> None:
    before = calendar_of_year(fake.ctx, 2027)
    assert (before["official"], before["needs_confirmation"]) == (False, True)
    after = confirm_year(2027, ADMIN, fake.ctx)
    assert (after["confirmed_by"], after["needs_confirmation"]) == ("sun.office", False)


def test_a_year_with_official_data_needs_no_confirmation(fake: FakeContext) -> None:
    assert calendar_of_year(fake.ctx, 2026)["official"]
    with pytest.raises(Conflict):
        confirm_year(2026, ADMIN, fake.ctx)
