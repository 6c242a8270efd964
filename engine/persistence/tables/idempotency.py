"""Idempotency keys: what a request sent with a key created, so that its retry answers the same."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from engine.persistence.tables.types import UtcDateTime, metadata

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("resource_type", String(32), nullable=False),
    Column("resource_id", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
