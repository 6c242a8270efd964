"""Telling the applicant (通知): messages written to the outbox with the change that causes them,
delivered by the worker (the ticker, or Celery beat's tick) through each channel's sender.

Exactly once per event and channel: the outbox key is unique, so an event writes its message once;
a worker claims a message with a lease before sending, and marks it sent after. A worker that dies
in between leaves the lease to run out; the next claims the message again and sends it with the same
key, which the senders pass on (the SMS gateway's ``out_id``, the e-mail's Message-ID), so the
channel keeps one. A channel that fails is retried with backoff (30 s doubling to an hour), and after
``MAX_ATTEMPTS`` the message is marked failed, which the case shows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.access import Principal
from engine.domain.clocks import SHANGHAI
from engine.domain.errors import NotFound, case_not_found
from engine.domain.notifications import (
    EVENT_KINDS,
    MAX_ATTEMPTS,
    Channel,
    DeliveryFailed,
    DeliveryState,
    NotificationKind,
    OutboxMessage,
    Outgoing,
    Template,
    as_sentence,
    render,
    retry_after,
    template_from_dict,
)
from engine.domain.records import CaseRecord, EventRecord
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import MaterialStatus
from forms.identifiers import is_mobile

LOG = logging.getLogger("onething.notifications")
TOLERANCE_LEAD_DAYS = 2
"""Working days before the tolerated materials' due day that the applicant is reminded."""


def recipients_of_phone(phone: str, email: str = "") -> list[tuple[Channel, str]]:
    """Where an applicant hears: an SMS to the mobile number, an e-mail if an address was given, and
    the in-app inbox of the account that signs in with that mobile number."""
    phone = phone.strip()
    found = [(Channel.SMS, phone)] if phone else []
    if email:
        found.append((Channel.EMAIL, email))
    if is_mobile(phone):
        found.append((Channel.INAPP, phone))
    return found


def _recipients(case: CaseRecord) -> list[tuple[Channel, str]]:
    """Where the applicant hears of their case: as the application gave their contacts."""
    return recipients_of_phone(str(case.applicant.get("phone") or ""), str(case.applicant.get("email") or ""))


def case_messages(case: CaseRecord, kind: NotificationKind, key: str, params: dict[str, Any],
                  now: datetime) -> list[OutboxMessage]:
    base = {"number": case.number, "bundle": case.bundle_code, **params}
    return [OutboxMessage(f"{key}:{channel}", kind, channel, recipient, base, now, case.id)
            for channel, recipient in _recipients(case)]


def notify_event(uow: UnitOfWork, case: CaseRecord, event: EventRecord) -> None:
    """The messages a case event tells the applicant, written with the event (called by
    ``events.record_event`` for every event; most tell nothing)."""
    data = event.data
    kind = EVENT_KINDS.get(event.type)
    if event.type == "ResultsHandedOver" and data.get("delivery") == "mail":
        kind = NotificationKind.MAIL_SENT
    if kind is None:
        return
    params: dict[str, Any] = {k: data[k] for k in ("item", "materials", "reason") if k in data}
    if data.get("tracking_number"):
        params["tracking"] = data["tracking_number"]
    uow.outbox.add(case_messages(case, kind, f"case:{case.id}:{event.seq}", params, event.occurred_at))


def remind_tolerance_due(ctx: ServiceContext) -> list[str]:
    """Remind the applicants whose tolerated materials are due within two working days (once per
    case and due day; not on the day of acceptance, whose receipt says the day already)."""
    now = ctx.clock()
    today = now.astimezone(SHANGHAI).date()
    with ctx.uow(False) as uow:
        calendar = ctx.calendars.get(uow)
        horizon = datetime.combine(calendar.add_working_days(today, TOLERANCE_LEAD_DAYS), datetime.max.time(), SHANGHAI)
        due = [case for case_id in uow.cases.materials_overdue(horizon)
               if (case := uow.cases.get(case_id)) is not None and case.materials_due is not None
               and case.materials_due >= now and case.accepted_at.astimezone(SHANGHAI).date() < today
               and MaterialStatus.TOLERATED in case.materials.values()]
    if not due:
        return []

    def work(uow: UnitOfWork) -> list[str]:
        for case in due:
            assert case.materials_due is not None
            day = case.materials_due.astimezone(SHANGHAI).date().isoformat()
            outstanding = [k for k, v in case.materials.items() if v == MaterialStatus.TOLERATED]
            uow.outbox.add(case_messages(case, NotificationKind.TOLERANCE_DUE, f"case:{case.id}:tolerance:{day}",
                                         {"due": day, "materials": outstanding}, now))
        return [case.number for case in due]

    return in_transaction(ctx, work)


def _templates(uow: UnitOfWork) -> dict[str, Template]:
    return {key: template_from_dict(value) for key, value in uow.catalogue.entries("notification").items()}


