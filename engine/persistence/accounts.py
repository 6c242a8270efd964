"""Repositories of users, their login tokens, failed logins, and the chain of account and
administration events."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.domain.audit import GENESIS, LogMark
from engine.domain.records import AuditEventRecord, TokenRecord, UserRecord
from engine.persistence import tables as t
from engine.persistence.rows import record_of, values_of


class UserRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, user_id: int) -> UserRecord | None:
        row = self.conn.execute(select(t.users).where(t.users.c.id == user_id)).first()
        return record_of(UserRecord, row) if row else None

    def by_login(self, login: str) -> UserRecord | None:
        row = self.conn.execute(select(t.users).where(t.users.c.login == login)).first()
        return record_of(UserRecord, row) if row else None

    def names(self, logins: set[str]) -> dict[str, str]:
        """Display names by login, for the logins that are users (one query)."""
        if not logins:
            return {}
        query = select(t.users.c.login, t.users.c.name).where(t.users.c.login.in_(sorted(logins)))
        return {row.login: row.name for row in self.conn.execute(query)}

    def all(self, department: str | None = None) -> list[UserRecord]:
        query = select(t.users).order_by(t.users.c.department, t.users.c.login)
        if department is not None:
            query = query.where(t.users.c.department == department)
        return [record_of(UserRecord, r) for r in self.conn.execute(query)]

    def add(self, user: UserRecord) -> int:
        values = values_of(user)
        values.pop("id")
        return int(self.conn.execute(insert(t.users).values(**values).returning(t.users.c.id)).scalar_one())

    def save(self, user: UserRecord) -> None:
        values = values_of(user)
        user_id = values.pop("id")
        self.conn.execute(update(t.users).where(t.users.c.id == user_id).values(**values))

    def count_active_demo(self) -> int:
        return int(self.conn.execute(
            select(func.count()).select_from(t.users).where(t.users.c.demo.is_(True), t.users.c.active.is_(True))
        ).scalar_one())


class TokenRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, token: TokenRecord) -> None:
        self.conn.execute(insert(t.auth_tokens).values(**values_of(token)))

    _get = select(t.auth_tokens).where(t.auth_tokens.c.id == bindparam("id"))

    def get(self, token_id: str) -> TokenRecord | None:
        row = self.conn.execute(self._get, {"id": token_id}).first()
        return record_of(TokenRecord, row) if row else None

    _with_user = (select(t.auth_tokens, *(c.label(f"u__{c.name}") for c in t.users.c))
                  .join(t.users, t.users.c.id == t.auth_tokens.c.user_id)
                  .where(t.auth_tokens.c.id == bindparam("id")))

    def with_user(self, token_id: str) -> tuple[TokenRecord, UserRecord] | None:
        """A token and its user in one query: every authenticated request asks this."""
        row = self.conn.execute(self._with_user, {"id": token_id}).first()
        if row is None:
            return None
        m = row._mapping
        user = UserRecord(**{f.name: m[f"u__{f.name}"] for f in fields(UserRecord)})
        return record_of(TokenRecord, row), user

    def of_user(self, user_id: int) -> list[TokenRecord]:
        rows = self.conn.execute(select(t.auth_tokens).where(t.auth_tokens.c.user_id == user_id)
                                 .order_by(t.auth_tokens.c.created_at.desc()))
        return [record_of(TokenRecord, r) for r in rows]

    def revoke(self, token_id: str, now: datetime) -> None:
        self.conn.execute(update(t.auth_tokens).where(t.auth_tokens.c.id == token_id,
                                                      t.auth_tokens.c.revoked_at.is_(None)).values(revoked_at=now))

    def revoke_all(self, user_id: int, now: datetime) -> int:
        result = self.conn.execute(update(t.auth_tokens).where(
            t.auth_tokens.c.user_id == user_id, t.auth_tokens.c.revoked_at.is_(None),
            t.auth_tokens.c.expires_at > now).values(revoked_at=now))
        return int(result.rowcount)


class LoginFailureRepository:
    """Failed logins counted per scope and subject, in a window that opens at the first failure and
    lasts ``window``. Counting is one upsert: on PostgreSQL the row stays locked until the
    transaction ends, so parallel attempts on one subject are counted one after another, each
    seeing the count of those before it; a transaction that is rolled back counted nothing."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def count(self, scope: str, subject: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
        """Count one more failure; answers the count with it and when its window opened."""
        table = t.login_failure_counts
        module = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        expired = table.c.window_start <= now - window
        stmt = module.insert(table).values(scope=scope, subject=subject, window_start=now, failures=1, last_at=now)
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.scope, table.c.subject], set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "window_start": case((expired, now), else_=table.c.window_start),
            "last_at": now,
        }).returning(table.c.failures, table.c.window_start)
        failures, window_start = self.conn.execute(stmt).one()
        return int(failures), window_start

    def uncount(self, scope: str, subject: str) -> None:
        """Take back one failure counted in advance (the attempt succeeded)."""
        table = t.login_failure_counts
        self.conn.execute(update(table).where(table.c.scope == scope, table.c.subject == subject,
                                              table.c.failures > 0).values(failures=table.c.failures - 1))

    def clear(self, scope: str, subject: str) -> None:
        table = t.login_failure_counts
        self.conn.execute(delete(table).where(table.c.scope == scope, table.c.subject == subject))

    def forget_before(self, before: datetime) -> None:
        self.conn.execute(delete(t.login_failure_counts).where(t.login_failure_counts.c.last_at < before))


