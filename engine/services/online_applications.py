"""网上申请 and 网上预审 (issue 26): the applicant fills the same unified form and checklist online and
saves it as a draft; submitted, it waits in the window's 预审 queue; the window accepts it — the case
starts exactly as at the window, channel ``online`` (its acceptance date and clocks from then) — or
returns it once with a notice of everything to fix (一次性告知), which the applicant is told of by SMS
and in-app, fixes and submits again. An application belongs to the mobile number signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.access import APPLICANTS, Principal, applicant_phone
from engine.domain.applicant_channel import ApplicationFile, Commitment, DeliveryChoice, checked_choice
from engine.domain.documents import UploadStage
from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.model import Actor, Delivery
from engine.domain.notifications import ApplicationStatus, NotificationKind, OnlineApplication, OutboxMessage
from engine.domain.records import CaseRecord
from engine.services.cases import StartCase, find_case, start_case
from engine.services.catalogue import get_bundle_catalogue
from engine.services.context import ServiceContext
from engine.services.documents import FilePart, add_material_version
from engine.services.events import record_event
from engine.services.notifications import recipients_of_phone
from engine.services.transactions import RequestKey, in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import SATISFIED, MaterialStatus
from forms.identifiers import is_mobile

EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
NOTICE_MAX = 2000


@dataclass(frozen=True)
class SaveApplication:
    bundle_code: str
    applicant: dict[str, Any]
    form: dict[str, Any]
    materials: dict[str, str]
    application_id: int | None = None
    """None: a new draft."""
    delivery: str | None = None
    """How the applicant wants the results (online, mail, window); None: decided later."""
    address: str = ""
    """For mail: address, addressee and telephone."""
    on_behalf: bool = False
    """An agent (委托代办) applies for the applicant the block names, giving that applicant's own mobile
    number; the case then belongs to the applicant, and the agent follows it too."""


def own_application(uow: UnitOfWork, application_id: int, phone: str, lock: bool = False) -> OnlineApplication:
    found = uow.applications.get(application_id, lock)
    if found is None or found.phone != phone:
        raise NotFound(f"you have no application {application_id}", f"您没有编号为 {application_id} 的申请")
    return found


def save_application(ctx: ServiceContext, principal: Principal, cmd: SaveApplication) -> OnlineApplication:
    """A new draft, or the draft (or returned application) changed: the applicant block's mobile
    number is the one signed in, unless an agent applies for someone else (``on_behalf``)."""
    phone = applicant_phone(principal)
    get_bundle_catalogue(ctx, cmd.bundle_code)  # an unknown bundle is refused (404)
    declared = sorted(SATISFIED | {MaterialStatus.TOLERATED})
    bad = {k: [f"须为 {'、'.join(declared)} 之一"] for k, v in cmd.materials.items() if v not in declared}
    if bad:
        raise InvalidInput("a material's status is not one of the checklist's", "材料情况有误",
                           {f"materials.{k}": v for k, v in bad.items()})
    applicant = {**cmd.applicant, "phone": phone}
    if cmd.on_behalf:
        theirs = str(cmd.applicant.get("phone") or "").strip()
        if not is_mobile(theirs) or theirs == phone:
            raise InvalidInput("applying for someone else needs that applicant's own mobile number",
                               "代他人申请须填写申请人（委托人）本人的手机号码",
                               {"applicant.phone": ["请填写申请人本人的 11 位手机号码（不是您自己的）"]})
        applicant["phone"] = theirs
    delivery = None
    if cmd.delivery is not None:
        chosen, address, _ = checked_choice(cmd.delivery, cmd.address, "", None)
        delivery = {"delivery": str(chosen), "address": address}

    def work(uow: UnitOfWork) -> OnlineApplication:
        now = ctx.clock()
        if cmd.application_id is None:
            found = OnlineApplication(phone, cmd.bundle_code, applicant, dict(cmd.form), dict(cmd.materials), now, now,
                                      delivery=delivery, on_behalf=cmd.on_behalf)
            found.id = uow.applications.add(found)
            return found
        found = own_application(uow, cmd.application_id, phone, lock=True)
        if found.status not in EDITABLE:
            raise Conflict(f"application {found.id} is {found.status}", "该申请已提交预审或已受理，不能再修改")
        found.bundle_code, found.applicant, found.form, found.materials = (
            cmd.bundle_code, applicant, dict(cmd.form), dict(cmd.materials))
        found.updated_at, found.delivery, found.on_behalf = now, delivery, cmd.on_behalf
        uow.applications.save(found)
        return found

    return in_transaction(ctx, work)


def submit_application(ctx: ServiceContext, principal: Principal, application_id: int,
                       signed_by: str = "") -> OnlineApplication:
    """Submit to 预审. Materials replaced by a commitment (告知承诺) need it signed: ``signed_by`` is
    the applicant's full name as the application gives it, agreeing to ``COMMITMENT_TEXT``."""
    phone = applicant_phone(principal)

    def work(uow: UnitOfWork) -> OnlineApplication:
        now = ctx.clock()
        found = own_application(uow, application_id, phone, lock=True)
        if found.status not in EDITABLE:
            raise Conflict(f"application {found.id} is {found.status}", "该申请已提交预审或已受理")
        promised = tuple(sorted(k for k, v in found.materials.items() if v == MaterialStatus.COMMITMENT))
        found.commitment = None
        if promised:
            name = str(found.applicant.get("name") or "").strip()
            if not name or signed_by.strip() != name:
                raise InvalidInput("materials replaced by a commitment need it signed with the applicant's name",
                                   "以告知承诺代替的材料须由申请人签署承诺书：请填写与申请人一致的姓名",
                                   {"signed_by": [f"请填写申请人姓名“{name or '（申请人姓名未填写）'}”以签署承诺"]})
            found.commitment = Commitment(name, now, promised).as_dict()
        found.status, found.submitted_at = ApplicationStatus.SUBMITTED, now
        uow.applications.save(found)
        return found

    return in_transaction(ctx, work)


