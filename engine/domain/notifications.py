"""Telling the applicant (issue 26): what happened to their case, by SMS, e-mail and in-app message.

A change that the applicant must hear of writes its messages into an outbox in the same transaction
as the change (``OutboxMessage``: one per event and channel, keyed so that it exists once); a worker
delivers them later, retrying with backoff. The text is rendered at delivery from the catalogue's
templates (``bpmn/catalogue/notifications.json``), so an administrator's wording applies to what is
still waiting. Plain data and rules here; the senders are adapters (``engine.sources``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    INAPP = "inapp"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    """Claimed by a worker until ``lease_until``; a worker that died leaves it to be claimed again."""
    SENT = "sent"
    FAILED = "failed"
    """Given up after ``MAX_ATTEMPTS`` (or refused for good by the gateway): shown on the case."""


class NotificationKind(StrEnum):
    ACCEPTED = "accepted"
    RETURNED = "returned"
    CORRECTION_REQUESTED = "correction_requested"
    TOLERANCE_DUE = "tolerance_due"
    RESULTS_READY = "results_ready"
    TERMINATED = "terminated"
    MAIL_SENT = "mail_sent"
    BOOKED = "booked"
    BOOKING_REMINDER = "booking_reminder"
    LOGIN_CODE = "login_code"
    WORK_ORDER_REPLIED = "work_order_replied"
    """The department replied to what the applicant raised (工单): read it and confirm or dispute it."""


EVENT_KINDS: dict[str, NotificationKind] = {
    "CaseAccepted": NotificationKind.ACCEPTED,
    "CorrectionRequested": NotificationKind.CORRECTION_REQUESTED,
    "ResultsReady": NotificationKind.RESULTS_READY,
    "CaseTerminated": NotificationKind.TERMINATED,
}
"""The case events the applicant is told of, and as what."""

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
LEASE = timedelta(seconds=60)
"""How long a worker holds a message it is sending before another worker may take it over."""


def retry_after(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: 30 s, 1, 2, 4, 8 min … at most 1 h."""
    wait: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LAST_RETRY)


@dataclass
class OutboxMessage:
    key: str
    """Unique: ``case:<id>:<event seq>:<channel>`` (or ``login:<…>``): a second write of the same
    message is ignored, which makes the delivery exactly once per event and channel."""
    kind: NotificationKind
    channel: Channel
    recipient: str
    """A mobile number, an e-mail address, or an applicant account id (in-app)."""
    params: dict[str, Any]
    created_at: datetime
    case_id: int | None = None
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    id: int = 0


@dataclass(frozen=True)
class Template:
    """One kind of notice as the catalogue words it."""

    label: str
    text: str
    """The message, with ``{number}``-style placeholders taken from the message's params."""
    subject: str = ""
    """The e-mail's subject (the text is its body)."""
    sms_template: str = ""
    """The SMS gateway's template id (gateways send only texts registered with them)."""


PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = ("number", "bundle", "item", "department", "materials", "reason", "due", "tracking", "code", "minutes",
                "point", "time")
"""What a template may name: the params the engine gives its messages."""


def template_from_dict(data: Mapping[str, Any]) -> Template:
    return Template(str(data["label"]), str(data["text"]), str(data.get("subject", "")),
                    str(data.get("sms_template", "")))


def as_sentence(text: str) -> str:
    """``text`` ending with one full stop (。), whatever it ended with; empty stays empty."""
    text = text.strip().rstrip("。.；;，, ")
    return f"{text}。" if text else ""


def render(text: str, params: Mapping[str, Any]) -> str:
    """The text with each ``{name}`` replaced by its param; an unknown name stays as written (an
    administrator's typo must not stop a delivery)."""
    return PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), m.group(0))), text)


@dataclass(frozen=True)
class Outgoing:
    """A message as a sender sends it."""

    key: str
    channel: Channel
    recipient: str
    subject: str
    text: str
    sms_template: str = ""
    params: dict[str, Any] = field(default_factory=dict)


class DeliveryFailed(Exception):
    """The channel did not take the message. ``permanent``: trying again cannot help (a number the
    gateway refuses); otherwise it is retried with backoff."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Sender(Protocol):
    """One channel's way out: an SMS gateway, an SMTP server, the applicant's in-app inbox. ``send``
    returns once the channel has taken the message; it must accept the same ``key`` twice without
    delivering twice (a worker that died after sending sends again)."""

    channel: Channel

    def send(self, message: Outgoing) -> None: ...


@dataclass
class LoginCode:
    """A one-time code sent to a mobile number to sign in with; only its salted hash is kept."""

    phone: str
    salt: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None
    id: int = 0


class ApplicationStatus(StrEnum):
    """An online application (网上申请) on its way to the window's 预审."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    """预审 sent it back once with everything to fix (一次性告知); the applicant fixes and submits again."""
    ACCEPTED = "accepted"


@dataclass
class OnlineApplication:
    phone: str
    bundle_code: str
    applicant: dict[str, Any]
    form: dict[str, Any]
    materials: dict[str, str]
    created_at: datetime
    updated_at: datetime
    status: ApplicationStatus = ApplicationStatus.DRAFT
    notice: str | None = None
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    case_number: str | None = None
    commitment: dict[str, Any] | None = None
    """告知承诺 signed online (``applicant_channel.Commitment.as_dict``), when materials rely on one."""
    delivery: dict[str, Any] | None = None
    """How the applicant wants the results: ``{"delivery", "address", "slot"}``; None: decided later."""
    on_behalf: bool = False
    """Made by an agent (委托代办) for the applicant the block names, whose own mobile number it gives;
    ``phone`` is then the agent's."""
    id: int = 0
