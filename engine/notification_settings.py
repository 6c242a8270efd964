"""The composition root's settings for telling applicants (issue 26): the SMS gateway and the SMTP
server. Either left unset, that channel's messages go to the server log (development, ``make run``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from engine.domain.notifications import Channel, Sender
from engine.sources.log_sender import InAppSender, LogSender
from engine.sources.mailer import SmtpConfig, SmtpMailer
from engine.sources.sms_gateway import SmsGateway, SmsGatewayConfig


@dataclass
class NotificationSettings:
    sms_url: str = ""
    sms_key: str = ""
    sms_sign: str = ""
    sms_timeout: float = 3.0
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = ""
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    lease_seconds: float = 60

    @staticmethod
    def from_env() -> NotificationSettings:
        env = os.environ.get
        return NotificationSettings(
            sms_url=env("ONETHING_SMS_URL", ""), sms_key=env("ONETHING_SMS_KEY", ""),
            sms_sign=env("ONETHING_SMS_SIGN", ""),
            sms_timeout=float(env("ONETHING_SMS_TIMEOUT", "3")),
            smtp_host=env("ONETHING_SMTP_HOST", ""), smtp_port=int(env("ONETHING_SMTP_PORT", "25")),
            smtp_sender=env("ONETHING_SMTP_SENDER", ""), smtp_user=env("ONETHING_SMTP_USER", ""),
            smtp_password=env("ONETHING_SMTP_PASSWORD", ""), smtp_starttls=env("ONETHING_SMTP_STARTTLS", "0") == "1",
            lease_seconds=float(env("ONETHING_OUTBOX_LEASE_SECONDS", "60")),
        )

    def senders(self) -> dict[Channel, Sender]:
        sms: Sender = (SmsGateway(SmsGatewayConfig(self.sms_url, self.sms_key, self.sms_sign, self.sms_timeout))
                       if self.sms_url else LogSender(Channel.SMS))
        email: Sender = (SmtpMailer(SmtpConfig(self.smtp_host, self.smtp_port, self.smtp_sender, self.smtp_user,
                                               self.smtp_password, self.smtp_starttls))
                         if self.smtp_host else LogSender(Channel.EMAIL))
        return {Channel.SMS: sms, Channel.EMAIL: email, Channel.INAPP: InAppSender()}