def _words(ctx: ServiceContext, message: OutboxMessage) -> dict[str, Any]:
    """The message's params as the applicant reads them: the bundle's and materials' names, a reason
    as a sentence (the templates put nothing after it but the next sentence)."""
    # Imported here: the catalogue needs the flows, whose progress records events, which notify.
    from engine.services.catalogue import get_bundle_catalogue

    params = dict(message.params)
    if isinstance(params.get("reason"), str):
        params["reason"] = as_sentence(params["reason"])
    try:
        catalogue = get_bundle_catalogue(ctx, str(params.get("bundle", "")))
    except NotFound:
        return params
    params["bundle"] = catalogue.bundle.name
    names = {e.key: e.name for e in catalogue.checklist().entries}
    if isinstance(params.get("materials"), list):
        params["materials"] = "、".join(names.get(str(k), str(k)) for k in params["materials"])
    if params.get("item"):
        item = catalogue.bundle.item(str(params["item"]))
        params["item"] = item.name if item else params["item"]
        params["department"] = catalogue.bundle.department_name(item.department) if item else ""
    return params


def deliver_outbox(ctx: ServiceContext, limit: int = 100, key: str | None = None) -> list[str]:
    """One pass of delivery: claim the due messages (or the one with ``key``), send each, record how
    it went."""
    now = ctx.clock()

    def claim(uow: UnitOfWork) -> tuple[list[OutboxMessage], dict[str, Template]]:
        found = (uow.outbox.claim_key(key, now, ctx.outbox_lease) if key is not None
                 else uow.outbox.claim(now, ctx.outbox_lease, limit))
        return found, _templates(uow)

    claimed, templates = in_transaction(ctx, claim)
    report = []
    for message in claimed:
        template = templates.get(str(message.kind))
        outcome = _send(ctx, message, template)
        at = ctx.clock()

        def record(uow: UnitOfWork, message: OutboxMessage = message, outcome: str | None = outcome,
                   at: datetime = at) -> None:
            if outcome is None:  # a login code is not kept once it is on its way
                uow.outbox.sent(message.id, at, forget_params=message.kind == NotificationKind.LOGIN_CODE)
            elif outcome.startswith("!") or message.attempts >= MAX_ATTEMPTS:
                uow.outbox.failed(message.id, outcome.lstrip("!"))
            else:
                uow.outbox.retry(message.id, at + retry_after(message.attempts), outcome)

        in_transaction(ctx, record)
        report.append(f"{message.key}: {'sent' if outcome is None else outcome.lstrip('!')}")
    return report


def _send(ctx: ServiceContext, message: OutboxMessage, template: Template | None) -> str | None:
    """None when the channel took the message; else why not (``!`` first: trying again cannot help)."""
    if template is None:
        return f"!no template for {message.kind} in the catalogue"
    sender = ctx.senders.get(message.channel)
    if sender is None:
        return f"no sender configured for {message.channel}"
    params = _words(ctx, message)
    outgoing = Outgoing(message.key, message.channel, message.recipient, render(template.subject, params),
                        render(template.text, params), template.sms_template, params)
    try:
        sender.send(outgoing)
    except DeliveryFailed as err:
        LOG.warning("notification %s not delivered: %s", message.key, err.reason)
        return ("!" if err.permanent else "") + err.reason
    return None


def case_notifications(ctx: ServiceContext, ref: str, viewer: Principal) -> tuple[CaseRecord, bool,
                                                                                 list[OutboxMessage]]:
    """What the applicant was told of the case, by channel, with each message's delivery, as
    ``viewer`` may see the case (404 otherwise); the flag says whether they may see the recipients."""
    from engine.services.cases import find_case  # imported here: cases record events, which notify

    with ctx.uow(False) as uow:
        case = find_case(uow, ref)
        departments = {i.department for i in uow.items.for_case(case.id)}
        if not viewer.sees_case(departments, case.agent):
            raise case_not_found(ref)
        return case, viewer.sees_personal_data(departments, case.agent), uow.outbox.for_case(case.id)



@dataclass(frozen=True)
class InboxMessage:
    case_id: int | None
    kind: str
    title: str
    text: str
    at: datetime


def inbox(ctx: ServiceContext, phone: str, limit: int = 100) -> list[InboxMessage]:
    """The in-app messages of the account signed in with ``phone``, newest first, as the templates
    word them now."""
    with ctx.uow(False) as uow:
        found = [m for m in uow.outbox.for_recipient(Channel.INAPP, phone, limit)
                 if m.state == DeliveryState.SENT]
        templates = _templates(uow)
    messages = []
    for m in found:
        template = templates.get(str(m.kind))
        params = _words(ctx, m)
        messages.append(InboxMessage(m.case_id, str(m.kind), render(template.subject, params) if template else "",
                                     render(template.text, params) if template else "", m.sent_at or m.created_at))
    return messages
