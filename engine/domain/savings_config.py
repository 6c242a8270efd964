"""The savings counting rules as a deployment configures them (``ONETHING_SAVINGS_RULES``): a JSON
object whose members are :class:`CountingRules` fields, e.g. ``{"approvals_as_one_step": true,
"published_baselines": ["steps", "time_days"]}``; every member left out keeps DOMAIN.md's rule."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from enum import StrEnum
from typing import Any

from engine.domain.model import TaskKind
from engine.domain.savings_rules import DEFAULT_RULES, CountingRules, TripKind

_SET_MEMBERS: Mapping[str, type[StrEnum] | type[str]] = {
    "counted_trip_kinds": TripKind, "counted_step_kinds": TaskKind, "published_baselines": str,
}


def _member(name: str, value: Any) -> Any:
    default = getattr(DEFAULT_RULES, name)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if isinstance(default, StrEnum):
        return type(default)(value)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of names")
    kind = _SET_MEMBERS[name]
    return frozenset(kind(v) for v in value)


def counting_rules_from(data: Mapping[str, Any]) -> CountingRules:
    """Rules from a mapping of field names to JSON values; an unknown name or a wrong value is a
    ValueError that says which."""
    known = {f.name for f in fields(CountingRules)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown savings counting rules {unknown}; known: {sorted(known)}")
    return CountingRules(**{name: _member(name, value) for name, value in data.items()})


def counting_rules_from_json(text: str) -> CountingRules:
    data = json.loads(text or "{}")
    if not isinstance(data, dict):
        raise ValueError("the savings counting rules are a JSON object")
    return counting_rules_from(data)
