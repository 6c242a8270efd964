"""The diagram (BPMNDI) of a generated flow: computed coordinates for every lane, task, gateway and
sequence flow, so that a modeler can open and arrange it. Used by ``flow_generator``; only the
standard library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.workflow.flow_generator import Graph, Step, Wiring

WINDOW = "window"

# Diagram geometry (pixels): the window lane on top, a row per item in its department's lane.
WINDOW_HEIGHT, ROW_HEIGHT, ROW_STEP = 230, 130, 125
AXIS = 58  # y of the main line start -> intake -> split -> join -> pickup -> end
APPROVE_X, CHAIN_STEP, CORRECT_X, CORRECT_STEP, CORRECT_Y = 640, 420, 540, 135, 140
INSPECT_OFFSET = 220


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


class Layout:
    """Simple computed coordinates, so that a modeler can open and arrange the generated flow."""

    def __init__(self, steps: Sequence[Step], graph: Graph) -> None:
        self.lanes: list[str] = []
        for step in steps:
            if step.department not in self.lanes:
                self.lanes.append(step.department)
        lane_y: dict[str, tuple[int, int]] = {}  # lane -> (top, height)
        row_y: dict[str, int] = {}
        top = WINDOW_HEIGHT
        for lane in self.lanes:
            in_lane = [s for s in steps if s.department == lane]
            for row, s in enumerate(in_lane):
                row_y[s.code] = top + 25 + ROW_STEP * row
            lane_y[lane] = (top, ROW_HEIGHT * len(in_lane))
            top += ROW_HEIGHT * len(in_lane)
        self.offset = INSPECT_OFFSET if any(s.inspection for s in steps) else 0
        """Room before each approval for a waiver gateway and a site inspection, when any item has one."""
        chain = CHAIN_STEP + self.offset
        self.inspect: dict[str, Box] = {}
        self.site: dict[str, Box] = {}
        self.approve: dict[str, Box] = {}
        self.decide: dict[str, Box] = {}
        self.correct: dict[str, Box] = {}
        self.fork: dict[str, Box] = {}
        self.merge: dict[str, Box] = {}
        for step in steps:
            x = APPROVE_X + self.offset + chain * graph.depth[step.code]
            self.approve[step.code] = Box(x, row_y[step.code], 110, 70)
            self.decide[step.code] = Box(x + 200, row_y[step.code] + 10, 50, 50)
            self.correct[step.code] = Box(CORRECT_X + CORRECT_STEP * step.index, CORRECT_Y, 120, 70)
            self.fork[step.code] = Box(x + 280, row_y[step.code] + 10, 50, 50)
            self.merge[step.code] = Box(x - 80 - self.offset, row_y[step.code] + 10, 50, 50)
            self.inspect[step.code] = Box(x - 150, row_y[step.code], 110, 70)
            self.site[step.code] = Box(x - 220, row_y[step.code] + 10, 50, 50)
        join_x = max(1220, CORRECT_X + CORRECT_STEP * (len(steps) - 1) + 140,
                     APPROVE_X + self.offset + chain * max(graph.depth.values()) + 380)
        self.fixed = {
            "start": Box(200, 40, 36, 36), "intake": Box(280, 23, 110, 70), "split": Box(450, 33, 50, 50),
            "join": Box(join_x, 33, 50, 50), "pickup": Box(join_x + 100, 23, 110, 70),
            "end": Box(join_x + 260, 40, 36, 36),
        }
        self.width = join_x + 280
        self.height = top
        self.lane_box = {WINDOW: Box(160, 0, self.width - 30, WINDOW_HEIGHT)} | {
            lane: Box(160, y, self.width - 30, height) for lane, (y, height) in lane_y.items()}


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


def bend(start: Box, end: Box, start_x: int | None = None) -> list[tuple[int, int]]:
    """Waypoints from the right of ``start`` to the left of ``end``, bending once half way."""
    x0 = start.x + start.width if start_x is None else start_x
    middle = (x0 + end.x) // 2
    if start.cy == end.cy:
        return [(x0, start.cy), (end.x, end.cy)]
    return [(x0, start.cy), (middle, start.cy), (middle, end.cy), (end.x, end.cy)]


def diagram(code: str, steps: Sequence[Step], layout: Layout, wiring: Wiring) -> list[str]:
    fixed, graph = layout.fixed, wiring.graph
    lines = [
        f'  <bpmndi:BPMNDiagram id="{code}_diagram">',
        f'    <bpmndi:BPMNPlane id="{code}_plane" bpmnElement="{code}_collaboration">',
        *shape(f"{code}_participant", Box(130, 0, layout.width, layout.height), horizontal=True),
    ]
    for lane, box in layout.lane_box.items():
        lines += shape(f"lane_{lane}", box, horizontal=True)
    for element, box in fixed.items():
        lines += shape(element, box)

    def checked_box(item: str) -> Box:
        """The box the item's own path starts at (``Step.checked_entry``)."""
        step = wiring.step[item]
        return layout.site[item] if step.waivable else layout.inspect[item] if step.inspection else layout.approve[item]

    def entry_box(item: str) -> Box:
        return layout.merge[item] if len(graph.before[item]) > 1 else checked_box(item)

    for step in steps:
        if step.waivable:
            lines += shape(f"site_{step.suffix}", layout.site[step.code])
        if step.inspection:
            lines += shape(f"inspect_{step.suffix}", layout.inspect[step.code])
        lines += shape(f"approve_{step.suffix}", layout.approve[step.code])
        lines += shape(f"decide_{step.suffix}", layout.decide[step.code])
        if len(graph.before[step.code]) > 1:
            lines += shape(f"merge_{step.suffix}", layout.merge[step.code])
        if len(graph.after[step.code]) > 1:
            lines += shape(f"fork_{step.suffix}", layout.fork[step.code])
        lines += shape(f"correct_{step.suffix}", layout.correct[step.code])
    lines += edge("f_start", (fixed["start"].x + 36, AXIS), (fixed["intake"].x, AXIS))
    lines += edge("f_intake", (fixed["intake"].x + 110, AXIS), (fixed["split"].x, AXIS))
    lines += edge("f_join", (fixed["join"].x + 50, AXIS), (fixed["pickup"].x, AXIS))
    lines += edge("f_pickup", (fixed["pickup"].x + 110, AXIS), (fixed["end"].x, AXIS))
    for step in steps:
        x, approve, decide = step.suffix, layout.approve[step.code], layout.decide[step.code]
        corrective = layout.correct[step.code]
        after = graph.after[step.code]
        if not graph.before[step.code]:
            target = entry_box(step.code)
            lines += edge(f"f_split_{x}", (fixed["split"].cx, AXIS), (fixed["split"].cx, target.cy),
                          (target.x, target.cy))
        if len(graph.before[step.code]) > 1:
            lines += edge(f"f_merge_{x}", *bend(layout.merge[step.code], checked_box(step.code)))
        if step.waivable:
            site, below = layout.site[step.code], approve.y + approve.height + 12
            lines += edge(f"f_site_{x}", (site.x + site.width, site.cy), (layout.inspect[step.code].x, site.cy))
            lines += edge(f"f_waive_{x}", (site.cx, site.y + site.height), (site.cx, below), (approve.cx, below),
                          (approve.cx, approve.y + approve.height))
        if step.inspection:
            inspect = layout.inspect[step.code]
            lines += edge(f"f_inspected_{x}", (inspect.x + inspect.width, inspect.cy), (approve.x, approve.cy))
        lines += edge(f"f_decide_{x}", (approve.x + approve.width, approve.cy), (decide.x, decide.cy))
        if not after:
            lines += edge(f"f_done_{x}", (decide.cx, decide.cy), (decide.cx, AXIS), (fixed["join"].cx, AXIS))
        elif len(after) == 1:
            lines += edge(f"f_done_{x}", *bend(decide, entry_box(after[0])))
        else:
            fork = layout.fork[step.code]
            lines += edge(f"f_done_{x}", *bend(decide, fork))
            for item in after:
                lines += edge(wiring.link(step.code, item), *bend(fork, entry_box(item)))
        lines += edge(f"f_correct_{x}", (decide.cx, decide.cy), (corrective.cx, decide.cy),
                      (corrective.cx, corrective.cy))
        resumed = checked_box(step.code)
        lines += edge(f"f_resume_{x}", (corrective.cx, corrective.cy), (resumed.cx, corrective.cy),
                      (resumed.cx, resumed.cy))
    return [*lines, "    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
