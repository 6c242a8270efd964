"""The bounds of a timer's value, the same at upload (``flow_expressions``) and at run time (``script_engine``).

SpiffWorkflow turns a duration into days by walking it month by month (``P2000000Y`` is 24 million steps,
about half a minute) and adds it to the current time, which overflows past the year 9999 (``P8000Y``,
``P99999999999D``: an ``OverflowError``). So a timer's value is checked here before SpiffWorkflow parses it:
a duration (alone or as a cycle's interval) may not exceed ``MAX_TIMER_YEARS`` years, a date must be one
SpiffWorkflow reads, and ``working_days(N)`` takes N from 0 to ``MAX_WORKING_DAYS`` as the run-time helper
(``engine.services.timers``) does.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

from engine.workflow.expression_errors import ExpressionEvaluationError

MAX_TIMER_YEARS = 10
MAX_TIMER_DAYS = 366 * MAX_TIMER_YEARS
"""The longest duration a timer may wait, counted generously (a year as 366 days, a month as 31)."""
MAX_WORKING_DAYS = 366
WORKING_DAYS = "working_days"
TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")

_DURATION = re.compile(r"P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?")
_DAYS_PER_UNIT = (366, 31, 7, 1, 1 / 24, 1 / 1440)
_CYCLE = re.compile(r"R(\d*)/(.+)")
_KINDS: tuple[tuple[type[Any], str], ...] = (
    (CycleTimerEventDefinition, "timeCycle"), (DurationTimerEventDefinition, "timeDuration"),
    (TimeDateEventDefinition, "timeDate"),
)


class TimerValueError(ExpressionEvaluationError):
    """A timer's value (what its expression evaluated to) is invalid or beyond the bounds above."""


Reason = tuple[str, str]
"""Why a value is refused: (Chinese, English)."""


def timer_kind(task_spec: Any) -> str | None:
    """``timeDate``, ``timeDuration`` or ``timeCycle`` for a SpiffWorkflow task spec of a timer event, else None."""
    definition = getattr(task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return None
    return next((kind for cls, kind in _KINDS if isinstance(definition, cls)), None)


def timer_value_reason(kind: str, value: Any) -> Reason | None:
    """Why ``value`` cannot be the value of a timer of ``kind``; None when SpiffWorkflow may have it."""
    if not isinstance(value, str):
        return f"值不是文本（{type(value).__name__}）", f"the value is not text ({type(value).__name__})"
    if kind == "timeDuration":
        return duration_reason(value)
    if kind == "timeDate":
        return date_reason(value)
    match = _CYCLE.fullmatch(value.upper())
    if match is None:
        return "循环须写作 R[次数]/时长（如 R3/PT1H）", "a cycle is written R[count]/duration (such as R3/PT1H)"
    parts = match.group(2).split("/")
    durations = [part for part in parts if part.startswith("P")]
    if len(parts) > 2 or len(durations) != 1:
        return "循环须恰有一个时长", "a cycle needs exactly one duration"
    reasons = [duration_reason(part) if part.startswith("P") else date_reason(part) for part in parts]
    found = next((reason for reason in reasons if reason is not None), None)
    if found is not None:
        return found
    try:  # bounded now: the duration's month walk is at most MAX_TIMER_YEARS * 12 steps
        TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # SpiffWorkflow's parser raises whatever its input provokes
        return "不是有效的 ISO 8601 循环", "not a valid ISO 8601 cycle"
    return None


def duration_reason(value: str) -> Reason | None:
    """Why ``value`` is not an ISO 8601 duration of at most ``MAX_TIMER_YEARS`` years; None when it is."""
    match = _DURATION.fullmatch(value)
    if match is None:
        return "不是有效的 ISO 8601 时长", "not a valid ISO 8601 duration"
    *units, seconds = match.groups()
    if any(amount is not None and len(amount) > 20 for amount in match.groups()):  # int() of 5,000 digits fails
        days = float("inf")
    else:
        days = sum(int(amount) * per for amount, per in zip(units, _DAYS_PER_UNIT, strict=True) if amount)
        days += float(seconds.replace(",", ".")) / 86_400 if seconds else 0
    if days > MAX_TIMER_DAYS:
        return (f"时长超过 {MAX_TIMER_YEARS} 年（上限 {MAX_TIMER_DAYS} 天）",
                f"the duration is longer than {MAX_TIMER_YEARS} years (limit {MAX_TIMER_DAYS} days)")
    try:
        TimerEventDefinition.parse_iso_duration(value)
    except Exception:  # SpiffWorkflow's parser raises whatever its input provokes
        return "不是有效的 ISO 8601 时长", "not a valid ISO 8601 duration"
    return None


def date_reason(value: str) -> Reason | None:
    """Why ``value`` is not a date-time SpiffWorkflow reads; None when it is."""
    if value.upper().startswith("P"):
        return "应为日期时间，而不是时长", "a date-time is expected, not a duration"
    try:
        parsed = TimerEventDefinition.parse_time_or_duration(value)
    except Exception:  # SpiffWorkflow's parser raises whatever its input provokes (OverflowError near year 1)
        parsed = None
    if not isinstance(parsed, datetime):
        return "不是有效的 ISO 8601 日期时间", "not a valid ISO 8601 date-time"
    return None


def check_timer_value(kind: str, value: Any) -> None:
    """Raise ``TimerValueError`` when ``value`` cannot be the value of a timer of ``kind``."""
    reason = timer_value_reason(kind, value)
    if reason is not None:
        shown = repr(value)[:80]
        raise TimerValueError(f"the timer's value {shown} is refused: {reason[1]}",
                              f"计时器的值 {shown} 无效：{reason[0]}")
