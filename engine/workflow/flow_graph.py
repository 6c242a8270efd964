"""Checks of a flow's shape: sequence-flow references, start, dead ends, reachability, parallel joins.

SpiffWorkflow follows a sequence flow's ``sourceRef`` and nothing else, and it only ever looks at what it
can reach from a start event. So an ``<outgoing>`` naming a sequence flow that does not exist, or a task
with no way out, does not fail at deployment: the branch silently ends while a case runs, and a parallel
join behind it waits forever. These checks find such flows before a case does.

Every walk is iterative and the parallel-join analysis has a step budget, so a hostile file cannot make
checking slow (its size is bounded by ``flow_xml`` already).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from engine.domain.flow_problems import FlowProblem, FlowRule, quoted
from engine.workflow.element_kinds import element_kind_zh
from engine.workflow.flow_model import CONTAINER_TYPES, FlowModel, Node

PARALLEL_STEP_BUDGET = 250_000
"""Nodes visited in total while looking for parallel joins; beyond it the check gives up with a warning."""
_CONDITIONAL_SOURCES = frozenset({"exclusiveGateway", "inclusiveGateway"})
# Where a token waits for a person, a message or the clock: a cycle through one of these is a loop
# people take a turn at (a correction round); a cycle through none spins inside one request.
_WAITS = frozenset({"userTask", "manualTask", "receiveTask", "intermediateCatchEvent", "eventBasedGateway",
                    "callActivity", *CONTAINER_TYPES})


def reference_problems(model: FlowModel) -> list[FlowProblem]:
    """Every ``<incoming>``/``<outgoing>`` names a sequence flow into/out of its node, and every sequence flow
    joins two flow nodes of the same process or subprocess. Checked in every process of the file."""
    problems: list[FlowProblem] = []
    for node in model.nodes.values():
        for direction, refs in (("incoming", node.incoming_refs), ("outgoing", node.outgoing_refs)):
            for ref in refs:
                flow = model.flows.get(ref)
                end = None if flow is None else (flow.target if direction == "incoming" else flow.source)
                if flow is None:
                    problems.append(FlowProblem.error(
                        FlowRule.MISSING_FLOW, node.id, node.line,
                        f"<{direction}> 引用的顺序流 {quoted(ref)} 不存在：该分支在运行时会无声地中断",
                        f"<{direction}> names sequence flow {quoted(ref)}, which does not exist: the branch would "
                        "silently end while a case runs"))
                elif end != node.id:
                    problems.append(FlowProblem.error(
                        FlowRule.FLOW_MISMATCH, node.id, node.line,
                        f"<{direction}> 引用的顺序流 {quoted(ref)} 实际连接的是 {quoted(end)}，不是本元素",
                        f"<{direction}> names sequence flow {quoted(ref)}, which actually connects {quoted(end)}, "
                        "not this element"))
    for flow in model.flows.values():
        for end_name, end in (("sourceRef", flow.source), ("targetRef", flow.target)):
            joined = model.nodes.get(end)
            if joined is None or joined.container_id != flow.container_id:
                where_zh = "不存在" if joined is None else "不在同一流程或子流程中"
                where_en = "does not exist" if joined is None else "is not in the same process or subprocess"
                problems.append(FlowProblem.error(
                    FlowRule.DANGLING_FLOW, flow.id, flow.line,
                    f"顺序流的 {end_name} {quoted(end)} {where_zh}",
                    f"the sequence flow's {end_name} {quoted(end)} {where_en}"))
        source = model.nodes.get(flow.source)
        if source is not None and source.outgoing_refs and flow.id not in source.outgoing_refs:
            problems.append(FlowProblem.warning(
                FlowRule.UNDECLARED_FLOW, flow.id, flow.line,
                f"顺序流从 {quoted(flow.source)} 出发，但该元素的 <outgoing> 没有列出它",
                f"the sequence flow leaves {quoted(flow.source)}, whose <outgoing> elements do not list it"))
    return problems


def graph_problems(model: FlowModel, process_ids: Collection[str]) -> list[FlowProblem]:
    """Start events, dead ends, unreachable nodes, parallel joins and ignored conditions of the processes
    that run."""
    nodes = list(model.nodes_of(process_ids))
    problems: list[FlowProblem] = []
    for process_id in process_ids:
        process = model.process(process_id)
        if process is not None and not any(n.type == "startEvent" for n in model.children(process_id)):
            problems.append(FlowProblem.error(FlowRule.NO_START, process_id, process.line, "流程没有开始事件",
                                              "the process has no start event"))
    ad_hoc = {n.id for n in nodes if n.type == "adHocSubProcess"}
    for node in nodes:
        if _needs_way_out(model, node, ad_hoc):
            problems.append(FlowProblem.error(
                FlowRule.DEAD_END, node.id, node.line,
                f"{_label(node)}没有出去的顺序流：办件走到这里会无声地结束该分支（只有结束事件可以没有出口）",
                f"{_label(node, english=True)} has no outgoing sequence flow: a case would silently end this branch "
                "here (only end events may have none)"))
    reached = _reachable(model, process_ids)
    for node in nodes:
        if node.id not in reached and node.container_id not in ad_hoc:
            problems.append(FlowProblem.warning(
                FlowRule.UNREACHABLE, node.id, node.line, f"从开始事件无法到达{_label(node)}，它永远不会运行",
                f"{_label(node, english=True)} cannot be reached from a start event and will never run"))
    problems.extend(_parallel_problems(model, nodes))
    problems.extend(_automatic_loops(model, nodes))
    for flow in model.flows.values():
        source = model.nodes.get(flow.source)
        if flow.process_id in process_ids and flow.condition is not None and source is not None \
                and source.type not in _CONDITIONAL_SOURCES:
            problems.append(FlowProblem.warning(
                FlowRule.CONDITION_IGNORED, flow.id, flow.line,
                f"条件只在排他网关或包容网关之后起作用；从{element_kind_zh(source.type)}出发的顺序流上的条件会被忽略",
                f"conditions only count after an exclusive or inclusive gateway; on a flow out of a "
                f"{source.type} the condition is ignored"))
    return problems


def _label(node: Node, english: bool = False) -> str:
    if english:
        return f"{node.type} {quoted(node.name)}" if node.name else node.type
    kind = element_kind_zh(node.type)
    return f"{kind} {quoted(node.name)}" if node.name else f"未命名的{kind}"


def _needs_way_out(model: FlowModel, node: Node, ad_hoc: set[str]) -> bool:
    if node.type == "endEvent" or node.container_id in ad_hoc or model.outgoing(node.id) or _is_event_subprocess(node):
        return False
    # Compensation is wired by association, not by sequence flows.
    return node.element.get("isForCompensation") != "true" and "compensateEventDefinition" not in node.events


def _reachable(model: FlowModel, process_ids: Collection[str]) -> set[str]:
    """Nodes a token can reach: from each process's start events, along flows and into boundary events, and
    from a reached subprocess into its own start events (event subprocesses start with their container)."""
    pending = [n.id for pid in process_ids for n in model.children(pid)
               if n.type == "startEvent" or _is_event_subprocess(n)]
    reached: set[str] = set()
    while pending:
        node_id = pending.pop()
        if node_id in reached:
            continue
        reached.add(node_id)
        pending.extend(model.successors(node_id))
        container = model.nodes[node_id]
        if container.type in CONTAINER_TYPES:
            ad_hoc = container.type == "adHocSubProcess"
            pending.extend(n.id for n in model.children(node_id) if n.type == "startEvent"
                           or _is_event_subprocess(n) or (ad_hoc and not model.incoming(n.id)))
    return reached


def _is_event_subprocess(node: Node) -> bool:
    return node.type == "subProcess" and node.element.get("triggeredByEvent") == "true"


def _parallel_problems(model: FlowModel, nodes: list[Node]) -> Iterator[FlowProblem]:
    """A parallel split (a parallel gateway with several outgoing flows) should have a parallel join (a parallel
    gateway with several incoming flows) that every one of its branches reaches.

    Branches that end at end events instead run in SpiffWorkflow as drawn: each ends on its own and the case
    ends with the last one, so that is a warning (results may be handed over while another branch is open).
    Only a branch that can reach neither a join common to all nor any end event is an error: its token
    would never leave."""
    budget = PARALLEL_STEP_BUDGET
    for split in nodes:
        if split.type != "parallelGateway" or len(model.outgoing(split.id)) < 2:
            continue
        common: set[str] | None = None
        ending: list[bool] = []
        for flow in model.outgoing(split.id):
            joins, ends, budget = _joins_reached(model, flow.target, split.id, budget)
            if budget <= 0:
                yield FlowProblem.warning(FlowRule.PARALLEL_UNCHECKED, split.id, split.line,
                                          "流程过于复杂，未能检查并行分支是否汇合",
                                          "the flow is too complex to check that its parallel branches join")
                return
            common = joins if common is None else common & joins
            ending.append(ends)
        if common:
            continue
        if all(ending):
            yield FlowProblem.warning(
                FlowRule.PARALLEL_UNJOINED, split.id, split.line,
                "并行网关分出的各分支没有在同一个并行汇合网关汇合，而是各自走到结束事件：办件在最后一个分支结束时才办结，"
                "但统一出件可能在其他分支的审批办完之前就开始；并联审批宜先汇合再统一出件",
                "the branches of this parallel split do not all reach one parallel join but end at end events: "
                "the case ends with the last of them, but results may be handed over before the other branches' "
                "approvals are done; parallel approvals should join before the results are handed over")
        else:
            yield FlowProblem.error(
                FlowRule.PARALLEL_UNJOINED, split.id, split.line,
                "并行网关分出的分支既不会全部到达同一个并行汇合网关（有多个入口的并行网关），也有分支到不了任何结束事件："
                "办件会停在那里；并联审批须全部汇合后再统一出件",
                "the branches of this parallel split do not all reach one parallel join (a parallel gateway "
                "with several incoming flows), and some branch reaches no end event: a case would stay there; "
                "parallel approvals must join before the results are handed over")


def _joins_reached(model: FlowModel, start: str, split_id: str, budget: int) -> tuple[set[str], bool, int]:
    """The parallel joins reachable from ``start`` (without passing ``split_id``), whether an end event is, and
    the budget left."""
    joins: set[str] = set()
    ends = False
    seen: set[str] = set()
    pending = [start] if start in model.nodes else []
    while pending and budget > 0:
        node_id = pending.pop()
        if node_id in seen or node_id == split_id:
            continue
        seen.add(node_id)
        budget -= 1
        node = model.nodes[node_id]
        if node.type == "parallelGateway" and len(model.incoming(node_id)) > 1:
            joins.add(node_id)
        ends = ends or node.type == "endEvent"
        pending.extend(model.successors(node_id))
    return joins, ends, budget


def _automatic_loops(model: FlowModel, nodes: list[Node]) -> Iterator[FlowProblem]:
    """Cycles of sequence flows with nothing that waits on them: SpiffWorkflow would run such a loop
    without end inside the request that entered it. Strongly connected components, found iteratively
    (Tarjan), so a long flow cannot exhaust the stack."""
    ids = {n.id for n in nodes}
    edges = {n.id: [f.target for f in model.outgoing(n.id) if f.target in ids] for n in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in edges:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                looping = len(component) > 1 or node in edges[node]
                if looping and not any(model.nodes[m].type in _WAITS for m in component):
                    first = min((model.nodes[m] for m in component), key=lambda n: (n.line or 0, n.id))
                    yield FlowProblem.error(
                        FlowRule.AUTOMATIC_LOOP, first.id, first.line,
                        f"{_label(first)}所在的循环里没有任何需要等待的环节（人工任务、消息或定时器）：办件进入后会无休止地空转",
                        f"the loop through {_label(first, english=True)} has nothing that waits (a user task, a "
                        "message or a timer): a case entering it would spin without end")
