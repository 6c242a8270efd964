"""Checks of the code a flow carries: gateway conditions, scripts and timers.

Every condition and script goes through the same static validator that guards them at run time
(``engine.workflow.safe_eval``), so a flow is refused at upload for exactly what would be refused while a
case runs (``__import__('os')``, dunder attributes, loops...). Nothing is evaluated here.

A timer must give one of ``timeDate``, ``timeDuration`` or ``timeCycle`` as an expression, which is either a
quoted ISO 8601 string of the right sort (``"PT2H"``, ``"2026-10-01T09:00:00+08:00"``, ``"R3/PT1H"``) that
SpiffWorkflow's timer code accepts, or, for a duration or a date, ``working_days(N)`` with a whole number
N: the engine's working-day helper, which counts days as ``engine.domain.calendar`` does. The value's bounds
(a duration of at most ten years, N from 0 to 366) are those ``engine.workflow.timer_bounds`` enforces again
at run time, and ``working_days(N)`` gives a date, so it is accepted for a ``timeDate`` only.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from typing import Any

from engine.domain.flow_problems import FlowProblem, FlowRule
from engine.workflow.flow_model import SPIFF_NS, FlowModel, Node, bpmn, is_bpmn, local_name
from engine.workflow.safe_eval import UnsafeExpressionError, validate_expression, validate_script
from engine.workflow.timer_bounds import MAX_WORKING_DAYS, TIMER_KINDS, WORKING_DAYS, timer_value_reason

_QUOTED = 80  # characters of an expression quoted back in a message
_TIMER_NAMES = {
    "timeDate": ("日期时间", "date-time", '"2026-10-01T09:00:00+08:00"'),
    "timeDuration": ("时长", "duration", '"PT2H"、"P3D"'),
    "timeCycle": ("循环", "cycle", '"R3/PT1H"'),
}
# Expressions SpiffWorkflow evaluates besides sequence-flow conditions, by where they sit in an element.
_NODE_EXPRESSIONS = (
    ("standardLoopCharacteristics", "loopCondition", "循环条件", "loop condition"),
    ("multiInstanceLoopCharacteristics", "completionCondition", "多实例完成条件",
     "multi-instance completion condition"),
    ("multiInstanceLoopCharacteristics", "loopCardinality", "多实例数量表达式", "multi-instance cardinality"),
    ("conditionalEventDefinition", "condition", "条件事件的条件", "conditional event condition"),
)


def expression_problems(model: FlowModel, functions: Collection[str] = ()) -> list[FlowProblem]:
    """Conditions, scripts and timers of every process in the file: anything unsafe is refused, wherever it is.

    ``functions`` names the functions the run-time script engine adds to the evaluator's allow-list."""
    problems: list[FlowProblem] = []
    for flow in model.flows.values():
        if flow.condition is not None:
            condition = flow.element.find(bpmn("conditionExpression"))
            problems.extend(_expression(flow.condition, flow.id, condition.sourceline, "条件表达式",
                                        "condition", functions))
    for node in model.nodes.values():
        problems.extend(_node_problems(node, functions))
    return problems


def _node_problems(node: Node, functions: Collection[str]) -> Iterator[FlowProblem]:
    element = node.element
    if node.type == "scriptTask":
        scripts = [child for child in element if is_bpmn(child) and local_name(child) == "script"]
        if not scripts or not (scripts[-1].text or "").strip():
            yield FlowProblem.error(FlowRule.SCRIPT_REFUSED, node.id, node.line, "脚本任务没有脚本",
                                    "the script task has no script")
        else:  # SpiffWorkflow runs the last <script> child
            yield from _script(scripts[-1].text, node.id, scripts[-1].sourceline, "脚本", "script", functions)
    for extensions in element.findall(bpmn("extensionElements")):
        for name, zh, en in (("preScript", "前置脚本", "pre-script"), ("postScript", "后置脚本", "post-script")):
            for script in extensions.findall(f"{{{SPIFF_NS}}}{name}"):
                if (script.text or "").strip():
                    yield from _script(script.text, node.id, script.sourceline, zh, en, functions)
    for holder, local, zh, en in _NODE_EXPRESSIONS:
        for container in element.findall(bpmn(holder)):
            for expression in container.findall(bpmn(local)):
                yield from _expression(expression.text or "", node.id, expression.sourceline, zh, en, functions)
    for timer in element.findall(bpmn("timerEventDefinition")):
        yield from _timer(node, timer, functions)


def _expression(source: str, element_id: str, line: int | None, zh: str, en: str,
                functions: Collection[str]) -> Iterator[FlowProblem]:
    try:
        validate_expression(source, functions)
    except UnsafeExpressionError as err:
        quoted = _quote(source)
        yield FlowProblem.error(FlowRule.CONDITION_REFUSED, element_id, line,
                                f"{zh} {quoted} 未通过安全检查：{err.message_zh}",
                                f"the {en} {quoted} is refused by the safe evaluator: {err.message}")


