"""Our parallel join (engine.workflow.spiff_parser.ParallelJoin) against SpiffWorkflow's own: the
same flows, driven the same way, wait on the same tasks at every step, including loops back
through the split and correction loops inside one branch."""

from __future__ import annotations

from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.spiff_parser import FlowParser, ParallelJoin

FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="loops" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming><bpmn:incoming>f_again</bpmn:incoming>
      <bpmn:outgoing>f_a</bpmn:outgoing><bpmn:outgoing>f_b</bpmn:outgoing><bpmn:outgoing>f_c</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="a"><bpmn:incoming>f_a</bpmn:incoming><bpmn:incoming>f_redo</bpmn:incoming>
      <bpmn:outgoing>f_a_done</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="check_a" default="f_a_join"><bpmn:incoming>f_a_done</bpmn:incoming>
      <bpmn:outgoing>f_redo</bpmn:outgoing><bpmn:outgoing>f_a_join</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="b"><bpmn:incoming>f_b</bpmn:incoming><bpmn:outgoing>f_b_join</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="c"><bpmn:incoming>f_c</bpmn:incoming><bpmn:outgoing>f_c_join</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f_a_join</bpmn:incoming><bpmn:incoming>f_b_join</bpmn:incoming>
      <bpmn:incoming>f_c_join</bpmn:incoming><bpmn:outgoing>f_joined</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:exclusiveGateway id="more" default="f_finish"><bpmn:incoming>f_joined</bpmn:incoming>
      <bpmn:outgoing>f_again</bpmn:outgoing><bpmn:outgoing>f_finish</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="last"><bpmn:incoming>f_finish</bpmn:incoming><bpmn:outgoing>f_end</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f_a" sourceRef="split" targetRef="a" />
    <bpmn:sequenceFlow id="f_b" sourceRef="split" targetRef="b" />
    <bpmn:sequenceFlow id="f_c" sourceRef="split" targetRef="c" />
    <bpmn:sequenceFlow id="f_a_done" sourceRef="a" targetRef="check_a" />
    <bpmn:sequenceFlow id="f_redo" sourceRef="check_a" targetRef="a">
      <bpmn:conditionExpression>redo == True</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_a_join" sourceRef="check_a" targetRef="join" />
    <bpmn:sequenceFlow id="f_b_join" sourceRef="b" targetRef="join" />
    <bpmn:sequenceFlow id="f_c_join" sourceRef="c" targetRef="join" />
    <bpmn:sequenceFlow id="f_joined" sourceRef="join" targetRef="more" />
    <bpmn:sequenceFlow id="f_again" sourceRef="more" targetRef="split">
      <bpmn:conditionExpression>again == True</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_finish" sourceRef="more" targetRef="last" />
    <bpmn:sequenceFlow id="f_end" sourceRef="last" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

# Each step completes the first waiting task of that name with that data: ``a`` is sent back
# twice (a correction loop inside its branch) and finishes last.
ONE_ROUND: list[tuple[str, dict[str, Any]]] = [
    ("b", {}), ("a", {"redo": True}), ("c", {}), ("a", {"redo": True}), ("a", {"redo": False, "again": False}),
    ("last", {}),
]
# Two rounds through the split. SpiffWorkflow's rule lets the second round's join count the first
# round's tokens; ours must do exactly what SpiffWorkflow does, so this is compared, not asserted.
TWO_ROUNDS: list[tuple[str, dict[str, Any]]] = [
    ("b", {}), ("c", {}), ("a", {"redo": False, "again": True}),
    ("c", {}), ("a", {"redo": True}), ("b", {}), ("a", {"redo": False, "again": False}), ("last", {}), ("c", {}),
]


def walk(parser: Any, script: list[tuple[str, dict[str, Any]]]) -> tuple[list[list[str]], bool]:
    """Drive ``script`` as far as it goes; answers the waiting user tasks before each step and
    after the last, and whether the workflow completed."""
    parser.add_bpmn_str(FLOW.encode())
    wf = BpmnWorkflow(parser.get_spec("loops"), script_engine=SafeScriptEngine())
    wf.do_engine_steps()
    seen = []
    for name, data in script:
        ready = [t for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.manual]
        seen.append(sorted(t.task_spec.name for t in ready))
        task = next((t for t in ready if t.task_spec.name == name), None)
        if task is None:
            break
        task.data.update(data)
        task.run()
        wf.do_engine_steps()
    seen.append(sorted(t.task_spec.name for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.manual))
    return seen, wf.is_completed()


def test_the_join_waits_for_every_branch() -> None:
    ours = walk(FlowParser(), ONE_ROUND)
    assert ours == walk(SpiffBpmnParser(), ONE_ROUND)
    waits, completed = ours
    assert waits == [["a", "b", "c"], ["a", "c"], ["a", "c"], ["a"], ["a"], ["last"], []]
    assert completed


def test_loops_through_the_split_join_as_in_spiffworkflow() -> None:
    ours = walk(FlowParser(), TWO_ROUNDS)
    assert ours == walk(SpiffBpmnParser(), TWO_ROUNDS)
    assert len(ours[0]) > 6  # the script got past the second split


def test_the_parser_builds_our_join_for_parallel_gateways() -> None:
    parser = FlowParser()
    parser.add_bpmn_str(FLOW.encode())
    specs = parser.get_spec("loops").task_specs
    assert isinstance(specs["join"], ParallelJoin)
    assert isinstance(specs["split"], ParallelJoin)


@pytest.mark.parametrize("done", [["b"], ["b", "c"], ["a"]])
def test_a_join_missing_a_branch_does_not_fire(done: list[str]) -> None:
    parser = FlowParser()
    parser.add_bpmn_str(FLOW.encode())
    wf = BpmnWorkflow(parser.get_spec("loops"), script_engine=SafeScriptEngine())
    wf.do_engine_steps()
    for name in done:
        task = next(t for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.name == name)
        task.data.update({"redo": False, "again": False})
        task.run()
        wf.do_engine_steps()
    assert not [t for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.name == "last"]
    assert {t.task_spec.name for t in wf.get_tasks(state=TaskState.READY)} == {"a", "b", "c"} - set(done)
