"""Cases: the case row and its items, its stored workflow, its event chain, and the daily counters
its numbers come from. The workflow blob lives apart from what is queried."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from engine.domain.audit import GENESIS
from engine.persistence.tables.types import UtcDateTime, metadata

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("bundle_code", String(64), ForeignKey("bundles.code"), nullable=False),
    Column("flow_version_id", Integer, ForeignKey("flow_versions.id"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("applicant", JSON, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("accepted_at", UtcDateTime, nullable=False),
    Column("accepted_by", String(100), nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    # Compare-and-swap guard: every state change bumps it, and the update checks the old value.
    Column("version", Integer, nullable=False),
    # The seq of the case's last event: the next event takes event_seq + 1 without a MAX() query.
    Column("event_seq", Integer, nullable=False, server_default="0"),
    Column("event_hash", String(64), nullable=False, server_default=GENESIS),
    Column("form", JSON, nullable=False, server_default="{}"),
    Column("materials", JSON, nullable=False, server_default="{}"),
    Column("prefilled", JSON, nullable=False, server_default="[]"),
    Column("materials_due", UtcDateTime, nullable=True, index=True),
    # The case's clock (the bundle's promised limit) and when its next BPMN timer is due.
    Column("limit_days", Integer, nullable=True),
    Column("statutory_days", Integer, nullable=True),
    Column("due_on", Date, nullable=True),
    Column("colour", String(8), nullable=True),
    Column("next_timer_at", UtcDateTime, nullable=True, index=True),
    # Where it was accepted and where its results are handed over (service points); each department's
    # unit its work went to; the hall or the applicant's home; the hall's agent who prepared it.
    Column("accepted_point", String(32), nullable=True),
    Column("handover_point", String(32), nullable=True),
    Column("routing", JSON, nullable=False, server_default="{}"),
    Column("intake_place", String(16), nullable=False, server_default="hall"),
    Column("agent", String(64), nullable=True),
    # Whom the case is about, out of the applicant JSON, for case search (written at acceptance).
    Column("applicant_name", String(300), nullable=True),
    Column("applicant_id", String(18), nullable=True),
    Column("applicant_code", String(18), nullable=True),
    Column("applicant_phone", String(20), nullable=True),
    Index(None, "applicant_id"),
    Index(None, "applicant_code"),
    Index(None, "applicant_phone"),
    Index(None, "accepted_point", "accepted_at"),
    Index(None, "handover_point", "status"),
    Index(None, "agent"),
    Index(None, "status", "accepted_at"),
    Index(None, "bundle_code", "accepted_at"),
    # One bundle's cases of one status, newest first, and their count without reading the rows.
    Index(None, "bundle_code", "status", "accepted_at"),
    # The case list's orders (case_search.py): newest first by default, or by due day; without them
    # every list sorts the table.
    Index(None, "accepted_at", "id"),
    Index(None, "due_on", "accepted_at", "id"),
    # The cases closed since the last day the roll-ups sealed (day_rollups.py).
    Index(None, "closed_at", "accepted_at"),
    # PostgreSQL only (migration 0036): a number prefix (LIKE 'MC-2026%') under the database's collation
    # needs the pattern operator class; a part of a name (LIKE '%小明%') needs trigrams (pg_trgm).
    # SQLite's LIKE uses neither: its small databases scan.
    Index("ix_cases_number_pattern", "number", postgresql_ops={"number": "text_pattern_ops"}
          ).ddl_if(dialect="postgresql"),
    Index("ix_cases_applicant_name_trigrams", "applicant_name", postgresql_using="gin",
          postgresql_ops={"applicant_name": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
)

workflow_states = Table(
    "workflow_states", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("serializer_version", String(64), nullable=False),
    Column("state", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

case_items = Table(
    "case_items", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("item_code", String(64), primary_key=True),
    Column("department", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("corrections", Integer, nullable=False, default=0),
    Column("decision", String(16), nullable=True),
    Column("reason", Text, nullable=True),
    Column("licence_number", String(100), nullable=True),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("materials_requested", JSON, nullable=False),
    Column("inspection", JSON, nullable=True),
    # A department's cases (case search): probed per case in the list's order, or scanned for the count.
    Index(None, "department", "case_id"),
)

RATED = "type IN ('ServiceRated', 'ResultsHandedOver')"
"""The events that carry a rating (好差评): the applicant's own, and the window's at the pickup."""

case_events = Table(
    "case_events", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("actor_user", String(100), nullable=False),
    Column("actor_department", String(32), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("task_id", String(36), nullable=True),
    Column("data", JSON, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor_address", String(64), nullable=True),
    Column("prev_hash", String(64), nullable=False, server_default=GENESIS),
    Column("hash", String(64), nullable=False, server_default=""),
    Column("hash_scheme", SmallInteger, nullable=False, server_default="0"),  # audit.HashScheme
    UniqueConstraint("case_id", "seq"),
    # The comments (会商意见) among a case's events, for the inbox's mentions: few beside the rest.
    Index("ix_case_events_comments", "case_id", "seq",
          postgresql_where=text("type = 'CommentAdded'"), sqlite_where=text("type = 'CommentAdded'")),
    # The ratings (好差评) given since a day, for the leaders' figures (day_rollups.py).
    Index("ix_case_events_ratings", "occurred_at",
          postgresql_where=text(RATED), sqlite_where=text(RATED)),
)

case_number_counters = Table(
    "case_number_counters", metadata,
    Column("prefix", String(16), primary_key=True),
    Column("day", String(8), primary_key=True),
    Column("last_value", Integer, nullable=False),
)
