"""Table definitions. The workflow blob lives apart from what is queried: status, open tasks,
departments and items are ordinary indexed columns kept in step in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect

from engine.domain.audit import GENESIS


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps are tz-aware UTC in Python; SQLite hands back naive values, so re-attach UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

bundles = Table(
    "bundles", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("deployed_version_id", Integer, nullable=True),
)

flow_versions = Table(
    "flow_versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bundle_code", String(64), ForeignKey("bundles.code"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("xml", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("source", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("deployed_at", UtcDateTime, nullable=True),
    # A bundle definition uploaded with this version (items added or dropped); deploying applies it.
    Column("definition", JSON, nullable=True),
    UniqueConstraint("bundle_code", "version"),
)

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
    Index(None, "status", "accepted_at"),
    Index(None, "bundle_code", "accepted_at"),
    # The case list's orders (case_search.py): newest first by default, or by due day; without them
    # every list sorts the table.
    Index(None, "accepted_at", "id"),
    Index(None, "due_on", "accepted_at", "id"),
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
    # A department's cases (case search): probed per case in the list's order, or scanned for the count.
    Index(None, "department", "case_id"),
)

tasks = Table(
    "tasks", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("case_number", String(40), nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("item_code", String(64), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("title", String(200), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("assignee", String(100), nullable=True),
    Column("completed_by", String(100), nullable=True),
    Column("decision", String(16), nullable=True),
    # The working-day clock of an approval: its limit, due day (Asia/Shanghai), last colour, and
    # since when a special procedure pauses it. Pauses and extensions have their own tables.
    Column("limit_days", Integer, nullable=True),
    Column("statutory_days", Integer, nullable=True),
    Column("due_on", Date, nullable=True),
    Column("colour", String(8), nullable=True),
    Column("paused_since", UtcDateTime, nullable=True),
    # The inbox query: a department's open tasks, oldest first.
    Index(None, "department", "state", "created_at"),
    Index(None, "state", "due_on"),
    Index(None, "case_id", "state"),
    Index(None, "assignee", "state"),
)

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
)

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

# The head of each chain that is not a case's own (the case row keeps that): locked to append.
chain_heads = Table(
    "chain_heads", metadata,
    Column("stream", String(32), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

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

case_number_counters = Table(
    "case_number_counters", metadata,
    Column("prefix", String(16), primary_key=True),
    Column("day", String(8), primary_key=True),
    Column("last_value", Integer, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("resource_type", String(32), nullable=False),
    Column("resource_id", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# The catalogue's shared dictionaries (form fields, materials, e-licence types), loaded from the
# reviewed files in bpmn/catalogue on deploy.
catalogue_entries = Table(
    "catalogue_entries", metadata,
    Column("kind", String(16), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# 电子证照库: licences held by a person or an enterprise; a granted item writes one at pickup.
elicences = Table(
    "elicences", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("type", String(64), nullable=False),
    Column("number", String(100), nullable=False),
    Column("holder_kind", String(16), nullable=False),
    Column("holder_ref", String(32), nullable=False),
    Column("holder_name", String(200), nullable=False),
    # Whom the licence is about (the child of a birth certificate its parent holds): reuse matches it.
    Column("subject_kind", String(16), nullable=False),
    Column("subject_ref", String(64), nullable=False),
    Column("subject_name", String(200), nullable=False),
    Column("issuer", String(32), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime, nullable=True),
    Column("attributes", JSON, nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    # The newest valid of each type and subject, held by or about someone, from the indexes.
    Index(None, "holder_ref", "type", "valid_until", "id"),
    Index(None, "subject_ref", "type", "valid_until", "id"),
)

# Shared identity data (persons by ID number, enterprises by credit code) that pre-fills forms.
holders = Table(
    "holders", metadata,
    Column("kind", String(16), primary_key=True),
    Column("ref", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Bad credit records (失信) of persons and enterprises: an applicant with an unlifted record gets
# no 容缺受理. Lifting keeps the row, so that the history stays.
credit_records = Table(
    "credit_records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(32), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("source", String(100), nullable=False),
    Column("listed_by", String(64), nullable=False),
    Column("listed_at", UtcDateTime, nullable=False),
    Column("lifted_by", String(64), nullable=True),
    Column("lifted_at", UtcDateTime, nullable=True),
)

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

# Special procedures (听证, 检验, 专家评审 ...) that pause a task's clock.
task_pauses = Table(
    "task_pauses", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(36), ForeignKey("tasks.id"), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("procedure", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("started_by", String(64), nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("ended_by", String(64), nullable=True),
)

# Extensions (延期) a department head approved.
task_extensions = Table(
    "task_extensions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(36), ForeignKey("tasks.id"), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("days", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("approved_by", String(64), nullable=False),
    Column("approved_at", UtcDateTime, nullable=False),
)

# The supervisors' queue: every change of a task's or a case's colour (yellow, red, back to green).
supervision_warnings = Table(
    "supervision_warnings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("case_number", String(40), nullable=False),
    Column("task_id", String(36), nullable=True),
    Column("department", String(32), nullable=False),
    Column("colour", String(8), nullable=False),
    Column("previous", String(8), nullable=True),
    Column("due_on", Date, nullable=False),
    Column("remaining_days", Integer, nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
    Column("acknowledged_by", String(64), nullable=True),
    Column("acknowledged_at", UtcDateTime, nullable=True),
    Index(None, "department", "colour"),
)

# Savings of each closed case (四减一优), written in the transaction that closes it, so that reports
# read figures and never recompute them from events. One baseline, actual and reduction column per
# figure (engine.domain.savings.FIGURES); the reduction is null without a baseline.
case_savings = Table(
    "case_savings", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True, autoincrement=False),
    Column("case_number", String(40), nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("result_delivery", String(16), nullable=False),
    Column("accepted_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=False, index=True),
    Column("trips_baseline", Integer, nullable=False),
    Column("trips_actual", Integer, nullable=False),
    Column("trips_reduction", Float, nullable=True),
    Column("steps_baseline", Integer, nullable=False),
    Column("steps_actual", Integer, nullable=False),
    Column("steps_reduction", Float, nullable=True),
    Column("time_days_baseline", Float, nullable=False),
    Column("time_days_actual", Float, nullable=False),
    Column("time_days_reduction", Float, nullable=True),
    # The actual time is the working days elapsed to results ready minus those paused.
    Column("time_elapsed_days", Float, nullable=False),
    Column("time_paused_days", Float, nullable=False),
    Column("materials_baseline", Integer, nullable=False),
    Column("materials_actual", Integer, nullable=False),
    Column("materials_reduction", Float, nullable=True),
    Column("fields_baseline", Integer, nullable=False),
    Column("fields_actual", Integer, nullable=False),
    Column("fields_reduction", Float, nullable=True),
    Column("fields_prefilled_share", Float, nullable=True),
    # Pre-fill measured per field: how many fields a data source could fill, the share of those
    # pre-filled, and per field whether it was (null for cases measured before, migration 0017).
    Column("fields_prefillable", Integer, nullable=True),
    Column("fields_prefilled_of_prefillable", Float, nullable=True),
    Column("prefill_fields", JSON, nullable=True),
    Column("fees_baseline", Float, nullable=False),
    Column("fees_actual", Float, nullable=False),
    Column("fees_reduction", Float, nullable=True),
    Column("baseline_sources", JSON, nullable=False),
    Index(None, "bundle_code", "closed_at"),
    # The report counts the cases per bundle and actual value of each figure (its distribution and
    # percentiles); these indexes answer that without reading the table, also within a date range.
    *(Index(None, "bundle_code", f"{figure}_actual", "closed_at")
      for figure in ("trips", "steps", "time_days", "materials", "fields")),
)

# The departments with an item in a closed case, for the savings report's department filter.
case_savings_departments = Table(
    "case_savings_departments", metadata,
    Column("department", String(32), primary_key=True),
    Column("case_id", Integer, ForeignKey("case_savings.case_id"), primary_key=True, autoincrement=False),
)

# What each shipped data file (a catalogue dictionary, a bundle.json) said when it was last
# deployed: a restart applies only what a release changed since, never undoing an administrator.
shipped_data = Table(
    "shipped_data", metadata,
    Column("name", String(200), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("content", JSON, nullable=False),
    Column("deployed_at", UtcDateTime, nullable=False),
)

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
