"""Use cases of the window: start a case (一窗受理) and hand over its results (统一出件)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from engine.domain.access import Principal
from engine.domain.catalogue import format_case_number
from engine.domain.decisions import HandOver
from engine.domain.errors import Conflict, InvalidInput, NotFound, case_not_found
from engine.domain.hall import BookingState, TicketState
from engine.domain.inspections import WAIVED, site_checks
from engine.domain.model import Actor, Bundle, CaseStatus, Delivery, ItemStatus, TaskKind, TaskState
from engine.domain.policy import ensure_window
from engine.domain.records import CaseItemRecord, CaseRecord, TaskRecord, case_id_in
from engine.domain.registries import KINDS
from engine.domain.shared_data import AUTHORIZATION_METHODS, CaseSharedData
from engine.services.agent_consents import take_consent
from engine.services.case_detail import detail_after_change
from engine.services.catalogue import ApplicantData, applicant_data, get_bundle_catalogue
from engine.services.catalogue_cache import BundleCatalogue
from engine.services.clocks import start_case_clock
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.intake_points import ensure_handover_here, mandate_of, place_case, points_of, with_letter
from engine.services.progress import complete_in_workflow, flow_of, save_progress
from engine.services.shared_data import Gathered, Inquiry, asks_for, gather, subject_fields
from engine.services.tasks import complete_open_task
from engine.services.transactions import Applied, RequestKey, idempotent, in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.services.work_orders import rectify_poor_rating
from engine.workflow.case_workflow import CaseWorkflow
from forms.checklist import Checklist, MaterialStatus, assess
from forms.subjects import validate_applicant
from forms.unified import Prefilled, prefill, validate_form

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANNELS = ("window", "online")


@dataclass(frozen=True)
class StartCase:
    bundle_code: str
    applicant: dict[str, Any]
    actor: Actor
    channel: str = "window"
    request_key: RequestKey | None = None
    form: dict[str, Any] = field(default_factory=dict)
    """The unified form's values as the window entered them; pre-filled values need not be sent."""
    materials: dict[str, str] = field(default_factory=dict)
    """Material key -> submitted, elicence, commitment or tolerated (容缺)."""
    viewer: Principal | None = None
    """Who the answer is for: the new case's detail is then read in the same transaction."""
    authorization: str = "window"
    """How the applicant authorized looking up their data (``AUTHORIZATION_METHODS``)."""
    draft: str | None = None
    """The window's id for this intake: lookups made while preparing it join the case."""
    choose: dict[str, str] = field(default_factory=dict)
    """Where several registry records compete (two properties), the one the window picked."""
    booking: int | None = None
    """The booking (预约) this intake serves: it then names the case."""
    ticket: int | None = None
    """The queue ticket (叫号) of the applicant the window called: it is then served with this case."""
    handover_point: str | None = None
    """Where the results are to be handed over, when not at the accepting point (异地代收)."""
    place: str = "hall"
    """Where the intake took place (``PLACES``): the hall, or the applicant's home (上门办理)."""
    mandate: str | None = None
    """For an agent's intake (帮办代办): how the applicant authorized them (``MANDATES``)."""


@dataclass(frozen=True)
class PickUp:
    case_ref: str
    hand_over: HandOver
    actor: Actor
    request_key: RequestKey | None = None
    viewer: Principal | None = None
    """Who the answer is for: the case's detail is then read in the same transaction."""


def find_case(uow: UnitOfWork, ref: str, lock: bool = False) -> CaseRecord:
    """A case by its id or by its case number (办件编号)."""
    case_id = case_id_in(ref)
    if lock:
        case = uow.cases.lock(case_id) if case_id is not None else uow.cases.lock_by_number(ref)
    else:
        case = uow.cases.get(case_id) if case_id is not None else uow.cases.get_by_number(ref)
    if case is None:
        raise case_not_found(ref)
    return case


