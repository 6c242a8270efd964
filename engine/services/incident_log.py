"""Recording the steps a change halted at as incidents on the case, in the change's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine.domain.incidents import FailedStep, IncidentRecord, new_incident
from engine.domain.model import Actor
from engine.domain.records import CaseRecord
from engine.services.events import record_event
from engine.services.unit_of_work import UnitOfWork


def record_incidents(uow: UnitOfWork, case: CaseRecord, halted: Sequence[FailedStep], actor: Actor,
                     now: datetime) -> list[IncidentRecord]:
    """Open an incident for each halted step, unless one is open on the same element of the case
    already (a step that fails again before its retry is the same incident); each opened is an
    ``IncidentOpened`` event in the case's chain. The caller saves the case. Only a change that
    halted reads the case's open incidents: the happy path costs nothing more."""
    if not halted:
        return []
    known = {(i.element_id, i.task_id) for i in uow.incidents.open_for_case(case.id)}
    known_elements = {element for element, _ in known}
    opened = []
    for step in halted:
        if step.element_id in known_elements or (step.element_id, step.task_id) in known:
            continue
        incident = new_incident(case.id, case.number, case.bundle_code, case.flow_version_id, step, actor.user, now)
        uow.incidents.add(incident)
        record_event(uow, case, "IncidentOpened", actor, now, incident.event_data(), step.task_id)
        known_elements.add(step.element_id)
        opened.append(incident)
    return opened
