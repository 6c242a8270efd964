"""What a case's items go through: decided by their department, returned for correction and
supplied again, or ended as not applicable. Each transition checks its rule before it changes the
item, and answers the result the department writes into the workflow (``results[item]``) and the
data of its event; ``Case`` records the event.

Each department writes under its own key, ``results[item_code]``: SpiffWorkflow merges branch data
at the parallel join in finishing order, so a shared key would let the last branch win."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.domain.decisions import (
    Approve,
    Decision,
    LicenceGrant,
    Reject,
    RequestCorrection,
    SupplyCorrection,
    approved_licence_number,
    correction_materials,
    correction_notes,
    rejection_reason,
    supplied_materials,
)
from engine.domain.model import SYSTEM, Actor, ItemStatus
from engine.domain.records import CaseItemRecord

Outcome = tuple[dict[str, Any], dict[str, Any]]
"""The item's result in the workflow, and its event's data."""


def _result(decision: str, actor: Actor, now: datetime) -> dict[str, Any]:
    return {"decision": decision, "decided_by": actor.user, "decided_at": now.isoformat()}


def _decided(item: CaseItemRecord, status: ItemStatus, decision: str, reason: str | None,
             licence_number: str | None, by: str, now: datetime) -> None:
    item.status, item.decision, item.reason, item.licence_number = status, decision, reason, licence_number
    item.decided_by, item.decided_at = by, now


def approved(item: CaseItemRecord, command: Approve, actor: Actor, now: datetime,
             grant: LicenceGrant | None) -> Outcome:
    """准予: an item that issues a licence carries its number (``approved_licence_number``)."""
    licence = approved_licence_number(item.item_code, command, grant)
    result = _result(Decision.APPROVE.value, actor, now)
    if licence:
        result["licence_number"] = licence
    comment = command.comment.strip()
    if comment:
        result["comment"] = comment
    _decided(item, ItemStatus.APPROVED, Decision.APPROVE.value, None, licence or None, actor.user, now)
    return result, {"item": item.item_code, "licence_number": licence or None}


def rejected(item: CaseItemRecord, command: Reject, actor: Actor, now: datetime) -> Outcome:
    """不予许可, with its written reason."""
    reason = rejection_reason(command)
    result = {**_result(Decision.REJECT.value, actor, now), "reason": reason}
    _decided(item, ItemStatus.REJECTED, Decision.REJECT.value, reason, None, actor.user, now)
    return result, {"item": item.item_code, "reason": reason}


def correction_requested(item: CaseItemRecord, command: RequestCorrection, actor: Actor, now: datetime,
                         known_materials: Mapping[str, str] | None) -> Outcome:
    """补正: the item waits for the materials named, one round more (``MAX_CORRECTION_ROUNDS``)."""
    materials = correction_materials(command, item.corrections, known_materials)
    notes = correction_notes(command, materials, known_materials)
    reason = command.reason.strip()
    result: dict[str, Any] = {**_result(Decision.CORRECT.value, actor, now), "materials": materials}
    if reason:
        result["reason"] = reason
    if notes:
        result["notes"] = notes
    item.status = ItemStatus.CORRECTION_REQUESTED
    item.corrections += 1
    item.materials_requested = list(materials)
    event = {"item": item.item_code, "materials": materials, "reason": reason}
    return result, {**event, "notes": notes} if notes else event


def correction_supplied(item: CaseItemRecord, command: SupplyCorrection,
                        known_materials: Mapping[str, str] | None) -> tuple[list[str], dict[str, Any]]:
    """The applicant supplied what the correction asked for: the item is in review again. Answers
    the materials supplied (by key) and the event's data."""
    supplied = supplied_materials(command, item.materials_requested, known_materials)
    item.status, item.materials_requested = ItemStatus.IN_REVIEW, []
    data = {"item": item.item_code, "supplied": supplied, "comment": command.comment.strip() or None}
    if command.online:
        data["channel"] = "online"
    return supplied, data


def not_applicable(item: CaseItemRecord, reason: str, now: datetime) -> None:
    """The item is not decided: the system ends it, with the reason (a prerequisite refused)."""
    _decided(item, ItemStatus.NOT_APPLICABLE, "not_applicable", reason, item.licence_number, SYSTEM.user, now)
