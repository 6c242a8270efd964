"""E-mail to the applicant over SMTP, behind the ``Sender`` port (``engine.domain.notifications``).

One connection per message (notices are few, and a connection left open would outlive a relay's
idle limit between them): connect, STARTTLS if configured, log in if a user is set, send, quit.

SMTP cannot recognise a message sent twice, so the mail carries a ``Message-ID`` derived from the
outbox key: a message a dead worker sent again is the same message to the mailbox and its client.

A refusal the server means for good (a 5xx: no such user, mailbox rejected) is a permanent failure;
a 4xx (greylisting, a full queue), a dropped connection or a timeout is tried again by the outbox.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from engine.domain.notifications import Channel, DeliveryFailed, Outgoing

MESSAGE_ID_DOMAIN = "onething"
MAX_REASON = 199


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    sender: str = ""
    """The From address (and the envelope sender); empty sends with the null sender and no From."""
    user: str = ""
    """Log in as this user when set."""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0
    """For the connection and for each answer of the server."""


def message_id(key: str) -> str:
    """The same for every send of one outbox message."""
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{MESSAGE_ID_DOMAIN}>"


def build(message: Outgoing, sender: str) -> EmailMessage:
    mail = EmailMessage()
    if sender:
        mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = message_id(message.key)
    # base64 keeps the Chinese body 7-bit clean for a relay that does not announce 8BITMIME.
    mail.set_content(message.text, charset="utf-8", cte="base64")
    return mail


class SmtpMailer:
    channel = Channel.EMAIL

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, message: Outgoing) -> None:
        try:
            mail = build(message, self.config.sender)
        except ValueError as err:
            # An address or subject the message format cannot carry (a line break, say): the same next time.
            raise DeliveryFailed(_cut(f"SMTP: cannot write the message: {err}"), permanent=True) from None
        try:
            self._deliver(mail, message.recipient)
        except smtplib.SMTPRecipientsRefused as err:
            codes = [code for code, _ in err.recipients.values()]
            answers = "; ".join(f"{code} {_text(text)}" for code, text in err.recipients.values())
            # Refused for good unless every refusal is a 4xx (greylisting answers RCPT with 450/451).
            temporary = bool(codes) and all(400 <= code < 500 for code in codes)
            raise DeliveryFailed(_cut(f"SMTP: recipient refused: {answers}"), permanent=not temporary) from None
        except smtplib.SMTPServerDisconnected as err:
            raise DeliveryFailed(_cut(f"SMTP: server disconnected: {err}")) from None
        except smtplib.SMTPResponseException as err:
            raise DeliveryFailed(_cut(f"SMTP {err.smtp_code} {_text(err.smtp_error)}"),
                                 permanent=500 <= err.smtp_code < 600) from None
        except smtplib.SMTPException as err:
            raise DeliveryFailed(_cut(f"SMTP: {type(err).__name__}: {err}")) from None
        except TimeoutError:
            raise DeliveryFailed(_cut(f"SMTP: no answer within {self.config.timeout:g} s")) from None
        except OSError as err:
            # smtplib's own exceptions are OSErrors too, hence this comes last: no connection, TLS failure.
            raise DeliveryFailed(_cut(f"SMTP: no connection: {type(err).__name__}: {err}")) from None

    def _deliver(self, mail: EmailMessage, recipient: str) -> None:
        smtp = smtplib.SMTP(self.config.host, self.config.port, timeout=self.config.timeout)
        try:
            if self.config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.config.user:
                smtp.login(self.config.user, self.config.password)
            smtp.send_message(mail, from_addr=self.config.sender, to_addrs=[recipient])
        except BaseException:
            smtp.close()
            raise
        # The server has the message: a failing QUIT must not make it a failure to be sent again.
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer


def _cut(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[:MAX_REASON - 1] + "…"
