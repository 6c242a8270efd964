"""Turning use-case results into the dictionaries the wire schemas dump."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from engine.domain.incidents import open_incidents
from engine.domain.model import Bundle, ItemStatus, TaskState
from engine.domain.records import AuditEventRecord, CaseItemRecord, CaseRecord, EventRecord, TaskRecord
from engine.services.case_detail import CaseDetail, people_of
from engine.services.clocks import clock_fields
from engine.services.context import ServiceContext
from engine.services.views import BundleView, people_names
from forms.identifiers import mask_id, mask_phone
from forms.masking import PRESENTED


def _unmasked(value: Any) -> Any:
    return value


def masked_applicant(applicant: dict[str, Any]) -> dict[str, Any]:
    """The applicant's own identifier and phone are masked whatever they hold (a credit code
    too); any other personal number in the applicant's data by what it is."""
    masked: dict[str, Any] = PRESENTED.value(applicant)
    if "id_number" in masked:
        masked["id_number"] = mask_id(str(applicant["id_number"]))
    if "phone" in masked and masked["phone"] == applicant["phone"]:
        masked["phone"] = mask_phone(str(applicant["phone"]))
    return masked


def case_summary(case: CaseRecord) -> dict[str, Any]:
    return {
        "id": case.id, "number": case.number, "bundle": case.bundle_code, "status": case.status,
        "applicant_name": case.applicant.get("name", ""),
        "applicant_id_number": mask_id(str(case.applicant.get("id_number", ""))),
        "accepted_at": case.accepted_at, "accepted_by": case.accepted_by, "closed_at": case.closed_at,
        "accepted_point": case.accepted_point, "handover_point": case.handover_point,
    }


def task_view(task: TaskRecord, ctx: ServiceContext | None = None,
              names: dict[str, str] | None = None) -> dict[str, Any]:
    """``names``: display names by login, for the assignee's and the completer's names."""
    clock = clock_fields(task.limit_days, task.due_on, task.colour, task.paused_since is not None, ctx,
                         task.statutory_days) \
        if ctx is not None and TaskState(task.state).is_open else None
    return {
        "id": task.id, "case_id": task.case_id, "case_number": task.case_number, "bundle": task.bundle_code,
        "department": task.department, "item": task.item_code, "kind": task.kind, "name": task.name,
        "title": task.title, "state": task.state, "created_at": task.created_at, "claimed_at": task.claimed_at,
        "completed_at": task.completed_at, "assignee": task.assignee, "completed_by": task.completed_by,
        "assignee_name": (names or {}).get(task.assignee or ""),
        "completed_by_name": (names or {}).get(task.completed_by or ""),
        "decision": task.decision, "clock": clock,
    }


def _item_view(bundle: Bundle, item: CaseItemRecord, mask: Callable[[Any], Any] = _unmasked) -> dict[str, Any]:
    spec = bundle.item(item.item_code)
    return {
        "code": item.item_code, "name": spec.name if spec else item.item_code,
        "department": item.department, "department_name": bundle.department_name(item.department),
        "status": item.status, "decision": item.decision, "reason": mask(item.reason),
        "licence_number": item.licence_number, "decided_by": item.decided_by, "decided_at": item.decided_at,
        "corrections": item.corrections, "materials_requested": item.materials_requested,
        "inspection": mask(item.inspection) if item.inspection else None,
        "inspection_name": spec.inspection if spec else None,
    }


def _event_view(event: EventRecord, mask: Callable[[Any], Any] = _unmasked,
                names: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "seq": event.seq, "type": event.type,
        "who": {"user": event.actor_user, "name": (names or {}).get(event.actor_user),
                "department": event.actor_department, "role": event.actor_role, "address": event.actor_address},
        "at": event.occurred_at, "task_id": event.task_id, "data": mask(event.data),
    }


