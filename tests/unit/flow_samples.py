"""A small, valid one-thing flow to break on purpose in the flow-check and flow-diff tests.

Two items: ``a`` (department ``scjg``) and ``b`` (``cg``). The window takes the case in, both departments
review in parallel, item ``a`` can go back to the window for correction, the window hands the results over.
"""

from __future__ import annotations

from typing import Any

DEPARTMENTS = frozenset({"window", "scjg", "cg"})
BUNDLE: dict[str, Any] = {
    "code": "demo",
    "process_id": "demo",
    "items": [{"code": "a", "department": "scjg"}, {"code": "b", "department": "cg"}],
}
CONDITION = "results['a']['decision'] == 'correct'"

FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiff="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="demo_definitions" targetNamespace="https://onething.example/bpmn/demo">
  <bpmn:process id="demo" name="演示一件事" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_window" name="window">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>intake</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>split</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>join</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>correct_a</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>pickup</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_scjg" name="scjg">
        <bpmn:flowNodeRef>approve_a</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decide_a</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_cg" name="cg">
        <bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="申请人到综合窗口">
      <bpmn:outgoing>f_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="intake" name="综合窗口受理">
      <bpmn:extensionElements><spiff:properties>
        <spiff:property name="kind" value="intake" />
      </spiff:properties></bpmn:extensionElements>
      <bpmn:incoming>f_start</bpmn:incoming>
      <bpmn:outgoing>f_intake</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="split" name="并联审批">
      <bpmn:incoming>f_intake</bpmn:incoming>
      <bpmn:outgoing>f_split_a</bpmn:outgoing>
      <bpmn:outgoing>f_split_b</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="approve_a" name="事项甲审批">
      <bpmn:extensionElements><spiff:properties>
        <spiff:property name="kind" value="approval" /><spiff:property name="item" value="a" />
      </spiff:properties></bpmn:extensionElements>
      <bpmn:incoming>f_split_a</bpmn:incoming>
      <bpmn:incoming>f_resume_a</bpmn:incoming>
      <bpmn:outgoing>f_decide_a</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="decide_a" name="审批结论" default="f_done_a">
      <bpmn:incoming>f_decide_a</bpmn:incoming>
      <bpmn:outgoing>f_done_a</bpmn:outgoing>
      <bpmn:outgoing>f_correct_a</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="correct_a" name="补正材料：事项甲">
      <bpmn:extensionElements><spiff:properties>
        <spiff:property name="kind" value="correction" /><spiff:property name="item" value="a" />
      </spiff:properties></bpmn:extensionElements>
      <bpmn:incoming>f_correct_a</bpmn:incoming>
      <bpmn:outgoing>f_resume_a</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="approve_b" name="事项乙审批">
      <bpmn:extensionElements><spiff:properties>
        <spiff:property name="kind" value="approval" /><spiff:property name="item" value="b" />
      </spiff:properties></bpmn:extensionElements>
      <bpmn:incoming>f_split_b</bpmn:incoming>
      <bpmn:outgoing>f_done_b</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="join" name="汇总结果">
      <bpmn:incoming>f_done_a</bpmn:incoming>
      <bpmn:incoming>f_done_b</bpmn:incoming>
      <bpmn:outgoing>f_join</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="pickup" name="统一出件">
      <bpmn:extensionElements><spiff:properties>
        <spiff:property name="kind" value="pickup" />
      </spiff:properties></bpmn:extensionElements>
      <bpmn:incoming>f_join</bpmn:incoming>
      <bpmn:outgoing>f_pickup</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="办结">
      <bpmn:incoming>f_pickup</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="intake" />
    <bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="split" />
    <bpmn:sequenceFlow id="f_split_a" sourceRef="split" targetRef="approve_a" />
    <bpmn:sequenceFlow id="f_split_b" sourceRef="split" targetRef="approve_b" />
    <bpmn:sequenceFlow id="f_decide_a" sourceRef="approve_a" targetRef="decide_a" />
    <bpmn:sequenceFlow id="f_done_a" sourceRef="decide_a" targetRef="join" />
    <bpmn:sequenceFlow id="f_correct_a" name="补正" sourceRef="decide_a" targetRef="correct_a">
      <bpmn:conditionExpression>results['a']['decision'] == 'correct'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_resume_a" sourceRef="correct_a" targetRef="approve_a" />
    <bpmn:sequenceFlow id="f_done_b" sourceRef="approve_b" targetRef="join" />
    <bpmn:sequenceFlow id="f_join" sourceRef="join" targetRef="pickup" />
    <bpmn:sequenceFlow id="f_pickup" sourceRef="pickup" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def flow(*replacements: tuple[str, str]) -> str:
    """FLOW with each ``(old, new)`` applied once; ``old`` must occur, so a test cannot silently break nothing."""
    text = FLOW
    for old, new in replacements:
        assert old in text, f"not in the sample flow: {old!r}"
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, fragment: str) -> int:
    """The 1-based line on which ``fragment`` first occurs in ``text``."""
    return text[: text.index(fragment)].count("\n") + 1


def properties(kind: str, item: str | None = None) -> str:
    item_property = "" if item is None else f'<spiff:property name="item" value="{item}" />'
    return (f'<bpmn:extensionElements><spiff:properties><spiff:property name="kind" value="{kind}" />{item_property}'
            "</spiff:properties></bpmn:extensionElements>")


def between_intake_and_split(element: str, element_id: str, lane: str = "window") -> str:
    """FLOW with ``element`` (which must take ``<incoming>f_intake</incoming>`` and give
    ``<outgoing>f_next</outgoing>``) inserted between the intake and the parallel split."""
    return flow(
        ('<bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="split" />',
         f'<bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="{element_id}" />\n'
         f'    <bpmn:sequenceFlow id="f_next" sourceRef="{element_id}" targetRef="split" />'),
        ("      <bpmn:incoming>f_intake</bpmn:incoming>\n      <bpmn:outgoing>f_split_a",
         "      <bpmn:incoming>f_next</bpmn:incoming>\n      <bpmn:outgoing>f_split_a"),
        ('<bpmn:parallelGateway id="split"', f'{element}\n    <bpmn:parallelGateway id="split"'),
        (f'<bpmn:lane id="lane_{lane}" name="{lane}">',
         f'<bpmn:lane id="lane_{lane}" name="{lane}">\n        <bpmn:flowNodeRef>{element_id}</bpmn:flowNodeRef>'),
    )
