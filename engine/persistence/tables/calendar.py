"""The working-day calendar's administrator data: overridden days and confirmed years."""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, String, Table

from engine.persistence.tables.types import UtcDateTime, metadata

# Administrator overrides of the working-day calendar; they win over the holidays package.
calendar_overrides = Table(
    "calendar_overrides", metadata,
    Column("day", Date, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Years without official holiday data that an administrator confirmed as the calendar has them.
calendar_years = Table(
    "calendar_years", metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("confirmed_by", String(64), nullable=False),
    Column("confirmed_at", UtcDateTime, nullable=False),
)