def case_detail(detail: CaseDetail, ctx: ServiceContext | None = None,
                known: dict[str, str] | None = None) -> dict[str, Any]:
    """``known``: people's names the caller has already (the signed-in person's own)."""
    case, bundle = detail.case, detail.bundle
    names = detail.names
    if names is None:  # the answer to a change: its people's names are read after its commit
        people = people_of(case, detail.items, detail.tasks, detail.events)
        names = people_names(ctx, people, known) if ctx else {}
    # Whoever does not handle the case sees every personal number masked, wherever it is written:
    # the form, refusal and correction reasons, the timeline's data (a rating's comment among them).
    mask = _unmasked if detail.personal_data else PRESENTED.value
    items = [_item_view(bundle, i, mask) for i in detail.items]
    departments: dict[str, dict[str, Any]] = {}
    for item in detail.items:
        dept = departments.setdefault(item.department, {
            "code": item.department, "name": bundle.department_name(item.department),
            "items": 0, "approved": 0, "rejected": 0, "not_applicable": 0, "pending": 0})
        dept["items"] += 1
        key = {ItemStatus.APPROVED: "approved", ItemStatus.REJECTED: "rejected",
               ItemStatus.NOT_APPLICABLE: "not_applicable"}.get(ItemStatus(item.status), "pending")
        dept[key] += 1
    receipt = {
        "case_number": case.number, "bundle_name": bundle.name, "applicant_name": case.applicant.get("name"),
        "accepted_at": case.accepted_at, "accepted_by": case.accepted_by,
        "accepted_by_name": names.get(case.accepted_by), "channel": case.channel,
        "promised_by": case.due_on.isoformat() if case.due_on else None,
        "items": [{"code": i.code, "name": i.name,
                   "department_name": bundle.department_name(case.routing.get(i.department, i.department)),
                   "promised_days": i.promised_days} for i in bundle.items],
    }
    return {
        **case_summary(case),
        "bundle_name": bundle.name, "channel": case.channel, "intake_place": case.intake_place,
        "agent": case.agent, "agent_name": names.get(case.agent or ""),
        "applicant": case.applicant if detail.personal_data else masked_applicant(case.applicant),
        "personal_data": "full" if detail.personal_data else "masked",
        "form": mask(case.form),
        "materials": case.materials, "prefilled": case.prefilled, "materials_due": case.materials_due,
        "items": items, "departments": list(departments.values()),
        "clock": clock_fields(case.limit_days, case.due_on, case.colour,
                              any(t.paused_since for t in detail.tasks if TaskState(t.state).is_open), ctx,
                              case.statutory_days)
        if ctx is not None and case.status == "in_review" else None,
        "open_tasks": [task_view(t, ctx, names) for t in detail.tasks if TaskState(t.state).is_open],
        "tasks": [task_view(t, ctx, names) for t in detail.tasks],
        "people": names,
        "timeline": [_event_view(e, mask, names) for e in detail.events],
        # Read from the case's own events (IncidentOpened without its IncidentResolved): no query more.
        "incidents": [mask(i) for i in open_incidents(detail.events)],
        "receipt": receipt,
        "results": {
            "granted": [i for i in items if i["status"] == ItemStatus.APPROVED],
            "refused": [i for i in items if i["status"] == ItemStatus.REJECTED],
            "not_applicable": [i for i in items if i["status"] == ItemStatus.NOT_APPLICABLE],
        },
    }


def bundle_view(view: BundleView) -> dict[str, Any]:
    bundle, record = view.bundle, view.record
    deployed = next((v.version for v in view.versions if v.id == record.deployed_version_id), None)
    return {
        "code": bundle.code, "name": bundle.name, "deployed_version": deployed,
        "items": [{"code": i.code, "name": i.name, "department": i.department,
                   "department_name": bundle.department_name(i.department),
                   "statutory_days": i.statutory_days, "promised_days": i.promised_days} for i in bundle.items],
        "versions": [{"id": v.id, "version": v.version, "process_id": v.process_id, "sha256": v.sha256,
                      "source": v.source, "created_at": v.created_at, "deployed_at": v.deployed_at,
                      "current": v.id == record.deployed_version_id} for v in view.versions],
    }


def audit_event_view(event: AuditEventRecord) -> dict[str, Any]:
    """An account or administration event for its readers (administrators, supervisors), who handle
    no case: an applicant's ID number in a subject (``applicant:<ID>`` of a bad credit record) or
    anywhere in the data is masked."""
    view = asdict(event)
    view["subject"] = PRESENTED.text(event.subject)
    view["data"] = PRESENTED.value(event.data)
    return view
