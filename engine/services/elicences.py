"""Writing what a case granted to the e-licence store (电子证照库) at pickup, and what it learnt
about the applicant to the holder registry, so that the next case about the same subject reuses both.

A licence is about a subject (the person or enterprise it certifies) and held by a holder (the
applicant who received it). Reuse matches the subject: a parent holds the birth certificate of each
child, and one child's certificate never serves another child's case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.decisions import CREDIT_CODE_FORMAT, LicenceGrant
from engine.domain.model import Actor, Bundle, ItemStatus
from engine.domain.records import CaseItemRecord, CaseRecord, ELicenceRecord, HolderRecord
from engine.services.catalogue_cache import CatalogueCache
from engine.services.events import record_event
from engine.services.unit_of_work import UnitOfWork


def granted_licence(uow: UnitOfWork, catalogues: CatalogueCache, bundle_code: str,
                    item_code: str) -> LicenceGrant | None:
    """The licence the item issues when approved (its ``grants`` in the bundle's catalogue), with
    the licence type's number format; None for an item that issues none."""
    row = uow.flows.bundle(bundle_code)
    if row is None:
        return None
    catalogue = catalogues.get(uow, row.definition)
    item = catalogue.bundle.item(item_code)
    if item is None or item.grants is None:
        return None
    return LicenceGrant.of(item.grants, catalogue.licences.get(item.grants, {}))


@dataclass(frozen=True)
class LicenceSubject:
    kind: str
    """person or enterprise"""
    ref: str
    """An ID number, a credit code, or a reference unique to the case (a child with no ID number yet)."""
    name: str


def issue_elicences(uow: UnitOfWork, case: CaseRecord, bundle: Bundle, items: list[CaseItemRecord],
                    licence_types: dict[str, dict[str, Any]], actor: Actor, now: datetime) -> list[ELicenceRecord]:
    """Write the licences of the case's approved items, each with the number its reviewer gave. An
    item approved without one (before numbers were required) has no e-licence: its number is
    unknown, and the store holds no made-up numbers; the event names it."""
    applicant: dict[str, Any] = {**case.form, **case.applicant}  # what the form said, identity as verified
    approved = [(record, item) for record in items if record.status == ItemStatus.APPROVED
                for item in [bundle.item(record.item_code)] if item is not None and item.grants is not None]
    credit_code = str(applicant.get("credit_code") or "").strip().upper() or next(
        (str(record.licence_number) for record, item in approved if record.licence_number
         and licence_types.get(str(item.grants), {}).get("number_format") == CREDIT_CODE_FORMAT), "")
    if credit_code:
        applicant["credit_code"] = credit_code  # a business licence's number is the credit code
    issued, unnumbered = [], []
    for record, item in approved:
        assert item.grants is not None
        if not record.licence_number:
            unnumbered.append({"item": item.code, "type": item.grants})
            continue
        spec = licence_types.get(item.grants, {"name": item.grants, "holder": "person", "attributes": []})
        attributes = {key: applicant[key] for key in spec.get("attributes", []) if applicant.get(key)}
        subject = licence_subject(case, bundle.subject, item.grants_to, applicant, credit_code)
        # The holder is the applicant: the enterprise, when the licence is an enterprise's or the
        # applicant is one, and it has a credit code; otherwise the person who applied.
        enterprise = bool(credit_code) and (spec.get("holder") == "enterprise" or bundle.subject == "enterprise")
        issued.append(ELicenceRecord(
            type=item.grants, number=record.licence_number,
            holder_kind="enterprise" if enterprise else "person",
            holder_ref=credit_code if enterprise else str(applicant.get("id_number") or "").upper(),
            holder_name=str((applicant.get("entity_name") if enterprise else applicant.get("name")) or ""),
            issuer=item.department, issued_at=now, attributes=attributes, case_id=case.id,
            subject_kind=subject.kind, subject_ref=subject.ref, subject_name=subject.name))
    uow.elicences.add(*issued)
    _remember_holders(uow, applicant, now)
    if issued or unnumbered:
        data: dict[str, Any] = {"licences": [{"type": lic.type, "number": lic.number} for lic in issued]}
        if unnumbered:
            data["unnumbered"] = unnumbered
        record_event(uow, case, "ELicencesIssued", actor, now, data)
    return issued


def licence_subject(case: CaseRecord, kind: str, grants_to: str | None, applicant: Mapping[str, Any],
                    credit_code: str) -> LicenceSubject:
    """Whom a licence issued by the case is about: the person or enterprise a ``grants_to`` field
    names, else the bundle's subject — the applicant (person), the child (family_event: its ID
    number when the form gives one, else a reference unique to the case), the enterprise's credit
    code (enterprise; new_enterprise: the number of the business licence the case issued)."""
    if grants_to:  # employee_id_number names a person, their name is employee_name; *_credit_code an enterprise
        suffix = "credit_code" if grants_to.endswith("credit_code") else "id_number"
        ref = str(applicant.get(grants_to) or "").strip().upper()
        return LicenceSubject("enterprise" if suffix == "credit_code" else "person",
                              ref or f"{case.number}/{grants_to}",
                              str(applicant.get(grants_to.removesuffix(suffix) + "name") or ""))
    if kind == "family_event":
        child = str(applicant.get("child_id_number") or "").strip().upper()
        return LicenceSubject("person", child or f"{case.number}/child", str(applicant.get("child_name") or ""))
    if kind in ("enterprise", "new_enterprise"):
        # No credit code: the enterprise was never registered (its business licence refused).
        return LicenceSubject("enterprise", credit_code or f"{case.number}/enterprise",
                              str(applicant.get("entity_name") or ""))
    return LicenceSubject("person", str(applicant.get("id_number") or "").strip().upper(),
                          str(applicant.get("name") or ""))


def _remember_holders(uow: UnitOfWork, applicant: dict[str, Any], now: datetime) -> None:
    person_attrs = {k: applicant[k] for k in ("id_number", "phone", "address", "credit_code") if applicant.get(k)}
    if applicant.get("id_number"):
        uow.holders.put(HolderRecord("person", str(applicant["id_number"]), str(applicant.get("name", "")),
                                     person_attrs, now))
    if applicant.get("credit_code"):
        uow.holders.put(HolderRecord(
            "enterprise", str(applicant["credit_code"]), str(applicant.get("entity_name") or applicant.get("name")),
            {"credit_code": applicant["credit_code"], "address": applicant.get("address"),
             "legal_representative": applicant.get("name"),
             "legal_representative_id": applicant.get("id_number")}, now))
