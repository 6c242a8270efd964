"""An applicant's own cases (网上办事): those whose application gave the mobile number the applicant
signed in with. Each shows its progress by department and what the applicant must do: the
materials a department asked to be corrected (and what is wrong with each), the tolerated materials
and their due day, the reasons of a refusal. Another's case answers as a missing one."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.access import Permission, Principal
from engine.domain.catalogue import bundle_from_dict
from engine.domain.clocks import SHANGHAI
from engine.domain.errors import Forbidden, NotFound
from engine.domain.model import ItemStatus
from engine.domain.records import CaseRecord
from engine.persistence.case_search import CaseCriteria
from engine.services.catalogue import get_bundle_catalogue
from engine.services.context import ServiceContext
from engine.services.public_status import PublicStatus, progress_of
from forms.checklist import MaterialStatus


@dataclass(frozen=True)
class ToDo:
    """Something the applicant must do for the case."""

    kind: str
    """``correction``, ``tolerated``."""
    title: str
    materials: list[tuple[str, str]] = field(default_factory=list)
    """(material name, what is wrong with it or "")."""
    reason: str = ""
    due: str | None = None


@dataclass(frozen=True)
class MyCase:
    progress: PublicStatus
    to_do: list[ToDo]
    refusals: list[tuple[str, str]]
    """(item name, reason)."""


def _phone(principal: Principal) -> str:
    if not principal.can(Permission.APPLY):
        raise Forbidden("only an applicant has cases of their own", "仅申请人可查看本人的办件")
    return principal.login


def my_cases(ctx: ServiceContext, principal: Principal, page: int = 1, per_page: int = 20) -> list[CaseRecord]:
    phone = _phone(principal)
    with ctx.uow(False) as uow:
        return uow.reads.search_cases(CaseCriteria(phone=phone), page, per_page).items


def my_case(ctx: ServiceContext, principal: Principal, number: str) -> MyCase:
    phone = _phone(principal)
    with ctx.uow(False) as uow:
        case = uow.cases.get_by_number(number.strip().upper()[:40])
        if case is None or str(case.applicant.get("phone") or "") != phone:
            raise NotFound(f"you have no case {number!r}", f"您没有办件 {number}")
        progress = progress_of(uow, case)
        items = uow.items.for_case(case.id)
        events = [e for e in uow.events.for_case(case.id) if e.type == "CorrectionRequested"]
        row = uow.flows.bundle(case.bundle_code)
        assert row is not None
    bundle = bundle_from_dict(row.definition)
    names = {e.key: e.name for e in get_bundle_catalogue(ctx, case.bundle_code).checklist().entries}
    asked = {e.data.get("item"): e.data for e in events}
    to_do = []
    for item in items:
        spec = bundle.item(item.item_code)
        title = f"{spec.name if spec else item.item_code}（{bundle.department_name(item.department)}）"
        if item.status == ItemStatus.CORRECTION_REQUESTED:
            data = asked.get(item.item_code, {})
            notes = dict(data.get("notes") or {})
            to_do.append(ToDo("correction", title, [(names.get(k, k), str(notes.get(k, "")))
                                                    for k in item.materials_requested], str(data.get("reason") or "")))
    tolerated = [k for k, v in case.materials.items() if v == MaterialStatus.TOLERATED]
    if tolerated and case.materials_due is not None:
        to_do.append(ToDo("tolerated", "容缺受理的材料", [(names.get(k, k), "") for k in tolerated],
                          due=case.materials_due.astimezone(SHANGHAI).date().isoformat()))
    refusals = [(spec.name if (spec := bundle.item(i.item_code)) else i.item_code, i.reason or "")
                for i in items if i.status == ItemStatus.REJECTED]
    return MyCase(progress, to_do, refusals)
