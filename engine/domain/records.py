"""Records of stored state, as the use cases see them (independent of tables and wire schemas)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine.domain.audit import GENESIS

ID_MAX = 2**31 - 1
"""The largest case, flow version, warning or sequence number stored (32-bit integer columns): a
number past it refers to nothing, and would overflow the statement that looks for it."""
NO_CASE_ID = -1
"""The id that no case has (ids start at 1)."""


def case_id_in(ref: str) -> int | None:
    """The id that a case reference names, when it is one (ASCII digits; a case number otherwise:
    None). A number beyond any id stored names ``NO_CASE_ID``."""
    if not (ref.isascii() and ref.isdigit()):
        return None
    return int(ref) if len(ref) <= 10 and int(ref) <= ID_MAX else NO_CASE_ID


@dataclass
class CaseRecord:
    """A case. Its number, bundle, applicant, channel, acceptance and form are fixed at acceptance
    and never written again (``CaseRepository.save`` leaves them out)."""

    id: int
    number: str
    bundle_code: str
    flow_version_id: int
    status: str
    applicant: dict[str, Any]
    channel: str
    accepted_at: datetime
    accepted_by: str
    version: int
    closed_at: datetime | None = None
    event_seq: int = 0
    """The seq of the case's last event."""
    event_hash: str = GENESIS
    """The hash of the case's last event: the head of its audit chain."""
    form: dict[str, Any] = field(default_factory=dict)
    """The unified form as accepted (一表申请)."""
    materials: dict[str, str] = field(default_factory=dict)
    """Each material of the checklist: submitted, elicence, commitment or tolerated (容缺)."""
    prefilled: list[str] = field(default_factory=list)
    """Form fields that shared data or e-licences filled in (表单免填写)."""
    materials_due: datetime | None = None
    """The end of the last working day for supplying the tolerated materials (容缺)."""
    limit_days: int | None = None
    """The case's clock: the bundle's promised limit in working days (承诺时限)."""
    statutory_days: int | None = None
    """The same over the items' statutory limits (法定时限)."""
    due_on: date | None = None
    colour: str | None = None
    """green, yellow or red, as the ticker last saw the clock."""
    next_timer_at: datetime | None = None
    """When the case's next BPMN timer is due, so that the ticker finds it without loading workflows."""
    accepted_point: str | None = None
    """The service point that accepted it (None: accepted before there were points)."""
    handover_point: str | None = None
    """Where its results are handed over (统一出件): the accepting point unless the applicant chose
    another (异地代收)."""
    routing: dict[str, str] = field(default_factory=dict)
    """Department -> the unit its work on this case goes to (``wj`` -> ``wj@hongqi``); a department
    not named works at the city's level."""
    intake_place: str = "hall"
    """hall, or home for an intake at the applicant's home (上门办理)."""
    agent: str | None = None
    """The login of the hall's agent (帮办代办) who prepared the application for the applicant."""


@dataclass
class TaskRecord:
    id: str
    case_id: int
    case_number: str
    bundle_code: str
    department: str
    kind: str
    name: str
    title: str
    state: str
    created_at: datetime
    item_code: str | None = None
    claimed_at: datetime | None = None
    completed_at: datetime | None = None
    assignee: str | None = None
    completed_by: str | None = None
    decision: str | None = None
    limit_days: int | None = None
    """An approval's clock: its item's limit in working days (promised, else statutory)."""
    statutory_days: int | None = None
    due_on: date | None = None
    colour: str | None = None
    paused_since: datetime | None = None
    """Set while a special procedure pauses the clock."""


@dataclass
class CaseItemRecord:
    case_id: int
    item_code: str
    department: str
    status: str
    corrections: int = 0
    decision: str | None = None
    reason: str | None = None
    licence_number: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    materials_requested: list[str] = field(default_factory=list)
    inspection: dict[str, Any] | None = None
    """The latest site inspection (现场核查): result, inspected_on, findings, by, at."""


