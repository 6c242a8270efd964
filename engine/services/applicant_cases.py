"""An applicant's own cases (网上办事): those whose application gave the mobile number the applicant
signed in with. Each shows its progress by department and what the applicant must do: the
materials a department asked to be corrected (and what is wrong with each), the tolerated materials
and their due day, the reasons of a refusal. Another's case answers as a missing one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.domain.access import Principal, applicant_phone
from engine.domain.applicant_channel import DeliveryChoice
from engine.domain.clocks import SHANGHAI
from engine.domain.decisions import RATINGS
from engine.domain.errors import NotFound
from engine.domain.model import ItemStatus, TaskKind, TaskState
from engine.domain.records import CaseRecord, EventRecord
from engine.persistence.case_search import CaseCriteria
from engine.services.catalogue import get_bundle_catalogue
from engine.services.context import ServiceContext
from engine.services.public_status import PublicStatus, progress_of
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import MaterialStatus

RATED = "ServiceRated"


@dataclass(frozen=True)
class Owed:
    """A material the applicant owes the case, and the files they uploaded for it since it was asked."""

    key: str
    name: str
    note: str = ""
    """What is wrong with it, as the department wrote."""
    uploaded: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ToDo:
    """Something the applicant must do for the case."""

    kind: str
    """``correction``, ``tolerated``."""
    title: str
    materials: list[Owed] = field(default_factory=list)
    reason: str = ""
    due: str | None = None
    item: str | None = None
    """The item a correction is for."""


@dataclass(frozen=True)
class Rating:
    rating: int
    label: str
    comment: str | None
    by: str


@dataclass(frozen=True)
class MyCase:
    progress: PublicStatus
    to_do: list[ToDo]
    refusals: list[tuple[str, str]]
    """(item name, reason)."""
    delivery: DeliveryChoice | None = None
    results_ready: bool = False
    """Every department has decided: the results wait to be handed over."""
    handed_over: dict[str, Any] | None = None
    """The handover's record: delivery, when, the mail's tracking number."""
    licences: list[tuple[str, str]] = field(default_factory=list)
    """(licence name, number) of the e-licences the case issued."""
    rating: Rating | None = None


def rating_of(events: list[EventRecord]) -> Rating | None:
    """The case's 好差评: the applicant's own, or the one the window recorded at an in-person pickup."""
    for event in reversed(events):
        if event.type in (RATED, "ResultsHandedOver") and event.data.get("rating") is not None:
            rating = int(event.data["rating"])
            return Rating(rating, RATINGS.get(rating, ""), event.data.get("rating_comment"), event.actor_user)
    return None


def own_case(uow: UnitOfWork, phone: str, number: str, lock: bool = False) -> CaseRecord:
    """The case ``number`` if its application gave ``phone``, or the agent who applied online for its
    applicant signed in with ``phone``; another's answers as a missing one."""
    ref = number.strip().upper()[:40]
    case = uow.cases.lock_by_number(ref) if lock else uow.cases.get_by_number(ref)
    if case is None or (str(case.applicant.get("phone") or "") != phone and uow.case_agents.agent_of(case.id) != phone):
        raise NotFound(f"you have no case {number!r}", f"您没有办件 {number}")
    return case


def my_cases(ctx: ServiceContext, principal: Principal, page: int = 1, per_page: int = 20) -> list[CaseRecord]:
    phone = applicant_phone(principal)
    with ctx.uow(False) as uow:
        return uow.reads.search_cases(CaseCriteria(party_phone=phone), page, per_page).items


def my_case(ctx: ServiceContext, principal: Principal, number: str) -> MyCase:
    phone = applicant_phone(principal)
    with ctx.uow(False) as uow:
        case = own_case(uow, phone, number)
        progress = progress_of(uow, case)
        items = uow.items.for_case(case.id)
        events = uow.events.for_case(case.id)
        tasks = uow.tasks.of_case(case.id)
        files = uow.material_files.for_case(case.id)
        delivery = uow.deliveries.get(case.id)
        licences = uow.elicences.of_case(case.id)
    catalogue = get_bundle_catalogue(ctx, case.bundle_code)
    bundle = catalogue.bundle
    names = {e.key: e.name for e in catalogue.checklist().entries}
    asked = {e.data.get("item"): e.data for e in events if e.type == "CorrectionRequested"}
    opened = {t.item_code: t.created_at for t in tasks if t.kind == TaskKind.CORRECTION and TaskState(t.state).is_open}

    def since(key: str, moment: datetime | None) -> list[str]:
        return [f.filename for f in files if f.material_key == key and moment is not None and f.uploaded_at >= moment
                and f.uploaded_by == phone]

    to_do = []
    for item in items:
        spec = bundle.item(item.item_code)
        title = f"{spec.name if spec else item.item_code}（{bundle.department_name(item.department)}）"
        if item.status == ItemStatus.CORRECTION_REQUESTED:
            data = asked.get(item.item_code, {})
            notes = dict(data.get("notes") or {})
            at = opened.get(item.item_code)
            to_do.append(ToDo("correction", title, [Owed(k, names.get(k, k), str(notes.get(k, "")), since(k, at))
                                                    for k in item.materials_requested],
                              str(data.get("reason") or ""), item=item.item_code))
    tolerated = [k for k, v in case.materials.items() if v == MaterialStatus.TOLERATED]
    if tolerated and case.materials_due is not None:
        to_do.append(ToDo("tolerated", "容缺受理的材料", [Owed(k, names.get(k, k), "", since(k, case.accepted_at))
                                                   for k in tolerated],
                          due=case.materials_due.astimezone(SHANGHAI).date().isoformat()))
    refusals = [(spec.name if (spec := bundle.item(i.item_code)) else i.item_code, i.reason or "")
                for i in items if i.status == ItemStatus.REJECTED]
    handed = next((e for e in reversed(events) if e.type == "ResultsHandedOver"), None)
    ready = any(t.kind == TaskKind.PICKUP and TaskState(t.state).is_open for t in tasks)
    return MyCase(progress, to_do, refusals, delivery, ready,
                  None if handed is None else {"at": handed.occurred_at, **handed.data},
                  [(str(catalogue.licences.get(x.type, {}).get("name", x.type)), x.number) for x in licences],
                  rating_of(events))
