"""Shared data (数据共享): asking the registries the government holds about an applicant, through one
port, and keeping an audit row of every lookup (数据调用留痕).

``RegistrySource`` is the port; ``registry_sources.EmbeddedRegistries`` (tables in the engine's own
database) and ``engine.sources.http_registry.HttpRegistries`` (a provincial platform) implement it.
The lookups run before any write transaction (a slow platform must not hold a case's locks), and
their audit rows are written at once, in a transaction of their own, whether the intake that asked
then succeeds or not: a lookup made is a lookup recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from engine.domain.errors import InvalidInput
from engine.domain.model import Actor
from engine.domain.registries import KINDS, Ask, LookupOutcome, RegistryRecord
from engine.domain.shared_data import LookupEntry
from engine.services.catalogue_cache import BundleCatalogue
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.identifiers import is_credit_code, is_resident_id
from forms.unified import SharedRecord, prefill_paths, prefill_subject


@dataclass(frozen=True)
class Inquiry:
    """Who asks, and why: every lookup needs a purpose."""

    actor: Actor
    purpose: str
    bundle_code: str | None = None
    draft: str | None = None
    """The intake (an id the window chose) the lookups serve before a case exists."""

    def __post_init__(self) -> None:
        if not self.purpose.strip():
            raise InvalidInput("a lookup of shared data needs a purpose", "调用共享数据须说明用途",
                               {"purpose": ["必填"]})


@dataclass
class Gathered:
    """What the registries answered for one intake: ``outcomes[n]`` answers ``asks[n]``."""

    outcomes: list[LookupOutcome] = field(default_factory=list)
    lookup_ids: list[int] = field(default_factory=list)
    asks: list[Ask] = field(default_factory=list)
    picks: Mapping[str, str] = field(default_factory=dict)
    """Where several records compete, the one the window picked: scope (``property``, or
    ``property@seller_id_number`` for someone the form names) -> the record's reference."""

    def picked(self, picks: Mapping[str, str]) -> Gathered:
        """The same answers with the window's picks. A pick of a kind this intake did not ask, or of
        a record the source did not offer, is refused; one for a source that did not answer is kept
        and changes nothing."""
        asked = {_scope(ask) for ask in self.asks}
        offered = {_scope(ask): {r.ref.upper() for r in outcome.records}
                   for ask, outcome in zip(self.asks, self.outcomes, strict=True) if outcome.unavailable is None}
        errors: dict[str, list[str]] = {}
        for scope, ref in picks.items():
            if scope not in asked:
                errors[f"choose.{scope}"] = ["本次受理没有查询这一类登记记录"]
            elif scope in offered and ref.strip().upper() not in offered[scope]:
                errors[f"choose.{scope}"] = ["该申请人的登记记录中没有所选记录"]
        if errors:
            raise InvalidInput("a chosen record is not among those the registries answered",
                               "所选登记记录有误", errors)
        return replace(self, picks={scope: ref.strip().upper() for scope, ref in picks.items()})

    @cached_property
    def _chosen(self) -> list[tuple[Ask, RegistryRecord]]:
        """The record of each ask the form and the checklist use: the only one, the one the window
        picked, or the newest where the kind says how to tell (a parent's latest birth); none where
        several compete and nobody picked (two properties: the window picks, the form does not guess)."""
        chosen = []
        for ask, outcome in zip(self.asks, self.outcomes, strict=True):
            records = outcome.records
            kind = KINDS.get(outcome.kind)
            newest_by = kind.newest_by if kind is not None else None
            pick = self.picks.get(_scope(ask))
            if len(records) > 1 and pick is not None:
                records = [r for r in records if r.ref.upper() == pick]
            elif len(records) > 1 and newest_by is not None:
                records = [max(records, key=lambda r: (str(r.attributes.get(newest_by) or ""), r.id))]
            if len(records) == 1:
                chosen.append((ask, records[0]))
        return chosen

    def choices(self) -> list[dict[str, Any]]:
        """Where several records compete and the window has not picked one: what to pick from (the
        record's reference and what tells it apart, such as a property's location)."""
        found = []
        for ask, outcome in zip(self.asks, self.outcomes, strict=True):
            kind = KINDS.get(outcome.kind)
            if kind is None or kind.newest_by is not None or len(outcome.records) < 2:
                continue
            column = kind.choice_column or kind.name_column
            found.append({"scope": _scope(ask), "kind": kind.code, "kind_name": kind.name, "about": ask.about,
                          "picked": self.picks.get(_scope(ask)),
                          "records": [{"ref": r.ref, "label": str(r.attributes.get(column) or r.name)}
                                      for r in outcome.records]})
        return found

    @property
    def chosen(self) -> list[RegistryRecord]:
        """The records about the applicant (those about someone the form names fill fields only)."""
        return [record for ask, record in self._chosen if ask.about is None]

    def shared_records(self) -> list[SharedRecord]:
        return [SharedRecord(f"{r.kind}@{ask.about}" if ask.about else r.kind, "registry",
                             KINDS[r.kind].name if r.kind in KINDS else r.kind, r.ref, r.attributes)
                for ask, r in self._chosen]

    @property
    def kinds_held(self) -> set[str]:
        return {r.kind for r in self.chosen}

    def unavailable(self) -> list[dict[str, str]]:
        return [{"kind": o.kind, "source": o.source, "reason": o.unavailable}
                for o in self.outcomes if o.unavailable is not None]


