"""The simulation's online applicants (网上申请, issue 26), through the same use cases the applicant's
pages and the window's 网上预审 call: the applicant fills the form (leaving what the government's
data can fill, as the guide tells them), signs the commitment, chooses how the results reach them and
submits; the window accepts it, or returns it once with what to fix — fields the registries could
not fill after all, or an unreadable scan — and the applicant fixes it and submits again. Once
accepted, they upload what a correction or a tolerated gap asks and hand it in online, and take
e-licences into their account and rate the service themselves: no trip, unless they chose to
collect at the window."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from PIL import Image

from engine.domain.access import APPLICANTS, Principal, Role
from engine.domain.errors import Conflict, InvalidInput
from engine.domain.model import Actor
from engine.services.applicant_actions import (
    collect_elicences,
    rate_service,
    supply_correction_online,
    supply_tolerated_online,
    upload_my_files,
)
from engine.services.catalogue import PrefilledForm, get_bundle_catalogue
from engine.services.context import ServiceContext
from engine.services.documents import Upload
from engine.services.online_applications import (
    SaveApplication,
    accept_application,
    return_application,
    save_application,
    submit_application,
)
from engine.services.simulation_people import Applicant
from forms.checklist import MaterialStatus
from forms.unified import fillable_fields

RETURNED_FOR_SCANS = 0.1
"""Share of online applications the window returns once for an unreadable scan."""
TYPES_SHARED_FIELDS = 0.5
"""Share of online applicants who type the fields the page says the government's data can fill."""


@dataclass
class PendingApplication:
    """An online application on its way through 预审."""

    id: int
    bundle_code: str
    applicant: Applicant
    principal: Principal
    full_form: dict[str, Any]
    """The form as the applicant fills it once told what the registries could not fill."""
    materials: dict[str, str]
    delivery: str
    returns: list[str] = field(default_factory=list)


def _mail_to(applicant: Applicant, delivery: str) -> str:
    return f"{applicant.address} {applicant.name} {applicant.phone}" if delivery == "mail" else ""


def _scan() -> bytes:
    image = Image.new("RGB", (600, 800), (235, 235, 230))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class OnlineDesk:
    def __init__(self, ctx: ServiceContext, rng: random.Random, clerk: Actor) -> None:
        self.ctx, self.rng, self.clerk = ctx, rng, clerk
        self.scan = Upload("扫描件.png", _scan())
        self.returned = 0

    @staticmethod
    def principal(applicant: Applicant) -> Principal:
        return Principal(0, applicant.phone, applicant.name, APPLICANTS, frozenset({Role.APPLICANT}))

    def apply(self, prefilled: PrefilledForm, applicant: Applicant, block: dict[str, str], full_form: dict[str, Any],
              materials: dict[str, str], delivery: str) -> PendingApplication:
        """Fill, sign and submit; the fields the page marks as the government's data left empty by
        some applicants (whom the window returns the application to when a registry holds nothing)."""
        fillable = set(fillable_fields(prefilled.form)[0]) if self.rng.random() >= TYPES_SHARED_FIELDS else set()
        own = {k: v for k, v in full_form.items() if k not in fillable}
        who = self.principal(applicant)
        saved = save_application(self.ctx, who, SaveApplication(prefilled.catalogue.bundle.code, block, own, materials,
                                                                None, delivery, _mail_to(applicant, delivery)))
        pending = PendingApplication(saved.id, saved.bundle_code, applicant, who, full_form, materials, delivery)
        self._submit(pending)
        return pending

    def _submit(self, pending: PendingApplication) -> None:
        signs = MaterialStatus.COMMITMENT in pending.materials.values()
        submit_application(self.ctx, pending.principal, pending.id, pending.applicant.name if signs else "")

    def pre_review(self, pending: PendingApplication, resubmit_later: Callable[[], None]) -> str | None:
        """The window's 预审: the case number once accepted; None when returned (the applicant is to
        fix it and submit again, ``resubmit_later``)."""
        if not pending.returns and self.rng.random() < RETURNED_FOR_SCANS:
            self._return(pending, "扫描件不清晰，请重新上传清晰完整的材料。", resubmit_later)
            return None
        try:
            return accept_application(self.ctx, pending.id, self.clerk)
        except InvalidInput as err:
            missing = [key.split(".", 1)[1] for key in err.field_errors if key.startswith("form.")]
            if not missing or "form" in pending.returns:
                raise
            labels = {f.key: f.label for f in get_bundle_catalogue(self.ctx, pending.bundle_code).form().fields}
            self._return(pending, "以下内容未能由政府共享数据自动填写，请补充填写："
                         + "、".join(labels.get(key, key) for key in missing), resubmit_later, "form")
            return None

    def _return(self, pending: PendingApplication, notice: str, resubmit_later: Callable[[], None],
                why: str = "scans") -> None:
        return_application(self.ctx, pending.id, self.clerk, notice)
        pending.returns.append(why)
        self.returned += 1
        resubmit_later()

    def resubmit(self, pending: PendingApplication) -> None:
        """Fixed as the notice asked: every field filled in, the scans uploaded again."""
        save_application(self.ctx, pending.principal, SaveApplication(
            pending.bundle_code, self.principal_block(pending), pending.full_form, pending.materials, pending.id,
            pending.delivery, _mail_to(pending.applicant, pending.delivery)))
        self._submit(pending)

    def principal_block(self, pending: PendingApplication) -> dict[str, Any]:
        return pending.applicant.as_applicant(get_bundle_catalogue(self.ctx, pending.bundle_code).subject)

    def supply(self, number: str, corrections: list[tuple[str, list[str]]], tolerated: list[str]) -> bool:
        """Upload what the case asks and hand it in online; False when this deployment keeps no files
        (the applicant then brings them to the window)."""
        if self.ctx.files is None:
            return False
        who = self.principal_of(number)
        for item, materials in corrections:
            for key in materials:
                upload_my_files(self.ctx, who, number, key, [self.scan])
            self._quietly(partial(supply_correction_online, self.ctx, who, number, item))
        corrected = {key for _, materials in corrections for key in materials}
        tolerated = [key for key in tolerated if key not in corrected]  # handed in with the correction
        if tolerated:
            for key in tolerated:
                upload_my_files(self.ctx, who, number, key, [self.scan])
            self._quietly(lambda: supply_tolerated_online(self.ctx, who, number))
        return True

    def take_elicences(self, number: str, rating: int) -> bool:
        who = self.principal_of(number)
        if not self._quietly(lambda: collect_elicences(self.ctx, who, number)):
            return False
        rate_service(self.ctx, who, number, rating, "办理结果迟迟未推送，无人告知" if rating <= 2 else "")
        return True

    def principal_of(self, number: str) -> Principal:
        with self.ctx.uow(False) as uow:
            case = uow.cases.get_by_number(number)
        assert case is not None
        phone = str(case.applicant.get("phone") or "")
        return Principal(0, phone, str(case.applicant.get("name") or ""), APPLICANTS, frozenset({Role.APPLICANT}))

    @staticmethod
    def _quietly(action: Callable[[], object]) -> bool:
        try:
            action()
        except Conflict:
            return False
        return True
