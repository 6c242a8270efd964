"""Writing what a case granted to the e-licence store (电子证照库) at pickup, and what it learnt
about the applicant to the holder registry, so that the same applicant's next case reuses both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.model import Actor, Bundle, ItemStatus
from engine.domain.records import CaseItemRecord, CaseRecord, ELicenceRecord, HolderRecord
from engine.persistence.uow import SqlAlchemyUnitOfWork
from engine.services.events import record_event


def issue_elicences(uow: SqlAlchemyUnitOfWork, case: CaseRecord, bundle: Bundle, items: list[CaseItemRecord],
                    licence_types: dict[str, dict[str, Any]], actor: Actor, now: datetime) -> list[ELicenceRecord]:
    applicant: dict[str, Any] = {**case.form, **case.applicant}  # what the form said, identity as verified
    issued = []
    for record in items:
        item = bundle.item(record.item_code)
        if item is None or item.grants is None or record.status != ItemStatus.APPROVED:
            continue
        spec = licence_types.get(item.grants, {"name": item.grants, "holder": "person", "attributes": []})
        number = record.licence_number or f"{case.number}-{item.code}"
        attributes = {key: applicant[key] for key in spec.get("attributes", []) if applicant.get(key)}
        if "credit_code" in spec.get("attributes", []) and not attributes.get("credit_code"):
            attributes["credit_code"] = number  # a business licence's number is the credit code
            applicant["credit_code"] = number
        enterprise = spec.get("holder") == "enterprise"
        ref = str(attributes.get("credit_code") or applicant.get("credit_code") if enterprise
                  else applicant.get("id_number"))
        licence = ELicenceRecord(
            type=item.grants, number=number, holder_kind="enterprise" if enterprise else "person", holder_ref=ref,
            holder_name=str(applicant.get("entity_name") if enterprise else applicant.get("name")) or "",
            issuer=item.department, issued_at=now, attributes=attributes, case_id=case.id)
        issued.append(licence)
    uow.elicences.add(*issued)
    _remember_holders(uow, applicant, now)
    if issued:
        record_event(uow, case, "ELicencesIssued", actor, now,
                     {"licences": [{"type": lic.type, "number": lic.number} for lic in issued]})
    return issued


def _remember_holders(uow: SqlAlchemyUnitOfWork, applicant: dict[str, Any], now: datetime) -> None:
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
