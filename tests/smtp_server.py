"""An SMTP server for the tests: aiosmtpd on loopback that keeps every message it accepts, parsed,
and can be told to answer the next messages with a temporary (451) or a permanent (550) refusal,
after the recipient (RCPT, as a mailbox that does not exist or greylisting is answered) or after the
message (DATA, as a content filter answers).

    with running_smtp() as smtp:
        SmtpMailer(SmtpConfig(smtp.host, smtp.port, "noreply@example.gov.cn")).send(message)
        assert smtp.messages[0]["To"] == message.recipient
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
ANSWERS = {451: "451 4.3.0 try again later", 550: "550 5.1.1 no such user"}


class Smtp:
    def __init__(self) -> None:
        self.host = HOST
        self.port = 0
        self.messages: list[EmailMessage] = []
        """The messages accepted (a refused one is not here), parsed with ``email.policy.default``."""
        self.refused = 0
        """How many messages were answered with a refusal."""
        self._failures_left = 0
        self._answer = ""
        self._stage = "data"
        self._lock = threading.Lock()

    def fail_next(self, n: int, code: int, at: str = "data") -> None:
        """Refuse the next ``n`` messages with ``code`` (451 or 550), answered to the RCPT command
        (``at="rcpt"``) or to the message (``at="data"``)."""
        if code not in ANSWERS or at not in ("rcpt", "data"):
            raise ValueError(f"cannot refuse with {code} at {at}")
        with self._lock:
            self._failures_left, self._answer, self._stage = n, ANSWERS[code], at

    def _refusal(self, stage: str) -> str | None:
        with self._lock:
            if self._failures_left <= 0 or stage != self._stage:
                return None
            self._failures_left -= 1
            self.refused += 1
            return self._answer

    # aiosmtpd's handler hooks: each returns the answer the client gets.

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802 - aiosmtpd's name
                          rcpt_options: list[str]) -> str:
        refusal = self._refusal("rcpt")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        refusal = self._refusal("data")
        if refusal:
            return refusal
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    """A loopback port nothing listens on now: aiosmtpd's Controller needs the number before it binds."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_smtp() -> Iterator[Smtp]:
    smtp = Smtp()
    smtp.port = _free_port()
    # server_hostname: aiosmtpd would otherwise look up the machine's FQDN, which can wait on DNS.
    controller = Controller(smtp, hostname=HOST, port=smtp.port, server_hostname="smtp.test", ready_timeout=5)
    controller.start()
    try:
        yield smtp
    finally:
        controller.stop()
