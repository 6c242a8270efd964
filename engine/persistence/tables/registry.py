"""The shared registries forms and decisions read: e-licences (电子证照), holders' identity data and
bad credit records (失信)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text

from engine.persistence.tables.types import UtcDateTime, metadata

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
