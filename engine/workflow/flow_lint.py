"""The domain lint of a BPMN flow that has passed ``flow_xml``: will it run, and is it a one-thing flow?

What a one-thing flow must be (see DOMAIN.md and the shipped ``bpmn/*/flow.bpmn``): one executable process;
exactly one intake (一窗受理) and one pickup (统一出件) user task, both in the ``window`` lane; every lane named
by a known department code; and, given the bundle definition, an approval task for every item in the lane of
the item's department. Tasks say what they are with SpiffWorkflow extension properties, as the engine reads
them (``engine.workflow.specs``): ``<spiff:property name="kind" value="intake|approval|correction|pickup|inspection"/>``
and, for approvals, corrections and site inspections (in the item's lane too), ``<spiff:property name="item"
value="<item code>"/>``.

The shape, expression, timer and support checks live in ``flow_graph``, ``flow_expressions`` and
``flow_support``; this module chooses the process, runs them all and adds the conventions above.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from engine.domain.flow_problems import FlowProblem, FlowReport, FlowRule, listed, ordered, quoted
from engine.domain.model import WINDOW, TaskKind
from engine.workflow.element_kinds import element_kind_zh
from engine.workflow.flow_bounds import bound_problems
from engine.workflow.flow_expressions import expression_problems
from engine.workflow.flow_graph import graph_problems, reference_problems
from engine.workflow.flow_juel import juel_problems
from engine.workflow.flow_model import FlowModel, Node, Process, build_model
from engine.workflow.flow_support import called_processes, spiff_problems, support_problems

_KINDS = frozenset(kind.value for kind in TaskKind)
_ITEM_KINDS = (TaskKind.APPROVAL.value, TaskKind.CORRECTION.value, TaskKind.INSPECTION.value)


def lint_flow(root: Any, bundle: Mapping[str, Any] | None, departments: Collection[str], *,
              functions: Collection[str] = (), carried: Sequence[FlowProblem] = ()) -> FlowReport:
    """Check the parsed ``definitions`` element ``root`` (from ``flow_xml.read_flow_xml``).

    ``bundle`` is the bundle definition (as in ``bpmn/<code>/bundle.json``; its ``process_id`` and ``items``
    are used) or None to skip the item checks; ``departments`` the known department codes (the window is
    always known); ``functions`` the extra function names the run-time script engine allows; ``carried``
    problems found before (the XML step's warnings) to report with the rest.
    Exceptions of SpiffWorkflow become problems; our own code is expected not to raise.
    """
    model = build_model(root)
    problems = list(carried)
    problems.extend(FlowProblem.error(FlowRule.DUPLICATE_ID, element_id, line, f"id {quoted(element_id)} 重复出现",
                                      f"the id {quoted(element_id)} is used more than once")
                    for element_id, line in model.duplicate_ids)
    process, chosen = choose_process(model, bundle)
    problems.extend(chosen)
    problems.extend(reference_problems(model))
    problems.extend(juel_problems(model, expression_problems(model, functions), functions))
    problems.extend(bound_problems(model))
    checked = process if process is not None else stand_in(model, chosen)
    if checked is not None:  # every check runs in one round, even on a process that is not the bundle's
        scope = called_processes(model, checked.id)
        problems.extend(graph_problems(model, scope))
        problems.extend(support_problems(model, scope))
        problems.extend(convention_problems(model, scope, bundle, departments))
        flagged = {p.element_id for p in problems if p.is_error and p.element_id is not None}
        problems.extend(p for p in spiff_problems(root, checked.id, model.lines)
                        if p.element_id is None or p.element_id not in flagged)
    return FlowReport(ordered(problems), None if process is None else process.id,
                      None if process is None else process.name)


def stand_in(model: FlowModel, chosen: Sequence[FlowProblem]) -> Process | None:
    """The process checked when the bundle's is not in the file: the one that would run without a bundle, or the
    file's first process. Its problems come in the same round as ``process-not-found``, so the administrator
    renames it and is done."""
    if not any(p.rule == FlowRule.PROCESS_NOT_FOUND.value for p in chosen):
        return None
    fallback, _ = choose_process(model, None)
    return fallback or (model.processes[0] if model.processes else None)


def choose_process(model: FlowModel, bundle: Mapping[str, Any] | None) -> tuple[Process | None, list[FlowProblem]]:
    """The process that runs: the bundle's ``process_id`` when it names one, else the only executable process
    (or the only one no call activity calls). Answered even when not executable, so that everything else
    about it is reported at once."""
    wanted = bundle.get("process_id") if isinstance(bundle, Mapping) else None
    ids = [p.id for p in model.processes]
    listed_zh = listed(ids, "、") or "无"
    listed_en = listed(ids, ", ") or "none"
    if isinstance(wanted, str) and wanted:
        process = model.process(wanted)
        if process is None:
            fallback = choose_process(model, None)[0] or (model.processes[0] if model.processes else None)
            if fallback is None:
                rest_zh, rest_en = "", ""
            else:
                rest_zh = f"；以下各项按流程 {quoted(fallback.id)} 检查，要用它请把它的 id 改为 {quoted(wanted)}"
                rest_en = (f"; the other problems listed are those of process {quoted(fallback.id)}: to use it, "
                           f"change its id to {quoted(wanted)}")
            return None, [FlowProblem.error(
                FlowRule.PROCESS_NOT_FOUND, None, None,
                f"文件中没有一件事定义所指的流程 {quoted(wanted)}（文件中的流程：{listed_zh}）{rest_zh}",
                f"the file has no process {quoted(wanted)}, which the bundle names (processes in the file: "
                f"{listed_en}){rest_en}")]
        return process, [] if process.executable else [_not_executable(process)]
    executable = [p for p in model.processes if p.executable]
    if len(executable) > 1:
        called = {n.element.get("calledElement") for n in model.nodes.values() if n.type == "callActivity"}
        executable = [p for p in executable if p.id not in called] or executable
    if len(executable) == 1:
        return executable[0], []
    if len(executable) > 1:
        return None, [FlowProblem.error(
            FlowRule.SEVERAL_PROCESSES, None, None,
            f"文件中有多个可执行流程（{listed([p.id for p in executable], '、')}），"
            "须只有一个，或在一件事定义中指明 process_id",
            f"the file has several executable processes ({listed([p.id for p in executable], ', ')}); keep one, "
            "or name it as the bundle's process_id")]
    if len(model.processes) == 1:
        return model.processes[0], [_not_executable(model.processes[0])]
    return None, [FlowProblem.error(
        FlowRule.NO_PROCESS, None, None, f"文件中没有可执行的流程（isExecutable=\"true\"）；文件中的流程：{listed_zh}",
        f"the file has no executable process (isExecutable=\"true\"); processes in the file: {listed_en}")]


def _not_executable(process: Process) -> FlowProblem:
    return FlowProblem.error(FlowRule.PROCESS_NOT_EXECUTABLE, process.id, process.line,
                             "流程未标记为可执行（isExecutable=\"true\"），引擎不会运行它",
                             "the process is not marked executable (isExecutable=\"true\"), so the engine will "
                             "not run it")


def convention_problems(model: FlowModel, scope: Collection[str], bundle: Mapping[str, Any] | None,
                        departments: Collection[str]) -> list[FlowProblem]:
    known = {*departments, WINDOW}
    said = _department_names(bundle)
    problems: list[FlowProblem] = []
    lanes = [lane for lane in model.lanes if lane.process_id in scope]
    for lane in lanes:
        if lane.is_leaf and not (lane.name or "").strip():
            problems.append(FlowProblem.error(
                FlowRule.UNKNOWN_DEPARTMENT, lane.id, lane.line,
                f"泳道没有名称：泳道须以部门编码命名（如 {WINDOW}），它的任务才知道由哪个部门办理",
                f"the lane has no name: lanes are named by department code (such as {WINDOW}) so that its tasks "
                "know which department handles them"))
        elif lane.is_leaf and lane.name not in known:
            problems.append(FlowProblem.error(
                FlowRule.UNKNOWN_DEPARTMENT, lane.id, lane.line,
                f"泳道名称 {quoted(lane.name)} 不是已知的部门编码（泳道名称须为部门编码，如 {WINDOW}）",
                f"the lane name {quoted(lane.name)} is not a known department code (lanes are named by department "
                f"code, such as {WINDOW})"))
    nodes = list(model.nodes_of(scope))
    tasks = [n for n in nodes if n.type == "userTask"]
    for node in nodes:
        if node.kind is not None and node.type != "userTask":
            problems.append(FlowProblem.warning(
                FlowRule.KIND_IGNORED, node.id, node.line, f"只有用户任务的 kind 属性起作用，"
                f"{element_kind_zh(node.type)}上的会被忽略",
                f"only a user task's kind property counts; on a {node.type} it is ignored"))
    for task in tasks:
        problems.extend(_task_problems(task, bool(lanes), said))
    for kind, missing, several, zh in ((TaskKind.INTAKE, FlowRule.INTAKE_MISSING, FlowRule.INTAKE_SEVERAL, "受理"),
                                       (TaskKind.PICKUP, FlowRule.PICKUP_MISSING, FlowRule.PICKUP_SEVERAL, "出件")):
        found = [t for t in tasks if t.kind == kind.value]
        if not found:
            problems.append(FlowProblem.error(
                missing, None, None,
                f"缺少综合窗口{zh}任务：须有一个 kind 为 {kind.value} 的用户任务，位于{said(WINDOW)}泳道",
                f"no {kind.value} task: the flow needs one user task with kind {kind.value} in the {WINDOW} lane"))
        names = [t.id for t in found]
        for task in found if len(found) > 1 else ():
            problems.append(FlowProblem.error(
                several, task.id, task.line, f"{zh}任务只能有一个，现有 {len(found)} 个：{listed(names, '、')}",
                f"there must be exactly one {kind.value} task, there are {len(found)}: {listed(names, ', ')}"))
        for task in found:
            if task.lane != WINDOW:
                problems.append(FlowProblem.error(
                    FlowRule.WINDOW_LANE, task.id, task.line,
                    f"{zh}任务须位于{said(WINDOW)}泳道，{_where(task, said)}",
                    f"the {kind.value} task must be in the {WINDOW} lane; {_where_en(task)}"))
    if bundle is not None:
        problems.extend(_bundle_problems(tasks, bundle, said))
    return problems


def _department_names(bundle: Mapping[str, Any] | None) -> Callable[[str], str]:
    """How a Chinese message names a department's lane: its name with the code the file holds,
    e.g. "市场监督管理局（scjg）"; the code alone where the bundle does not name it."""
    named = bundle.get("departments") if isinstance(bundle, Mapping) else None
    names = {str(k): str(v) for k, v in named.items()} if isinstance(named, Mapping) else {}
    names.setdefault(WINDOW, "综合窗口")
    return lambda code: f"“{names[code]}”（{code}）" if code in names else f" {quoted(code)} "


def _where(task: Node, said: Callable[[str], str]) -> str:
    return "它不在任何泳道中" if task.lane is None else f"实际在{said(task.lane)}泳道"


def _where_en(task: Node) -> str:
    return "it is in no lane" if task.lane is None else f"it is in the {quoted(task.lane)} lane"


def _task_problems(task: Node, has_lanes: bool, said: Callable[[str], str]) -> list[FlowProblem]:
    problems: list[FlowProblem] = []
    if task.kind is None:
        problems.append(FlowProblem.warning(
            FlowRule.NO_KIND, task.id, task.line,
            "用户任务没有 kind 属性，将按审批任务处理；请标明 intake、approval、correction 或 pickup",
            "the user task has no kind property and will be treated as an approval; say intake, approval, "
            "correction or pickup"))
    elif task.kind not in _KINDS:
        problems.append(FlowProblem.error(
            FlowRule.UNKNOWN_KIND, task.id, task.line,
            f"未知的任务类型 kind={quoted(task.kind)}；可用：{'、'.join(sorted(_KINDS))}",
            f"unknown task kind {quoted(task.kind)}; use one of {', '.join(sorted(_KINDS))}"))
    if task.kind in _ITEM_KINDS and not task.properties.get("item"):
        problems.append(FlowProblem.error(
            FlowRule.ITEM_MISSING, task.id, task.line, f"{task.kind} 任务须用 item 属性指明所办事项",
            f"a {task.kind} task must name its item in an item property"))
    if task.lane is None and has_lanes:
        problems.append(FlowProblem.warning(
            FlowRule.NO_LANE, task.id, task.line, f"用户任务不在任何泳道中，将由{said(WINDOW)}办理",
            f"the user task is in no lane and will be handled by the {WINDOW}"))
    return problems


def _bundle_problems(tasks: list[Node], bundle: Mapping[str, Any], said: Callable[[str], str]) -> list[FlowProblem]:
    items = bundle.get("items") if isinstance(bundle, Mapping) else None
    if not isinstance(items, list):
        return [FlowProblem.error(FlowRule.BUNDLE_INVALID, None, None, "一件事定义没有事项列表（items）",
                                  "the bundle definition has no list of items")]
    problems: list[FlowProblem] = []
    departments: dict[str, str] = {}
    for n, item in enumerate(items):
        code = item.get("code") if isinstance(item, Mapping) else None
        department = item.get("department") if isinstance(item, Mapping) else None
        if not isinstance(code, str) or not isinstance(department, str):
            problems.append(FlowProblem.error(FlowRule.BUNDLE_INVALID, None, None,
                                              f"一件事定义的第 {n + 1} 个事项缺少 code 或 department",
                                              f"item {n + 1} of the bundle definition lacks a code or department"))
            continue
        departments[code] = department
    approvals = [t for t in tasks if t.kind == TaskKind.APPROVAL.value]
    for code, department in departments.items():
        mine = [t for t in approvals if t.properties.get("item") == code]
        if not mine:
            problems.append(FlowProblem.error(
                FlowRule.APPROVAL_MISSING, None, None,
                f"事项 {code} 没有审批任务：须有 kind=approval、item={code} 的用户任务，位于{said(department)}泳道",
                f"item {code} has no approval task: add a user task with kind approval and item {code} in the "
                f"{department} lane"))
        for task in mine:
            if task.lane != department:
                problems.append(FlowProblem.error(
                    FlowRule.APPROVAL_LANE, task.id, task.line,
                    f"事项 {code} 的审批任务须位于其部门{said(department)}的泳道，{_where(task, said)}",
                    f"the approval of item {code} must be in its department's lane {department}; "
                    f"{_where_en(task)}"))
        names = [t.id for t in mine]
        for task in mine if len(mine) > 1 else ():
            problems.append(FlowProblem.warning(
                FlowRule.APPROVAL_SEVERAL, task.id, task.line,
                f"事项 {code} 有 {len(mine)} 个审批任务：{listed(names, '、')}",
                f"item {code} has {len(mine)} approval tasks: {listed(names, ', ')}"))
    for task in tasks:
        item = task.properties.get("item")
        if task.kind == TaskKind.INSPECTION.value and item in departments and task.lane != departments[item]:
            problems.append(FlowProblem.error(
                FlowRule.INSPECTION_LANE, task.id, task.line,
                f"事项 {item} 的现场核查任务须位于其部门{said(departments[item])}的泳道，{_where(task, said)}",
                f"the inspection of item {item} must be in its department's lane {departments[item]}; "
                f"{_where_en(task)}"))
        if task.kind in _ITEM_KINDS and item and item not in departments:
            problems.append(FlowProblem.error(
                FlowRule.UNKNOWN_ITEM, task.id, task.line, f"事项 {quoted(item)} 不属于这件事（一件事定义中没有它）",
                f"item {quoted(item)} is not one of the bundle's items"))
    return problems
