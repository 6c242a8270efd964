"""diff_flows and migration_blockers: what changed between two versions, and which cases may move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.domain.flow_diff import ElementChange, FlowDiff
from engine.workflow.flow_diff import FlowUnreadable, bpmn_element_id, diff_flows, migration_blockers
from tests.unit.flow_samples import CONDITION, FLOW, between_intake_and_split, flow

RESTAURANT = Path(__file__).resolve().parents[2] / "bpmn" / "restaurant" / "flow.bpmn"


def diff(new: str, old: str = FLOW) -> FlowDiff:
    return diff_flows(old.encode(), new.encode())


def change(result: FlowDiff, element_id: str) -> ElementChange:
    [found] = [c for c in result.changed if c.element_id == element_id]
    return found


def test_the_same_flow_has_no_differences() -> None:
    assert diff(FLOW).is_empty
    xml = RESTAURANT.read_bytes()
    assert diff_flows(xml, xml) == FlowDiff()


def test_moving_shapes_and_reformatting_change_nothing() -> None:
    restaurant = RESTAURANT.read_text(encoding="utf-8")
    moved = restaurant.replace('<dc:Bounds x="280" y="23"', '<dc:Bounds x="300" y="40"').replace("\n    ", "\n  ")
    assert diff_flows(restaurant.encode(), moved.encode()).is_empty


def test_a_task_added_between_intake_and_split() -> None:
    result = diff(between_intake_and_split(
        '<bpmn:userTask id="check"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
        "</bpmn:userTask>", "check"))
    assert result.added == ("check", "f_next")
    assert result.removed == ()
    assert change(result, "f_intake").aspects == ("outgoing",)  # it now leads to the new task
    assert change(result, "f_intake").after == {"outgoing": ["check"]}
    assert change(result, "split").aspects == ("incoming",)
    assert {c.element_id for c in result.changed} == {"f_intake", "split"}


def test_a_removed_correction_loop() -> None:
    start = FLOW.index('<bpmn:userTask id="correct_a"')
    end = FLOW.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    result = diff(FLOW[:start] + FLOW[end:])
    assert result.removed == ("correct_a",)
    assert result.added == ()


@pytest.mark.parametrize(("old", "new", "element_id", "aspect"), [
    ('name="事项乙审批"', 'name="事项乙审查"', "approve_b", "name"),
    ("<bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef>"
     "<bpmn:flowNodeRef>correct_a</bpmn:flowNodeRef>", "correct_a", "lane"),
    (CONDITION, "results['a']['decision'] != 'approve'", "f_correct_a", "condition"),
    ('<bpmn:userTask id="approve_b"', '<bpmn:manualTask id="approve_b"', "approve_b", "type"),
    ('<spiff:property name="item" value="b" />', '<spiff:property name="item" value="c" />', "approve_b",
     "properties"),
    (' default="f_done_a"', ' default="f_correct_a"', "decide_a", "default"),
    ('sourceRef="pickup" targetRef="end"', 'sourceRef="pickup" targetRef="start"', "f_pickup", "outgoing"),
])
def test_each_aspect_of_an_element_is_compared(old: str, new: str, element_id: str, aspect: str) -> None:
    text = flow((old, new))
    if aspect == "type":
        text = text.replace("</bpmn:userTask>\n    <bpmn:parallelGateway id=\"join\"",
                            "</bpmn:manualTask>\n    <bpmn:parallelGateway id=\"join\"")
    found = change(diff(text), element_id)
    assert aspect in found.aspects
    assert found.before[aspect] != found.after[aspect]


def timer(expression: str) -> str:
    return flow(('<bpmn:parallelGateway id="join"',
                 '<bpmn:boundaryEvent id="remind" attachedToRef="approve_b" cancelActivity="false">'
                 "<bpmn:timerEventDefinition><bpmn:timeDuration>" + expression + "</bpmn:timeDuration>"
                 '</bpmn:timerEventDefinition></bpmn:boundaryEvent>\n    <bpmn:parallelGateway id="join"'))


def test_a_changed_timer_and_a_changed_attachment() -> None:
    found = change(diff(timer('"P2D"'), timer('"P1D"')), "remind")
    assert found.aspects == ("timer",)
    assert found.before == {"timer": ['timeDuration="P1D"']} and found.after == {"timer": ['timeDuration="P2D"']}
    moved = timer('"P1D"').replace('attachedToRef="approve_b"', 'attachedToRef="approve_a"')
    assert change(diff(moved, timer('"P1D"')), "remind").aspects == ("attached_to",)


def test_a_changed_script() -> None:
    def with_script(script: str) -> str:
        return between_intake_and_split(
            f'<bpmn:scriptTask id="calc"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
            f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>", "calc")

    assert change(diff(with_script("fee = 2"), with_script("fee = 1")), "calc").aspects == ("script",)


def test_the_diff_is_json() -> None:
    data = json.loads(json.dumps(diff(flow(('name="事项乙审批"', 'name="事项乙审查"'))).to_dict(), ensure_ascii=False))
    assert data == {"added": [], "removed": [], "changed": [{
        "element_id": "approve_b", "aspects": ["name"],
        "before": {"name": "事项乙审批"}, "after": {"name": "事项乙审查"},
    }], "elements": {"approve_b": {"type": "userTask", "name": "事项乙审查", "lane": "cg", "kind": "approval",
                                   "item": "b", "source": None, "target": None}}}


def test_the_diff_describes_its_elements_so_screens_need_not_show_ids() -> None:
    result = diff(between_intake_and_split(
        '<bpmn:userTask id="check"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
        "</bpmn:userTask>", "check"))
    assert result.elements["check"].type == "userTask" and result.elements["check"].name is None
    assert result.elements["check"].lane == "window"
    assert (result.elements["f_next"].source, result.elements["f_next"].target) == ("check", "split")
    assert result.elements["split"].type == "parallelGateway"  # an end of a listed flow is described too
    start = FLOW.index('<bpmn:userTask id="correct_a"')
    end = FLOW.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    removed = diff(FLOW[:start] + FLOW[end:]).elements["correct_a"]  # described from the old version
    assert (removed.type, removed.kind) == ("userTask", "correction")


@pytest.mark.parametrize("bad", [b"", b"not xml", b'<!DOCTYPE x [<!ENTITY e "e">]><x/>', b"<svg/>"])
def test_an_unreadable_version_is_a_typed_error(bad: bytes) -> None:
    with pytest.raises(FlowUnreadable) as raised:
        diff_flows(FLOW.encode(), bad)
    assert raised.value.which == "new" and raised.value.problems
    with pytest.raises(FlowUnreadable) as raised:
        diff_flows(bad, FLOW.encode())
    assert raised.value.which == "old"


# --- migration blockers ------------------------------------------------------------------------------------

RENAMED_B = flow(('name="事项乙审批"', 'name="事项乙审查"'))
WITHOUT_CORRECTION = flow(('<bpmn:userTask id="correct_a"', '<bpmn:userTask id="correct_a_v2"'),
                          ("<bpmn:flowNodeRef>correct_a</bpmn:flowNodeRef>",
                           "<bpmn:flowNodeRef>correct_a_v2</bpmn:flowNodeRef>"),
                          ('targetRef="correct_a"', 'targetRef="correct_a_v2"'),
                          ('sourceRef="correct_a"', 'sourceRef="correct_a_v2"'))


def test_a_case_that_touched_nothing_changed_may_move() -> None:
    result = diff(RENAMED_B)
    assert migration_blockers(result, ["start", "f_start", "intake", "split", "approve_a"]) == []


def test_a_case_waiting_in_or_past_a_changed_element_may_not() -> None:
    result = diff(RENAMED_B)
    assert migration_blockers(result, ["start", "intake", "approve_b", "approve_b"]) == ["approve_b"]


def test_removed_elements_block_and_added_ones_never_do() -> None:
    result = diff(WITHOUT_CORRECTION)
    assert "correct_a" in result.removed and "correct_a_v2" in result.added
    touched = ["intake", "approve_a", "decide_a", "f_correct_a", "correct_a"]
    assert migration_blockers(result, touched) == ["correct_a", "f_correct_a"]
    assert migration_blockers(result, ["correct_a_v2"]) == []


def test_an_identical_flow_blocks_nobody() -> None:
    assert migration_blockers(diff(FLOW), ["start", "intake", "approve_a", "pickup", "end"]) == []


@pytest.mark.parametrize(("name", "element_id"), [
    ("approve_b", "approve_b"), ("approve_b.BoundaryEventSplit", "approve_b"),
    ("approve_b.BoundaryEventJoin", "approve_b"), ("approve_b [child]", "approve_b"), ("Start", "Start"),
])
def test_spiffworkflow_task_spec_names_map_to_bpmn_ids(name: str, element_id: str) -> None:
    assert bpmn_element_id(name) == element_id
