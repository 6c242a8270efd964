"""The catalogue: its shared dictionaries (form fields, materials, e-licence types), a bundle's
complete guide (一次告知), its unified form pre-filled for an applicant (一表申请), and the e-licence
store and holder registry that make a second case lighter than the first."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.domain.errors import InvalidInput, NotFound
from engine.domain.model import Actor
from engine.domain.records import CreditRecord, ELicenceRecord, HolderRecord
from engine.services.catalogue_cache import BundleCatalogue, CatalogueCache
from engine.services.context import ServiceContext
from engine.services.shared_data import Gathered, Inquiry, asks_for, gather, subject_fields
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import Checklist
from forms.identifiers import is_credit_code, is_resident_id
from forms.unified import Prefilled, SharedRecord, UnifiedForm, prefill

KINDS = {"field": "fields.json", "material": "materials.json", "licence": "licences.json",
         "notification": "notifications.json", "service_point": "service_points.json",
         "work_order": "work_orders.json"}
DICTIONARIES = {"fields": "field", "materials": "material", "licences": "licence", "notifications": "notification",
                "service_points": "service_point", "work_orders": "work_order"}
"""The dictionaries as the API names them, and the kind each is stored under."""


def dictionary_kind(name: str) -> str:
    """The stored kind of the dictionary the API calls ``name``; NotFound for any other name."""
    if name not in DICTIONARIES:
        raise NotFound(f"no catalogue dictionary {name!r}", f"没有目录 {name}")
    return DICTIONARIES[name]


def deploy_catalogue(ctx: ServiceContext, catalogue_dir: Path) -> list[str]:
    """Bring the shipped dictionaries of ``catalogue_dir`` into the database; a missing file leaves
    that kind as it is. Only what the shipped file changed since it was last deployed is applied
    (a three-way merge): entries administrators added or edited through the API survive a restart,
    unless a release changes that very entry."""
    loaded = {kind: json.loads((catalogue_dir / name).read_text(encoding="utf-8"))
              for kind, name in KINDS.items() if (catalogue_dir / name).exists()}

    def work(uow: UnitOfWork) -> list[str]:
        now = ctx.clock()
        report = []
        for kind, shipped in loaded.items():
            digest = hashlib.sha256(json.dumps(shipped, sort_keys=True).encode()).hexdigest()
            before = uow.shipped.get(f"catalogue:{kind}")
            if before is not None and before[0] == digest:
                report.append(f"catalogue {kind}s: shipped file unchanged, {len(shipped)} entries")
                continue
            merged = merge_shipped(uow.catalogue.entries(kind), before[1] if before else None, shipped)
            changed = uow.catalogue.replace(kind, merged, now)
            uow.shipped.put(f"catalogue:{kind}", digest, shipped, now)
            report.append(f"catalogue {kind}s: {len(merged)} entries, {changed} changed by the shipped file")
        return report

    return in_transaction(ctx, work)


def merge_shipped(stored: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """What the database should hold after a release changed a shipped dictionary from ``old`` to
    ``new``: entries the release added or changed take the release's value; entries it removed go,
    unless an administrator had changed them; everything else stays as stored. Without ``old``
    (the first deploy), the shipped entries are laid over what is stored."""
    if old is None:
        return {**stored, **new}
    merged = dict(stored)
    for key, value in new.items():
        if old.get(key) != value:
            merged[key] = value
    for key in set(old) - set(new):
        if key in merged and merged[key] == old[key]:
            del merged[key]
    return merged


def bundle_catalogue(uow: UnitOfWork, code: str, cache: CatalogueCache, *, deployed: bool = False) -> BundleCatalogue:
    """The bundle's catalogue; ``deployed``: only a bundle one can apply for (one an administrator has
    created but not deployed yet is not found)."""
    row = uow.flows.bundle(code)
    if row is None or (deployed and row.deployed_version_id is None):
        raise NotFound(f"no bundle {code!r}", f"没有编码为 {code} 的一件事")
    return cache.get(uow, row.definition)


def get_bundle_catalogue(ctx: ServiceContext, code: str, *, deployed: bool = False) -> BundleCatalogue:
    with ctx.uow(False) as uow:
        return bundle_catalogue(uow, code, ctx.catalogues, deployed=deployed)


@dataclass(frozen=True)
class ApplicantData:
    """What the government already holds about an applicant."""

    person: HolderRecord | None
    enterprise: HolderRecord | None
    licences: list[ELicenceRecord]
    """Every valid licence the applicant holds or is the subject of, the newest of each type and
    subject, newest first: a parent's own and those about each of the parent's children."""
    bad_credit: list[CreditRecord] = field(default_factory=list)
    """Bad credit records in force (失信): no 容缺受理 for this applicant."""
    subjects: tuple[str, ...] = ()
    """Whom the applicant's reusable licences are about: its ID number or credit code, and the
    enterprise or legal representative the registry links to it."""
    shared: Gathered = field(default_factory=Gathered)
    """What the registries answered (``shared_data``): the records, and the sources that did not."""

    @property
    def reusable(self) -> list[ELicenceRecord]:
        """The newest licence of each type about the applicant itself, newest first: what waives a
        material (免提交) and pre-fills the form. A licence it holds about someone else (a child's
        birth certificate) serves no other case: a second child's case must not reuse the first's."""
        seen: set[str] = set()
        found = []
        for licence in self.licences:
            if licence.subject_ref in self.subjects and licence.type not in seen:
                seen.add(licence.type)
                found.append(licence)
        return found

    def sources(self) -> list[SharedRecord]:
        """Every record that may pre-fill the form, most trusted first: the registries' records, the
        e-licences, then what earlier cases left (the holder records pickups write)."""
        found = self.shared.shared_records()
        for licence in self.reusable:
            found.append(SharedRecord(f"licence.{licence.type}", "elicence", "电子证照库", licence.number,
                                      {"number": licence.number, **licence.attributes}))
        for holder in (self.person, self.enterprise):
            if holder is not None:
                found.append(SharedRecord(holder.kind, "earlier_case", "既往办件", holder.ref,
                                          {"name": holder.name, **holder.attributes}))
        return found

    @property
    def licence_types(self) -> set[str]:
        return {lic.type for lic in self.reusable}

    @property
    def registry_kinds(self) -> set[str]:
        """The registries holding the record a material needs (a marriage record)."""
        return self.shared.kinds_held


def applicant_data(uow: UnitOfWork, ref: str, now: Any, agent: str | None = None,
                   shared: Gathered | None = None) -> ApplicantData:
    """What is held about ``ref`` (an ID number or a credit code). ``agent``: for an enterprise, the
    ID number of the person acting for it (经办人), whose registry record pre-fills the person's own
    fields; their licences and credit records stay theirs."""
    ref = ref.strip().upper()
    person = uow.holders.get("person", ref) if is_resident_id(ref) else None
    if person is None and agent and is_credit_code(ref) and is_resident_id(agent.strip().upper()):
        person = uow.holders.get("person", agent.strip().upper())
    enterprise = uow.holders.get("enterprise", ref) if is_credit_code(ref) else None
    refs = [ref]
    if person is not None and person.attributes.get("credit_code") and is_resident_id(ref):
        refs.append(str(person.attributes["credit_code"]))
    if enterprise is not None and enterprise.attributes.get("legal_representative_id"):
        refs.append(str(enterprise.attributes["legal_representative_id"]))
    return ApplicantData(person, enterprise, uow.elicences.held_by(refs, now), uow.credit.of(refs, in_force_only=True),
                         tuple(refs), shared or Gathered())


@dataclass(frozen=True)
class PrefilledForm:
    catalogue: BundleCatalogue
    form: UnifiedForm
    checklist: Checklist
    prefilled: dict[str, Prefilled]
    held: ApplicantData


def get_prefilled_form(ctx: ServiceContext, code: str, applicant_ref: str | None, agent: str | None = None,
                       inquirer: Actor | None = None, draft: str | None = None,
                       about: Mapping[str, str] | None = None,
                       choose: Mapping[str, str] | None = None) -> PrefilledForm:
    """The bundle's form and checklist, pre-filled for the applicant from the registries (asked as
    ``inquirer``, each lookup audited; ``draft``: the intake the window is preparing), the e-licences
    and earlier cases; ``about``: the ID numbers the window typed into fields naming someone else
    (an employee), whose records fill that person's fields; ``choose``: where several records compete
    (two properties), the one the window picked (``Gathered.picked``)."""
    if applicant_ref and not (is_resident_id(applicant_ref.strip().upper())
                              or is_credit_code(applicant_ref.strip().upper())):
        raise InvalidInput("applicant must be a resident ID number or a unified social credit code",
                           "申请人证件号码有误：应为有效的居民身份证号码或统一社会信用代码",
                           {"applicant": ["校验位不正确或格式有误"]})
    if agent and not is_resident_id(agent.strip().upper()):
        raise InvalidInput("agent must be a resident ID number", "经办人身份证号码有误",
                           {"agent": ["应为有效的居民身份证号码（GB 11643）"]})
    catalogue = get_bundle_catalogue(ctx, code)
    named, errors = subject_fields(catalogue), {}
    for key, value in (about or {}).items():
        ref = value.strip().upper()
        if key not in named:
            errors[f"about.{key}"] = ["本一件事的表单中没有据此查询共享数据的字段"]
        elif not (is_resident_id(ref) or is_credit_code(ref)):
            errors[f"about.{key}"] = ["应为有效的居民身份证号码或统一社会信用代码"]
    if errors:
        raise InvalidInput("about names a field that names no one, or an invalid ID number",
                           "按表单字段查询共享数据的参数有误", errors)
    shared = Gathered()
    if applicant_ref and inquirer is not None:
        inquiry = Inquiry(inquirer, f"受理预填：{catalogue.bundle.name}", catalogue.bundle.code, draft)
        shared = gather(ctx, inquiry, asks_for(catalogue, applicant_ref, agent, about))
    if choose:
        shared = shared.picked(choose)
    with ctx.uow(False) as uow:
        held = (applicant_data(uow, applicant_ref, ctx.clock(), agent, shared) if applicant_ref
                else ApplicantData(None, None, []))
    form = catalogue.form()
    return PrefilledForm(catalogue, form, catalogue.checklist(), prefill(form, held.sources()), held)


def catalogue_entries(ctx: ServiceContext, kind: str) -> dict[str, Any]:
    """One dictionary of the catalogue: ``fields``, ``materials`` or ``licences``."""
    stored = dictionary_kind(kind)
    with ctx.uow(False) as uow:
        return uow.catalogue.entries(stored)