def _quote(source: str) -> str:
    text = " ".join(source.split())
    return repr(text if len(text) <= _QUOTED else text[:_QUOTED] + "…")


def _script(source: str, element_id: str, line: int | None, zh: str, en: str,
            functions: Collection[str]) -> Iterator[FlowProblem]:
    try:
        validate_script(source, functions)
    except UnsafeExpressionError as err:
        at = line + err.lineno - 1 if line is not None and err.lineno is not None else line
        yield FlowProblem.error(FlowRule.SCRIPT_REFUSED, element_id, at, f"{zh}未通过安全检查：{err.message_zh}",
                                f"the {en} is refused by the safe evaluator: {err.message}")


def _timer(node: Node, timer: Any, functions: Collection[str]) -> Iterator[FlowProblem]:
    given = [child for child in timer if is_bpmn(child) and local_name(child) in TIMER_KINDS]
    if len(given) != 1:
        zh = "计时器未给出时间" if not given else "计时器只能给出一种时间"
        en = "the timer gives no time" if not given else "the timer gives more than one time"
        yield FlowProblem.error(
            FlowRule.TIMER_EXPRESSION, node.id, timer.sourceline,
            f"{zh}：须且只须给出 timeDate（日期时间）、timeDuration（时长）或 timeCycle（循环）之一",
            f"{en}: give exactly one of timeDate, timeDuration or timeCycle")
        return
    kind, text = local_name(given[0]), (given[0].text or "").strip()
    reason = _timer_reason(kind, text, functions)
    if reason is not None:
        name_zh, name_en, example = _TIMER_NAMES[kind]
        yield FlowProblem.error(
            FlowRule.TIMER_EXPRESSION, node.id, given[0].sourceline,
            f"计时器的{name_zh}表达式 {_quote(text)} 无效：{reason[0]}。应为带引号的 ISO 8601 {name_zh}（如 {example}）"
            + (f"，或 {WORKING_DAYS}(N)（N 为工作日天数）" if kind == "timeDate" else ""),
            f"the timer's {name_en} expression {_quote(text)} is invalid: {reason[1]}. Use a quoted ISO 8601 "
            f"{name_en} (such as {example})" + (f" or {WORKING_DAYS}(N) with N working days" if kind == "timeDate"
                                                else ""))


def _timer_reason(kind: str, text: str, functions: Collection[str]) -> tuple[str, str] | None:
    """Why ``text`` is not a valid timer expression of ``kind``, in Chinese and English; None when it is."""
    if not text:
        return "表达式为空", "it is empty"
    try:
        validate_expression(text, {*functions, WORKING_DAYS})
        body = ast.parse(text, mode="eval").body
    except (UnsafeExpressionError, SyntaxError, ValueError) as err:
        if _iso_value_ok(kind, text):
            return "ISO 8601 值须加引号", "an ISO 8601 value must be quoted"
        zh, en = (err.message_zh, err.message) if isinstance(err, UnsafeExpressionError) else (str(err), str(err))
        return f"未通过安全检查：{zh}", f"refused by the safe evaluator: {en}"
    if isinstance(body, ast.Constant) and isinstance(body.value, str):
        return timer_value_reason(kind, body.value)
    if isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id == WORKING_DAYS:
        if kind != "timeDate":  # it answers a date-time, which SpiffWorkflow cannot read as a duration or cycle
            return (f"{WORKING_DAYS}() 给出的是日期时间，只能用于 timeDate",
                    f"{WORKING_DAYS}() gives a date-time, so it can only be used in a timeDate")
        days = body.args[0].value if len(body.args) == 1 and isinstance(body.args[0], ast.Constant) else None
        if body.keywords or type(days) is not int or not 0 <= days <= MAX_WORKING_DAYS:
            return (f"{WORKING_DAYS}() 须恰有一个 0 至 {MAX_WORKING_DAYS} 的整数参数",
                    f"{WORKING_DAYS}() takes exactly one whole number from 0 to {MAX_WORKING_DAYS}")
        return None
    if _iso_value_ok(kind, text):
        return "ISO 8601 值须加引号", "an ISO 8601 value must be quoted"
    return ("只接受带引号的 ISO 8601 值或工作日函数",
            "only a quoted ISO 8601 value or the working-day function is accepted")


def _iso_value_ok(kind: str, value: str) -> bool:
    """Whether ``value``, unquoted, would be a valid value for a timer of ``kind`` (to suggest quoting it)."""
    return timer_value_reason(kind, value) is None
