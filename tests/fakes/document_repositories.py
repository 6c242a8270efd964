"""In-memory material files, file reads and the notification outbox, as the persistence keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from engine.domain.documents import MaterialFile
from engine.domain.notifications import (
    ApplicationStatus,
    Channel,
    DeliveryState,
    LoginCode,
    OnlineApplication,
    OutboxMessage,
)
from tests.fakes.tables import Tables


class FakeMaterialFileRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _files(self) -> list[MaterialFile]:
        return list(self.tables.all("material_files"))

    def add(self, files: Sequence[MaterialFile]) -> list[MaterialFile]:
        added = []
        for file in files:
            stored = replace(file, id=self.tables.next_id("material_files"))
            self.tables.put("material_files", stored.id, stored)
            added.append(stored)
        return added

    def for_case(self, case_id: int) -> list[MaterialFile]:
        return sorted((x for x in self._files() if x.case_id == case_id),
                      key=lambda x: (x.material_key, x.version, x.part))

    def get(self, case_id: int, file_id: int) -> MaterialFile | None:
        found: MaterialFile | None = self.tables.get("material_files", file_id)
        return found if found is not None and found.case_id == case_id else None

    def last_version(self, case_id: int, material_key: str) -> int:
        return max((x.version for x in self._files() if x.case_id == case_id and x.material_key == material_key),
                   default=0)

    def case_bytes(self, case_id: int) -> int:
        return sum(x.size for x in self._files() if x.case_id == case_id)

    def all_digests(self) -> list[tuple[int, str]]:
        return sorted({(x.case_id, x.sha256) for x in self._files()})

    def log_read(self, file: MaterialFile, user: str, department: str, what: str, now: datetime) -> None:
        read_id = self.tables.next_id("file_reads")
        self.tables.put("file_reads", read_id, {"id": read_id, "file_id": file.id, "case_id": file.case_id,
                                                "user": user, "department": department, "what": what, "read_at": now})

    def reads(self, case_id: int, limit: int = 200) -> list[dict[str, Any]]:
        rows = [r for r in self.tables.all("file_reads") if r["case_id"] == case_id]
        return sorted(rows, key=lambda r: -int(r["id"]))[:limit]


class FakeOutboxRepository:
    """The notification outbox in memory (``engine.persistence.outbox_store``)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _all(self) -> list[OutboxMessage]:
        return sorted(self.tables.all("outbox"), key=lambda m: m.id)

    def _put(self, message: OutboxMessage) -> None:
        self.tables.put("outbox", message.id, message)

    def add(self, messages: Sequence[OutboxMessage]) -> None:
        keys = {m.key for m in self._all()}
        for message in messages:
            if message.key not in keys:
                self._put(replace(message, id=self.tables.next_id("outbox"),
                                  next_attempt_at=message.next_attempt_at or message.created_at))
                keys.add(message.key)

    def claim(self, now: datetime, lease: timedelta, limit: int) -> list[OutboxMessage]:
        due = [m for m in self._all()
               if (m.state == DeliveryState.PENDING and m.next_attempt_at is not None and m.next_attempt_at <= now)
               or (m.state == DeliveryState.SENDING and m.lease_until is not None and m.lease_until <= now)][:limit]
        claimed = [replace(m, state=DeliveryState.SENDING, lease_until=now + lease, attempts=m.attempts + 1)
                   for m in due]
        for message in claimed:
            self._put(message)
        return claimed

    def _change(self, message_id: int, **changes: Any) -> None:
        found: OutboxMessage = self.tables.get("outbox", message_id)
        self._put(replace(found, **changes))

    def sent(self, message_id: int, now: datetime, forget_params: bool = False) -> None:
        self._change(message_id, state=DeliveryState.SENT, sent_at=now, lease_until=None, last_error=None,
                     **({"params": {}} if forget_params else {}))

    def retry(self, message_id: int, at: datetime, error: str) -> None:
        self._change(message_id, state=DeliveryState.PENDING, next_attempt_at=at, lease_until=None,
                     last_error=error[:300])

    def failed(self, message_id: int, error: str) -> None:
        self._change(message_id, state=DeliveryState.FAILED, lease_until=None, last_error=error[:300])

    def for_case(self, case_id: int) -> list[OutboxMessage]:
        return [m for m in self._all() if m.case_id == case_id]

    def by_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        return [m for m in self._all() if m.key.startswith(prefix)]

    def for_recipient(self, channel: Channel, recipient: str, limit: int) -> list[OutboxMessage]:
        found = [m for m in self._all() if m.channel == channel and m.recipient == recipient]
        return sorted(found, key=lambda m: -m.id)[:limit]

    def claim_key(self, key: str, now: datetime, lease: timedelta) -> list[OutboxMessage]:
        found = [m for m in self._all() if m.key == key and (
            m.state == DeliveryState.PENDING
            or (m.state == DeliveryState.SENDING and m.lease_until is not None and m.lease_until <= now))]
        claimed = [replace(m, state=DeliveryState.SENDING, lease_until=now + lease, attempts=m.attempts + 1)
                   for m in found]
        for message in claimed:
            self._put(message)
        return claimed


class FakeLoginCodeRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, code: LoginCode) -> int:
        stored = replace(code, id=self.tables.next_id("login_codes"))
        self.tables.put("login_codes", stored.id, stored)
        return stored.id

    def latest(self, phone: str) -> LoginCode | None:
        found = [c for c in self.tables.all("login_codes") if c.phone == phone]
        return max(found, key=lambda c: c.id) if found else None

    def sent_since(self, phone: str, since: datetime) -> int:
        return sum(1 for c in self.tables.all("login_codes") if c.phone == phone and c.created_at >= since)

    def save(self, code: LoginCode) -> None:
        self.tables.put("login_codes", code.id, code)


class FakeOnlineApplicationRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, application: OnlineApplication) -> int:
        stored = replace(application, id=self.tables.next_id("online_applications"))
        self.tables.put("online_applications", stored.id, stored)
        return stored.id

    def get(self, application_id: int, lock: bool = False) -> OnlineApplication | None:
        found: OnlineApplication | None = self.tables.get("online_applications", application_id)
        return found

    def save(self, application: OnlineApplication) -> None:
        self.tables.put("online_applications", application.id, application)

    def of_phone(self, phone: str) -> list[OnlineApplication]:
        return sorted((x for x in self.tables.all("online_applications") if x.phone == phone), key=lambda x: -x.id)

    def waiting(self, limit: int = 200) -> list[OnlineApplication]:
        found = [x for x in self.tables.all("online_applications") if x.status == ApplicationStatus.SUBMITTED]
        return sorted(found, key=lambda x: (x.submitted_at, x.id))[:limit]
