"""The outbox of notifications to applicants (SMS, e-mail, in-app), written in the transaction of the
change that causes each, delivered by a worker; and the one-time codes applicants sign in with."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table

from engine.persistence.tables.types import UtcDateTime, metadata

# One row per event and channel: the unique key makes a second write of the same message a no-op.
# The worker claims due rows (state pending, or sending with an expired lease) by the index below.
outbox_messages = Table(
    "outbox_messages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(120), nullable=False, unique=True),
    Column("case_id", Integer, nullable=True, index=True),
    Column("kind", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(200), nullable=False),
    Column("params", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("last_error", String(300), nullable=True),
    Index(None, "state", "next_attempt_at"),
    Index(None, "recipient", "channel", "id"),
)

# One-time codes an applicant signs in with (sent by SMS through the outbox): only a salted hash of
# the code is kept, with how many wrong tries it has had.
login_codes = Table(
    "login_codes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("phone", String(20), nullable=False),
    Column("salt", String(32), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index(None, "phone", "created_at"),
)

# Applications made online (网上申请): the applicant's draft, submitted to the window's 预审, returned
# once with what to fix, or accepted (the case it became).
online_applications = Table(
    "online_applications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("phone", String(20), nullable=False, index=True),
    Column("bundle_code", String(64), nullable=False),
    Column("applicant", JSON, nullable=False),
    Column("form", JSON, nullable=False),
    Column("materials", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("notice", String(2000), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("submitted_at", UtcDateTime, nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("case_number", String(40), nullable=True),
    Column("commitment", JSON, nullable=True),
    Column("delivery", JSON, nullable=True),
    Column("on_behalf", Boolean, nullable=False, server_default="0"),
    Index(None, "status", "submitted_at"),
)

# The scans of an online application's materials (bytes in the file store, by SHA-256): a new upload
# for a material replaces its files until the application is accepted, when they pass to the case.
application_files = Table(
    "application_files", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", Integer, ForeignKey("online_applications.id"), nullable=False, index=True),
    Column("material_key", String(64), nullable=False),
    Column("part", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
)

# Who applied online for someone else (委托代办): the signed-in agent, who follows the case beside the
# applicant (the principal, whose phone the case's applicant block holds).
case_agents = Table(
    "case_agents", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("agent_phone", String(20), nullable=False, index=True),
    Column("recorded_at", UtcDateTime, nullable=False),
)

# The resident ID number the unified identity service verified for an applicant's account (实名认证):
# what their online form is pre-filled by.
applicant_identities = Table(
    "applicant_identities", metadata,
    Column("login", String(64), primary_key=True),
    Column("id_number", String(18), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("verified_at", UtcDateTime, nullable=False),
)

# How the applicant wants a case's results (one row per case, changed until the handover), and the
# mail's tracking number once the window sends them.
case_deliveries = Table(
    "case_deliveries", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("delivery", String(16), nullable=False),
    Column("address", String(200), nullable=True),
    Column("slot", String(16), nullable=True),
    Column("tracking_number", String(40), nullable=True),
    Column("chosen_by", String(64), nullable=False),
    Column("chosen_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
)

