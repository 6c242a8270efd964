"""Conditions written in JUEL/EL (``${approved}``, ``#{amount > 1000 && !urgent}``) or FEEL (``= approved``):
what Camunda, Activiti and Flowable modellers write, and what the engine does not run.

The safe evaluator refuses them as a Python syntax error, which tells an administrator nothing. For such a
sequence-flow condition, ``juel_problems`` puts in place of that refusal one that says what the condition is,
that the engine wants its safe expression language (a safe subset of Python expressions), and, for JUEL with a
direct equivalent that the safe evaluator accepts, gives it (``${a && !b}`` -> ``a and not b``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from engine.domain.flow_problems import FlowProblem, FlowRule, quoted
from engine.workflow.flow_model import FlowModel
from engine.workflow.safe_eval import UnsafeExpressionError, validate_expression

_JUEL = re.compile(r"\A\s*[$#]\{(?P<body>.*)\}\s*\Z", re.DOTALL)
_TOKEN = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*|\d+(?:\.\d+)?|&&|\|\||!=|!|==|<=|>=|\S""")
_WORDS = {"and": "and", "or": "or", "not": "not", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=",
          "ge": ">=", "div": "/", "mod": "%", "null": "None", "true": "True", "false": "False", "empty": "not"}
_SYMBOLS = {"&&": "and", "||": "or", "!": "not"}


def is_juel(expression: str) -> bool:
    return _JUEL.match(expression) is not None


def safe_equivalent(expression: str, functions: Collection[str] = ()) -> str | None:
    """The safe expression language's form of the JUEL/EL ``expression``, when there is a direct one the safe
    evaluator accepts; None otherwise (method calls such as ``execution.getVariable``, nested ``${}``...)."""
    found = _JUEL.match(expression)
    if found is None:
        return None
    body = found.group("body")
    if "${" in body or "#{" in body:
        return None
    tokens = [_SYMBOLS.get(t, _WORDS.get(t, t)) for t in _TOKEN.findall(body)]
    candidate = " ".join(tokens)
    candidate = re.sub(r"\s+([.,)\]])", r"\1", candidate)
    candidate = re.sub(r"([(\[.])\s+", r"\1", candidate)
    candidate = re.sub(r"(\w)\s+([(\[])", r"\1\2", candidate)
    if not candidate.strip():
        return None
    try:
        validate_expression(candidate, functions)
    except UnsafeExpressionError:
        return None
    except (SyntaxError, ValueError):
        return None
    return candidate


def juel_problems(model: FlowModel, problems: Iterable[FlowProblem],
                  functions: Collection[str] = ()) -> list[FlowProblem]:
    """``problems`` with each ``condition-refused`` of a sequence flow whose condition is JUEL/EL replaced by one
    that says so and gives the equivalent in the engine's expression language where there is one."""
    answer: list[FlowProblem] = []
    for problem in problems:
        flow = model.flows.get(problem.element_id or "") if problem.rule == FlowRule.CONDITION_REFUSED.value else None
        if flow is None or flow.condition is None:
            answer.append(problem)
            continue
        text = quoted(flow.condition.strip())
        if flow.condition.strip().startswith("="):
            answer.append(FlowProblem.error(
                FlowRule.CONDITION_REFUSED, problem.element_id, problem.line,
                f"条件表达式 {text} 是 FEEL 表达式（Camunda 8 / Zeebe 的写法，以 = 开头），引擎不运行它："
                "引擎的条件用自己的安全表达式语言（Python 表达式的一个安全子集），"
                "例如 results['a']['decision'] == 'approve'",
                f"the condition {text} is a FEEL expression (as Camunda 8 / Zeebe write them, starting with =), which "
                "the engine does not run: its conditions use the engine's safe expression language (a safe subset "
                "of Python expressions), e.g. results['a']['decision'] == 'approve'"))
            continue
        if not is_juel(flow.condition):
            answer.append(problem)
            continue
        equivalent = safe_equivalent(flow.condition, functions)
        if equivalent is None:
            hint_zh = "请按引擎的写法改写，例如 results['a']['decision'] == 'approve'"
            hint_en = "rewrite it in the engine's language, e.g. results['a']['decision'] == 'approve'"
        else:
            hint_zh = f"等价的写法是 {quoted(equivalent)}"
            hint_en = f"the equivalent is {quoted(equivalent)}"
        answer.append(FlowProblem.error(
            FlowRule.CONDITION_REFUSED, problem.element_id, problem.line,
            f"条件表达式 {text} 是 JUEL/EL 表达式（Camunda、Activiti、Flowable 的写法），引擎不运行它："
            f"引擎的条件用自己的安全表达式语言（Python 表达式的一个安全子集，不加 ${{}}）；{hint_zh}",
            f"the condition {text} is a JUEL/EL expression (as Camunda, Activiti and Flowable write them), which the "
            f"engine does not run: its conditions use the engine's safe expression language (a safe subset of "
            f"Python expressions, without ${{}}); {hint_en}"))
    return answer
