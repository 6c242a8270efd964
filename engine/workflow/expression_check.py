"""One expression checked on its own, as the modeler's properties panel edits it: a gateway condition or a
timer's value, judged by the same rules the upload check applies to a whole flow (``flow_expressions``,
``flow_juel``), so that what the panel accepts is what the upload accepts. Nothing is evaluated.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from engine.domain.flow_problems import quoted
from engine.workflow.flow_expressions import _timer_reason as timer_reason  # the upload check's own rule
from engine.workflow.flow_juel import is_juel, safe_equivalent
from engine.workflow.safe_eval import UnsafeExpressionError, validate_expression
from engine.workflow.timer_bounds import TIMER_KINDS

CONDITION = "condition"
EXPRESSION_KINDS = (CONDITION, *TIMER_KINDS)
"""What an expression is: a sequence flow's condition, or a timer's ``timeDate``, ``timeDuration`` or
``timeCycle``."""


@dataclass(frozen=True)
class ExpressionVerdict:
    """Whether an expression would pass the upload check; when not, why (Chinese and English) and, for a
    JUEL/EL condition with a direct equivalent, that equivalent."""

    ok: bool
    error_zh: str | None = None
    error: str | None = None
    suggestion: str | None = None


def check_expression(kind: str, source: str, functions: Collection[str] = ()) -> ExpressionVerdict:
    """The verdict on ``source`` as an expression of ``kind`` (one of ``EXPRESSION_KINDS``); ``functions``: the
    names the run-time script engine adds to the safe evaluator's allow-list."""
    if kind == CONDITION:
        return _condition(source, functions)
    reason = timer_reason(kind, source.strip(), functions)
    if reason is None:
        return ExpressionVerdict(True)
    return ExpressionVerdict(False, f"计时器表达式无效：{reason[0]}", f"the timer expression is invalid: {reason[1]}")


def _condition(source: str, functions: Collection[str]) -> ExpressionVerdict:
    if not source.strip():
        return ExpressionVerdict(False, "条件为空：请写条件，或清空后保存以去掉条件", "the condition is empty")
    try:
        validate_expression(source, functions)
    except UnsafeExpressionError as err:
        text = quoted(source.strip())
        if source.strip().startswith("="):
            return ExpressionVerdict(
                False, f"条件 {text} 是 FEEL 表达式（以 = 开头），引擎不运行它：请去掉 =，用安全表达式语言书写",
                f"the condition {text} is a FEEL expression (starting with =), which the engine does not run")
        if is_juel(source):
            equivalent = safe_equivalent(source, functions)
            hint = f"，等价的写法是 {quoted(equivalent)}" if equivalent else ""
            return ExpressionVerdict(
                False, f"条件 {text} 是 JUEL/EL 表达式（不加 ${{}}），引擎不运行它{hint}",
                f"the condition {text} is a JUEL/EL expression, which the engine does not run", equivalent)
        if err.message.startswith("syntax error"):  # Python's own wording is English: say it in Chinese
            at = f"（第 {err.col + 1} 个字符附近）" if err.col is not None and err.lineno == 1 else ""
            return ExpressionVerdict(False, f"条件写法有误，无法解析{at}：请检查括号、引号和运算符",
                                     f"the condition cannot be parsed: {err.message}")
        return ExpressionVerdict(False, f"条件未通过安全检查：{err.message_zh}",
                                 f"the condition is refused by the safe evaluator: {err.message}")
    return ExpressionVerdict(True)
