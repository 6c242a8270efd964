"""The stored workflow format, and how a state stored by an earlier release is read.

A stored state (``workflow_states.state``) is SpiffWorkflow's serialization of the case's workflow
without the process spec (engine/workflow/state_serializer.py), carrying two version keys:

- ``serializer_version``: SpiffWorkflow's own serializer format ("1.5" for SpiffWorkflow 3.2.0),
  under SpiffWorkflow's own key, so that after an upgrade SpiffWorkflow's version migrations (its
  serializer's ``migrate``, keyed by this value) bring the tasks to the new release's format;
- ``stored_format``: ours (``FORMAT``), which names what we put around SpiffWorkflow's dictionaries
  (the spec left out, these keys). Format 1 had no such key.

Reading a state runs, before SpiffWorkflow restores it: first our steps (``STEPS``, one per format
number, each bringing a state of that format to the next), then SpiffWorkflow's migrations when
its format is older than the running release's (``upgrade_spiff_format``, which puts the spec back
for them to read, since SpiffWorkflow's migrations expect it, and takes it out again). A state of
a format this release does not know (a later release's, or one whose step is missing) is refused
with ``StoredFormatUnknown``, never guessed at.

Changing what we store means: raise ``FORMAT``, add the step from the previous number to
``STEPS``, and write a fixture of the new format with tools/write_workflow_state_fixture.py, keeping
the older ones (tests/unit/test_workflow_format.py reads every fixture and completes its case).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer

from engine.workflow.step_errors import WorkflowError

FORMAT = 2
FORMAT_KEY = "stored_format"
SPIFF_FORMAT_KEY = BpmnWorkflowSerializer.VERSION_KEY

FORMAT_1_LABEL = "spiff-3.2.0/specless-1"
"""What format 1 wrote under ``serializer_version``: SpiffWorkflow's release and our layout in one
label, which SpiffWorkflow's migrations could not be keyed by. It is also the value of the
``workflow_states.serializer_version`` column for every state of this family (``SERIALIZER_VERSION``),
kept so that the rows written before stay readable; the exact format is the one inside the JSON."""

SPIFF_3_2_FORMAT = "1.5"
"""The serializer format SpiffWorkflow 3.2.0 writes, the release format 1 was written with."""


class StoredFormatUnknown(WorkflowError):
    """A stored state whose format this release cannot read."""


Step = Callable[[dict[str, Any]], None]


def _from_format_1(dct: dict[str, Any]) -> None:
    """Format 1 wrote ``FORMAT_1_LABEL`` where SpiffWorkflow keeps its serializer format; every
    format 1 state was written by SpiffWorkflow 3.2.0, so that format is 1.5."""
    if dct.get(SPIFF_FORMAT_KEY) != FORMAT_1_LABEL:
        raise StoredFormatUnknown(f"a format 1 state labelled {dct.get(SPIFF_FORMAT_KEY)!r}")
    dct[SPIFF_FORMAT_KEY] = SPIFF_3_2_FORMAT


STEPS: dict[int, Step] = {1: _from_format_1}
"""Format number -> the step that brings a state of that format to the next number, in place."""


def format_of(dct: dict[str, Any]) -> int:
    """The stored format of the state ``dct``."""
    number = dct.get(FORMAT_KEY)
    if number is None:
        if dct.get(SPIFF_FORMAT_KEY) == FORMAT_1_LABEL:
            return 1
        raise StoredFormatUnknown(f"a stored state without a format number, labelled {dct.get(SPIFF_FORMAT_KEY)!r}")
    if type(number) is not int:
        raise StoredFormatUnknown(f"a stored format number that is not a number: {number!r}")
    return number


def upgrade(dct: dict[str, Any]) -> None:
    """Bring the state ``dct`` to ``FORMAT`` in place, step by step."""
    number = format_of(dct)
    if number > FORMAT:
        raise StoredFormatUnknown(f"stored format {number} is of a later release; this one reads up to {FORMAT}")
    while number < FORMAT:
        step = STEPS.get(number)
        if step is None:
            raise StoredFormatUnknown(f"no step reads stored format {number} (this release writes {FORMAT})")
        step(dct)
        number += 1
        dct[FORMAT_KEY] = number
