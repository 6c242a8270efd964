"""The bilingual (English/Chinese) errors raised by the safe expression evaluator.

UnsafeExpressionError is raised by static validation (``expression_rules``), before anything runs;
ExpressionEvaluationError by the run-time checks and the interpreter (``expression_interpreter``).
Both carry ``message``, ``message_zh`` and ``lineno``; ``engine.workflow.safe_eval`` re-exports them.
"""

from __future__ import annotations


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
