"""What supervisors and administrators read of shared data: the lookup audit (数据调用留痕), the
volume of lookups per user with the unusual ones flagged, and what each registry holds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engine.domain.access import Principal
from engine.domain.errors import NotFound, case_not_found
from engine.domain.records import case_id_in
from engine.domain.registries import KINDS, RegistryCounts
from engine.domain.shared_data import CaseSharedData, LookupEntry, LookupFilter, LookupVolume, unusual_volume
from engine.services.context import ServiceContext


def list_lookups(ctx: ServiceContext, query: LookupFilter,
                 case_ref: str | None = None) -> tuple[list[LookupEntry], dict[int, str]]:
    """The lookups ``query`` selects (and, with ``case_ref``, made for that case: its id or number),
    with the number of each case they were made for."""
    with ctx.uow(False) as uow:
        if case_ref is not None:
            case_id = case_id_in(case_ref.strip())
            case = uow.cases.get(case_id) if case_id is not None else uow.cases.get_by_number(case_ref.strip())
            if case is None:
                return [], {}
            query = replace(query, case_id=case.id)
        found = uow.lookups.find(query)
        return found, uow.lookups.case_numbers({e.case_id for e in found if e.case_id is not None})


def lookup_volume(ctx: ServiceContext, since: datetime, until: datetime,
                  threshold: int) -> tuple[list[LookupVolume], set[str]]:
    """Lookups per user in [since, until), most first, and the users whose volume is unusual."""
    with ctx.uow(False) as uow:
        volumes = uow.lookups.volume(since, until)
    return volumes, unusual_volume(volumes, threshold)


def registry_counts(ctx: ServiceContext) -> list[RegistryCounts]:
    with ctx.uow(False) as uow:
        return uow.registries.counts()


def registry_imports(ctx: ServiceContext, kind: str) -> list[dict[str, Any]]:
    if kind not in KINDS:
        raise NotFound(f"no registry {kind!r}", f"没有共享数据类别 {kind}")
    with ctx.uow(False) as uow:
        return uow.registries.imports(kind)


@dataclass(frozen=True)
class CaseSharedDataView:
    number: str
    shared: CaseSharedData | None
    """None for a case accepted before shared data was recorded."""
    lookups: list[LookupEntry]
    personal_data: bool


def get_case_shared_data(ctx: ServiceContext, ref: str, viewer: Principal) -> CaseSharedDataView:
    """Where a case's pre-filled fields and waived materials came from, the sources that did not
    answer, the applicant's authorization, and the lookups made for it; to a department with no
    item in the case it does not exist (404), as the case itself."""
    with ctx.uow(False) as uow:
        case_id = case_id_in(ref)
        case = uow.cases.get(case_id) if case_id is not None else uow.cases.get_by_number(ref)
        if case is None:
            raise case_not_found(ref)
        departments = {i.department for i in uow.items.for_case(case.id)}
        if not viewer.sees_case(departments, case.agent):
            raise case_not_found(ref)
        return CaseSharedDataView(case.number, uow.case_shared_data.get(case.id),
                                  uow.lookups.find(LookupFilter(case_id=case.id, limit=500)),
                                  viewer.sees_personal_data(departments, case.agent))
