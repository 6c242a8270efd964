"""A bundle's BPMN flow generated from its definition (``bundle.json``): the shipped flows are made so
by ``tools/make_flow.py``, and a bundle an administrator creates gets its first version the same way.

The flow follows the conventions the engine relies on (see ``bpmn/restaurant/flow.bpmn``):

- one collaboration with one participant; one lane per department, named by the department code;
  lane ``window`` holds start, ``intake``, ``split``, ``join``, ``pickup``, end and every correction task;
- userTask ``intake`` (kind=intake) -> parallelGateway ``split`` -> one branch per group of items ->
  parallelGateway ``join`` -> userTask ``pickup`` (kind=pickup) -> end;
- per item ``<prefix>.<x>``: userTask ``approve_<x>`` (kind=approval, item=<code>) in the department's lane ->
  exclusiveGateway ``decide_<x>`` whose default flow ``f_done_<x>`` goes on, and whose flow ``f_correct_<x>``
  (``results["<code>"]["decision"] == "correct"``) leads to the window's userTask ``correct_<x>``
  (kind=correction, item=<code>), which flows back to ``approve_<x>`` through ``f_resume_<x>``.

An item with an ``inspection`` (现场核查) goes through the userTask ``inspect_<x>`` (kind=inspection, item=<code>) in
its department's lane before ``approve_<x>``, and back through it after a correction (整改); when the inspection
may be waived (``waived_when``), the exclusiveGateway ``site_<x>`` comes first: its flow ``f_waive_<x>``
(``site_checks.get("<code>") == "waived"``, set at intake) leads straight to the approval, its default ``f_site_<x>``
to the inspection.

Items run as their ``requires`` order them, the rest in parallel: an item without prerequisites starts from
the split; ``decide_<a>``'s default flow goes to the one item that waits for ``a``, or to the parallelGateway
``fork_<a>`` when several do (联动办理: they then run in parallel), or to the join when none does; an item that
waits for several goes through the parallelGateway ``merge_<b>``. Links that another path already implies are
dropped. The engine, not the flow, ends an item whose prerequisite was refused as not applicable.
Only the standard library is used, and the XML is built as text so that the output is stable line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from engine.workflow.flow_layout import WINDOW, Layout, diagram

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:spiff="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)
SUFFIX = re.compile(r"[a-z][a-z0-9_]*")
PARENTHESES = re.compile(r"（[^）]*）|\([^)]*\)")


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
    inspection: str | None = None
    """The name of the site inspection (现场核查) done before the decision, if the item has one."""
    waivable: bool = False
    """Whether the intake may waive the inspection (``site_checks.get("<code>") == "waived"``)."""

    @property
    def checked_entry(self) -> str:
        """Where the item's own path starts once its prerequisites are decided: the gateway that asks
        whether the inspection is waived, the inspection, or the approval."""
        x = self.suffix
        return f"site_{x}" if self.waivable else f"inspect_{x}" if self.inspection else f"approve_{x}"


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
        inspection = item.get("inspection")
        if inspection is not None and not (isinstance(inspection, Mapping) and inspection.get("name")):
            raise BundleError(f"item {code!r}: an inspection needs a name")
        steps.append(Step(code, suffix, short_title(str(item["name"])), department, index,
                          tuple(str(r) for r in item.get("requires") or ()),
                          str(inspection["name"]) if inspection else None,
                          bool(inspection and inspection.get("waived_when"))))
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


@dataclass(frozen=True)
class Graph:
    """The items' prerequisites as the flow runs them: ``before[x]`` the items decided right before
    ``x`` (``requires`` without the links that another path already implies), ``after[x]`` those
    that wait for ``x``, and ``depth[x]`` the length of the longest path of prerequisites to ``x``."""

    before: Mapping[str, tuple[str, ...]]
    after: Mapping[str, tuple[str, ...]]
    depth: Mapping[str, int]


def prerequisite_graph(steps: Sequence[Step]) -> Graph:
    """Order the items by ``requires`` (a cycle is refused) and drop the redundant links."""
    known = {s.code: s for s in steps}
    depth: dict[str, int] = {}
    waiting = list(steps)
    while waiting:
        ready = [s for s in waiting if all(r in depth for r in s.requires)]
        if not ready:
            raise BundleError(f"the requires of these items form a cycle: {', '.join(s.code for s in waiting)}")
        for step in ready:
            depth[step.code] = 1 + max((depth[r] for r in step.requires), default=-1)
            waiting.remove(step)

    def reaches(start: str, goal: str) -> bool:
        stack = list(known[start].requires)
        while stack:
            code = stack.pop()
            if code == goal:
                return True
            stack.extend(known[code].requires)
        return False

    before = {s.code: tuple(r for r in dict.fromkeys(s.requires)
                            if not any(o != r and reaches(o, r) for o in s.requires)) for s in steps}
    after = {s.code: tuple(o.code for o in steps if s.code in before[o.code]) for s in steps}
    return Graph(before, after, depth)


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


def gateway(kind: str, gateway_id: str, name: str, incoming: Iterable[str], outgoing: Iterable[str]) -> list[str]:
    return [
        f'    <bpmn:{kind} id="{gateway_id}" name={quoteattr(name)}>',
        *(f"      <bpmn:incoming>{flow}</bpmn:incoming>" for flow in incoming),
        *(f"      <bpmn:outgoing>{flow}</bpmn:outgoing>" for flow in outgoing),
        f"    </bpmn:{kind}>",
    ]


class Wiring:
    """The sequence flows between the items: ``f_split_<x>`` from the split to an item without
    prerequisites; ``f_done_<x>``, the default flow of ``decide_<x>``, to the one item waiting for
    ``x`` (its ``approve_<y>``, or its ``merge_<y>`` when it waits for several), to ``fork_<x>`` when
    several wait for it (``f_fork_<x>_<y>`` then leads to each), or to the join when none does;
    ``f_merge_<y>`` from ``merge_<y>`` to ``approve_<y>``."""

    def __init__(self, steps: Sequence[Step], graph: Graph) -> None:
        self.steps, self.graph = steps, graph
        self.suffix = {s.code: s.suffix for s in steps}
        self.step = {s.code: s for s in steps}

    def entry(self, code: str) -> str:
        x = self.suffix[code]
        return f"merge_{x}" if len(self.graph.before[code]) > 1 else self.step[code].checked_entry

    def into(self, code: str) -> list[str]:
        """The flows that arrive at the item's entry."""
        x = self.suffix[code]
        before = self.graph.before[code]
        if not before:
            return [f"f_split_{x}"]
        return [self.link(b, code) for b in before]

    def link(self, first: str, second: str) -> str:
        f, x = self.suffix[first], self.suffix[second]
        return f"f_fork_{f}_{x}" if len(self.graph.after[first]) > 1 else f"f_done_{f}"

    def done_target(self, code: str) -> str:
        after = self.graph.after[code]
        if not after:
            return "join"
        if len(after) > 1:
            return f"fork_{self.suffix[code]}"
        return self.entry(after[0])


