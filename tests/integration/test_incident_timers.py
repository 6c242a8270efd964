"""A timer's path that fails in the ticker (issue 21, item 17): the ticker records an incident on the case and
carries on with the others, instead of crashing on the first such case every pass."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from lxml import etree

from engine.bootstrap import ROOT, OneThingEngine, Settings, build_engine
from engine.domain.model import Actor
from engine.services.incidents import RetryIncident, list_incidents, retry_incident
from engine.services.timers import tick
from tests.integration.test_timers import ACCEPTED, BPMN, REMINDED, events, next_timer, start

ADMIN = Actor("admin", "office", "admin")
DUE = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # after the reminder's two working days


def with_failing_reminder(xml: bytes) -> bytes:
    """A reminder on the health certificate's approval whose path runs a script that fails at run time."""
    root = etree.fromstring(xml)
    process = root.find(f"{{{BPMN}}}process")
    assert process is not None
    q = f"{{{BPMN}}}"
    boundary = etree.SubElement(process, q + "boundaryEvent", id="remind", name="催办提醒",
                                attachedToRef=REMINDED, cancelActivity="false")
    etree.SubElement(boundary, q + "outgoing").text = "f_remind"
    etree.SubElement(etree.SubElement(boundary, q + "timerEventDefinition", id="remind_timer"),
                     q + "timeDate").text = "working_days(2)"
    script = etree.SubElement(process, q + "scriptTask", id="notify", name="生成催办通知")
    etree.SubElement(script, q + "incoming").text = "f_remind"
    etree.SubElement(script, q + "outgoing").text = "f_notified"
    etree.SubElement(script, q + "script").text = 'notice = applicant["mobile_for_sms"]'  # no such field
    end = etree.SubElement(process, q + "endEvent", id="reminded", name="已催办")
    etree.SubElement(end, q + "incoming").text = "f_notified"
    etree.SubElement(process, q + "sequenceFlow", id="f_remind", sourceRef="remind", targetRef="notify")
    etree.SubElement(process, q + "sequenceFlow", id="f_notified", sourceRef="notify", targetRef="reminded")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@pytest.fixture
def failing_engine(db_url: str, tmp_path: Path) -> Iterator[OneThingEngine]:
    bpmn = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn" / "catalogue", bpmn / "catalogue")
    (bpmn / "restaurant").mkdir()
    shutil.copy(ROOT / "bpmn" / "restaurant" / "bundle.json", bpmn / "restaurant" / "bundle.json")
    flow = with_failing_reminder((ROOT / "bpmn" / "restaurant" / "flow.bpmn").read_bytes())
    (bpmn / "restaurant" / "flow.bpmn").write_bytes(flow)
    with time_machine.travel(ACCEPTED, tick=False):
        built = build_engine(Settings(database_url=db_url, bpmn_dir=bpmn, password_strength="fast"))
    yield built
    built.db.dispose()


def test_a_failing_timer_path_opens_an_incident_and_the_ticker_goes_on(failing_engine: OneThingEngine) -> None:
    with time_machine.travel(ACCEPTED, tick=False):
        numbers = [start(failing_engine) for _ in range(2)]
    with time_machine.travel(DUE, tick=False):
        report = tick(failing_engine.ctx)  # raised WorkflowError on the first case before
        assert report.timers == []
        assert tick(failing_engine.ctx).timers == []  # held until a retry: no second attempt, no second incident
    incidents = list_incidents(failing_engine.ctx, "open", "restaurant")
    assert sorted(i.case_number for i in incidents) == sorted(numbers)
    assert {(i.element_id, i.element_name, i.error_type, i.opened_by) for i in incidents} == {
        ("notify", "生成催办通知", "expression", "system")}
    assert all("mobile_for_sms" in i.message for i in incidents)
    for number in numbers:
        assert [e["element_id"] for e in events(failing_engine, number, "IncidentOpened")] == ["notify"]
        assert next_timer(failing_engine, number) is None
        with failing_engine.ctx.uow(False) as uow:  # the department's approval is still there to work
            case = uow.cases.get_by_number(number)
            assert case is not None
            assert any(t.name == REMINDED for t in uow.tasks.open_for_case(case.id))

    with time_machine.travel(DUE, tick=False):
        outcome = retry_incident(RetryIncident(incidents[0].id, ADMIN), failing_engine.ctx)
    assert not outcome.resolved and outcome.incident.attempts == 1
    assert "mobile_for_sms" in outcome.incident.message