class AuditRepository:
    """Account and administration events: one chain, whose head row is locked to append."""

    STREAM = "audit"

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def head(self) -> tuple[int, str]:
        """The chain's last seq and hash, locked until the transaction ends."""
        dialect = self.conn.dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        self.conn.execute(module.insert(t.chain_heads).values(stream=self.STREAM, seq=0, hash=GENESIS)
                          .on_conflict_do_nothing(index_elements=["stream"]))
        row = self.conn.execute(select(t.chain_heads.c.seq, t.chain_heads.c.hash)
                                .where(t.chain_heads.c.stream == self.STREAM).with_for_update()).one()
        return int(row[0]), str(row[1])

    def append(self, event: AuditEventRecord) -> None:
        values = values_of(event)
        values.pop("id")
        self.conn.execute(insert(t.audit_events).values(**values))
        self.conn.execute(update(t.chain_heads).where(t.chain_heads.c.stream == self.STREAM)
                          .values(seq=event.seq, hash=event.hash))

    def all(self, after_seq: int = 0, limit: int = 1000, before_seq: int | None = None) -> list[AuditEventRecord]:
        """Oldest first from ``after_seq``; with ``before_seq``, the newest before it, newest first."""
        seq = t.audit_events.c.seq
        query = select(t.audit_events).where(seq > after_seq)
        query = query.order_by(seq) if before_seq is None else query.where(seq < before_seq).order_by(seq.desc())
        rows = self.conn.execute(query.limit(limit))
        return [record_of(AuditEventRecord, r) for r in rows]

    def stored_head(self) -> tuple[int, str]:
        row = self.conn.execute(select(t.chain_heads.c.seq, t.chain_heads.c.hash)
                                .where(t.chain_heads.c.stream == self.STREAM)).first()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def verified_heads(self, chains: Collection[str] | None = None) -> dict[str, tuple[int, str]]:
        """Each chain's (or these chains') last event as the latest verification found it sound."""
        v = t.audit_verified.c
        if chains is None:
            rows = list(self.conn.execute(select(v.chain, v.seq, v.hash)))
        else:
            names = sorted(chains)
            rows = [row for first in range(0, len(names), 1000) for row in self.conn.execute(
                select(v.chain, v.seq, v.hash).where(v.chain.in_(names[first:first + 1000])))]
        return {str(r[0]): (int(r[1]), str(r[2])) for r in rows}

    MARKS_KEPT = 10

    def marks(self) -> list[LogMark]:
        """The log marks of the latest sound verifications, oldest first."""
        m = t.audit_marks.c
        rows = self.conn.execute(select(m.through_event, m.snapshot_xmin, m.snapshot_xmax)
                                 .order_by(m.id.desc()).limit(self.MARKS_KEPT))
        return [LogMark(int(r[0]), r[1], r[2]) for r in reversed(rows.all())]

    def add_mark(self, mark: LogMark, now: datetime) -> None:
        """Record where the log stood for a sound verification; the oldest marks beyond the few kept go."""
        m = t.audit_marks.c
        self.conn.execute(insert(t.audit_marks).values(through_event=mark.through_event, snapshot_xmin=mark.xmin,
                                                       snapshot_xmax=mark.xmax, taken_at=now))
        kept = select(m.id).order_by(m.id.desc()).limit(self.MARKS_KEPT).scalar_subquery()
        self.conn.execute(delete(t.audit_marks).where(m.id.not_in(kept)))

    def mark_verified(self, heads: dict[str, tuple[int, str]], now: datetime) -> None:
        """Record the chains' heads a verification found sound (replacing what was recorded)."""
        chains = list(heads)
        for start in range(0, len(chains), 1000):
            part = chains[start:start + 1000]
            self.conn.execute(delete(t.audit_verified).where(t.audit_verified.c.chain.in_(part)))
            self.conn.execute(insert(t.audit_verified), [
                {"chain": chain, "seq": heads[chain][0], "hash": heads[chain][1], "verified_at": now}
                for chain in part])
