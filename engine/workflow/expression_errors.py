"""The bilingual (English/Chinese) errors raised by the safe expression evaluator.

UnsafeExpressionError is raised by static validation (``expression_rules``), before anything runs;
ExpressionEvaluationError by the run-time checks and the interpreter (``expression_interpreter``).
Both carry ``message``, ``message_zh`` and ``lineno``; ``engine.workflow.safe_eval`` re-exports them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class _BilingualError(ValueError):
    def __init__(self, message: str, message_zh: str, lineno: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.lineno = lineno


class UnsafeExpressionError(_BilingualError):
    """The source uses something the evaluator refuses; found statically, before anything runs.

    ``lineno`` is 1-based and ``col`` 0-based (as in ``ast``); both are also quoted in the messages.
    """

    def __init__(self, message: str, message_zh: str, lineno: int | None = None, col: int | None = None):
        if lineno is not None:
            column_en = "" if col is None else f", column {col + 1}"
            column_zh = "" if col is None else f"，第 {col + 1} 列"
            message += f" (line {lineno}{column_en})"
            message_zh += f"（第 {lineno} 行{column_zh}）"
        super().__init__(message, message_zh, lineno)
        self.col = col


class ExpressionEvaluationError(_BilingualError):
    """Evaluation failed at run time; ``lineno`` names the failing script statement when known."""


class EvaluationBudgetExceeded(ExpressionEvaluationError):
    """The evaluation would cost more than its budget (steps, items walked or built, time) and was stopped."""


class UnstorableValueError(ExpressionEvaluationError):
    """A script assigned a value that task data cannot store (it must survive the workflow's JSON state)."""


_PYTHON_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError,
                  MemoryError)
_TRANSLATIONS: tuple[tuple[type[BaseException], str, str], ...] = (
    (ZeroDivisionError, "division by zero", "除数为零"),
    (OverflowError, "numeric overflow: {0}", "数值溢出：{0}"),
    (KeyError, "key {0} not found", "键 {0} 不存在"),  # str(KeyError) is already the key's repr
    (IndexError, "index out of range: {0}", "索引超出范围：{0}"),
    (RecursionError, "expression is nested too deeply", "表达式嵌套过深"),
    (TypeError, "type error: {0}", "类型错误：{0}"),
    (ValueError, "invalid value: {0}", "值无效：{0}"),
    (BaseException, "evaluation failed: {0}", "计算失败：{0}"),
)


@contextlib.contextmanager
def translated_errors(lineno: int | None) -> Iterator[None]:
    """Turn Python's own exceptions into bilingual ExpressionEvaluationErrors that carry the line."""
    try:
        yield
    except ExpressionEvaluationError as err:
        err.lineno = err.lineno if err.lineno is not None else lineno
        raise
    except _PYTHON_ERRORS as exc:
        en, zh = next((en, zh) for kind, en, zh in _TRANSLATIONS if isinstance(exc, kind))
        raise ExpressionEvaluationError(en.format(exc), zh.format(exc), lineno) from exc
