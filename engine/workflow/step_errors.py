"""The failures of a running flow, as ``engine.workflow`` raises them past its boundary.

``WorkflowError`` is any failure of the flow itself while it runs (no path matched, a stored state that does
not fit its flow...). ``StepFailed`` is the one class for an *automatic step* that failed at run time: a
script task or gateway condition the safe evaluator refused or stopped (an error, the cost or time budget
exceeded, a value task data cannot store), a timer whose value is out of bounds, a loop past its cap. It
names the BPMN element and says what went wrong in English and Chinese, so that callers (incidents, the
dry-run, the API's 409) can record and show it without knowing SpiffWorkflow.
"""

from __future__ import annotations

from enum import StrEnum


class WorkflowError(Exception):
    """The flow itself failed while running (a condition raised, no path matched...)."""


class StepFailure(StrEnum):
    """What kind of failure stopped an automatic step."""

    EXPRESSION = "expression"
    """The script or condition raised (a missing name, a division by zero, a refused construct...)."""
    BUDGET = "budget"
    """The evaluation exceeded its cost or time budget."""
    UNSTORABLE = "unstorable-data"
    """The script stored a value that task data cannot hold (a dict with non-text keys, a set...)."""
    TIMER = "timer"
    """A timer's value is invalid or out of bounds."""
    LOOP = "loop"
    """A loop ran past its cap."""
    OTHER = "other"
    """Anything else the workflow library refused while running the step."""


class StepFailed(WorkflowError):
    """An automatic step failed at run time.

    ``element_id`` and ``element_name`` are the BPMN id and label of the failing element (the name may be
    None); ``message`` and ``message_zh`` say what went wrong, without the element; ``failure`` is its kind.
    ``str()`` gives the English message prefixed by the element.
    """

    def __init__(self, element_id: str | None, element_name: str | None, message: str, message_zh: str,
                 failure: StepFailure = StepFailure.OTHER) -> None:
        label = element_id if not element_name or element_name == element_id else f"{element_name} ({element_id})"
        super().__init__(f"step {label}: {message}" if label else message)
        self.element_id = element_id
        self.element_name = element_name
        self.message = message
        self.message_zh = message_zh
        self.failure = failure

    @property
    def full_message_zh(self) -> str:
        """The Chinese message prefixed by the element, as ``str()`` does in English."""
        label = self.element_name or self.element_id
        return f"步骤 {label}：{self.message_zh}" if label else self.message_zh
