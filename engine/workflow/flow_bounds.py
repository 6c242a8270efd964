"""The bounds on what one case of a flow may make the engine do, checked at upload and again at run time.

A flow can be valid and still never let go of a worker: a script task looping while ``loopCondition`` is
``True`` with no ``loopMaximum`` runs forever; a multi-instance task with a cardinality of a million makes a
million tasks; SpiffWorkflow's work for parallel branches grows with the square of their number (a case of
1,000 script branches takes over a minute to start). So a flow is refused at upload when

- a standard loop of an automatic activity (anything but a user, manual or receive task, which waits for a
  person or a message each round) has no ``loopMaximum``, or one above ``MAX_LOOP_ROUNDS``;
- a multi-instance task's cardinality is a number above ``MAX_INSTANCES``;
- one element has more than ``MAX_BRANCHES`` outgoing or incoming sequence flows;
- the file has more than ``MAX_FLOW_NODES`` flow elements.

At run time (versions uploaded before these checks, cardinalities computed from data) the script engine asks
``check_loop_round`` and ``check_cardinality`` before SpiffWorkflow goes on, and a loop past its cap or too
many instances stop the step with ``LoopLimitExceeded``: the step fails (an incident), it is never cut short
silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask

from engine.domain.flow_problems import FlowProblem, FlowRule
from engine.workflow.expression_errors import ExpressionEvaluationError
from engine.workflow.flow_model import FlowModel, Node, bpmn

MAX_LOOP_ROUNDS = 100
MAX_INSTANCES = 100
MAX_BRANCHES = 50
MAX_FLOW_NODES = 1_000
_QUOTED = 60
_WAITING_TYPES = frozenset({"userTask", "manualTask", "receiveTask"})


class LoopLimitExceeded(ExpressionEvaluationError):
    """A loop would run more rounds than ``MAX_LOOP_ROUNDS``, or a multi-instance task make more than
    ``MAX_INSTANCES`` instances."""


def bound_problems(model: FlowModel) -> list[FlowProblem]:
    """The errors of every process in the file against the bounds above."""
    problems: list[FlowProblem] = []
    for node in model.nodes.values():
        problems.extend(_loop_problems(node))
    outgoing = Counter(flow.source for flow in model.flows.values())
    incoming = Counter(flow.target for flow in model.flows.values())
    for counts, zh, en in ((outgoing, "流出", "outgoing"), (incoming, "流入", "incoming")):
        for element_id, count in counts.items():
            if count > MAX_BRANCHES and element_id in model.nodes:
                node = model.nodes[element_id]
                problems.append(FlowProblem.error(
                    FlowRule.TOO_MANY_BRANCHES, node.id, node.line,
                    f"{_label(node)} 有 {count} 条{zh}顺序流，上限 {MAX_BRANCHES} 条：分支过多的办件会长时间占用引擎，"
                    "请合并分支或拆分流程",
                    f"{_label(node)} has {count} {en} sequence flows (limit {MAX_BRANCHES}): a case with so many "
                    "branches holds the engine for long; merge branches or split the flow"))
    if len(model.nodes) > MAX_FLOW_NODES:
        problems.append(FlowProblem.error(
            FlowRule.TOO_MANY_BRANCHES, None, None,
            f"文件有 {len(model.nodes)} 个流程元素，上限 {MAX_FLOW_NODES} 个：请拆分流程",
            f"the file has {len(model.nodes)} flow elements (limit {MAX_FLOW_NODES}); split the flow"))
    return problems


def _label(node: Node) -> str:
    text = node.name or node.id
    return repr(text if len(text) <= _QUOTED else text[:_QUOTED] + "…")


def _loop_problems(node: Node) -> Iterator[FlowProblem]:
    loops = [] if node.type in _WAITING_TYPES else node.element.findall(bpmn("standardLoopCharacteristics"))
    for loop in loops:
        maximum = (loop.get("loopMaximum") or "").strip()
        if not maximum.isdigit() or int(maximum) > MAX_LOOP_ROUNDS:
            given_zh = "没有 loopMaximum" if not maximum else f"的 loopMaximum {maximum[:20]!r} 不是 0 至 " \
                f"{MAX_LOOP_ROUNDS} 的整数"
            given_en = "has no loopMaximum" if not maximum else f"has a loopMaximum {maximum[:20]!r} that is not " \
                f"a whole number from 0 to {MAX_LOOP_ROUNDS}"
            yield FlowProblem.error(
                FlowRule.LOOP_UNBOUNDED, node.id, loop.sourceline,
                f"循环任务 {_label(node)} {given_zh}：循环须有上限（loopMaximum，最多 {MAX_LOOP_ROUNDS} 轮），"
                "否则循环条件一直成立时办件永远停不下来",
                f"the loop task {_label(node)} {given_en}: a loop needs a loopMaximum of at most {MAX_LOOP_ROUNDS} "
                "rounds, or a case whose loop condition stays true never stops")
    for loop in node.element.findall(bpmn("multiInstanceLoopCharacteristics")):
        for cardinality in loop.findall(bpmn("loopCardinality")):
            text = (cardinality.text or "").strip()
            if text.isdigit() and int(text) > MAX_INSTANCES:
                yield FlowProblem.error(
                    FlowRule.LOOP_UNBOUNDED, node.id, cardinality.sourceline,
                    f"多实例任务 {_label(node)} 的数量 {text[:20]} 超过上限 {MAX_INSTANCES}",
                    f"the multi-instance task {_label(node)} has a cardinality of {text[:20]} "
                    f"(limit {MAX_INSTANCES})")


def check_loop_round(task_spec: Any, internal_data: dict[str, Any], expression: str) -> None:
    """Before a standard loop's condition is evaluated for another round: raise ``LoopLimitExceeded`` when the
    loop has already run ``MAX_LOOP_ROUNDS`` rounds."""
    if isinstance(task_spec, StandardLoopTask) and expression == task_spec.condition:
        rounds = len(internal_data.get("merged", ()))
        if rounds >= MAX_LOOP_ROUNDS and (task_spec.maximum is None or rounds < task_spec.maximum):
            raise LoopLimitExceeded(f"the loop has run {rounds} rounds, the most a loop may run",
                                    f"循环已运行 {rounds} 轮，达到循环轮数上限")


def check_cardinality(task_spec: Any, expression: str, value: Any) -> None:
    """After a multi-instance task's cardinality is evaluated: raise ``LoopLimitExceeded`` when it asks for more
    than ``MAX_INSTANCES`` instances."""
    if (isinstance(task_spec, MultiInstanceTask) and expression == task_spec.cardinality
            and isinstance(value, int) and value > MAX_INSTANCES):
        raise LoopLimitExceeded(f"the multi-instance task would make {value} instances (limit {MAX_INSTANCES})",
                                f"多实例任务将生成 {value} 个实例（上限 {MAX_INSTANCES}）")
