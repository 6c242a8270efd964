"""The audit chain: events outside any one case, and the head of each chain not kept on a case row."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Integer, SmallInteger, String, Table

from engine.persistence.tables.types import UtcDateTime, metadata

audit_events = Table(
    "audit_events", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("actor_user", String(100), nullable=False),
    Column("actor_department", String(32), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("actor_address", String(64), nullable=True),
    Column("subject", String(200), nullable=False),
    Column("data", JSON, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("hash_scheme", SmallInteger, nullable=False, server_default="0"),  # audit.HashScheme
)

# The last event of each chain (``case:<id>``, ``audit``) as a verification last found it sound: an
# incremental verification reads only the chains that grew since (their new events must follow it).
audit_verified = Table(
    "audit_verified", metadata,
    Column("chain", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("verified_at", UtcDateTime, nullable=False),
)

# Where the case event log stood when a sound verification read it (``engine.domain.audit.LogMark``):
# the nightly run reads only the chains with events after the latest mark no running writer can be
# below. The few a later run may still need are kept.
audit_marks = Table(
    "audit_marks", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("through_event", BigInteger, nullable=False),
    Column("snapshot_xmin", BigInteger, nullable=True),
    Column("snapshot_xmax", BigInteger, nullable=True),
    Column("taken_at", UtcDateTime, nullable=False),
)

# The head of each chain that is not a case's own (the case row keeps that): locked to append.
chain_heads = Table(
    "chain_heads", metadata,
    Column("stream", String(32), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)
