"""What the applicant does on their own case online, without a trip (issue 26): upload the files a
correction or a tolerated gap (容缺) asks for and hand them in — the correction task goes back to
the department —, choose how the results reach them (e-licence, mail, a pickup slot at the window),
take e-licences into their account (the handover, by themselves), and rate the service (好差评)
once the results are handed over."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine.domain.access import APPLICANTS, Principal, applicant_phone
from engine.domain.applicant_channel import DeliveryChoice, checked_choice, pickup_slots
from engine.domain.case import Case
from engine.domain.clocks import SHANGHAI
from engine.domain.decisions import RATINGS, HandOver, SupplyCorrection
from engine.domain.errors import Conflict, InvalidInput, case_not_found
from engine.domain.model import Actor, CaseStatus, Delivery, ItemStatus, TaskKind, TaskState
from engine.domain.records import CaseRecord, TaskRecord
from engine.services.applicant_cases import RATED, Rating, own_case, rating_of
from engine.services.cases import find_case
from engine.services.context import ServiceContext
from engine.services.documents import Upload, Uploaded, UploadMaterialFiles, upload_material_files
from engine.services.events import record_event
from engine.services.progress import persist_events
from engine.services.tasks import complete_open_task
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.services.work_orders import rectify_poor_rating
from forms.checklist import MaterialStatus


def _actor(phone: str) -> Actor:
    return Actor(phone, APPLICANTS, "applicant")


def owed_materials(uow: UnitOfWork, case: CaseRecord) -> set[str]:
    """What the applicant may upload to the case: the materials a department asked to be corrected,
    and the tolerated ones still outstanding."""
    asked = {key for item in uow.items.for_case(case.id) if item.status == ItemStatus.CORRECTION_REQUESTED
             for key in item.materials_requested}
    return asked | {k for k, v in case.materials.items() if v == MaterialStatus.TOLERATED}


def upload_my_files(ctx: ServiceContext, principal: Principal, number: str, material_key: str,
                    files: Sequence[Upload]) -> Uploaded:
    """A new version of a material the applicant owes the case, uploaded by them."""
    phone = applicant_phone(principal)
    with ctx.uow(False) as uow:
        case = own_case(uow, phone, number)
        if material_key not in owed_materials(uow, case):
            raise Conflict(f"case {case.number} asks nothing of material {material_key!r}",
                           "该材料不在需要您补正或补交的材料之中")
    return upload_material_files(UploadMaterialFiles(case.number, material_key, tuple(files), _actor(phone)), ctx)


def _uploaded_since(uow: UnitOfWork, case: CaseRecord, keys: Sequence[str], since: datetime) -> list[str]:
    """Of ``keys``, those with no file uploaded at or after ``since`` (a tolerated material asked for
    in a correction is uploaded as a supplement: any new file of it counts)."""
    fresh = {f.material_key for f in uow.material_files.for_case(case.id) if f.uploaded_at >= since}
    return [k for k in keys if k not in fresh]


def _names(ctx: ServiceContext, uow: UnitOfWork, case: CaseRecord) -> dict[str, str]:
    row = uow.flows.bundle(case.bundle_code)
    assert row is not None
    return {e.key: e.name for e in ctx.catalogues.get(uow, row.definition).checklist().entries}


def supply_correction_online(ctx: ServiceContext, principal: Principal, number: str, item_code: str,
                             comment: str = "") -> None:
    """Hand in the correction of one item: every material asked must have files uploaded since the
    request; the correction task completes and the item goes back to its department."""
    phone = applicant_phone(principal)

    def work(uow: UnitOfWork) -> None:
        now = ctx.clock()
        case = own_case(uow, phone, number, lock=True)
        item = next((i for i in uow.items.for_case(case.id)
                     if i.item_code == item_code and i.status == ItemStatus.CORRECTION_REQUESTED), None)
        task = next((t for t in uow.tasks.of_case(case.id) if t.kind == TaskKind.CORRECTION
                     and t.item_code == item_code and TaskState(t.state).is_open), None)
        if item is None or task is None:
            raise Conflict(f"item {item_code} of case {case.number} asks for no correction",
                           "该事项没有待补正的材料")
        missing = _uploaded_since(uow, case, item.materials_requested, task.created_at)
        if missing:
            names = _names(ctx, uow, case)
            raise InvalidInput(f"upload files for {', '.join(missing)} first",
                               f"请先上传补正材料：{'、'.join(names.get(k, k) for k in missing)}",
                               {"files": [f"未上传：{names.get(k, k)}" for k in missing]})
        complete_open_task(uow, ctx, case, task, SupplyCorrection(tuple(item.materials_requested), comment, True),
                           _actor(phone), now, item, by_applicant=True)

    in_transaction(ctx, work)


def supply_tolerated_online(ctx: ServiceContext, principal: Principal, number: str) -> list[str]:
    """Hand in the tolerated materials uploaded since acceptance; answers those still outstanding."""
    phone = applicant_phone(principal)

    def work(uow: UnitOfWork) -> list[str]:
        now = ctx.clock()
        case = own_case(uow, phone, number, lock=True)
        outstanding = sorted(k for k, v in case.materials.items() if v == MaterialStatus.TOLERATED)
        if not outstanding:
            raise Conflict(f"case {case.number} owes no tolerated material", "该办件没有待补交的容缺材料")
        missing = _uploaded_since(uow, case, outstanding, case.accepted_at)
        ready = [k for k in outstanding if k not in missing]
        if not ready:
            names = _names(ctx, uow, case)
            raise InvalidInput("upload the tolerated materials first",
                               f"请先上传容缺材料：{'、'.join(names.get(k, k) for k in outstanding)}",
                               {"files": ["尚未上传任何容缺材料"]})
        aggregate = Case(case)
        aggregate.supply_tolerated(ready, _actor(phone), now, online=True)
        persist_events(uow, aggregate)
        uow.cases.save(case)
        return missing

    return in_transaction(ctx, work)


def _pickup(uow: UnitOfWork, case: CaseRecord) -> TaskRecord | None:
    return next((t for t in uow.tasks.of_case(case.id) if t.kind == TaskKind.PICKUP and TaskState(t.state).is_open),
                None)


def delivery_slots(ctx: ServiceContext) -> list[str]:
    with ctx.uow(False) as uow:
        calendar = ctx.calendars.get(uow)
    return pickup_slots(ctx.clock().astimezone(SHANGHAI).date(), calendar)


def my_delivery(ctx: ServiceContext, principal: Principal, number: str) -> DeliveryChoice | None:
    phone = applicant_phone(principal)
    with ctx.uow(False) as uow:
        return uow.deliveries.get(own_case(uow, phone, number).id)


def case_delivery(ctx: ServiceContext, ref: str, viewer: Principal) -> tuple[DeliveryChoice | None, bool]:
    """The delivery the case's applicant chose, as ``viewer`` may see the case (404 otherwise); the
    flag says whether they may see the address."""
    with ctx.uow(False) as uow:
        case = find_case(uow, ref)
        departments = {i.department for i in uow.items.for_case(case.id)}
        if not viewer.sees_case(departments, case.agent):
            raise case_not_found(ref)
        return uow.deliveries.get(case.id), viewer.sees_personal_data(departments, case.agent)


def choose_delivery(ctx: ServiceContext, principal: Principal, number: str, delivery: str, address: str = "",
                    slot: str = "") -> DeliveryChoice:
    """How the results should reach the applicant; changeable until they are handed over. A pickup
    slot is chosen once the results are ready (the window offers the coming working days')."""
    phone = applicant_phone(principal)
    offered = delivery_slots(ctx)

    def work(uow: UnitOfWork) -> DeliveryChoice:
        now = ctx.clock()
        case = own_case(uow, phone, number, lock=True)
        if CaseStatus(case.status).is_finished:
            raise Conflict(f"case {case.number} is {case.status}", "办件已办结或终止，不能再更改领取方式")
        ready = _pickup(uow, case) is not None
        chosen, where, when = checked_choice(delivery, address, slot, offered if ready or slot else None)
        choice = DeliveryChoice(case.id, chosen, phone, now, where, when)
        uow.deliveries.put(choice)
        return choice

    return in_transaction(ctx, work)


def collect_elicences(ctx: ServiceContext, principal: Principal, number: str) -> None:
    """The applicant who chose e-licences takes the results into their account: the handover (统一
    出件) is theirs, delivery online, and the licences are issued to them."""
    phone = applicant_phone(principal)

    def work(uow: UnitOfWork) -> None:
        now = ctx.clock()
        case = own_case(uow, phone, number, lock=True)
        choice = uow.deliveries.get(case.id)
        if choice is None or choice.delivery is not Delivery.ONLINE:
            raise Conflict(f"case {case.number}: e-licence delivery was not chosen",
                           "请先选择以电子证照方式领取办理结果")
        task = _pickup(uow, case)
        if task is None:
            raise Conflict(f"case {case.number} has no results ready to take",
                           "办理结果尚未全部办结，或已经领取")
        name = str(case.applicant.get("name") or phone)
        complete_open_task(uow, ctx, case, task, HandOver(Delivery.ONLINE, name), _actor(phone), now,
                           by_applicant=True)

    in_transaction(ctx, work)


def rate_service(ctx: ServiceContext, principal: Principal, number: str, rating: object, comment: str = "",
                 department: str | None = None) -> Rating:
    """好差评 by the applicant after the handover: five levels, a reason for 1 and 2; once per case. A
    poor rating opens a rectification (差评整改) for the department it names (one of the case's), else
    for the supervisors to assign."""
    phone = applicant_phone(principal)
    if isinstance(rating, bool) or rating not in RATINGS:
        raise InvalidInput("rating must be a whole number from 1 to 5", "评价须为 1 至 5 的整数",
                           {"rating": ["5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"]})
    level = int(rating)
    comment = comment.strip()
    if level <= 2 and not comment:
        raise InvalidInput("a poor rating needs the reason", "差评请写明具体意见，以便整改",
                           {"rating_comment": ["差评须填写意见"]})

    def work(uow: UnitOfWork) -> Rating:
        now = ctx.clock()
        case = own_case(uow, phone, number, lock=True)
        if case.status != CaseStatus.CLOSED:
            raise Conflict(f"case {case.number} is {case.status}: rate it after the handover",
                           "办理结果交付后方可评价")
        if rating_of(uow.events.for_case(case.id)) is not None:
            raise Conflict(f"case {case.number} was already rated", "该办件已经评价过")
        if department is not None and department not in {i.department for i in uow.items.for_case(case.id)}:
            raise InvalidInput(f"case {case.number} has no department {department!r}", "请选择本办件的承办部门",
                               {"department": ["不是本办件的承办部门"]})
        record_event(uow, case, RATED, _actor(phone), now,
                     {"rating": level, "rating_label": RATINGS[level], "rating_comment": comment or None,
                      "department": department})
        uow.cases.save(case)
        if level <= 2:
            rectify_poor_rating(uow, ctx, case.number, level, comment, str(case.applicant.get("name") or "") or None,
                                phone, department, case.accepted_point, now)
        return Rating(level, RATINGS[level], comment or None, phone)

    return in_transaction(ctx, work)
