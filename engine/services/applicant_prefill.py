"""The online form pre-filled for the signed-in applicant (issue 26): only when the unified identity
service verified who they are (实名认证, its ID number kept with the account) — a mobile number alone
proves nothing about whose registry records these are. Each lookup is audited as the window's are,
the applicant named as who asked."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.access import APPLICANTS, Principal, applicant_phone
from engine.domain.model import Actor
from engine.services.catalogue import get_bundle_catalogue, get_prefilled_form
from engine.services.context import ServiceContext
from forms.unified import Prefilled


@dataclass(frozen=True)
class MyPrefill:
    id_number: str | None
    """The ID number the identity service verified for this account; None: not verified."""
    prefilled: dict[str, Prefilled] = field(default_factory=dict)


def prefill_for_me(ctx: ServiceContext, principal: Principal, bundle_code: str) -> MyPrefill:
    phone = applicant_phone(principal)
    catalogue = get_bundle_catalogue(ctx, bundle_code)  # an unknown bundle is refused (404)
    with ctx.uow(False) as uow:
        verified = uow.identities.get(phone)
    if verified is None:
        return MyPrefill(None)
    ref, agent = catalogue.subject.lookup_refs({"id_number": verified})
    if not ref:  # an existing enterprise is looked up by its credit code, which nobody verified
        return MyPrefill(verified)
    found = get_prefilled_form(ctx, bundle_code, ref, agent, Actor(phone, APPLICANTS, "applicant"))
    return MyPrefill(verified, found.prefilled)
