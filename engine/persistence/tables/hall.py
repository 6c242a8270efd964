"""The service hall's queue (issue 27)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

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
    Index(None, "point", "day", "state"),
    Index(None, "point", "called_at"),
)
