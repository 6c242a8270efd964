"""An applicant's online consent to a hall agent (申请人在线授权, 帮办代办): signed in by their mobile
number, the applicant lets the agents of one service point apply for them for one bundle, for a
week and one case; an agent's intake under an online mandate takes the consent, and without one is
refused. The applicant sees and withdraws their consents."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.domain.access import Principal, applicant_phone
from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.hall import CONSENT_DAYS, AgentConsent
from engine.services.context import ServiceContext
from engine.services.hall import find_point
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork


def grant_consent(ctx: ServiceContext, principal: Principal, bundle_code: str, point_code: str) -> AgentConsent:
    """The applicant consents that the agents of ``point_code`` apply for them for ``bundle_code``."""
    phone = applicant_phone(principal)
    point = find_point(ctx, point_code)
    if not point.accepts(bundle_code):
        raise InvalidInput(f"{point.name} does not accept {bundle_code}", f"{point.name}不受理该一件事",
                           {"bundle": ["本服务点不受理该一件事"]})

    def work(uow: UnitOfWork) -> AgentConsent:
        if uow.flows.bundle(bundle_code) is None:
            raise NotFound(f"no bundle {bundle_code!r}", f"没有编码为 {bundle_code} 的一件事")
        now = ctx.clock()
        consent = AgentConsent(phone, bundle_code, point.code, now, now + timedelta(days=CONSENT_DAYS))
        consent.id = uow.consents.add(consent)
        return consent

    return in_transaction(ctx, work)


def my_consents(ctx: ServiceContext, principal: Principal) -> list[AgentConsent]:
    phone = applicant_phone(principal)
    with ctx.uow(False) as uow:
        return uow.consents.of_phone(phone)


def withdraw_consent(ctx: ServiceContext, principal: Principal, consent_id: int) -> AgentConsent:
    """Withdraw a consent not yet used; one used for a case stays as the case's record."""
    phone = applicant_phone(principal)

    def work(uow: UnitOfWork) -> AgentConsent:
        found = next((c for c in uow.consents.of_phone(phone, lock=True) if c.id == consent_id), None)
        if found is None:
            raise NotFound(f"you have no consent {consent_id}", f"您没有编号为 {consent_id} 的授权")
        if found.case_number is not None:
            raise Conflict("a consent used for a case stays", f"该授权已用于办件 {found.case_number}，不能撤回")
        if found.revoked_at is None:
            found.revoked_at = ctx.clock()
            uow.consents.save(found)
        return found

    return in_transaction(ctx, work)


def take_consent(uow: UnitOfWork, phone: str, bundle_code: str, point: str | None, case_number: str,
                 now: datetime) -> AgentConsent:
    """The applicant's usable consent for an agent at ``point`` and this bundle, now used by the case;
    refused when there is none."""
    found = next((c for c in uow.consents.of_phone(phone, bundle_code, lock=True)
                  if c.usable(now) and c.point == point), None)
    if found is None:
        raise InvalidInput(f"{phone} has not consented online to an agent at {point} for {bundle_code}",
                           "申请人尚未在线授权本服务点代为办理此一件事（请申请人在“我的办件”中授权帮办代办），"
                           "或改用授权委托书", {"mandate": ["未找到申请人的在线授权"]})
    found.case_number = case_number
    uow.consents.save(found)
    return found
