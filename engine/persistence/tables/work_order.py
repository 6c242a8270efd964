"""Work orders (工单, issue 28): complaints, hotline tickets, poor ratings' rectifications and
observations, with their clocks, and each order's timeline of what was done with it."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, SmallInteger, String, Table, Text

from engine.persistence.tables.types import UtcDateTime, metadata

work_orders = Table(
    "work_orders", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
    Column("raised_by", String(64), nullable=False),
    Column("response_due", Date, nullable=False),
    Column("reply_due", Date, nullable=False),
    Column("close_due", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("name", String(100), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("case_number", String(40), nullable=True),
    Column("external_number", String(64), nullable=True),
    Column("category", String(64), nullable=True),
    Column("department", String(32), nullable=True),
    Column("point", String(32), nullable=True),
    Column("rating", SmallInteger, nullable=True),
    Column("responded_at", UtcDateTime, nullable=True),
    Column("replied_at", UtcDateTime, nullable=True),
    Column("reply", Text, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("colour", String(8), nullable=False),
    Column("escalated_at", UtcDateTime, nullable=True),
    # A department's open orders; the ticker's open orders; an applicant's own; a case's.
    Index(None, "department", "state"),
    Index(None, "state", "raised_at"),
    Index(None, "phone"),
    Index(None, "case_number"),
)

work_order_events = Table(
    "work_order_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", Integer, ForeignKey("work_orders.id"), nullable=False, index=True),
    Column("type", String(40), nullable=False),
    Column("actor_user", String(64), nullable=False),
    Column("actor_department", String(32), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("data", JSON, nullable=False),
)
