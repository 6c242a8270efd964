"""Incidents: automatic steps that failed at run time, kept until an administrator retries them."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from engine.persistence.tables.types import UtcDateTime, metadata

# Incidents: an automatic step (a script, a condition, a timer) that failed at run time. The case
# keeps what people decided and waits at that step until an administrator retries it (issue 21).
incidents = Table(
    "incidents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("case_number", String(40), nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("flow_version_id", Integer, ForeignKey("flow_versions.id"), nullable=False),
    Column("task_id", String(36), nullable=True),
    Column("element_id", String(255), nullable=True),
    Column("element_name", String(255), nullable=True),
    Column("error_type", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("message_zh", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("opened_by", String(100), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_attempt_at", UtcDateTime, nullable=True),
    Column("resolved_at", UtcDateTime, nullable=True),
    Column("resolved_by", String(100), nullable=True),
    Index(None, "status", "bundle_code", "opened_at"),
)
