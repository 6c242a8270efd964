"""Generate a bundle's BPMN flow from its reviewed ``bundle.json``.

    .venv/bin/python tools/make_flow.py bpmn/<code>/bundle.json        # writes bpmn/<code>/flow.bpmn
    .venv/bin/python tools/make_flow.py bpmn/<code>/bundle.json -o x.bpmn
    .venv/bin/python tools/make_flow.py --all [--check]

The flow follows the conventions the engine relies on (see ``bpmn/restaurant/flow.bpmn``):

- one collaboration with one participant; one lane per department, named by the department code;
  lane ``window`` holds start, ``intake``, ``split``, ``join``, ``pickup``, end and every correction task;
- userTask ``intake`` (kind=intake) -> parallelGateway ``split`` -> one branch per group of items ->
  parallelGateway ``join`` -> userTask ``pickup`` (kind=pickup) -> end;
- per item ``<prefix>.<x>``: userTask ``approve_<x>`` (kind=approval, item=<code>) in the department's lane ->
  exclusiveGateway ``decide_<x>`` whose default flow ``f_done_<x>`` goes on, and whose flow ``f_correct_<x>``
  (``results["<code>"]["decision"] == "correct"``) leads to the window's userTask ``correct_<x>``
  (kind=correction, item=<code>), which flows back to ``approve_<x>`` through ``f_resume_<x>``.

Items linked by ``requires`` share one branch: the branch runs them one after another in an order that
respects every ``requires`` (a topological order, ties broken by the order of the items in bundle.json), so
``decide_<a>``'s default flow goes to ``approve_<b>``. Items without links get a branch each.
Only the standard library is used, and the XML is built as text so that the output is stable line by line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[1]
BPMN_DIR = ROOT / "bpmn"
WINDOW = "window"
NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:spiff="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)
SUFFIX = re.compile(r"[a-z][a-z0-9_]*")
PARENTHESES = re.compile(r"（[^）]*）|\([^)]*\)")

# Diagram geometry (pixels): the window lane on top, a row per item in its department's lane.
WINDOW_HEIGHT, ROW_HEIGHT, ROW_STEP = 230, 130, 125
AXIS = 58  # y of the main line start -> intake -> split -> join -> pickup -> end
APPROVE_X, CHAIN_STEP, CORRECT_X, CORRECT_STEP, CORRECT_Y = 640, 330, 540, 135, 140


class BundleError(ValueError):
    """bundle.json cannot be turned into a flow (unknown department, a cycle in ``requires``...)."""


@dataclass(frozen=True)
class Step:
    """One item as the flow shows it."""

    code: str
    suffix: str
    title: str  # the item's name without parenthetical remarks
    department: str
    index: int  # position in bundle.json
    requires: tuple[str, ...]


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def cx(self) -> int:
        return self.x + self.width // 2

    @property
    def cy(self) -> int:
        return self.y + self.height // 2


def short_title(name: str) -> str:
    return PARENTHESES.sub("", name).strip() or name


def read_steps(bundle: Mapping[str, Any]) -> list[Step]:
    departments = bundle.get("departments") or {}
    steps: list[Step] = []
    for index, item in enumerate(bundle.get("items") or []):
        code = str(item["code"])
        suffix = code.partition(".")[2]
        if not SUFFIX.fullmatch(suffix):
            raise BundleError(f"item {code!r}: the part after the dot must be lower-case letters, digits or _")
        department = str(item["department"])
        if department == WINDOW or department not in departments:
            raise BundleError(f"item {code!r}: department {department!r} is not one of the bundle's departments")
        steps.append(Step(code, suffix, short_title(str(item["name"])), department, index,
                          tuple(str(r) for r in item.get("requires") or ())))
    if not steps:
        raise BundleError("the bundle has no items")
    for attribute in ("code", "suffix"):
        values = [getattr(s, attribute) for s in steps]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise BundleError(f"repeated item {attribute}: {', '.join(repeated)}")
    known = {s.code for s in steps}
    for step in steps:
        for required in step.requires:
            if required == step.code or required not in known:
                raise BundleError(f"item {step.code!r} requires {required!r}, which is not another item of the bundle")
    return steps


def branches(steps: Sequence[Step]) -> list[list[Step]]:
    """Group the items linked by ``requires`` and order each group so that prerequisites come first."""
    group = {s.code: s.code for s in steps}

    def root(code: str) -> str:
        while group[code] != code:
            code = group[code]
        return code

    for step in steps:
        for required in step.requires:
            group[root(step.code)] = root(required)
    members: dict[str, list[Step]] = {}
    for step in steps:
        members.setdefault(root(step.code), []).append(step)
    ordered = []
    for items in members.values():
        done: list[Step] = []
        waiting = list(items)
        while waiting:
            ready = next((s for s in waiting if all(r in {d.code for d in done} for r in s.requires)), None)
            if ready is None:
                cycle = ", ".join(s.code for s in waiting)
                raise BundleError(f"the requires of these items form a cycle: {cycle}")
            done.append(ready)
            waiting.remove(ready)
        ordered.append(done)
    return ordered


class Layout:
    """Simple computed coordinates, so that a modeler can open and arrange the generated flow."""

    def __init__(self, steps: Sequence[Step], chains: Sequence[Sequence[Step]]) -> None:
        self.lanes: list[str] = []
        for step in steps:
            if step.department not in self.lanes:
                self.lanes.append(step.department)
        depth = {s.code: n for chain in chains for n, s in enumerate(chain)}
        lane_y: dict[str, tuple[int, int]] = {}  # lane -> (top, height)
        row_y: dict[str, int] = {}
        top = WINDOW_HEIGHT
        for lane in self.lanes:
            in_lane = [s for s in steps if s.department == lane]
            for row, s in enumerate(in_lane):
                row_y[s.code] = top + 25 + ROW_STEP * row
            lane_y[lane] = (top, ROW_HEIGHT * len(in_lane))
            top += ROW_HEIGHT * len(in_lane)
        self.approve: dict[str, Box] = {}
        self.decide: dict[str, Box] = {}
        self.correct: dict[str, Box] = {}
        for step in steps:
            x = APPROVE_X + CHAIN_STEP * depth[step.code]
            self.approve[step.code] = Box(x, row_y[step.code], 110, 70)
            self.decide[step.code] = Box(x + 200, row_y[step.code] + 10, 50, 50)
            self.correct[step.code] = Box(CORRECT_X + CORRECT_STEP * step.index, CORRECT_Y, 120, 70)
        join_x = max(1220, CORRECT_X + CORRECT_STEP * (len(steps) - 1) + 140,
                     APPROVE_X + CHAIN_STEP * max(depth.values()) + 330)
        self.fixed = {
            "start": Box(200, 40, 36, 36), "intake": Box(280, 23, 110, 70), "split": Box(450, 33, 50, 50),
            "join": Box(join_x, 33, 50, 50), "pickup": Box(join_x + 100, 23, 110, 70),
            "end": Box(join_x + 260, 40, 36, 36),
        }
        self.width = join_x + 280
        self.height = top
        self.lane_box = {WINDOW: Box(160, 0, self.width - 30, WINDOW_HEIGHT)} | {
            lane: Box(160, y, self.width - 30, height) for lane, (y, height) in lane_y.items()}


def properties(**values: str) -> str:
    props = "".join(f"<spiff:property name={quoteattr(k)} value={quoteattr(v)} />" for k, v in values.items())
    return f"<bpmn:extensionElements><spiff:properties>{props}</spiff:properties></bpmn:extensionElements>"


def user_task(task_id: str, name: str, props: str, incoming: Iterable[str], outgoing: Iterable[str]) -> list[str]:
    return [
        f"    <bpmn:userTask id={quoteattr(task_id)} name={quoteattr(name)}>",
        f"      {props}",
        *(f"      <bpmn:incoming>{flow}</bpmn:incoming>" for flow in incoming),
        *(f"      <bpmn:outgoing>{flow}</bpmn:outgoing>" for flow in outgoing),
        "    </bpmn:userTask>",
    ]


def shape(element: str, box: Box, horizontal: bool = False) -> list[str]:
    flag = ' isHorizontal="true"' if horizontal else ""
    return [
        f'      <bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{flag}>',
        f'        <dc:Bounds x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}" />',
        "      </bpmndi:BPMNShape>",
    ]


def edge(flow: str, *points: tuple[int, int]) -> list[str]:
    return [
        f'      <bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}">',
        *(f'        <di:waypoint x="{x}" y="{y}" />' for x, y in points),
        "      </bpmndi:BPMNEdge>",
    ]


def render_flow(bundle: Mapping[str, Any]) -> str:
    """The flow.bpmn text for a bundle.json document."""
    code, name, process_id = str(bundle["code"]), str(bundle["name"]), str(bundle["process_id"])
    steps = read_steps(bundle)
    chains = branches(steps)
    layout = Layout(steps, chains)
    after: dict[str, Step] = {}  # item code -> the item that follows it in its branch
    before: dict[str, Step] = {}
    for chain in chains:
        for first, second in pairwise(chain):
            after[first.code], before[second.code] = second, first
    heads = [chain[0] for chain in chains]
    tails = [chain[-1] for chain in chains]

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<bpmn:definitions {NAMESPACES} id="{code}_definitions" '
        f'targetNamespace="https://onething.example/bpmn/{code}" exporter="onething" exporterVersion="1">',
        f'  <bpmn:collaboration id="{code}_collaboration">',
        f'    <bpmn:participant id="{code}_participant" name={quoteattr(name)} processRef="{process_id}" />',
        "  </bpmn:collaboration>",
        f'  <bpmn:process id="{process_id}" name={quoteattr(name)} isExecutable="true">',
        f'    <bpmn:laneSet id="{code}_lanes">',
        f'      <bpmn:lane id="lane_{WINDOW}" name="{WINDOW}">',
        *(f"        <bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>"
          for node in ("start", "intake", "split", "join", "pickup", "end", *(f"correct_{s.suffix}" for s in steps))),
        "      </bpmn:lane>",
    ]
    for lane in layout.lanes:
        lines.append(f'      <bpmn:lane id="lane_{lane}" name="{lane}">')
        for step in steps:
            if step.department == lane:
                lines.append(f"        <bpmn:flowNodeRef>approve_{step.suffix}</bpmn:flowNodeRef>")
                lines.append(f"        <bpmn:flowNodeRef>decide_{step.suffix}</bpmn:flowNodeRef>")
        lines.append("      </bpmn:lane>")
    lines += [
        "    </bpmn:laneSet>",
        '    <bpmn:startEvent id="start" name="申请人到综合窗口">',
        "      <bpmn:outgoing>f_start</bpmn:outgoing>",
        "    </bpmn:startEvent>",
        *user_task("intake", "综合窗口受理", properties(kind="intake"), ["f_start"], ["f_intake"]),
        '    <bpmn:parallelGateway id="split" name="并联审批">',
        "      <bpmn:incoming>f_intake</bpmn:incoming>",
        *(f"      <bpmn:outgoing>f_split_{s.suffix}</bpmn:outgoing>" for s in heads),
        "    </bpmn:parallelGateway>",
        '    <bpmn:parallelGateway id="join" name="汇总结果">',
        *(f"      <bpmn:incoming>f_done_{s.suffix}</bpmn:incoming>" for s in tails),
        "      <bpmn:outgoing>f_join</bpmn:outgoing>",
        "    </bpmn:parallelGateway>",
        *user_task("pickup", "统一出件", properties(kind="pickup"), ["f_join"], ["f_pickup"]),
        '    <bpmn:endEvent id="end" name="办结">',
        "      <bpmn:incoming>f_pickup</bpmn:incoming>",
        "    </bpmn:endEvent>",
    ]
    for step in steps:
        x = step.suffix
        entry = f"f_done_{before[step.code].suffix}" if step.code in before else f"f_split_{x}"
        title = step.title if step.title.endswith("审批") else f"{step.title}审批"
        lines += user_task(f"approve_{x}", title, properties(kind="approval", item=step.code),
                           [entry, f"f_resume_{x}"], [f"f_decide_{x}"])
        lines += [
            f'    <bpmn:exclusiveGateway id="decide_{x}" name="审批结论" default="f_done_{x}">',
            f"      <bpmn:incoming>f_decide_{x}</bpmn:incoming>",
            f"      <bpmn:outgoing>f_done_{x}</bpmn:outgoing>",
            f"      <bpmn:outgoing>f_correct_{x}</bpmn:outgoing>",
            "    </bpmn:exclusiveGateway>",
        ]
        lines += user_task(f"correct_{x}", f"补正材料：{step.title}", properties(kind="correction", item=step.code),
                           [f"f_correct_{x}"], [f"f_resume_{x}"])
    lines += [
        '    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="intake" />',
        '    <bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="split" />',
        '    <bpmn:sequenceFlow id="f_join" sourceRef="join" targetRef="pickup" />',
        '    <bpmn:sequenceFlow id="f_pickup" sourceRef="pickup" targetRef="end" />',
    ]
    for step in steps:
        x = step.suffix
        onward = f"approve_{after[step.code].suffix}" if step.code in after else "join"
        condition = escape(f'results["{step.code}"]["decision"] == "correct"', {'"': "&quot;"})
        if step.code not in before:
            lines.append(f'    <bpmn:sequenceFlow id="f_split_{x}" sourceRef="split" targetRef="approve_{x}" />')
        lines += [
            f'    <bpmn:sequenceFlow id="f_decide_{x}" sourceRef="approve_{x}" targetRef="decide_{x}" />',
            f'    <bpmn:sequenceFlow id="f_done_{x}" sourceRef="decide_{x}" targetRef="{onward}" />',
            f'    <bpmn:sequenceFlow id="f_correct_{x}" name="补正" sourceRef="decide_{x}" targetRef="correct_{x}">',
            f"      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>",
            "    </bpmn:sequenceFlow>",
            f'    <bpmn:sequenceFlow id="f_resume_{x}" sourceRef="correct_{x}" targetRef="approve_{x}" />',
        ]
    lines += ["  </bpmn:process>", *diagram(code, steps, layout, after, before), "</bpmn:definitions>"]
    return "\n".join(lines) + "\n"


def diagram(code: str, steps: Sequence[Step], layout: Layout, after: Mapping[str, Step],
            before: Mapping[str, Step]) -> list[str]:
    fixed = layout.fixed
    lines = [
        f'  <bpmndi:BPMNDiagram id="{code}_diagram">',
        f'    <bpmndi:BPMNPlane id="{code}_plane" bpmnElement="{code}_collaboration">',
        *shape(f"{code}_participant", Box(130, 0, layout.width, layout.height), horizontal=True),
    ]
    for lane, box in layout.lane_box.items():
        lines += shape(f"lane_{lane}", box, horizontal=True)
    for element, box in fixed.items():
        lines += shape(element, box)
    for step in steps:
        lines += shape(f"approve_{step.suffix}", layout.approve[step.code])
        lines += shape(f"decide_{step.suffix}", layout.decide[step.code])
        lines += shape(f"correct_{step.suffix}", layout.correct[step.code])
    lines += edge("f_start", (fixed["start"].x + 36, AXIS), (fixed["intake"].x, AXIS))
    lines += edge("f_intake", (fixed["intake"].x + 110, AXIS), (fixed["split"].x, AXIS))
    lines += edge("f_join", (fixed["join"].x + 50, AXIS), (fixed["pickup"].x, AXIS))
    lines += edge("f_pickup", (fixed["pickup"].x + 110, AXIS), (fixed["end"].x, AXIS))
    for step in steps:
        x, approve, decide = step.suffix, layout.approve[step.code], layout.decide[step.code]
        corrective = layout.correct[step.code]
        if step.code not in before:
            lines += edge(f"f_split_{x}", (fixed["split"].cx, AXIS), (fixed["split"].cx, approve.cy),
                          (approve.cx, approve.cy))
        lines += edge(f"f_decide_{x}", (approve.x + approve.width, approve.cy), (decide.x, decide.cy))
        if step.code in after:
            target = layout.approve[after[step.code].code]
            lines += edge(f"f_done_{x}", (decide.cx, decide.cy), (decide.cx, target.cy), (target.x, target.cy))
        else:
            lines += edge(f"f_done_{x}", (decide.cx, decide.cy), (decide.cx, AXIS), (fixed["join"].cx, AXIS))
        lines += edge(f"f_correct_{x}", (decide.cx, decide.cy), (corrective.cx, decide.cy),
                      (corrective.cx, corrective.cy))
        lines += edge(f"f_resume_{x}", (corrective.cx, corrective.cy), (approve.cx, corrective.cy),
                      (approve.cx, approve.cy))
    return [*lines, "    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]


def load_bundle(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise BundleError(f"{path}: a bundle definition must be a JSON object")
    return data


def make_flow(bundle_path: Path, output: Path | None = None, check: bool = False) -> tuple[Path, bool]:
    """Write (or, with ``check``, only compare) the flow of one bundle. Returns the flow's path and whether
    it was already up to date."""
    text = render_flow(load_bundle(bundle_path))
    target = output or bundle_path.with_name("flow.bpmn")
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if not check and current != text:
        target.write_text(text, encoding="utf-8")
    return target, current == text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate bpmn/<code>/flow.bpmn from bpmn/<code>/bundle.json.")
    parser.add_argument("bundles", nargs="*", type=Path, help="bundle.json files")
    parser.add_argument("--all", action="store_true", help=f"every {BPMN_DIR.name}/*/bundle.json")
    parser.add_argument("-o", "--output", type=Path, help="where to write the flow (one bundle only)")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if a flow is out of date")
    args = parser.parse_args(argv)
    paths: list[Path] = list(args.bundles)
    if args.all:
        paths += sorted(BPMN_DIR.glob("*/bundle.json"))
    if not paths:
        parser.error("name a bundle.json or use --all")
    if args.output is not None and len(paths) != 1:
        parser.error("--output needs exactly one bundle")
    stale = []
    for path in paths:
        try:
            target, fresh = make_flow(path, args.output, args.check)
        except (BundleError, KeyError, json.JSONDecodeError) as err:
            print(f"{path}: {err}", file=sys.stderr)
            return 2
        if not fresh:
            stale.append(target)
        print(f"{target}: {'up to date' if fresh else ('out of date' if args.check else 'written')}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