def my_applications(ctx: ServiceContext, principal: Principal) -> list[OnlineApplication]:
    phone = applicant_phone(principal)
    with ctx.uow(False) as uow:
        return uow.applications.of_phone(phone)


def waiting_applications(ctx: ServiceContext) -> list[OnlineApplication]:
    """The window's 预审 queue: submitted applications, oldest first."""
    with ctx.uow(False) as uow:
        return uow.applications.waiting()


def _waiting(uow: UnitOfWork, application_id: int) -> OnlineApplication:
    found = uow.applications.get(application_id, lock=True)
    if found is None:
        raise NotFound(f"no application {application_id}", f"没有编号为 {application_id} 的网上申请")
    if found.status != ApplicationStatus.SUBMITTED:
        raise Conflict(f"application {application_id} is {found.status}, not waiting for 预审",
                       "该申请不在预审队列中（已受理、已退回或尚未提交）")
    return found


def accept_application(ctx: ServiceContext, application_id: int, actor: Actor) -> str:
    """预审 passed: the case starts as at the window, channel online; answers its number. An
    application the window's checks refuse stays waiting (the window returns it instead)."""
    with ctx.uow(False) as uow:
        found = _waiting(uow, application_id)
    # Keyed by the application and its submission: two clerks accepting it at once start one case
    # (the second is answered the first's), and the second is then told it is no longer waiting.
    key = RequestKey.of(f"online-application:{found.id}:{found.submitted_at}", "ACCEPT", "online-application",
                        {"id": found.id})
    applied = start_case(StartCase(found.bundle_code, found.applicant, actor, "online", form=found.form,
                                   materials=found.materials, authorization="online", request_key=key), ctx)

    def work(uow: UnitOfWork) -> str:
        case = find_case(uow, applied.resource_id, lock=True)
        now = ctx.clock()
        again = _waiting(uow, application_id)
        again.status, again.case_number = ApplicationStatus.ACCEPTED, case.number
        again.decided_at, again.decided_by = now, actor.user
        uow.applications.save(again)
        applicant = Actor(again.phone, APPLICANTS, "applicant")
        files_to_case(uow, again.id, case, applicant, now)
        if again.commitment:
            record_event(uow, case, "CommitmentSigned", applicant, now, dict(again.commitment))
        if again.on_behalf:
            uow.case_agents.add(case.id, again.phone, now)
        if again.delivery:
            uow.deliveries.put(DeliveryChoice(case.id, Delivery(again.delivery["delivery"]), applicant.user,
                                              again.submitted_at or now, again.delivery.get("address")))
        uow.cases.save(case)
        return case.number

    return in_transaction(ctx, work)


def return_application(ctx: ServiceContext, application_id: int, actor: Actor, notice: str) -> OnlineApplication:
    """预审 sends it back once with everything to fix; the applicant is told by SMS and in-app."""
    notice = notice.strip()
    if not notice or len(notice) > NOTICE_MAX:
        raise InvalidInput("a return needs the notice of everything to fix", "退回须一次性告知需要修改的全部内容",
                           {"notice": [f"必填，不超过 {NOTICE_MAX} 字"]})

    def work(uow: UnitOfWork) -> OnlineApplication:
        now = ctx.clock()
        found = _waiting(uow, application_id)
        found.status, found.notice = ApplicationStatus.RETURNED, notice
        found.decided_at, found.decided_by = now, actor.user
        uow.applications.save(found)
        uow.outbox.add([OutboxMessage(f"application:{found.id}:returned:{now.isoformat()}:{channel}",
                                      NotificationKind.RETURNED, channel, recipient,
                                      {"bundle": found.bundle_code, "reason": notice}, now)
                        for channel, recipient in recipients_of_phone(found.phone)])
        return found

    return in_transaction(ctx, work)


def files_to_case(uow: UnitOfWork, application_id: int, case: CaseRecord, applicant: Actor, now: datetime) -> int:
    """On acceptance: each material's files become the case's first version of it, uploaded by the
    applicant; answers how many files passed."""
    by_material: dict[str, list[ApplicationFile]] = {}
    for f in uow.application_files.of_application(application_id):
        if f.material_key in case.materials:
            by_material.setdefault(f.material_key, []).append(f)
    for key, files in by_material.items():
        add_material_version(uow, case, key, [FilePart(f.sha256, f.media_type, f.size, f.pages, f.filename)
                                               for f in files], UploadStage.INTAKE, applicant, now)
    return sum(len(files) for files in by_material.values())