def start_case(cmd: StartCase, ctx: ServiceContext) -> Applied:
    ensure_window(cmd.actor, "受理办件")
    if cmd.channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", "受理渠道必须是 window 或 online",
                           {"channel": ["必须是 window 或 online"]})
    if cmd.authorization not in AUTHORIZATION_METHODS:
        raise InvalidInput(f"authorization must be one of {', '.join(AUTHORIZATION_METHODS)}",
                           "申请人授权方式无效", {"authorization": [f"应为 {'、'.join(AUTHORIZATION_METHODS)} 之一"]})
    applicant = {k: v.strip() if isinstance(v, str) else v for k, v in cmd.applicant.items()}
    shared = _look_up(ctx, cmd, applicant)

    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()
        return idempotent(uow, cmd.request_key, "case", lambda: _accept(uow, ctx, cmd, applicant, now, shared), now)

    return in_transaction(ctx, work)


def _look_up(ctx: ServiceContext, cmd: StartCase, applicant: dict[str, Any]) -> Gathered:
    """Ask the registries about the applicant before the case's transaction (each lookup audited).
    Which registries the bundle needs is taken from the bundle as this process last built it (the
    transaction reads it again, with the reference data's stamps, in the same statement as ever):
    after an administrator's edit, one intake per process may ask by the previous definition."""
    catalogue = ctx.catalogues.peek(cmd.bundle_code)
    if catalogue is None:
        try:
            catalogue = get_bundle_catalogue(ctx, cmd.bundle_code)
        except NotFound:
            return Gathered()  # refused inside, with the rest of what is wrong
    ref, agent = catalogue.subject.lookup_refs(applicant)
    if not ref:
        return Gathered().picked(cmd.choose)
    inquiry = Inquiry(cmd.actor, f"受理：{catalogue.bundle.name}", catalogue.bundle.code, cmd.draft)
    about = {key: str(cmd.form[key]) for key in subject_fields(catalogue) if isinstance(cmd.form.get(key), str)}
    return gather(ctx, inquiry, asks_for(catalogue, ref, agent, about)).picked(cmd.choose)


