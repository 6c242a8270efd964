"""The savings counting rules a deployment configures (ONETHING_SAVINGS_RULES)."""

from __future__ import annotations

import pytest

from engine.domain.model import TaskKind
from engine.domain.savings_config import counting_rules_from_json
from engine.domain.savings_rules import DEFAULT_RULES, CountingRules, TimeBaseline, TripKind


def test_nothing_configured_is_domain_md() -> None:
    assert counting_rules_from_json("") == counting_rules_from_json("{}") == DEFAULT_RULES == CountingRules()


def test_each_kind_of_member_is_read() -> None:
    rules = counting_rules_from_json(
        '{"approvals_as_one_step": true, "time_baseline": "chain", "mailed_result_trips": 1,'
        ' "counted_trip_kinds": ["intake", "pickup"], "counted_step_kinds": ["approval"],'
        ' "published_baselines": ["steps"], "least_item_days": 0}')
    assert rules.approvals_as_one_step is True and rules.time_baseline is TimeBaseline.CHAIN
    assert rules.mailed_result_trips == 1
    assert rules.counted_trip_kinds == frozenset({TripKind.INTAKE, TripKind.PICKUP})
    assert rules.counted_step_kinds == frozenset({TaskKind.APPROVAL})
    assert rules.published_baselines == frozenset({"steps"})
    assert rules.least_item_days == 0 and DEFAULT_RULES.least_item_days == 1
    assert rules.exclude_pauses is DEFAULT_RULES.exclude_pauses


@pytest.mark.parametrize("text", [
    "[]", '{"approvals_as_one_step": 1}', '{"mailed_result_trips": true}', '{"mailed_result_trips": -1}',
    '{"time_baseline": "longest"}', '{"counted_trip_kinds": "intake"}', '{"published_baselines": ["fees"]}',
    '{"no_such_rule": 1}', '{"least_item_days": -1}', '{"least_item_days": 1.5}',
])
def test_nonsense_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        counting_rules_from_json(text)
