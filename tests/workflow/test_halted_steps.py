"""The workflow adapter's side of incidents (issue 21, item 17): a failing automatic step halts the workflow in
a state that stores and restores, names the step to run again, and a retry on a fixed flow version goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.workflow.case_workflow import CaseWorkflow, WorkflowError
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import FlowSpec, parse_flow

ROOT = Path(__file__).resolve().parents[2]
XML = (ROOT / "bpmn" / "restaurant" / "flow.bpmn").read_text(encoding="utf-8")
ENGINE = SafeScriptEngine()


def with_fee(script: str, timer: str | None = None) -> FlowSpec:
    """The restaurant flow with a script task ``fee`` after the join and, if given, a timer ``wait`` after it,
    then the pickup."""
    after_fee = "f_wait" if timer else "f_join"
    xml = XML.replace("<bpmn:outgoing>f_join</bpmn:outgoing>", "<bpmn:outgoing>f_to_fee</bpmn:outgoing>", 1)
    wait = (f'<bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:incoming>f_wait</bpmn:incoming>'
            f'<bpmn:outgoing>f_join</bpmn:outgoing><bpmn:timerEventDefinition id="wait_timer">'
            f'<bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>'
            f'</bpmn:intermediateCatchEvent>' if timer else "")
    xml = xml.replace('<bpmn:userTask id="pickup"',
                      f'<bpmn:scriptTask id="fee" name="计算规费"><bpmn:incoming>f_to_fee</bpmn:incoming>'
                      f'<bpmn:outgoing>{after_fee}</bpmn:outgoing><bpmn:script>{script}</bpmn:script>'
                      f'</bpmn:scriptTask>{wait}<bpmn:userTask id="pickup"', 1)
    flows = '<bpmn:sequenceFlow id="f_to_fee" sourceRef="join" targetRef="fee" />'
    flows += ('<bpmn:sequenceFlow id="f_wait" sourceRef="fee" targetRef="wait" />'
              '<bpmn:sequenceFlow id="f_join" sourceRef="wait" targetRef="pickup" />' if timer else
              '<bpmn:sequenceFlow id="f_join" sourceRef="fee" targetRef="pickup" />')
    xml = xml.replace('<bpmn:sequenceFlow id="f_join" sourceRef="join" targetRef="pickup" />', flows)
    return parse_flow(xml.encode("utf-8"), "restaurant")


def approved_through(flow: FlowSpec) -> CaseWorkflow:
    """Accept a case and approve every item; complete() never raises for a failing automatic step, the
    caller halts it (as ``complete_in_workflow`` does)."""
    wf = CaseWorkflow.start(flow, ENGINE)
    intake = wf.waiting_tasks()[0]
    wf.complete(intake.id, {"applicant": {"name": "陈小明"}, "case_number": "CY-1", "accepted": {}})
    while approvals := [t for t in wf.waiting_tasks() if t.kind == "approval"]:
        try:
            wf.complete(approvals[0].id, {"results": {approvals[0].item: {"decision": "approve"}}})
        except WorkflowError as err:
            assert wf.task_completed(approvals[0].id)  # the decision ran: only what follows failed
            wf.halt(err)
    return wf


def test_a_failing_script_halts_at_itself_stores_and_retries_on_the_fixed_version() -> None:
    wf = approved_through(with_fee("fee = applicant[&quot;fee_code&quot;]"))
    [step] = wf.take_halted()
    assert (step.element_id, step.element_name, step.error_type) == ("fee", "计算规费", "expression")
    assert wf.waiting_tasks() == [] and not wf.is_finished()
    state = wf.dump()  # it stores

    again = CaseWorkflow.load(with_fee("fee = applicant[&quot;fee_code&quot;]"), state, ENGINE)
    with pytest.raises(WorkflowError, match="fee_code"):
        again.retry(step.task_id)

    fixed = CaseWorkflow.load(with_fee("fee = len(applicant[&quot;name&quot;])"), state, ENGINE)
    fixed.retry(step.task_id)
    assert [t.kind for t in fixed.waiting_tasks()] == ["pickup"]
    assert fixed.task_data(fixed.waiting_tasks()[0].id)["fee"] == 3


def test_a_timer_out_of_bounds_halts_at_the_step_before_it_and_a_retry_on_the_fix_goes_on() -> None:
    wf = approved_through(with_fee("fee = 1", "&quot;P99999999999D&quot;"))
    [step] = wf.take_halted()
    assert step.element_id == "wait" and step.task_id is not None  # the timer failed as the script completed
    state = wf.dump()
    fixed = CaseWorkflow.load(with_fee("fee = 1", "&quot;PT0S&quot;"), state, ENGINE)
    fixed.retry(step.task_id)
    fixed.fire_timers()
    assert [t.kind for t in fixed.waiting_tasks()] == ["pickup"]
