"""Applications the use-case tests accept at the window: the restaurant bundle, whose flow opens
the business licence (scjg) and the health certificate (wj) at once, and the fire inspection,
sign permit and food permit once the business licence is approved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from engine.domain.model import Actor
from engine.domain.records import CaseRecord, EventRecord, TaskRecord
from engine.services.cases import StartCase, start_case
from engine.services.catalogue import get_bundle_catalogue
from engine.services.context import ServiceContext
from engine.services.transactions import RequestKey
from forms.samples import sample_values
from tests.fakes.context import FakeContext

CLERK = Actor("wang.window", "window", "clerk")
SCJG = Actor("li.scjg", "scjg", "reviewer")
WJ = Actor("liu.wj", "wj", "reviewer")
CG = Actor("zhang.cg", "cg", "reviewer")
XF = Actor("zhao.xf", "xf", "reviewer")
ADMIN = Actor("sun.office", "office", "admin")
SUPERVISOR = Actor("zhou.office", "office", "supervisor")
# A new enterprise: the applicant block declares its name (and has no credit code).
APPLICANT = {"name": "陈小明", "id_number": "11010519491231002X", "phone": "13800138000", "entity_name": "小明面馆"}


class WithContext(Protocol):
    """A fake context, or the engine the composition root builds (``tests/integration/test_fake_parity.py``)."""

    ctx: ServiceContext


def application(fake: WithContext, bundle: str = "restaurant", applicant: dict[str, Any] | None = None,
                request_key: RequestKey | None = None, materials: Mapping[str, str] | None = None) -> StartCase:
    """A complete application: the sample form, every material submitted unless ``materials`` says otherwise."""
    applicant = applicant or APPLICANT
    materials = materials or {}
    catalogue = get_bundle_catalogue(fake.ctx, bundle)
    known = catalogue.subject.form_values(applicant)
    statuses = {e.key: materials.get(e.key, "submitted") for e in catalogue.checklist().entries}
    return StartCase(bundle, applicant, CLERK, form=sample_values(catalogue.form(), known), materials=statuses,
                     request_key=request_key)


def accept(fake: FakeContext, bundle: str = "restaurant", applicant: dict[str, Any] | None = None,
           materials: Mapping[str, str] | None = None) -> CaseRecord:
    applied = start_case(application(fake, bundle, applicant, materials=materials), fake.ctx)
    return case_of(fake, applied.resource_id)


def case_of(fake: FakeContext, ref: str | int) -> CaseRecord:
    with fake.uow() as uow:
        found = uow.cases.get(int(ref)) if str(ref).isdigit() else uow.cases.get_by_number(str(ref))
    assert found is not None, f"no case {ref}"
    return found


def open_tasks(fake: FakeContext, case: CaseRecord) -> dict[str, TaskRecord]:
    """The case's open tasks by item code (the pickup and corrections by their name)."""
    with fake.uow() as uow:
        return {t.item_code or t.name: t for t in uow.tasks.open_for_case(case.id)}


def events(fake: FakeContext, case: CaseRecord, kind: str | None = None) -> list[EventRecord]:
    with fake.uow() as uow:
        return [e for e in uow.events.for_case(case.id) if kind is None or e.type == kind]
