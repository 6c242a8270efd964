"""Tolerated materials (容缺) supplied after acceptance or overdue, and BPMN timers fired by the
ticker. SpiffWorkflow reads the wall clock for timers: those tests move it (time-machine) with the
fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from engine.domain.errors import Conflict, Forbidden, InvalidInput
from engine.services.flow_admin import DeployFlow, UploadFlow, deploy_flow, upload_flow
from engine.services.materials import SupplyMaterials, supply_materials, terminate_overdue_cases
from engine.services.timers import fire_due_timers, tick
from tests.conftest import FakeClock
from tests.fakes.context import BPMN, FakeContext, fake_context
from tests.integration.test_timers import REMINDED, with_reminder
from tests.usecases.applications import ADMIN, CLERK, SCJG, accept, case_of, events, open_tasks

TOLERATED = {"agent_authorisation": "tolerated"}
ACCEPTED = datetime(2026, 9, 24, 1, 30, tzinfo=UTC)  # Thursday 09:30 in Shanghai


def test_supplying_the_tolerated_materials_clears_the_due_day(fake: FakeContext) -> None:
    case = accept(fake, materials=TOLERATED)
    assert case.materials_due is not None
    with pytest.raises(InvalidInput):
        supply_materials(SupplyMaterials(case.number, ["sign_design"], CLERK), fake.ctx)
    with pytest.raises(Forbidden):
        supply_materials(SupplyMaterials(case.number, ["agent_authorisation"], SCJG), fake.ctx)
    supply_materials(SupplyMaterials(case.number, ["agent_authorisation"], CLERK), fake.ctx)
    supplied = case_of(fake, case.id)
    assert (supplied.materials["agent_authorisation"], supplied.materials_due) == ("submitted", None)
    fake.clock.advance(days=10)
    assert terminate_overdue_cases(fake.ctx) == []


def test_a_case_whose_tolerated_materials_are_overdue_is_terminated(fake: FakeContext) -> None:
    late, complete = accept(fake, materials=TOLERATED), accept(fake)
    fake.clock.advance(days=3)
    assert terminate_overdue_cases(fake.ctx) == []  # due at the end of Monday 09-28
    fake.clock.advance(days=2)
    assert tick(fake.ctx).terminated == [late.number]
    assert (case_of(fake, late.id).status, open_tasks(fake, late)) == ("terminated", {})
    assert case_of(fake, complete.id).status == "in_review"
    assert events(fake, late)[-1].type == "CaseTerminated"
    with pytest.raises(Conflict):
        supply_materials(SupplyMaterials(late.number, ["agent_authorisation"], CLERK), fake.ctx)


@pytest.fixture
def reminded() -> Iterator[FakeContext]:
    """The restaurant flow with a reminder two working days after its health-certificate approval opens."""
    with time_machine.travel(ACCEPTED, tick=False):
        fake = fake_context(FakeClock(ACCEPTED), personas=True)
        xml = with_reminder((BPMN / "restaurant" / "flow.bpmn").read_bytes(), REMINDED, "working_days(2)")
        version = upload_flow(UploadFlow("restaurant", xml, ADMIN), fake.ctx).version.version
        deploy_flow(DeployFlow("restaurant", version, ADMIN), fake.ctx)
        yield fake


def at(fake: FakeContext, moment: datetime) -> time_machine.travel:
    fake.clock.now = moment
    return time_machine.travel(moment, tick=False)


def test_a_working_day_reminder_fires_once_when_due(reminded: FakeContext) -> None:
    case = accept(reminded)
    # Two working days after Thursday 09-24 (Friday 09-25 is 中秋): Tuesday 09-29, same time of day.
    assert case.next_timer_at == datetime(2026, 9, 29, 1, 30, tzinfo=UTC)
    with at(reminded, datetime(2026, 9, 29, 1, 0, tzinfo=UTC)):
        assert fire_due_timers(reminded.ctx) == []
    with at(reminded, datetime(2026, 9, 29, 2, 0, tzinfo=UTC)):
        assert tick(reminded.ctx).timers == [f"{case.number}: 催办提醒"]
        assert tick(reminded.ctx).timers == []
    assert [e.data for e in events(reminded, case, "TimerFired")] == [{"timer": "催办提醒"}]
    assert case_of(reminded, case.id).next_timer_at is None
    assert "cy.jkz" in open_tasks(reminded, case)  # the reminder did not take the task away