def render_flow(bundle: Mapping[str, Any]) -> str:
    """The flow.bpmn text for a bundle.json document."""
    code, name, process_id = str(bundle["code"]), str(bundle["name"]), str(bundle["process_id"])
    steps = read_steps(bundle)
    graph = prerequisite_graph(steps)
    layout = Layout(steps, graph)
    wiring = Wiring(steps, graph)
    heads = [s for s in steps if not graph.before[s.code]]
    tails = [s for s in steps if not graph.after[s.code]]
    forks = [s for s in steps if len(graph.after[s.code]) > 1]
    merges = [s for s in steps if len(graph.before[s.code]) > 1]

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
                nodes = [f"approve_{step.suffix}", f"decide_{step.suffix}"]
                nodes += [f"site_{step.suffix}"] if step.waivable else []
                nodes += [f"inspect_{step.suffix}"] if step.inspection else []
                nodes += [f"merge_{step.suffix}"] if step in merges else []
                nodes += [f"fork_{step.suffix}"] if step in forks else []
                lines += [f"        <bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in nodes]
        lines.append("      </bpmn:lane>")
    lines += [
        "    </bpmn:laneSet>",
        '    <bpmn:startEvent id="start" name="申请人到综合窗口">',
        "      <bpmn:outgoing>f_start</bpmn:outgoing>",
        "    </bpmn:startEvent>",
        *user_task("intake", "综合窗口受理", properties(kind="intake"), ["f_start"], ["f_intake"]),
        *gateway("parallelGateway", "split", "并联审批", ["f_intake"], [f"f_split_{s.suffix}" for s in heads]),
        *gateway("parallelGateway", "join", "汇总结果", [f"f_done_{s.suffix}" for s in tails], ["f_join"]),
        *user_task("pickup", "统一出件", properties(kind="pickup"), ["f_join"], ["f_pickup"]),
        '    <bpmn:endEvent id="end" name="办结">',
        "      <bpmn:incoming>f_pickup</bpmn:incoming>",
        "    </bpmn:endEvent>",
    ]
    for step in steps:
        x = step.suffix
        if step in merges:
            lines += gateway("parallelGateway", f"merge_{x}", "前置事项均已办结", wiring.into(step.code),
                             [f"f_merge_{x}"])
            entry = [f"f_merge_{x}"]
        else:
            entry = wiring.into(step.code)
        if step.inspection:
            entry = [*entry, f"f_resume_{x}"]  # after a correction (整改) the site is inspected again
            if step.waivable:
                lines += [
                    f'    <bpmn:exclusiveGateway id="site_{x}" name="是否{escape(step.inspection)}" '
                    f'default="f_site_{x}">',
                    *(f"      <bpmn:incoming>{flow}</bpmn:incoming>" for flow in entry),
                    f"      <bpmn:outgoing>f_site_{x}</bpmn:outgoing>",
                    f"      <bpmn:outgoing>f_waive_{x}</bpmn:outgoing>",
                    "    </bpmn:exclusiveGateway>",
                ]
                entry = [f"f_site_{x}"]
            lines += user_task(f"inspect_{x}", f"{step.inspection}：{step.title}",
                               properties(kind="inspection", item=step.code), entry, [f"f_inspected_{x}"])
            entry = [f"f_inspected_{x}", *([f"f_waive_{x}"] if step.waivable else [])]
        else:
            entry = [*entry, f"f_resume_{x}"]
        title = step.title if step.title.endswith("审批") else f"{step.title}审批"
        lines += user_task(f"approve_{x}", title, properties(kind="approval", item=step.code),
                           entry, [f"f_decide_{x}"])
        lines += [
            f'    <bpmn:exclusiveGateway id="decide_{x}" name="审批结论" default="f_done_{x}">',
            f"      <bpmn:incoming>f_decide_{x}</bpmn:incoming>",
            f"      <bpmn:outgoing>f_done_{x}</bpmn:outgoing>",
            f"      <bpmn:outgoing>f_correct_{x}</bpmn:outgoing>",
            "    </bpmn:exclusiveGateway>",
        ]
        if step in forks:
            lines += gateway("parallelGateway", f"fork_{x}", "联动办理", [f"f_done_{x}"],
                             [wiring.link(step.code, after) for after in graph.after[step.code]])
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
        condition = escape(f'results["{step.code}"]["decision"] == "correct"', {'"': "&quot;"})
        if step in heads:
            target = wiring.entry(step.code)
            lines.append(f'    <bpmn:sequenceFlow id="f_split_{x}" sourceRef="split" targetRef="{target}" />')
        if step in merges:
            lines.append(f'    <bpmn:sequenceFlow id="f_merge_{x}" sourceRef="merge_{x}" '
                         f'targetRef="{step.checked_entry}" />')
        if step.waivable:
            waived = escape(f'site_checks.get("{step.code}") == "waived"', {'"': "&quot;"})
            lines += [
                f'    <bpmn:sequenceFlow id="f_site_{x}" sourceRef="site_{x}" targetRef="inspect_{x}" />',
                f'    <bpmn:sequenceFlow id="f_waive_{x}" name="免于核查" sourceRef="site_{x}" '
                f'targetRef="approve_{x}">',
                f"      <bpmn:conditionExpression>{waived}</bpmn:conditionExpression>",
                "    </bpmn:sequenceFlow>",
            ]
        if step.inspection:
            lines.append(f'    <bpmn:sequenceFlow id="f_inspected_{x}" sourceRef="inspect_{x}" '
                         f'targetRef="approve_{x}" />')
        lines += [
            f'    <bpmn:sequenceFlow id="f_decide_{x}" sourceRef="approve_{x}" targetRef="decide_{x}" />',
            f'    <bpmn:sequenceFlow id="f_done_{x}" sourceRef="decide_{x}" '
            f'targetRef="{wiring.done_target(step.code)}" />',
        ]
        if step in forks:
            lines += [f'    <bpmn:sequenceFlow id="{wiring.link(step.code, after)}" sourceRef="fork_{x}" '
                      f'targetRef="{wiring.entry(after)}" />' for after in graph.after[step.code]]
        lines += [
            f'    <bpmn:sequenceFlow id="f_correct_{x}" name="补正" sourceRef="decide_{x}" targetRef="correct_{x}">',
            f"      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>",
            "    </bpmn:sequenceFlow>",
            f'    <bpmn:sequenceFlow id="f_resume_{x}" sourceRef="correct_{x}" targetRef="{step.checked_entry}" />',
        ]
    lines += ["  </bpmn:process>", *diagram(code, steps, layout, wiring), "</bpmn:definitions>"]
    return "\n".join(lines) + "\n"
