"""The nouns of a one-thing case: actors, items, bundles, tasks and their states."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

WINDOW = "window"
"""Department code of the comprehensive window (综合窗口): intake, corrections, pickup."""


class TaskKind(StrEnum):
    INTAKE = "intake"
    APPROVAL = "approval"
    CORRECTION = "correction"
    PICKUP = "pickup"
    INSPECTION = "inspection"
    """现场核查: the department inspects the site before it decides the item."""


class TaskState(StrEnum):
    READY = "ready"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in (TaskState.READY, TaskState.CLAIMED)


class CaseStatus(StrEnum):
    IN_REVIEW = "in_review"
    AWAITING_PICKUP = "awaiting_pickup"
    CLOSED = "closed"
    TERMINATED = "terminated"
    """办件终止: e.g. materials tolerated at acceptance were not supplied in time."""

    @property
    def is_finished(self) -> bool:
        return self in (CaseStatus.CLOSED, CaseStatus.TERMINATED)


class ItemStatus(StrEnum):
    IN_REVIEW = "in_review"
    CORRECTION_REQUESTED = "correction_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    NOT_APPLICABLE = "not_applicable"
    """Not decided because a prerequisite was refused (or is itself not applicable)."""


class Delivery(StrEnum):
    WINDOW = "window"
    MAIL = "mail"
    ONLINE = "online"


OFFICE = "office"
"""Department code of the service centre's management office (政务服务管理办公室): supervisors and
administrators belong here."""


@dataclass(frozen=True)
class Actor:
    """Who acts, as the event log records it: the user's login, department, the role that allowed
    the action, and the client address the request came from."""

    user: str
    department: str
    role: str = ""
    address: str | None = None
    point: str | None = None
    """The service point a window clerk or agent works at (None: the city's centre)."""


SYSTEM = Actor(user="system", department="system", role="system")


@dataclass(frozen=True)
class ItemMaterial:
    key: str
    kind: str
    """``key`` (主要材料: its absence blocks acceptance) or ``secondary`` (次要材料: 容缺-able)."""


@dataclass(frozen=True)
class SpecialProcedure:
    name: str
    pauses_clock: bool
    """True for the procedures of 行政许可法 art. 45 (hearing, testing, expert review...)."""


@dataclass(frozen=True)
class Item:
    """One department's service item (事项)."""

    code: str
    name: str
    department: str
    statutory_days: int | None
    promised_days: int | None
    trips_alone: int = 2
    steps_alone: int = 4
    fee: str | None = None
    basis: str | None = None
    estimated: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    grants: str | None = None
    """The e-licence type a granted item issues."""
    grants_to: str | None = None
    """The form field identifying whom the granted licence is about, when not the bundle's subject."""
    issues: tuple[str, ...] = ()
    """Material keys this item issues (its outputs): never asked for at intake."""
    uses: tuple[str, ...] = ()
    """Outputs of its prerequisites this item receives inside the case (联动), never from the applicant."""
    special_procedures: tuple[SpecialProcedure, ...] = ()
    materials: tuple[ItemMaterial, ...] = ()
    fields: tuple[str, ...] = ()
    fields_alone: int | None = None
    materials_alone: int | None = None
    separate_days: int | None = None
    """Working days the item takes when applied for alone, where the catalogue has a sourced or
    estimated figure (its ``estimated`` list says which); the savings' time baseline prefers it."""
    inspection: str | None = None
    """The name of the site inspection (现场核查) the department does before deciding, if any."""


@dataclass(frozen=True)
class Bundle:
    """A one-thing bundle (一件事): its items and the code its case numbers start with."""

    code: str
    name: str
    number_prefix: str
    items: tuple[Item, ...]
    departments: dict[str, str]
    tolerance_days: int | None = None
    """Working days within which materials missing at 容缺受理 must be supplied."""
    sources: tuple[str, ...] = ()
    published: tuple[dict[str, Any], ...] = ()
    subject: str = "person"
    """Whom the bundle is about (``forms.subjects.SubjectKind``): person, family_event, enterprise or
    new_enterprise."""

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def department_name(self, code: str) -> str:
        """The department's name, or a unit's (``wj@hongqi``: 红旗区卫生健康委, when the catalogue named
        the units; else its department's)."""
        return self.departments.get(code) or self.departments.get(code.split("@", 1)[0], code)
