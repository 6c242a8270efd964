"""网上申请 and 网上预审 (issue 26): the applicant fills the same unified form and checklist online and
saves it as a draft; submitted, it waits in the window's 预审 queue; the window accepts it — the case
starts exactly as at the window, channel ``online`` (its acceptance date and clocks from then) — or
returns it once with a notice of everything to fix (一次性告知), which the applicant is told of by SMS
and in-app, fixes and submits again. An application belongs to the mobile number signed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.domain.access import Permission, Principal
from engine.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.domain.model import Actor
from engine.domain.notifications import ApplicationStatus, NotificationKind, OnlineApplication, OutboxMessage
from engine.services.cases import StartCase, start_case
from engine.services.catalogue import get_bundle_catalogue
from engine.services.context import ServiceContext
from engine.services.notifications import recipients_of_phone
from engine.services.transactions import RequestKey, in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import SATISFIED, MaterialStatus

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


def _phone(principal: Principal) -> str:
    if not principal.can(Permission.APPLY):
        raise Forbidden("only an applicant applies online", "仅申请人可在网上申请")
    return principal.login


def _own(uow: UnitOfWork, application_id: int, phone: str, lock: bool = False) -> OnlineApplication:
    found = uow.applications.get(application_id, lock)
    if found is None or found.phone != phone:
        raise NotFound(f"you have no application {application_id}", f"您没有编号为 {application_id} 的申请")
    return found


def save_application(ctx: ServiceContext, principal: Principal, cmd: SaveApplication) -> OnlineApplication:
    """A new draft, or the draft (or returned application) changed: the applicant block's mobile
    number is always the one signed in."""
    phone = _phone(principal)
    get_bundle_catalogue(ctx, cmd.bundle_code)  # an unknown bundle is refused (404)
    declared = sorted(SATISFIED | {MaterialStatus.TOLERATED})
    bad = {k: [f"须为 {'、'.join(declared)} 之一"] for k, v in cmd.materials.items() if v not in declared}
    if bad:
        raise InvalidInput("a material's status is not one of the checklist's", "材料情况有误",
                           {f"materials.{k}": v for k, v in bad.items()})
    applicant = {**cmd.applicant, "phone": phone}

    def work(uow: UnitOfWork) -> OnlineApplication:
        now = ctx.clock()
        if cmd.application_id is None:
            found = OnlineApplication(phone, cmd.bundle_code, applicant, dict(cmd.form), dict(cmd.materials), now, now)
            found.id = uow.applications.add(found)
            return found
        found = _own(uow, cmd.application_id, phone, lock=True)
        if found.status not in EDITABLE:
            raise Conflict(f"application {found.id} is {found.status}", "该申请已提交预审或已受理，不能再修改")
        found.bundle_code, found.applicant, found.form, found.materials = (
            cmd.bundle_code, applicant, dict(cmd.form), dict(cmd.materials))
        found.updated_at = now
        uow.applications.save(found)
        return found

    return in_transaction(ctx, work)


def submit_application(ctx: ServiceContext, principal: Principal, application_id: int) -> OnlineApplication:
    phone = _phone(principal)

    def work(uow: UnitOfWork) -> OnlineApplication:
        found = _own(uow, application_id, phone, lock=True)
        if found.status not in EDITABLE:
            raise Conflict(f"application {found.id} is {found.status}", "该申请已提交预审或已受理")
        found.status, found.submitted_at = ApplicationStatus.SUBMITTED, ctx.clock()
        uow.applications.save(found)
        return found

    return in_transaction(ctx, work)


def my_applications(ctx: ServiceContext, principal: Principal) -> list[OnlineApplication]:
    phone = _phone(principal)
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
        case = uow.cases.get(int(applied.resource_id))
        assert case is not None
        again = _waiting(uow, application_id)
        again.status, again.case_number = ApplicationStatus.ACCEPTED, case.number
        again.decided_at, again.decided_by = ctx.clock(), actor.user
        uow.applications.save(again)
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
