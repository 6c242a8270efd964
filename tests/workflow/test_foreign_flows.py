"""What other modellers draw, checked and then run: the upload check says of each shape what SpiffWorkflow (as the
engine configures it) does with it (issue 21, items 18 and 19).

Each flow is the sample one-thing flow with one foreign shape added; it is checked as an upload would be, then
run as a case (the intake, both approvals, the pickup), saving and restoring the workflow at each wait.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.domain.flow_problems import FlowReport, FlowRule
from engine.workflow.case_workflow import CaseWorkflow
from engine.workflow.flow_check import check_flow
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import parse_flow
from tests.unit.flow_samples import BUNDLE, DEPARTMENTS, between_intake_and_split, flow

MESSAGE = '<bpmn:messageEventDefinition messageRef="notice" />'
WITH_MESSAGE = ("<bpmn:process ", '<bpmn:message id="notice" name="办件通知" />\n  <bpmn:process ')


def checked(text: str) -> FlowReport:
    return check_flow(text.encode(), BUNDLE, DEPARTMENTS)


def problems_on(report: FlowReport, element_id: str) -> list[tuple[str, str]]:
    return [(p.rule, p.severity) for p in report.problems if p.element_id == element_id]


def run_case(text: str, steps: int = 12) -> tuple[list[str], bool]:
    """Run the flow as a case: complete whatever user task is offered (every item approved), saving and
    restoring at each wait. Answers the tasks offered, in order, and whether the case finished."""
    spec = parse_flow(text.encode(), "demo")
    wf = CaseWorkflow.start(spec, SafeScriptEngine())
    offered: list[str] = []
    for _ in range(steps):
        wf = CaseWorkflow.load(spec, wf.dump(), SafeScriptEngine())
        tasks = wf.waiting_tasks()
        if not tasks:
            break
        task = tasks[0]
        offered.append(task.name)
        update: dict[str, Any] = {"results": {task.item: {"decision": "approve"}}} if task.item else {}
        wf.complete(task.id, update)
    return offered, wf.is_finished()


EVERY_TASK = ["intake", "approve_a", "approve_b", "pickup"]


def assert_runs_through(text: str) -> None:
    offered, finished = run_case(text)
    assert sorted(offered) == sorted(EVERY_TASK) and offered[0] == "intake" and offered[-1] == "pickup", offered
    assert finished


# --- item 18: what only sends, or never fires, runs --------------------------------------------------------

SEND_TASK = between_intake_and_split(
    '<bpmn:sendTask id="x" name="通知申请人" messageRef="notice"><bpmn:incoming>f_intake</bpmn:incoming>'
    "<bpmn:outgoing>f_next</bpmn:outgoing></bpmn:sendTask>", "x").replace(*WITH_MESSAGE)
THROW = between_intake_and_split(
    '<bpmn:intermediateThrowEvent id="x" name="已受理通知"><bpmn:incoming>f_intake</bpmn:incoming>'
    f"<bpmn:outgoing>f_next</bpmn:outgoing>{MESSAGE}</bpmn:intermediateThrowEvent>", "x").replace(*WITH_MESSAGE)
END_MESSAGE = flow(WITH_MESSAGE, ('<bpmn:endEvent id="end" name="办结">',
                                  f'<bpmn:endEvent id="end" name="办结">{MESSAGE}'))
BOUNDARY = flow(WITH_MESSAGE, (
    '<bpmn:endEvent id="end" name="办结">',
    f'<bpmn:boundaryEvent id="x" name="撤回" attachedToRef="approve_b">{MESSAGE}</bpmn:boundaryEvent>\n'
    '    <bpmn:endEvent id="withdrawn" />\n'
    '    <bpmn:sequenceFlow id="f_withdrawn" sourceRef="x" targetRef="withdrawn" />\n'
    '    <bpmn:endEvent id="end" name="办结">'), (
    '<bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef>',
    '<bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef><bpmn:flowNodeRef>x</bpmn:flowNodeRef>'
    '<bpmn:flowNodeRef>withdrawn</bpmn:flowNodeRef>'))


@pytest.mark.parametrize(("text", "element_id"), [
    (SEND_TASK, "x"), (THROW, "x"), (END_MESSAGE, "end"), (BOUNDARY, "x"),
], ids=["send-task", "intermediate-message-throw", "message-end-event", "message-boundary-event"])
def test_what_sends_a_message_or_never_fires_is_warned_and_runs(text: str, element_id: str) -> None:
    report = checked(text)
    assert report.ok, json.dumps(report.to_dict(), ensure_ascii=False)
    assert problems_on(report, element_id) == [(FlowRule.LIMITED_ELEMENT.value, "warning")]
    assert_runs_through(text)


def test_a_message_that_would_start_the_case_is_still_refused_and_would_wait() -> None:
    """The one message event that waits: SpiffWorkflow's start event waits for the message, so nothing runs."""
    text = flow(WITH_MESSAGE, ('<bpmn:startEvent id="start" name="申请人到综合窗口">',
                               f'<bpmn:startEvent id="start" name="申请人到综合窗口">{MESSAGE}'))
    assert (FlowRule.UNSUPPORTED_ELEMENT.value, "error") in problems_on(checked(text), "start")
    assert run_case(text) == ([], False)


