"""What the government holds about an applicant, for the window: shared identity data, e-licences
(电子证照) and bad credit records (失信), which administrators list and lift."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.errors import InvalidInput, NotFound
from engine.domain.model import Actor
from engine.domain.records import CreditRecord
from engine.services.audit import record_audit
from engine.services.catalogue import ApplicantData, applicant_data
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.identifiers import is_credit_code, is_resident_id


def applicant_ref(ref: str) -> str:
    """A resident ID number or a unified social credit code, normalised; anything else is refused."""
    normalised = ref.strip().upper()
    if not (is_resident_id(normalised) or is_credit_code(normalised)):
        raise InvalidInput("applicant must be a resident ID number or a unified social credit code",
                           "申请人证件号码有误：应为有效的居民身份证号码或统一社会信用代码",
                           {"ref": ["应为有效的居民身份证号码（GB 11643）或统一社会信用代码（GB 32100）"]})
    return normalised


@dataclass(frozen=True)
class ApplicantView:
    ref: str
    data: ApplicantData


def get_applicant(ctx: ServiceContext, ref: str) -> ApplicantView:
    """The applicant's shared data, the newest valid e-licence of each type and the bad credit
    records in force. An applicant the registry does not know answers empty, not 404: the window
    asks before the first case of someone new."""
    normalised = applicant_ref(ref)
    with ctx.uow(False) as uow:
        return ApplicantView(normalised, applicant_data(uow, normalised, ctx.clock()))


def credit_history(ctx: ServiceContext, ref: str) -> list[CreditRecord]:
    normalised = applicant_ref(ref)
    with ctx.uow(False) as uow:
        return uow.credit.of([normalised])


@dataclass(frozen=True)
class ListBadCredit:
    ref: str
    reason: str
    source: str
    actor: Actor


def list_bad_credit(cmd: ListBadCredit, ctx: ServiceContext) -> CreditRecord:
    """Put an applicant on the bad credit list (e.g. from 信用中国 or after a false commitment)."""
    ref = applicant_ref(cmd.ref)
    errors = {k: ["必填"] for k, v in (("reason", cmd.reason), ("source", cmd.source)) if not v.strip()}
    if errors:
        raise InvalidInput("a bad credit record needs a reason and a source", "失信记录须写明事由和来源", errors)

    def work(uow: UnitOfWork) -> CreditRecord:
        now = ctx.clock()
        record = CreditRecord(id=0, ref=ref, reason=cmd.reason.strip(), source=cmd.source.strip(),
                              listed_by=cmd.actor.user, listed_at=now)
        record.id = uow.credit.add(record)
        record_audit(uow, "BadCreditListed", cmd.actor, ref, {"reason": record.reason, "source": record.source}, now)
        return record

    return in_transaction(ctx, work)


@dataclass(frozen=True)
class LiftBadCredit:
    ref: str
    actor: Actor
    reason: str = ""
    """Why (信用修复的依据); kept in the BadCreditLifted audit event."""


def lift_bad_credit(cmd: LiftBadCredit, ctx: ServiceContext) -> int:
    """Lift (信用修复) every bad credit record in force of the applicant; answers how many."""
    ref = applicant_ref(cmd.ref)

    def work(uow: UnitOfWork) -> int:
        now = ctx.clock()
        lifted = uow.credit.lift(ref, cmd.actor.user, now)
        if lifted == 0:
            raise NotFound(f"{ref} has no bad credit record in force", f"{ref} 没有在列的失信记录")
        data: dict[str, object] = {"records": lifted}
        if cmd.reason.strip():
            data["reason"] = cmd.reason.strip()
        record_audit(uow, "BadCreditLifted", cmd.actor, ref, data, now)
        return lifted

    return in_transaction(ctx, work)


