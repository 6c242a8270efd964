"""Fake repositories of people: users, bearer tokens, login failures, the audit chain, and each
person's saved filters."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta

from engine.domain.audit import GENESIS, LogMark
from engine.domain.records import AuditEventRecord, TokenRecord, UserRecord
from engine.domain.saved_filters import SavedFilter
from tests.fakes.tables import Tables


class FakeUserRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _users(self) -> list[UserRecord]:
        return list(self.tables.all("users"))

    def add(self, user: UserRecord) -> int:
        assert self.by_login(user.login) is None, f"login {user.login} is taken (the unique index would refuse it)"
        user_id = self.tables.next_id("users")
        self.tables.put("users", user_id, replace(user, id=user_id))
        return user_id

    def all(self, department: str | None = None) -> list[UserRecord]:
        found = [u for u in self._users() if department is None or u.department == department]
        return sorted(found, key=lambda u: (u.department, u.login))

    def by_login(self, login: str) -> UserRecord | None:
        return next((u for u in self._users() if u.login == login), None)

    def count_active_demo(self) -> int:
        return sum(1 for u in self._users() if u.demo and u.active)

    def names(self, logins: set[str]) -> dict[str, str]:
        return {u.login: u.name for u in self._users() if u.login in logins}

    def save(self, user: UserRecord) -> None:
        assert user.id in self.tables.table("users"), f"user {user.id} saved before it was added"
        self.tables.put("users", user.id, user)


class FakeTokenRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, token: TokenRecord) -> None:
        self.tables.put("auth_tokens", token.id, token)

    def get(self, token_id: str) -> TokenRecord | None:
        found: TokenRecord | None = self.tables.get("auth_tokens", token_id)
        return found

    def of_user(self, user_id: int) -> list[TokenRecord]:
        mine = [t for t in self.tables.all("auth_tokens") if t.user_id == user_id]
        return sorted(mine, key=lambda t: t.created_at, reverse=True)

    def revoke(self, token_id: str, now: datetime) -> None:
        token = self.get(token_id)
        if token is not None and token.revoked_at is None:
            self.tables.put("auth_tokens", token_id, replace(token, revoked_at=now))

    def revoke_all(self, user_id: int, now: datetime) -> int:
        live = [t for t in self.of_user(user_id) if t.revoked_at is None and t.expires_at > now]
        for token in live:
            self.tables.put("auth_tokens", token.id, replace(token, revoked_at=now))
        return len(live)

    def with_user(self, token_id: str) -> tuple[TokenRecord, UserRecord] | None:
        token = self.get(token_id)
        if token is None:
            return None
        user: UserRecord | None = self.tables.get("users", token.user_id)
        assert user is not None, f"token {token_id} of no user"
        return token, user


class FakeLoginFailureRepository:
    """(scope, subject) -> [failures, window start, last failure]."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def clear(self, scope: str, subject: str) -> None:
        self.tables.table("login_failures").pop((scope, subject), None)

    def count(self, scope: str, subject: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
        counts = self.tables.table("login_failures")
        failures, start, _last = counts.get((scope, subject), (0, now, now))
        if start <= now - window:
            failures, start = 0, now
        counts[(scope, subject)] = (failures + 1, start, now)
        return failures + 1, start

    def forget_before(self, before: datetime) -> None:
        counts = self.tables.table("login_failures")
        for key in [k for k, (_, _, last) in counts.items() if last < before]:
            del counts[key]

    def uncount(self, scope: str, subject: str) -> None:
        counts = self.tables.table("login_failures")
        found = counts.get((scope, subject))
        if found is not None and found[0] > 0:
            counts[(scope, subject)] = (found[0] - 1, found[1], found[2])


class FakeAuditRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def all(self, after_seq: int = 0, limit: int = 1000, before_seq: int | None = None) -> list[AuditEventRecord]:
        events = sorted((e for e in self.tables.all("audit_events") if e.seq > after_seq), key=lambda e: e.seq)
        if before_seq is not None:
            events = [e for e in reversed(events) if e.seq < before_seq]
        return events[:limit]

    def append(self, event: AuditEventRecord) -> None:
        assert event.seq not in self.tables.table("audit_events"), f"audit seq {event.seq} appended twice"
        self.tables.put("audit_events", event.seq, replace(event, id=self.tables.next_id("audit_events")))
        self.tables.table("chain_heads")["audit"] = (event.seq, event.hash)

    def head(self) -> tuple[int, str]:
        return self.stored_head()

    def stored_head(self) -> tuple[int, str]:
        head: tuple[int, str] = self.tables.table("chain_heads").get("audit", (0, GENESIS))
        return head

    def verified_heads(self, chains: Collection[str] | None = None) -> dict[str, tuple[int, str]]:
        kept: dict[str, tuple[int, str]] = self.tables.table("audit_verified")
        return {k: v for k, v in kept.items() if chains is None or k in chains}

    def mark_verified(self, heads: dict[str, tuple[int, str]], now: datetime) -> None:
        self.tables.table("audit_verified").update(heads)

    def marks(self) -> list[LogMark]:
        kept: list[LogMark] = self.tables.table("audit_marks").setdefault("marks", [])
        return list(kept)

    def add_mark(self, mark: LogMark, now: datetime) -> None:
        self.tables.table("audit_marks").setdefault("marks", []).append(mark)


class FakeSavedFilterRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _of(self, user_id: int, page: str) -> list[SavedFilter]:
        mine = [f for f in self.tables.all("saved_filters") if f.user_id == user_id and f.page == page]
        return sorted(mine, key=lambda f: (f.created_at, f.id))

    def filters_of(self, user_id: int, page: str) -> list[SavedFilter]:
        return self._of(user_id, page)

    def lock_owner(self, user_id: int) -> None:
        """One writer at a time already."""

    def count_of(self, user_id: int, page: str) -> int:
        return len(self._of(user_id, page))

    def is_named(self, user_id: int, page: str, name: str) -> bool:
        return any(f.name == name for f in self._of(user_id, page))

    def add(self, user_id: int, page: str, name: str, query: dict[str, str], now: datetime) -> SavedFilter:
        saved = SavedFilter(self.tables.next_id("saved_filters"), user_id, page, name, dict(query), now)
        self.tables.put("saved_filters", saved.id, saved)
        return saved

    def remove_own(self, user_id: int, filter_id: int) -> bool:
        found: SavedFilter | None = self.tables.get("saved_filters", filter_id)
        return found is not None and found.user_id == user_id and self.tables.delete("saved_filters", filter_id)