@dataclass
class EventRecord:
    case_id: int
    type: str
    actor_user: str
    actor_department: str
    actor_role: str
    occurred_at: datetime
    data: dict[str, Any]
    task_id: str | None = None
    seq: int = 0
    id: int | None = None
    actor_address: str | None = None
    prev_hash: str = GENESIS
    hash: str = ""
    hash_scheme: int = 0
    """How ``hash`` was made (``audit.HashScheme``): 0 unkeyed SHA-256, 1 HMAC-SHA256."""

    def chained_fields(self) -> dict[str, Any]:
        """What the event's hash covers: everything but its row id and the hashes themselves."""
        return {
            "case_id": self.case_id, "seq": self.seq, "type": self.type, "actor_user": self.actor_user,
            "actor_department": self.actor_department, "actor_role": self.actor_role,
            "actor_address": self.actor_address, "task_id": self.task_id, "data": self.data,
            "occurred_at": self.occurred_at,
        }


@dataclass
class AuditEventRecord:
    """An account or administration event (users, logins, flows, catalogue, calendar)."""

    seq: int
    type: str
    actor_user: str
    actor_department: str
    actor_role: str
    subject: str
    data: dict[str, Any]
    occurred_at: datetime
    actor_address: str | None = None
    prev_hash: str = GENESIS
    hash: str = ""
    id: int | None = None
    hash_scheme: int = 0
    """How ``hash`` was made (``audit.HashScheme``)."""

    def chained_fields(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "type": self.type, "actor_user": self.actor_user,
            "actor_department": self.actor_department, "actor_role": self.actor_role,
            "actor_address": self.actor_address, "subject": self.subject, "data": self.data,
            "occurred_at": self.occurred_at,
        }


@dataclass
class UserRecord:
    id: int
    login: str
    name: str
    department: str
    roles: list[str]
    password_hash: str
    active: bool
    demo: bool
    created_at: datetime
    updated_at: datetime
    service_point: str | None = None
    """Where a window clerk or agent works (None: the city's centre)."""


@dataclass
class TokenRecord:
    """A login: the bearer token's public id; only a hash of its secret is stored."""

    id: str
    user_id: int
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    address: str | None = None


@dataclass
class FlowVersionRecord:
    id: int
    bundle_code: str
    version: int
    process_id: str
    sha256: str
    source: str
    created_at: datetime
    deployed_at: datetime | None
    definition: dict[str, Any] | None = None
    """The bundle definition uploaded with this version, applied when it is deployed (None: the
    version runs with the bundle's definition as it is)."""


@dataclass
class BundleRecord:
    code: str
    name: str
    definition: dict[str, Any]
    deployed_version_id: int | None


@dataclass
class ELicenceRecord:
    """An e-licence (电子证照) held by a person (``holder_ref`` = ID number) or an enterprise
    (``holder_ref`` = unified social credit code), and about a subject: the person or enterprise it
    certifies (``subject_ref``: an ID number, a credit code, or for a child without an ID number a
    reference unique to the case that issued it). A parent holds the birth certificate about a
    child; reuse in a later case matches the subject, never only the holder."""

    type: str
    number: str
    holder_kind: str
    holder_ref: str
    holder_name: str
    subject_kind: str
    """person or enterprise"""
    subject_ref: str
    subject_name: str
    issuer: str
    issued_at: datetime
    attributes: dict[str, Any]
    valid_until: datetime | None = None
    case_id: int | None = None
    id: int | None = None


@dataclass
class HolderRecord:
    """Shared identity data of a person or an enterprise (the holder registry)."""

    kind: str
    ref: str
    name: str
    attributes: dict[str, Any]
    updated_at: datetime


@dataclass
class CreditRecord:
    """A bad credit record (失信记录) of a person or an enterprise; in force until lifted."""

    id: int
    ref: str
    reason: str
    source: str
    listed_by: str
    listed_at: datetime
    lifted_by: str | None = None
    lifted_at: datetime | None = None