def _accept(uow: UnitOfWork, ctx: ServiceContext, cmd: StartCase, applicant: dict[str, Any],
            now: Any, shared: Gathered) -> Applied:
    bundle_row = uow.flows.bundle(cmd.bundle_code)
    if bundle_row is None:
        raise NotFound(f"no bundle {cmd.bundle_code!r}", f"没有编码为 {cmd.bundle_code} 的一件事")
    if bundle_row.deployed_version_id is None:
        raise Conflict(f"bundle {cmd.bundle_code!r} has no deployed flow",
                       f"一件事 {bundle_row.name} 尚未部署流程，暂不能受理")
    catalogue = ctx.catalogues.get(uow, bundle_row.definition)
    bundle = catalogue.bundle
    errors = {f"applicant.{k}": v for k, v in validate_applicant(applicant, catalogue.subject).items()}
    if errors:
        # The form and the checklist are checked in the same round: every error is told at once.
        also = ""
        try:
            _check_application(uow, catalogue, cmd, applicant, now, shared)
        except InvalidInput as err:
            errors.update(err.field_errors)
            also = "；申请表或材料清单也须补正，请按字段提示补正"
        raise InvalidInput("the applicant's data is incomplete or invalid", f"申请人信息不完整或有误{also}", errors)
    form, materials, prefilled, provenance = _check_application(uow, catalogue, cmd, applicant, now, shared)
    placed = place_case(catalogue.points, bundle, cmd.actor, cmd.handover_point, cmd.place)
    mandate = mandate_of(cmd.actor, cmd.mandate)
    materials = with_letter(materials, mandate)
    flow = flow_of(ctx, uow, bundle_row.deployed_version_id)
    day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    number = format_case_number(bundle.number_prefix, day, uow.counters.next(bundle.number_prefix, day))
    if mandate is not None and mandate["mandate"] == "online":
        consent = take_consent(uow, str(applicant.get("phone") or ""), bundle.code, placed.accepted, number, now)
        mandate = {**mandate, "consent": str(consent.id)}

    wf = CaseWorkflow.start(flow, ctx.script_engine)
    intake = next((t for t in wf.waiting_tasks() if t.kind == TaskKind.INTAKE), None)
    if intake is None:
        raise Conflict(f"the flow of {bundle.code} does not start with an intake task",
                       f"一件事 {bundle.name} 的流程没有以综合窗口受理开始，请联系管理员")
    accepted = {"by": cmd.actor.user, "at": now.isoformat(), "channel": cmd.channel}
    checks = site_checks(catalogue.definition["items"], form, materials)
    complete_in_workflow(wf, intake.id, {"applicant": applicant, "case_number": number, "accepted": accepted,
                                         "site_checks": checks})

    case = CaseRecord(
        id=0, number=number, bundle_code=bundle.code, flow_version_id=bundle_row.deployed_version_id,
        status=CaseStatus.IN_REVIEW, applicant=applicant, channel=cmd.channel, accepted_at=now,
        accepted_by=cmd.actor.user, version=1, form=form, materials=materials, prefilled=prefilled,
        materials_due=_materials_due(ctx, uow, bundle, materials, now),
        accepted_point=placed.accepted, handover_point=placed.handover, routing=placed.routing,
        intake_place=placed.place, agent=mandate["agent"] if mandate else None,
    )
    start_case_clock(uow, ctx, case, bundle, now)
    case.id = uow.cases.add(case)
    uow.lookups.link(shared.lookup_ids, case.id, cmd.draft)
    uow.case_shared_data.add(CaseSharedData(
        case.id, provenance.fields, provenance.materials, shared.unavailable(),
        {"method": cmd.authorization, "label": AUTHORIZATION_METHODS[cmd.authorization],
         "recorded_by": cmd.actor.user, "at": now.isoformat()}))
    uow.tasks.new_case(case.id)
    uow.events.new_case(case.id)
    uow.items.add(*(CaseItemRecord(case_id=case.id, item_code=item.code,
                                   department=placed.routing.get(item.department, item.department),
                                   status=ItemStatus.IN_REVIEW) for item in bundle.items), new_case=True)
    uow.tasks.add(TaskRecord(
        id=intake.id, case_id=case.id, case_number=number, bundle_code=bundle.code,
        department=cmd.actor.department, kind=TaskKind.INTAKE, name=intake.name, title=intake.title,
        state=TaskState.COMPLETED, created_at=now, completed_at=now, assignee=cmd.actor.user,
        completed_by=cmd.actor.user,
    ))
    tolerated = sorted(k for k, v in materials.items() if v == MaterialStatus.TOLERATED)
    record_event(uow, case, "CaseAccepted", cmd.actor, now,
                 {"number": number, "bundle": bundle.code, "channel": cmd.channel, "prefilled": len(prefilled),
                  "sources_unavailable": sorted({u["kind"] for u in shared.unavailable()}),
                  "authorization": cmd.authorization, "point": placed.accepted, "handover_point": placed.handover,
                  "place": placed.place, "routing": placed.routing, "agent": mandate,
                  "materials": dict(sorted(materials.items())), "tolerated": tolerated,
                  "materials_due": case.materials_due.isoformat() if case.materials_due else None}, intake.id)
    for item_code in (code for code, check in checks.items() if check == WAIVED):
        record_event(uow, case, "SiteInspectionWaived", cmd.actor, now, {"item": item_code}, intake.id)
    ticket = _serve_booking(uow, cmd.booking, case) if cmd.booking is not None else cmd.ticket
    if ticket is not None:
        _serve_ticket(uow, ticket, case)
    save_progress(ctx, uow, case, wf, now, cmd.actor, new_case=True)
    return Applied("case", str(case.id), 201, detail=detail_after_change(uow, case, cmd.viewer))


