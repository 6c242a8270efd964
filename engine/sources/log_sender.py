"""Senders that need no outside system: the in-app inbox (a message is delivered once the outbox
holds it as sent: the applicant's account reads it there) and, where no SMS gateway or SMTP server is
configured (development, ``make run``), the server log, so that a login code can be read there."""

from __future__ import annotations

import logging

from engine.domain.notifications import Channel, Outgoing

LOG = logging.getLogger("onething.notifications")


class InAppSender:
    channel = Channel.INAPP

    def send(self, message: Outgoing) -> None:
        """Nothing to hand over: the in-app inbox is the outbox's sent messages."""


class LogSender:
    """Writes the message to the server log instead of sending it."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def send(self, message: Outgoing) -> None:
        LOG.warning("%s to %s (not sent: no %s configured): %s", self.channel, message.recipient,
                    "SMS gateway" if self.channel is Channel.SMS else "SMTP server", message.text)
