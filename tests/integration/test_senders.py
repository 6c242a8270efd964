"""The senders of the notifications against real servers on loopback: the SMS gateway adapter against
an HTTP gateway (tests/sms_gateway_server.py), the mailer against aiosmtpd (tests/smtp_server.py).
What each answer of the channel becomes: taken, taken already (the same key again), refused for good,
or not taken this time (retried by the outbox); and a send stays within its timeout."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from engine.domain.notifications import Channel, DeliveryFailed, Outgoing
from engine.sources.mailer import SmtpConfig, SmtpMailer, message_id
from engine.sources.sms_gateway import SmsGateway, SmsGatewayConfig
from tests.sms_gateway_server import Gateway, running_gateway
from tests.smtp_server import Smtp, running_smtp

TEXT = "您的办件 CY-20261205-00001 已受理，请留意后续通知。"
SMS = Outgoing("case:7:3:sms", Channel.SMS, "13800138000", "", TEXT, "SMS_240001",
               {"number": "CY-20261205-00001", "service": "新生儿出生一件事"})
MAIL = Outgoing("case:7:3:email", Channel.EMAIL, "lifang@example.cn", "办件已受理：CY-20261205-00001", TEXT)
SENDER = "noreply@zwfw.example.gov.cn"


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with running_gateway() as running:
        yield running


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    with running_smtp() as running:
        yield running


def sms(gateway: Gateway, timeout: float = 3.0, key: str | None = None) -> SmsGateway:
    return SmsGateway(SmsGatewayConfig(gateway.url, gateway.key if key is None else key, "新乡市政务服务", timeout))


def closed_port() -> int:
    """A loopback port nothing listens on: a connection to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def failure(send: SmsGateway | SmtpMailer, message: Outgoing) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as raised:
        send.send(message)
    assert 0 < len(raised.value.reason) < 200 and raised.value.reason == str(raised.value)
    return raised.value


# The SMS gateway.

def test_an_sms_goes_out_as_the_documented_request(gateway: Gateway) -> None:
    sms(gateway).send(SMS)
    assert gateway.received == [{"phone": "13800138000", "template": "SMS_240001", "sign": "新乡市政务服务",
                                 "params": {"number": "CY-20261205-00001", "service": "新生儿出生一件事"},
                                 "out_id": "case:7:3:sms", "text": TEXT}]
    assert sms(gateway).channel is Channel.SMS


def test_the_gateway_checks_the_key(gateway: Gateway) -> None:
    refused = failure(sms(gateway, key="wrong"), SMS)
    assert refused.permanent and "401" in refused.reason and "UNAUTHORIZED" in refused.reason
    assert gateway.received == [] and gateway.requests == 1


def test_the_same_key_twice_is_delivered_once(gateway: Gateway) -> None:
    sender = sms(gateway)
    sender.send(SMS)
    sender.send(SMS)
    assert gateway.requests == 2 and len(gateway.received) == 1


def test_a_server_error_is_tried_again_later(gateway: Gateway) -> None:
    gateway.mode = "error"
    failed = failure(sms(gateway), SMS)
    assert not failed.permanent and "500" in failed.reason and "INTERNAL" in failed.reason
    assert gateway.requests == 1, "no retry inside send: the outbox retries"


def test_failures_then_recovery_each_send_one_request(gateway: Gateway) -> None:
    gateway.fail_next(2)
    sender = sms(gateway)
    assert not failure(sender, SMS).permanent and not failure(sender, SMS).permanent
    sender.send(SMS)
    assert gateway.requests == 3 and len(gateway.received) == 1 and gateway.mode == "ok"


def test_a_refused_number_is_refused_for_good(gateway: Gateway) -> None:
    gateway.mode = "refuse"
    refused = failure(sms(gateway), SMS)
    assert refused.permanent and "400" in refused.reason and "INVALID_PHONE" in refused.reason
    assert gateway.received == []


def test_a_slow_gateway_is_given_up_within_the_timeout_and_the_retry_is_a_duplicate(gateway: Gateway) -> None:
    gateway.mode, gateway.slow_seconds = "slow", 3.0
    started = time.monotonic()
    failed = failure(sms(gateway, timeout=0.3), SMS)
    assert time.monotonic() - started < 0.3 + 1
    assert not failed.permanent and "no answer" in failed.reason
    gateway.mode = "ok"
    sms(gateway).send(SMS)  # the gateway took the first one: the retry is recognised, not sent again
    assert len(gateway.received) == 1 and gateway.requests == 2


def test_a_gateway_that_refuses_connections_is_tried_again_later() -> None:
    failed = failure(SmsGateway(SmsGatewayConfig(f"http://127.0.0.1:{closed_port()}/sms/send", "k")), SMS)
    assert not failed.permanent and "no connection" in failed.reason


def test_an_answer_that_is_not_json_is_tried_again_later(gateway: Gateway) -> None:
    gateway.mode = "not_json"
    failed = failure(sms(gateway), SMS)
    assert not failed.permanent and "200" in failed.reason and "not JSON" in failed.reason


# The mailer.

def mailer(smtp: Smtp) -> SmtpMailer:
    return SmtpMailer(SmtpConfig(smtp.host, smtp.port, SENDER, timeout=5))


def test_a_mail_arrives_in_utf8_with_a_message_id_of_its_key(smtp: Smtp) -> None:
    sender = mailer(smtp)
    sender.send(MAIL)
    sender.send(MAIL)
    first, second = smtp.messages
    assert (first["From"], first["To"], first["Subject"]) == (SENDER, "lifang@example.cn", MAIL.subject)
    body = first.get_body()
    assert body is not None and body.get_content_charset() == "utf-8" and body.get_content().strip() == TEXT
    assert first["Date"] and first["Message-ID"] == second["Message-ID"] == message_id(MAIL.key)
    assert first["Message-ID"] != message_id("case:7:4:email") and sender.channel is Channel.EMAIL


@pytest.mark.parametrize(("code", "at", "permanent"), [(451, "data", False), (550, "data", True),
                                                       (451, "rcpt", False), (550, "rcpt", True)])
def test_a_refusal_is_temporary_or_permanent_by_its_code(smtp: Smtp, code: int, at: str, permanent: bool) -> None:
    smtp.fail_next(1, code, at)
    failed = failure(mailer(smtp), MAIL)
    assert failed.permanent is permanent and str(code) in failed.reason
    assert smtp.messages == [] and smtp.refused == 1
    mailer(smtp).send(MAIL)
    assert len(smtp.messages) == 1


def test_a_mail_server_that_refuses_connections_is_tried_again_later() -> None:
    failed = failure(SmtpMailer(SmtpConfig("127.0.0.1", closed_port(), SENDER, timeout=2)), MAIL)
    assert not failed.permanent and "no connection" in failed.reason


def test_a_subject_with_a_line_break_is_refused_for_good(smtp: Smtp) -> None:
    failed = failure(mailer(smtp), Outgoing("k", Channel.EMAIL, "a@example.cn", "办件\r\nBcc: x@example.cn", "t"))
    assert failed.permanent and smtp.messages == []
