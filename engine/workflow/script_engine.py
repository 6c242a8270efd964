"""The script engine every workflow runs with: gateway conditions and scripts go through the
allow-listing interpreter in ``safe_eval``, never through Python's eval/exec.

SpiffWorkflow does not serialize the script engine, so ``CaseWorkflow`` attaches it again after
every load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.workflow import safe_eval


class SafeScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__()
        self.functions = dict(functions or {})

    def validate(self, expression: str) -> None:
        safe_eval.validate_expression(expression, self.functions)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        names = {**(external_context or {}), **task.data}
        try:
            return safe_eval.evaluate(expression, names, self.functions)
        except (safe_eval.UnsafeExpressionError, safe_eval.ExpressionEvaluationError) as err:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {err}", task=task, exception=err
            ) from err

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        try:
            safe_eval.execute(script, task.data, self.functions)
        except (safe_eval.UnsafeExpressionError, safe_eval.ExpressionEvaluationError) as err:
            raise WorkflowTaskException(f"Error in script: {err}", task=task, exception=err) from err
        return True

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException("service tasks are not supported", task=task)