def _serve_booking(uow: UnitOfWork, booking_id: int, case: CaseRecord) -> int | None:
    """The booking the case was started from: for this bundle, booked or arrived, and not yet served.
    Answers its queue ticket, if one was taken for it."""
    booking = uow.bookings.get(booking_id, lock=True)
    if (booking is None or booking.bundle_code != case.bundle_code or booking.case_number is not None
            or booking.state not in (BookingState.BOOKED, BookingState.ARRIVED)):
        raise InvalidInput(f"booking {booking_id} cannot start a case of {case.bundle_code}",
                           "该预约不能用于本次受理（一件事不符，或已受理、已取消、已过时）",
                           {"booking": ["请核对预约"]})
    booking.state, booking.case_number = BookingState.ARRIVED, case.number
    uow.bookings.save(booking)
    return booking.ticket_id


def _serve_ticket(uow: UnitOfWork, ticket_id: int, case: CaseRecord) -> None:
    """The called ticket the case serves: called at the accepting point, not yet serving another case."""
    ticket = uow.tickets.get(ticket_id, lock=True)
    if (ticket is None or ticket.case_number is not None or ticket.called_at is None
            or (case.accepted_point is not None and ticket.point != case.accepted_point)):
        raise InvalidInput(f"ticket {ticket_id} cannot be served with this case",
                           "该号不能用于本次受理（未叫号、不是本服务点的号，或已受理过）", {"ticket": ["请核对叫号"]})
    ticket.state, ticket.case_number, ticket.served_at = TicketState.SERVED, case.number, case.accepted_at
    uow.tickets.save(ticket)


def _materials_due(ctx: ServiceContext, uow: UnitOfWork, bundle: Bundle, materials: dict[str, str],
                   now: datetime) -> datetime | None:
    """容缺受理: the tolerated materials are due by the end of the bundle's tolerance in working days
    (Asia/Shanghai), the day of acceptance not counted."""
    if MaterialStatus.TOLERATED not in materials.values():
        return None
    assert bundle.tolerance_days is not None  # checked with the application
    due_day = ctx.calendars.get(uow).add_working_days(now.astimezone(SHANGHAI).date(), bundle.tolerance_days)
    return datetime.combine(due_day, time(23, 59, 59), SHANGHAI).astimezone(UTC)


@dataclass(frozen=True)
class Provenance:
    fields: dict[str, Any]
    materials: dict[str, Any]


def _check_application(
    uow: UnitOfWork, catalogue: BundleCatalogue, cmd: StartCase, applicant: dict[str, Any], now: Any,
    shared: Gathered,
) -> tuple[dict[str, Any], dict[str, str], list[str], Provenance]:
    """一表申请 and 一套材料: the unified form, completed from shared data and the applicant's
    e-licences, must validate; the checklist must allow acceptance (容缺 only with every key
    material present). Answers the form, each material's status, the pre-filled fields and where
    shared data came from."""
    form, checklist = catalogue.form(), catalogue.checklist()
    ref, agent = catalogue.subject.lookup_refs(applicant)
    held = applicant_data(uow, ref, now, agent, shared) if ref else ApplicantData(None, None, [])
    filled = prefill(form, held.sources())
    from_applicant = {k: v for k, v in catalogue.subject.form_values(applicant).items() if form.get(k) is not None}
    values = {**{k: p.value for k, p in filled.items()}, **from_applicant, **cmd.form}
    errors = {f"form.{k}": v for k, v in validate_form(form, values).items()}
    assessment = assess(checklist, cmd.materials, held.licence_types, tolerance_allowed=not held.bad_credit,
                        held_records=held.registry_kinds)
    errors.update({f"materials.{k}": v for k, v in assessment.errors.items()})
    if assessment.tolerated and catalogue.bundle.tolerance_days is None:
        errors.update({f"materials.{k}": ["此一件事不适用容缺受理"] for k in assessment.tolerated})
    if errors:
        raise InvalidInput("the unified form or the material checklist is incomplete or invalid",
                           "申请表或材料清单不完整或有误，请按字段提示补正", errors)
    prefilled = sorted(k for k, p in filled.items() if values.get(k) == p.value)
    return values, {k: str(v) for k, v in assessment.statuses.items()}, prefilled, _provenance(
        filled, values, assessment.statuses, checklist, held)


