"""The notification outbox (see tables/notification.py): messages written beside the change that
causes them, claimed by a worker with a lease, marked sent or retried; and the applicants'
one-time sign-in codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.domain.notifications import (
    ApplicationStatus,
    Channel,
    DeliveryState,
    LoginCode,
    NotificationKind,
    OnlineApplication,
    OutboxMessage,
)
from engine.persistence import tables as t
from engine.persistence.pipeline import defer
from engine.persistence.rows import record_of, values_of

o = t.outbox_messages
c = t.login_codes
a = t.online_applications


def _message(row: Any) -> OutboxMessage:
    m = row._mapping
    return OutboxMessage(key=m["key"], kind=NotificationKind(m["kind"]), channel=Channel(m["channel"]),
                         recipient=m["recipient"], params=dict(m["params"] or {}), created_at=m["created_at"],
                         case_id=m["case_id"], state=DeliveryState(m["state"]), attempts=m["attempts"],
                         next_attempt_at=m["next_attempt_at"], lease_until=m["lease_until"], sent_at=m["sent_at"],
                         last_error=m["last_error"], id=m["id"])


class OutboxRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, messages: Sequence[OutboxMessage]) -> None:
        """Write the messages with the change's transaction (sent with its other writes); one whose
        key exists already is left as it is."""
        if not messages:
            return
        module = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        rows = [{"key": m.key, "case_id": m.case_id, "kind": str(m.kind), "channel": str(m.channel),
                 "recipient": m.recipient, "params": m.params, "state": str(m.state), "attempts": m.attempts,
                 "created_at": m.created_at, "next_attempt_at": m.next_attempt_at or m.created_at}
                for m in messages]
        defer(self.conn, module.insert(o).inline().on_conflict_do_nothing(index_elements=[o.c.key]), rows)

    def claim(self, now: datetime, lease: timedelta, limit: int) -> list[OutboxMessage]:
        """Due messages, each taken for ``lease`` and counted as one more attempt: pending ones whose
        time has come, and those a worker took and did not finish (its lease ran out). Rows another
        worker is claiming at this moment are skipped, not waited for (PostgreSQL)."""
        due = or_(and_(o.c.state == str(DeliveryState.PENDING), o.c.next_attempt_at <= now),
                  and_(o.c.state == str(DeliveryState.SENDING), o.c.lease_until <= now))
        query = select(o.c.id).where(due).order_by(o.c.next_attempt_at, o.c.id).limit(limit)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = [int(r[0]) for r in self.conn.execute(query)]
        if not ids:
            return []
        self.conn.execute(update(o).where(o.c.id.in_(ids)).values(
            state=str(DeliveryState.SENDING), lease_until=now + lease, attempts=o.c.attempts + 1))
        return [_message(r) for r in self.conn.execute(select(o).where(o.c.id.in_(ids)).order_by(o.c.id))]

    def sent(self, message_id: int, now: datetime, forget_params: bool = False) -> None:
        """Delivered; ``forget_params``: the params are wiped (a login code is not kept once sent)."""
        values: dict[str, Any] = {"state": str(DeliveryState.SENT), "sent_at": now, "lease_until": None,
                                  "last_error": None}
        if forget_params:
            values["params"] = {}
        self.conn.execute(update(o).where(o.c.id == message_id).values(**values))

    def retry(self, message_id: int, at: datetime, error: str) -> None:
        self.conn.execute(update(o).where(o.c.id == message_id).values(
            state=str(DeliveryState.PENDING), next_attempt_at=at, lease_until=None, last_error=error[:300]))

    def failed(self, message_id: int, error: str) -> None:
        self.conn.execute(update(o).where(o.c.id == message_id).values(
            state=str(DeliveryState.FAILED), lease_until=None, last_error=error[:300]))

    def for_case(self, case_id: int) -> list[OutboxMessage]:
        return [_message(r) for r in self.conn.execute(select(o).where(o.c.case_id == case_id).order_by(o.c.id))]

    def for_recipient(self, channel: Channel, recipient: str, limit: int) -> list[OutboxMessage]:
        """One recipient's messages on one channel, newest first (an applicant's in-app inbox)."""
        rows = self.conn.execute(select(o).where(o.c.channel == str(channel), o.c.recipient == recipient)
                                 .order_by(o.c.id.desc()).limit(limit))
        return [_message(r) for r in rows]

    def claim_key(self, key: str, now: datetime, lease: timedelta) -> list[OutboxMessage]:
        """The one message with ``key``, claimed as ``claim`` would if it is due (a login code, sent
        at once by the request that made it)."""
        due = or_(o.c.state == str(DeliveryState.PENDING),
                  and_(o.c.state == str(DeliveryState.SENDING), o.c.lease_until <= now))
        found = self.conn.execute(update(o).where(o.c.key == key, due).values(
            state=str(DeliveryState.SENDING), lease_until=now + lease, attempts=o.c.attempts + 1))
        if not found.rowcount:
            return []
        return [_message(r) for r in self.conn.execute(select(o).where(o.c.key == key))]

    def by_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        """The messages whose key starts with ``prefix`` (a login's codes), oldest first."""
        rows = self.conn.execute(select(o).where(o.c.key.startswith(prefix, autoescape=True)).order_by(o.c.id))
        return [_message(r) for r in rows]


class LoginCodeRepository:
    """The applicants' one-time sign-in codes (tables/notification.py)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, code: LoginCode) -> int:
        values = {k: v for k, v in values_of(code).items() if k != "id"}
        return int(self.conn.execute(insert(c).values(**values).returning(c.c.id)).scalar_one())

    def latest(self, phone: str) -> LoginCode | None:
        """The newest code sent to ``phone``, used or not (its row locked in a write transaction)."""
        query = select(c).where(c.c.phone == phone).order_by(c.c.id.desc()).limit(1)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return None if row is None else record_of(LoginCode, row)

    def sent_since(self, phone: str, since: datetime) -> int:
        return int(self.conn.execute(select(func.count()).select_from(c).where(
            c.c.phone == phone, c.c.created_at >= since)).scalar_one())

    def save(self, code: LoginCode) -> None:
        self.conn.execute(update(c).where(c.c.id == code.id).values(attempts=code.attempts, used_at=code.used_at))


class OnlineApplicationRepository:
    """Online applications (tables/notification.py)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _of(row: Any) -> OnlineApplication:
        found = record_of(OnlineApplication, row)
        found.status = ApplicationStatus(found.status)
        return found

    def add(self, application: OnlineApplication) -> int:
        values = {k: str(v) if k == "status" else v for k, v in values_of(application).items() if k != "id"}
        return int(self.conn.execute(insert(a).values(**values).returning(a.c.id)).scalar_one())

    def get(self, application_id: int, lock: bool = False) -> OnlineApplication | None:
        query = select(a).where(a.c.id == application_id)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return None if row is None else self._of(row)

    def save(self, application: OnlineApplication) -> None:
        values = {k: str(v) if k == "status" else v for k, v in values_of(application).items() if k != "id"}
        self.conn.execute(update(a).where(a.c.id == application.id).values(**values))

    def of_phone(self, phone: str) -> list[OnlineApplication]:
        return [self._of(r) for r in self.conn.execute(select(a).where(a.c.phone == phone).order_by(a.c.id.desc()))]

    def waiting(self, limit: int = 200) -> list[OnlineApplication]:
        """Submitted for 预审, oldest first."""
        rows = self.conn.execute(select(a).where(a.c.status == str(ApplicationStatus.SUBMITTED))
                                 .order_by(a.c.submitted_at, a.c.id).limit(limit))
        return [self._of(r) for r in rows]
