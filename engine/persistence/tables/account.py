"""Accounts: users, their login tokens, the failed-login counters, and their saved filters."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from engine.persistence.tables.types import UtcDateTime, metadata

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("department", String(32), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("demo", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("service_point", String(32), nullable=True),
    Index(None, "department"),
)

auth_tokens = Table(
    "auth_tokens", metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("address", String(64), nullable=True),
    Index(None, "user_id"),
)

login_failure_counts = Table(
    # Failed logins counted per scope ("pair": login and address, "login", "address") in a window
    # that starts at the first failure; one row per subject, incremented atomically (an upsert), so
    # that parallel guesses cannot all pass the check before any of them is counted.
    "login_failure_counts", metadata,
    Column("scope", String(8), primary_key=True),
    Column("subject", String(140), primary_key=True),
    Column("window_start", UtcDateTime, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
    Index(None, "last_at"),
)

# Saved filters: a person's own named conditions for the case list or the inbox, as the page's query
# parameters (issue 22). At most a few dozen per person; read only by their owner.
saved_filters = Table(
    "saved_filters", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("page", String(16), nullable=False),
    Column("name", String(40), nullable=False),
    Column("query", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("user_id", "page", "name"),
)
