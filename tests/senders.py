"""A notification channel for the tests: it keeps what it is given (once per key, as the SMS gateway
does), or fails as told, and finds the sign-in code an SMS carried."""

from __future__ import annotations

import re

from engine.domain.notifications import Channel, DeliveryFailed, Outgoing


class RecordingSender:
    def __init__(self, channel: Channel = Channel.SMS, fail: DeliveryFailed | None = None) -> None:
        self.channel, self.fail = channel, fail
        self.tries: list[Outgoing] = []
        """Every message handed over, a repeat of a key included."""
        self.kept: dict[str, Outgoing] = {}

    def send(self, message: Outgoing) -> None:
        self.tries.append(message)
        if self.fail is not None:
            raise self.fail
        self.kept.setdefault(message.key, message)

    @property
    def sent(self) -> list[Outgoing]:
        return list(self.kept.values())

    def code_for(self, phone: str) -> str:
        """The 6-digit code of the last sign-in SMS to ``phone``."""
        found = [m for m in self.sent if m.recipient == phone and m.sms_template == "ONETHING_LOGIN_CODE"][-1]
        match = re.search(r"\d{6}", found.text)
        assert match is not None, found.text
        return match.group(0)
