"""Telling the applicant, on the fake unit of work: the events that matter write their messages
with the change, once per channel; the worker renders the catalogue's Chinese templates and sends
them; a failing channel is retried with backoff and then marked failed; a message whose worker died
is taken over after its lease with the same key; the 容缺 reminder is written once per due day."""

from __future__ import annotations

from datetime import timedelta

from engine.domain.decisions import RequestCorrection
from engine.domain.notifications import LEASE, MAX_ATTEMPTS, Channel, DeliveryFailed, DeliveryState, Outgoing
from engine.services.notifications import deliver_outbox, remind_tolerance_due
from engine.services.tasks import CompleteTask, complete_task
from tests.approvals import approved
from tests.conftest import FakeClock
from tests.fakes.context import FakeContext
from tests.senders import RecordingSender
from tests.usecases.applications import SCJG, XF, accept, open_tasks


def outbox(fake: FakeContext) -> list[object]:
    with fake.uow() as uow:
        return list(uow.outbox.by_key_prefix(""))


def test_acceptance_and_a_correction_tell_the_applicant_once_per_channel(fake: FakeContext) -> None:
    sms, inapp = RecordingSender(Channel.SMS), RecordingSender(Channel.INAPP)
    fake.ctx.senders = {Channel.SMS: sms, Channel.INAPP: inapp}
    case = accept(fake)
    written = outbox(fake)
    assert [(m.kind, m.channel, m.recipient) for m in written] == [  # type: ignore[attr-defined]
        ("accepted", "sms", "13800138000"), ("accepted", "inapp", "13800138000")]  # no e-mail given
    assert deliver_outbox(fake.ctx) == [f"case:{case.id}:1:sms: sent", f"case:{case.id}:1:inapp: sent"]
    [told] = sms.kept.values()
    assert told.text.startswith("您申请的开办餐饮店一件事已受理，办件编号") and case.number in told.text
    assert told.sms_template == "ONETHING_ACCEPTED" and told.params["number"] == case.number
    assert deliver_outbox(fake.ctx) == []  # nothing twice

    licence = open_tasks(fake, case)["cy.yyzz"]
    complete_task(CompleteTask(licence.id, approved("cy.yyzz"), SCJG), fake.ctx)
    fire = open_tasks(fake, case)["cy.xf"]
    complete_task(CompleteTask(fire.id, RequestCorrection(("premises_layout",), "平面图不清晰"), XF), fake.ctx)
    deliver_outbox(fake.ctx)
    correction = [m for m in sms.kept.values() if m.sms_template == "ONETHING_CORRECTION"]
    assert len(correction) == 1
    assert "消防救援机构" in correction[0].text and "经营场所平面图" in correction[0].text
    assert "平面图不清晰" in correction[0].text


def test_a_failing_channel_is_retried_with_backoff_then_marked_failed(fake: FakeContext, clock: FakeClock) -> None:
    down = RecordingSender(Channel.SMS, DeliveryFailed("HTTP 500 from the gateway"))
    fake.ctx.senders = {Channel.SMS: down, Channel.INAPP: RecordingSender(Channel.INAPP)}
    accept(fake)
    deliver_outbox(fake.ctx)
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        [message] = [m for m in outbox(fake) if m.channel == Channel.SMS]  # type: ignore[attr-defined]
        assert message.state == DeliveryState.PENDING and message.last_error == "HTTP 500 from the gateway"
        waits.append(message.next_attempt_at - clock())
        assert deliver_outbox(fake.ctx) == []  # not before its time
        clock.advance(seconds=waits[-1].total_seconds())
        deliver_outbox(fake.ctx)
    assert waits == [timedelta(seconds=30 * 2 ** n) for n in range(MAX_ATTEMPTS - 1)]
    [message] = [m for m in outbox(fake) if m.channel == Channel.SMS]  # type: ignore[attr-defined]
    assert (message.state, message.attempts) == (DeliveryState.FAILED, MAX_ATTEMPTS)
    assert len(down.tries) == MAX_ATTEMPTS


def test_a_refusal_for_good_is_not_retried(fake: FakeContext) -> None:
    fake.ctx.senders = {Channel.SMS: RecordingSender(Channel.SMS, DeliveryFailed("INVALID_PHONE", permanent=True)),
                        Channel.INAPP: RecordingSender(Channel.INAPP)}
    accept(fake)
    deliver_outbox(fake.ctx)
    states = {m.channel: (m.state, m.last_error) for m in outbox(fake)}  # type: ignore[attr-defined]
    assert states == {"sms": ("failed", "INVALID_PHONE"), "inapp": ("sent", None)}


def test_a_message_whose_worker_died_is_taken_over_after_its_lease_with_the_same_key(
        fake: FakeContext, clock: FakeClock) -> None:
    sms = RecordingSender(Channel.SMS)
    fake.ctx.senders = {Channel.SMS: sms, Channel.INAPP: RecordingSender(Channel.INAPP)}
    accept(fake)
    with fake.ctx.uow(True) as uow:  # a worker claims, sends, and dies before it records the sending
        [claimed, _] = uow.outbox.claim(clock(), LEASE, 10)
        uow.commit()
    sms.send(Outgoing(claimed.key, Channel.SMS, claimed.recipient, "", "…"))
    assert deliver_outbox(fake.ctx) == []  # the lease still holds
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert [line.endswith("sent") for line in deliver_outbox(fake.ctx)] == [True, True]
    assert [t.key for t in sms.tries] == [claimed.key, claimed.key] and len(sms.kept) == 1


def test_the_tolerated_materials_reminder_is_written_once_per_due_day(fake: FakeContext, clock: FakeClock) -> None:
    fake.ctx.senders = {Channel.SMS: RecordingSender(Channel.SMS), Channel.INAPP: RecordingSender(Channel.INAPP)}
    case = accept(fake, materials={"agent_authorisation": "tolerated"})
    assert remind_tolerance_due(fake.ctx) == []  # the receipt says the day already
    clock.advance(days=1)  # Friday: due Monday, within two working days
    assert remind_tolerance_due(fake.ctx) == [case.number]
    remind_tolerance_due(fake.ctx)
    reminders = [m for m in outbox(fake) if m.kind == "tolerance_due"]  # type: ignore[attr-defined]
    assert [m.channel for m in reminders] == ["sms", "inapp"]  # type: ignore[attr-defined]
    deliver_outbox(fake.ctx)
    sms = fake.ctx.senders[Channel.SMS]
    assert isinstance(sms, RecordingSender)
    [told] = [m for m in sms.kept.values() if m.sms_template == "ONETHING_TOLERANCE_DUE"]
    assert "授权委托书" in told.text and told.params["due"] in told.text
