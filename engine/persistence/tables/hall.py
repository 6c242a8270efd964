"""The service hall's queue (issue 27)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table

from engine.persistence.tables.types import UtcDateTime, metadata

# The service hall's queue (叫号): one row per ticket taken at a service point, numbered per point,
# day and kind; the display reads the calls by their time.
hall_tickets = Table(
    "hall_tickets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("point", String(64), nullable=False),
    Column("day", String(8), nullable=False),
    Column("number", String(8), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("bundle_code", String(64), nullable=True),
    Column("taken_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("window", Integer, nullable=True),
    Column("called_at", UtcDateTime, nullable=True),
    Column("called_by", String(64), nullable=True),
    Column("case_number", String(40), nullable=True),
    Column("served_at", UtcDateTime, nullable=True),
    Index(None, "point", "day", "state"),
    Index(None, "point", "called_at"),
)


# 预约: one row per booking of a slot at a service point; the slot's bookings are counted against the
# point's windows when one is made.
hall_bookings = Table(
    "hall_bookings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("point", String(64), nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("phone", String(20), nullable=False, index=True),
    Column("name", String(50), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("code", String(16), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("reminded", Boolean, nullable=False),
    Column("ticket_id", Integer, nullable=True),
    Column("case_number", String(40), nullable=True),
    Index(None, "point", "starts_at"),
    Index(None, "state", "starts_at"),
)

# 帮办代办: an applicant's online consent that a hall agent at a service point applies for them for a
# bundle, until it expires; the case it served names it once used.
agent_consents = Table(
    "agent_consents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("phone", String(20), nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("point", String(64), nullable=False),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("case_number", String(40), nullable=True),
    Index(None, "phone", "bundle_code"),
)
