"""The modeler's check of one expression agrees with the upload check of a whole flow: for the same condition
or timer value, both accept or both refuse (no database, no Flask)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest

from engine.domain.flow_problems import FlowRule
from engine.workflow.expression_check import check_expression
from tests.unit.flow_samples import CONDITION, flow
from tests.unit.test_flow_check import check, timer

FUNCTIONS = ("working_days",)  # what the engine's script engine adds (engine.bootstrap)

TIMERS = [
    ("timeDuration", '"PT2H"'), ("timeDuration", '"P3D"'), ("timeDate", "working_days(5)"),
    ("timeDate", "working_days(0)"), ("timeCycle", '"R3/PT1H"'), ("timeDuration", "PT2H"),
    ("timeDuration", '"2 hours"'), ("timeDate", '"PT2H"'), ("timeCycle", "working_days(2)"),
    ("timeDate", "working_days(-1)"), ("timeDate", "working_days(367)"), ("timeDuration", "working_days(5)"),
    ("timeDuration", "__import__('os')"), ("timeDuration", "days * 2"),
]
CONDITIONS = [
    CONDITION, "results['a']['decision'] in ('correct', 'reject')", "not results['a']['approved']",
    "__import__('os').system('id')", "results['a'].__class__", "results['a'] ==", "${approved && !urgent}",
    "= approved", "[x for x in range(10**9)]",
]


@pytest.mark.parametrize(("kind", "expression"), TIMERS)
def test_a_timer_value_is_judged_as_the_upload_judges_it(kind: str, expression: str) -> None:
    uploaded = check(timer(kind, escape(expression)), functions=FUNCTIONS)
    refused = any(p.rule == FlowRule.TIMER_EXPRESSION.value for p in uploaded.problems)
    verdict = check_expression(kind, expression, FUNCTIONS)
    assert verdict.ok is not refused, (verdict, uploaded.problems)
    assert verdict.ok or verdict.error_zh


@pytest.mark.parametrize("expression", CONDITIONS)
def test_a_condition_is_judged_as_the_upload_judges_it(expression: str) -> None:
    uploaded = check(flow((escape(CONDITION), escape(expression))), functions=FUNCTIONS)
    refused = any(p.rule == FlowRule.CONDITION_REFUSED.value for p in uploaded.problems)
    verdict = check_expression("condition", expression, FUNCTIONS)
    assert verdict.ok is not refused, (verdict, uploaded.problems)
    if not verdict.ok:
        assert verdict.error_zh and "syntax" not in verdict.error_zh


def test_a_juel_condition_gets_its_equivalent() -> None:
    assert check_expression("condition", "${a && !b}").suggestion == "a and not b"