def _provenance(filled: dict[str, Prefilled], values: dict[str, Any], statuses: Mapping[str, MaterialStatus],
                checklist: Checklist, held: ApplicantData) -> Provenance:
    """Per pre-filled field where it came from and the source's value beside the one the case
    holds (a clerk's correction); per material a record or licence replaced, which one."""
    fields = {key: {"source": p.source, "origin": p.origin, "label": p.label, "ref": p.ref,
                    "source_value": p.value, "corrected": values.get(key) != p.value}
              for key, p in filled.items()}
    licences = {lic.type: lic.number for lic in held.reusable}
    records = {r.kind: r for r in held.shared.chosen}
    materials: dict[str, Any] = {}
    for entry in checklist.entries:
        if statuses.get(entry.key) is MaterialStatus.ELICENCE and entry.elicence in licences:
            materials[entry.key] = {"origin": "elicence", "type": entry.elicence, "ref": licences[entry.elicence]}
        elif statuses.get(entry.key) is MaterialStatus.SHARED and entry.registry in records:
            record = records[entry.registry]
            materials[entry.key] = {"origin": "registry", "kind": record.kind, "label": KINDS[record.kind].name,
                                    "ref": record.ref}
    return Provenance(fields, materials)


def pick_up(cmd: PickUp, ctx: ServiceContext) -> Applied:
    ensure_window(cmd.actor, "办理统一出件")

    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            case = find_case(uow, cmd.case_ref, lock=True)
            pickup = next((t for t in uow.tasks.of_case(case.id)  # kept: the savings and the answer need them all
                           if t.kind == TaskKind.PICKUP and TaskState(t.state).is_open), None)
            if pickup is None:
                if case.status == CaseStatus.CLOSED:
                    raise Conflict(f"case {case.number} was already handed over and closed",
                                   f"办件 {case.number} 已出件办结")
                if case.status == CaseStatus.TERMINATED:
                    raise Conflict(f"case {case.number} was terminated", f"办件 {case.number} 已终止")
                pending = [i.item_code for i in uow.items.for_case(case.id)
                           if i.status in (ItemStatus.IN_REVIEW, ItemStatus.CORRECTION_REQUESTED)]
                raise Conflict(f"case {case.number} is not ready for pickup; waiting for {', '.join(pending)}",
                               f"办件 {case.number} 尚未全部审批完毕，待办事项：{'、'.join(pending)}")
            # The points as this process last built the bundle (an intake rebuilds it after an edit): the
            # handover point is checked without reading the catalogue again at every pickup.
            built = ctx.catalogues.peek(case.bundle_code)
            points = built.points if built is not None else points_of(uow)
            hand_over = cmd.hand_over
            if hand_over.delivery is not Delivery.ONLINE:
                hand_over = replace(hand_over, point=ensure_handover_here(points, case.handover_point, cmd.actor))
            complete_open_task(uow, ctx, case, pickup, hand_over, cmd.actor, now)
            if hand_over.rating is not None and hand_over.rating <= 2:  # 差评 at the window: rectified
                rectify_poor_rating(uow, ctx, case.number, hand_over.rating, hand_over.rating_comment.strip(),
                                    str(case.applicant.get("name") or "") or None, case.applicant.get("phone"),
                                    None, case.accepted_point, now)
            return Applied("case", str(case.id), 200, detail=detail_after_change(uow, case, cmd.viewer))

        return idempotent(uow, cmd.request_key, "case", apply, now)

    return in_transaction(ctx, work)
