"""What checking an uploaded BPMN flow found: problems with a stable rule code, for the administrator.

Plain data, no I/O: ``engine.workflow.flow_check`` produces a ``FlowReport`` and the API turns it into JSON
with ``to_dict()``. Each problem names the rule it breaks (a ``FlowRule`` value, stable across releases so
that clients may key on it), the element and source line where there is one, and says what is wrong in
Chinese (shown to the administrator) and English (for logs and foreign tools).

A report is bounded whatever the file holds: names and ids quoted inside a message are cut to ``QUOTED_CHARS``
(``quoted``), a problem's element id and messages to ``MAX_ID_CHARS`` and ``MAX_MESSAGE_CHARS``, and a report
lists at most ``MAX_PROBLEMS`` problems and then says how many more there were; each cut ends in an ellipsis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from engine.domain.errors import InvalidInput

QUOTED_CHARS = 60
"""Characters of a name, id or expression quoted inside a message."""
MAX_ID_CHARS = 200
MAX_MESSAGE_CHARS = 600
ELLIPSIS = "…"


def shortened(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def quoted(text: str | None, limit: int = QUOTED_CHARS) -> str:
    """``text`` quoted as in ``{text!r}``, at most ``limit`` of its characters: a 1 MB name is not echoed."""
    return repr(shortened(text, limit)) if text is not None else "None"


def listed(values: Sequence[str], separator: str, limit: int = 10) -> str:
    """Up to ``limit`` of ``values``, each bounded, joined by ``separator``; the rest counted after an ellipsis."""
    shown = separator.join(shortened(v, QUOTED_CHARS) for v in values[:limit])
    return shown if len(values) <= limit else f"{shown}{separator}{ELLIPSIS}(+{len(values) - limit})"


Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


class FlowRule(StrEnum):
    """The stable code of every check. An error blocks deployment; a warning does not."""

    # The file itself (engine.workflow.flow_xml)
    TOO_LARGE = "too-large"
    EMPTY = "empty"
    ENCODING = "encoding"
    ENCODING_DECLARATION = "encoding-declaration"
    DOCTYPE = "doctype"
    NOT_XML = "not-xml"
    NOT_BPMN = "not-bpmn"
    # Which process runs
    NO_PROCESS = "no-executable-process"
    PROCESS_NOT_FOUND = "process-not-found"
    PROCESS_NOT_EXECUTABLE = "process-not-executable"
    SEVERAL_PROCESSES = "several-executable-processes"
    DUPLICATE_ID = "duplicate-id"
    # SpiffWorkflow's own parser
    SPIFF_REJECTED = "spiff-rejected"
    UNPARSEABLE = "unparseable"
    # The one-thing conventions
    INTAKE_MISSING = "intake-missing"
    INTAKE_SEVERAL = "intake-several"
    PICKUP_MISSING = "pickup-missing"
    PICKUP_SEVERAL = "pickup-several"
    WINDOW_LANE = "window-lane"
    UNKNOWN_DEPARTMENT = "unknown-department"
    NO_LANE = "no-lane"
    UNKNOWN_KIND = "unknown-kind"
    NO_KIND = "no-kind"
    KIND_IGNORED = "kind-ignored"
    APPROVAL_MISSING = "approval-missing"
    APPROVAL_LANE = "approval-lane"
    INSPECTION_LANE = "inspection-lane"
    APPROVAL_SEVERAL = "approval-several"
    ITEM_MISSING = "item-missing"
    UNKNOWN_ITEM = "unknown-item"
    BUNDLE_INVALID = "bundle-invalid"
    # The shape of the graph
    MISSING_FLOW = "missing-flow"
    FLOW_MISMATCH = "flow-mismatch"
    DANGLING_FLOW = "dangling-flow"
    UNDECLARED_FLOW = "undeclared-flow"
    NO_START = "no-start"
    DEAD_END = "dead-end"
    UNREACHABLE = "unreachable"
    PARALLEL_UNJOINED = "parallel-unjoined"
    PARALLEL_UNCHECKED = "parallel-unchecked"
    CONDITION_IGNORED = "condition-ignored"
    AUTOMATIC_LOOP = "automatic-loop"
    LOOP_UNBOUNDED = "loop-unbounded"
    TOO_MANY_BRANCHES = "too-many-branches"
    # Expressions, scripts and timers
    TIMER_EXPRESSION = "timer-expression"
    CONDITION_REFUSED = "condition-refused"
    SCRIPT_REFUSED = "script-refused"
    # What the engine does not run
    UNSUPPORTED_ELEMENT = "unsupported-element"
    LIMITED_ELEMENT = "limited-element"
    # The report itself
    TOO_MANY_PROBLEMS = "too-many-problems"


@dataclass(frozen=True)
class FlowProblem:
    element_id: str | None
    rule: str
    """A ``FlowRule`` value."""
    severity: Severity
    message_zh: str
    message_en: str
    line: int | None = None

    def __post_init__(self) -> None:
        # Frozen: the bounded values are set once, here, whoever built the problem.
        if self.element_id is not None:
            object.__setattr__(self, "element_id", shortened(self.element_id, MAX_ID_CHARS))
        object.__setattr__(self, "message_zh", shortened(self.message_zh, MAX_MESSAGE_CHARS))
        object.__setattr__(self, "message_en", shortened(self.message_en, MAX_MESSAGE_CHARS))

    @classmethod
    def error(cls, rule: FlowRule, element_id: str | None, line: int | None, zh: str, en: str) -> FlowProblem:
        return cls(element_id, rule.value, ERROR, zh, en, line)

    @classmethod
    def warning(cls, rule: FlowRule, element_id: str | None, line: int | None, zh: str, en: str) -> FlowProblem:
        return cls(element_id, rule.value, WARNING, zh, en, line)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        return {
            "element_id": self.element_id, "rule": self.rule, "severity": self.severity,
            "message_zh": self.message_zh, "message_en": self.message_en, "line": self.line,
        }


@dataclass(frozen=True)
class FlowReport:
    """Everything found in one file, errors first then in source order. ``ok`` means deployable."""

    problems: list[FlowProblem] = field(default_factory=list)
    process_id: str | None = None
    """The process that would run, once one could be chosen."""
    process_name: str | None = None

    @property
    def errors(self) -> list[FlowProblem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[FlowProblem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def rules(self) -> set[str]:
        """The rule codes broken, errors and warnings alike."""
        return {p.rule for p in self.problems}

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "process_id": self.process_id, "process_name": self.process_name,
            "error_count": len(self.errors), "warning_count": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }


MAX_PROBLEMS = 200
"""A report lists at most this many problems (errors first), then says how many more there were: with the
bounds on each problem, an answer stays under about a megabyte whatever the file."""


def ordered(problems: list[FlowProblem], limit: int = MAX_PROBLEMS) -> list[FlowProblem]:
    """Errors before warnings, each in source order (problems without a line last), at most ``limit`` of them
    and a last warning counting the rest."""
    found = sorted(problems, key=lambda p: (p.severity != ERROR, p.line is None, p.line or 0))
    if len(found) <= limit:
        return found
    rest = len(found) - limit
    errors = sum(1 for p in found[limit:] if p.severity == ERROR)
    summary = FlowProblem.warning(FlowRule.TOO_MANY_PROBLEMS, None, None,
                                  f"问题过多，另有 {rest} 个未列出（其中错误 {errors} 个）",
                                  f"too many problems; {rest} more not listed ({errors} of them errors)")
    return [*found[:limit], summary]


class FlowRefused(InvalidInput):
    """A flow that may not become (or be deployed as) a version of a bundle: the report's errors, as field
    errors keyed ``xml`` (the file) or ``xml.<element id>``, and every problem in ``details()['problems']``."""

    code = "flow_refused"

    def __init__(self, report: FlowReport, message: str, message_zh: str) -> None:
        errors: dict[str, list[str]] = {}
        for problem in report.errors:
            key = "xml" if problem.element_id is None else f"xml.{problem.element_id}"
            errors.setdefault(key, []).append(problem.message_zh)
        super().__init__(message, message_zh, errors)
        self.report = report

    def details(self) -> dict[str, Any]:
        return {"problems": [p.to_dict() for p in self.report.problems]}