JOINED_AT_THE_END = flow(
    ('targetRef="join" />\n    <bpmn:sequenceFlow id="f_join"',
     'targetRef="end" />\n    <bpmn:sequenceFlow id="f_join"'),
    ("<bpmn:incoming>f_done_b</bpmn:incoming>\n      <bpmn:outgoing>f_join", "<bpmn:outgoing>f_join"),
    ("<bpmn:incoming>f_pickup</bpmn:incoming>", "<bpmn:incoming>f_pickup</bpmn:incoming><bpmn:incoming>f_done_b"
                                                "</bpmn:incoming>"))


def test_parallel_branches_that_join_at_the_end_event_are_warned_and_run() -> None:
    report = checked(JOINED_AT_THE_END)
    assert report.ok, json.dumps(report.to_dict(), ensure_ascii=False)
    assert problems_on(report, "split") == [(FlowRule.PARALLEL_UNJOINED.value, "warning")]
    offered, finished = run_case(JOINED_AT_THE_END)
    assert sorted(offered) == sorted(EVERY_TASK) and finished, offered


# --- item 19: an untyped task passes straight through -------------------------------------------------------

UNTYPED = between_intake_and_split(
    '<bpmn:task id="x" name="内部流转"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
    "</bpmn:task>", "x")


def test_a_case_runs_straight_through_an_untyped_task_as_the_warning_says() -> None:
    report = checked(UNTYPED)
    assert report.ok
    warning = next(p for p in report.problems if p.element_id == "x")
    assert warning.severity == "warning" and "passes straight through" in warning.message_en
    assert_runs_through(UNTYPED)  # it used to be a manual task nobody is offered: every case stalled after intake


def test_a_loop_through_untyped_tasks_spins_so_it_stays_refused() -> None:
    """SpiffWorkflow used to wait at an untyped task; now that it passes straight through, a loop made only of
    untyped tasks and gateways runs without end inside one request, and the check refuses it."""
    text = flow(
        ('<bpmn:userTask id="correct_a" name="补正材料：事项甲">', '<bpmn:task id="correct_a" name="自动补正">'),
        ('<bpmn:outgoing>f_resume_a</bpmn:outgoing>\n    </bpmn:userTask>',
         '<bpmn:outgoing>f_resume_a</bpmn:outgoing>\n    </bpmn:task>'),
        ('sourceRef="correct_a" targetRef="approve_a"', 'sourceRef="correct_a" targetRef="decide_a"'),
        ("<bpmn:conditionExpression>results['a']['decision'] == 'correct'",
         "<bpmn:conditionExpression>results['a']['decision'] != 'approve'"))
    report = checked(text)
    assert [p.severity for p in report.problems if p.rule == FlowRule.AUTOMATIC_LOOP] == ["error"]
    spec = parse_flow(text.encode(), "demo")
    wf = BpmnWorkflow(spec.spec, spec.subprocess_specs, script_engine=SafeScriptEngine())
    wf.do_engine_steps()
    wf.get_next_task(spec_name="intake").run()
    wf.do_engine_steps()
    approval = wf.get_next_task(spec_name="approve_a")
    approval.data["results"] = {"a": {"decision": "correct"}}
    approval.run()
    ran: list[str] = []
    wf.do_engine_steps(will_complete_task=lambda task: ran.append(task.task_spec.name))
    # Round and round inside this one call, until SpiffWorkflow's task-tree depth limit (1,000) stops it:
    # the case would then stay stuck there. A waiting task would have stopped it at the first turn.
    assert ran.count("correct_a") > 400, ran[:10]