def _scope(ask: Ask) -> str:
    return f"{ask.kind}@{ask.about}" if ask.about else ask.kind


def subject_fields(catalogue: BundleCatalogue) -> set[str]:
    """The form fields of the bundle naming someone other than the applicant whose records fill other
    fields (an employee's ID number)."""
    form = catalogue.form()
    return {subject for f in form.fields for p in prefill_paths(form, f)
            if (subject := prefill_subject(p)) is not None}


def asks_for(catalogue: BundleCatalogue, applicant_ref: str, agent: str | None,
             about: Mapping[str, str] | None = None) -> list[Ask]:
    """What to ask the registries for a bundle's form and checklist: each kind its fields' prefill
    paths or its materials name, about the subject that kind is kept by (an enterprise by its credit
    code, a person's records by the ID number of the applicant, or of the person acting for an
    enterprise), and about each person a form field names (``about``: field -> ID number, such as
    the employee a hiring is for)."""
    form = catalogue.form()
    attributes: dict[tuple[str, str | None], list[str]] = {}
    for f in form.fields:
        for path in prefill_paths(form, f):
            kind, _, attribute = path.partition("@")[0].partition(".")
            wanted = attributes.setdefault((kind, prefill_subject(path)), []) if kind in KINDS else None
            if wanted is not None and attribute not in wanted:
                wanted.append(attribute)
    for entry in catalogue.checklist().entries:
        if entry.registry in KINDS:
            attributes.setdefault((entry.registry, None), []).append("record")
    ref = applicant_ref.strip().upper()
    person = ref if is_resident_id(ref) else (agent or "").strip().upper() or None
    enterprise = ref if is_credit_code(ref) else None
    asks = []
    for (kind, field_key), wanted in attributes.items():
        if field_key is not None:
            subject: str | None = str((about or {}).get(field_key) or "").strip().upper() or None
        else:
            subject = enterprise if kind == "enterprise" else ref if kind == "property" else person
        if subject and (is_resident_id(subject) or is_credit_code(subject)):
            asks.append(Ask(kind, subject, tuple(wanted), about=field_key))
    return asks


def gather(ctx: ServiceContext, inquiry: Inquiry, asks: Sequence[Ask]) -> Gathered:
    """Ask the configured source, then record every lookup it made (one audit row per ask)."""
    if not asks:
        return Gathered()
    asks = [replace(a, purpose=inquiry.purpose) for a in asks]  # a platform may want it with each ask
    outcomes = ctx.shared_data.lookup(asks)
    now = ctx.clock()
    entries = [_entry(inquiry, ask, outcome, now) for ask, outcome in zip(asks, outcomes, strict=True)]

    def work(uow: UnitOfWork) -> list[int]:
        return uow.lookups.add(entries)

    return Gathered(outcomes, in_transaction(ctx, work), asks)


def _entry(inquiry: Inquiry, ask: Ask, outcome: LookupOutcome, now: Any) -> LookupEntry:
    wanted = set(ask.attributes)
    returned = sum(1 for r in outcome.records for key, value in r.attributes.items()
                   if key in wanted and value not in (None, ""))
    if "record" in wanted:  # a material the record replaces: the record itself is what came back
        returned += len(outcome.records)
    return LookupEntry(
        occurred_at=now, user=inquiry.actor.user, department=inquiry.actor.department,
        purpose=inquiry.purpose.strip()[:200], source=outcome.source, kind=ask.kind, subject=ask.subject,
        attributes=list(ask.attributes), outcome=outcome.outcome, records=len(outcome.records),
        values_returned=returned, milliseconds=round(outcome.milliseconds), bundle_code=inquiry.bundle_code,
        draft=inquiry.draft, error=(outcome.unavailable or "")[:200] or None)
