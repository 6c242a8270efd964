"""Incidents: a script that fails at run time halts the case with an incident open; an
administrator retries it, moves the case onto a fixed flow, and the case goes on."""

from __future__ import annotations

import pytest

from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.services.flow_admin import DeployFlow, UploadFlow, deploy_flow, upload_flow
from engine.services.flow_migration import MigrateCases, migrate_cases
from engine.services.incidents import RetryIncident, get_incident, list_incidents, retry_incident
from tests.fakes.context import BPMN, FakeContext
from tests.usecases.applications import ADMIN, accept, events, open_tasks

XML = (BPMN / "restaurant" / "flow.bpmn").read_text(encoding="utf-8")


def with_fee_script(script: str) -> bytes:
    """The restaurant flow with a script task 计算规费 (id ``fee``) between the intake and the split."""
    task = (f'<bpmn:scriptTask id="fee" name="计算规费"><bpmn:incoming>f_intake</bpmn:incoming>'
            f'<bpmn:outgoing>f_fee</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>\n    ')
    split_in = '<bpmn:incoming>f_intake</bpmn:incoming>\n      <bpmn:outgoing>f_split_yyzz'
    intake_flow = '<bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="split" />'
    assert XML.count(split_in) == XML.count(intake_flow) == 1
    xml = XML.replace('<bpmn:parallelGateway id="split"', task + '<bpmn:parallelGateway id="split"')
    xml = xml.replace(split_in, split_in.replace("f_intake", "f_fee"))
    return xml.replace(intake_flow, '<bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="fee" />'
                                    '<bpmn:sequenceFlow id="f_fee" sourceRef="fee" targetRef="split" />').encode()


def deployed(fake: FakeContext, xml: bytes) -> None:
    version = upload_flow(UploadFlow("restaurant", xml, ADMIN), fake.ctx).version.version
    deploy_flow(DeployFlow("restaurant", version, ADMIN), fake.ctx)


FAILING = with_fee_script("fee = applicant[&quot;fee_code&quot;]")  # no such field: a KeyError at run time
FIXED = with_fee_script("fee = len(applicant[&quot;name&quot;])")


def test_a_failing_script_halts_the_case_and_a_retry_on_the_fixed_flow_lets_it_go_on(fake: FakeContext) -> None:
    deployed(fake, FAILING)
    case = accept(fake)
    assert (case.status, open_tasks(fake, case)) == ("in_review", {})
    [incident] = list_incidents(fake.ctx, "open")
    assert (incident.case_number, incident.element_id, incident.error_type) == (case.number, "fee", "expression")
    assert "fee_code" in incident.message
    assert get_incident(fake.ctx, incident.id) == incident

    again = retry_incident(RetryIncident(incident.id, ADMIN), fake.ctx)
    assert (again.resolved, again.incident.attempts) == (False, 1)
    assert open_tasks(fake, case) == {}

    deployed(fake, FIXED)
    assert [m.number for m in migrate_cases(MigrateCases("restaurant", None, None, ADMIN), fake.ctx).moved] == [
        case.number]
    retried = retry_incident(RetryIncident(incident.id, ADMIN), fake.ctx)
    assert (retried.resolved, retried.incident.resolved_by, retried.opened) == (True, "sun.office", ())
    assert set(open_tasks(fake, case)) == {"cy.yyzz", "cy.jkz"}
    assert [e.type for e in events(fake, case)] == [
        "CaseAccepted", "IncidentOpened", "IncidentRetryFailed", "CaseMigrated", "IncidentResolved", "TaskOpened",
        "TaskOpened"]
    assert list_incidents(fake.ctx, "open") == []
    with pytest.raises(Conflict):
        retry_incident(RetryIncident(incident.id, ADMIN), fake.ctx)


def test_incidents_are_listed_by_status_and_bundle(fake: FakeContext) -> None:
    deployed(fake, FAILING)
    accept(fake)
    accept(fake)
    assert len(list_incidents(fake.ctx, "open", "restaurant")) == 2
    assert list_incidents(fake.ctx, "open", "newborn") == []
    assert list_incidents(fake.ctx, "resolved") == []
    with pytest.raises(InvalidInput):
        list_incidents(fake.ctx, "maybe")
    with pytest.raises(NotFound):
        get_incident(fake.ctx, 99)
