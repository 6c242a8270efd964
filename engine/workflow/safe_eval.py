"""Safe evaluation of BPMN gateway conditions and script-task scripts: the public entry point.

SpiffWorkflow's default script engine hands flow-supplied source to eval/exec, so anyone who can upload a
flow could run ``__import__('os').system(...)``. Here the source is only ever given to ``ast.parse``: a
static validator refuses every construct that is not on an allow-list, and a small tree-walking interpreter
runs what is left, with budgets on steps, memory, the work of built-in calls, and time; scripts store only
values the workflow state keeps as they are (``task_values``). Only the standard library is used.

This module only re-exports; the code lives in ``expression_errors`` (the bilingual errors),
``expression_rules`` (limits, allow-lists, static validation) and ``expression_interpreter`` (evaluation
and execution).
"""

from __future__ import annotations

from engine.workflow.expression_errors import (
    EvaluationBudgetExceeded,
    ExpressionEvaluationError,
    UnsafeExpressionError,
    UnstorableValueError,
)
from engine.workflow.expression_interpreter import Functions, Scope, evaluate, execute
from engine.workflow.expression_rules import (
    DEFAULT_FUNCTIONS,
    MAX_ALLOCATION,
    MAX_COST,
    MAX_DEPTH,
    MAX_INT,
    MAX_ITERATIONS,
    MAX_NODES,
    MAX_OPERATIONS,
    MAX_SECONDS,
    MAX_SEQUENCE_LENGTH,
    MAX_SOURCE_LENGTH,
    validate_expression,
    validate_script,
)
from engine.workflow.expression_rules import _checked_tree as _checked_tree  # its cache is inspected by tests

__all__ = [
    "DEFAULT_FUNCTIONS",
    "MAX_ALLOCATION",
    "MAX_COST",
    "MAX_DEPTH",
    "MAX_INT",
    "MAX_ITERATIONS",
    "MAX_NODES",
    "MAX_OPERATIONS",
    "MAX_SECONDS",
    "MAX_SEQUENCE_LENGTH",
    "MAX_SOURCE_LENGTH",
    "EvaluationBudgetExceeded",
    "ExpressionEvaluationError",
    "Functions",
    "Scope",
    "UnsafeExpressionError",
    "UnstorableValueError",
    "evaluate",
    "execute",
    "validate_expression",
    "validate_script",
]
