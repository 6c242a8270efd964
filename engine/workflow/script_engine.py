"""The script engine every workflow runs with: gateway conditions and scripts go through the
allow-listing interpreter in ``safe_eval``, never through Python's eval/exec.

SpiffWorkflow does not serialize the script engine, so ``CaseWorkflow`` attaches it again after
every load. ``step_failure`` turns what SpiffWorkflow raises for a failing task into ``StepFailed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.workflow import safe_eval
from engine.workflow.expression_errors import EvaluationBudgetExceeded, UnstorableValueError
from engine.workflow.flow_bounds import LoopLimitExceeded, check_cardinality, check_loop_round
from engine.workflow.step_errors import StepFailed, StepFailure, WorkflowError
from engine.workflow.timer_bounds import TimerValueError, check_timer_value, timer_kind

_EVALUATOR_ERRORS = (safe_eval.UnsafeExpressionError, safe_eval.ExpressionEvaluationError)


class SafeScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """``functions``: what flows may call besides the evaluator's own. ``deadline``: a ``time.monotonic()``
    moment after which no evaluation starts and none runs on (the dry-run's total time limit); each evaluation
    is bounded by ``safe_eval.MAX_SECONDS`` in any case."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None, *,
                 deadline: float | None = None) -> None:
        super().__init__()
        self.functions = dict(functions or {})
        self.deadline = deadline

    def _seconds(self) -> float:
        if self.deadline is None:
            return safe_eval.MAX_SECONDS
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise safe_eval.EvaluationBudgetExceeded("the run has no time left", "运行时间已用完")
        return min(left, safe_eval.MAX_SECONDS)

    def validate(self, expression: str) -> None:
        safe_eval.validate_expression(expression, self.functions)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        names = {**(external_context or {}), **task.data}
        spec = task.task_spec
        timer = timer_kind(spec)
        try:
            check_loop_round(spec, task.internal_data, expression)
            value = safe_eval.evaluate(expression, names, self.functions, seconds=self._seconds())
            if timer is not None and expression == spec.event_definition.expression:
                # SpiffWorkflow parses the value next: bound it first (see ``timer_bounds``).
                check_timer_value(timer, value)
            check_cardinality(spec, expression, value)
            return value
        except _EVALUATOR_ERRORS as err:
            if timer is not None and not isinstance(err, TimerValueError):
                err = TimerValueError(err.message, err.message_zh, err.lineno)
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {err}", task=task, exception=err
            ) from err

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        try:
            safe_eval.execute(script, task.data, self.functions, seconds=self._seconds())
        except _EVALUATOR_ERRORS as err:
            raise WorkflowTaskException(f"Error in script: {err}", task=task, exception=err) from err
        return True

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException("service tasks are not supported", task=task)


def _failure_kind(cause: BaseException) -> StepFailure:
    if isinstance(cause, TimerValueError):
        return StepFailure.TIMER
    if isinstance(cause, LoopLimitExceeded):
        return StepFailure.LOOP
    if isinstance(cause, EvaluationBudgetExceeded):
        return StepFailure.BUDGET
    if isinstance(cause, UnstorableValueError):
        return StepFailure.UNSTORABLE
    return StepFailure.EXPRESSION


def step_failure(err: SpiffWorkflowException) -> WorkflowError:
    """``StepFailed`` for an error SpiffWorkflow raised while running a task; ``WorkflowError`` when it names
    no task. The evaluator's bilingual message is kept when it caused the failure."""
    task = getattr(err, "task", None)
    if task is None:
        return WorkflowError(str(err))
    spec = task.task_spec
    element_id = getattr(spec, "bpmn_id", None) or spec.name
    cause = err.__cause__
    if isinstance(cause, StepFailed):
        return cause
    if isinstance(cause, _EVALUATOR_ERRORS):
        return StepFailed(element_id, spec.bpmn_name, cause.message, cause.message_zh, _failure_kind(cause))
    message = str(err)
    return StepFailed(element_id, spec.bpmn_name, message, f"流程引擎无法执行此步骤：{message}")
