"""The shared registries forms and decisions read: e-licences (电子证照), holders' identity data and
bad credit records (失信)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

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

# The embedded registries (人口库, 法人库, 不动产, 社保, 婚姻, 出生: engine.domain.registries.KINDS):
# one row per record, found through the subjects it is about (registry_subjects).
registry_records = Table(
    "registry_records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("source", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("kind", "ref"),
)

registry_subjects = Table(
    "registry_subjects", metadata,
    Column("record_id", Integer, ForeignKey("registry_records.id", ondelete="CASCADE"), primary_key=True),
    Column("subject", String(32), primary_key=True),
    Index(None, "subject", "record_id"),
)

# Every file an administrator loaded into a registry, with what was refused and why.
registry_imports = Table(
    "registry_imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("imported_by", String(64), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Column("rows_total", Integer, nullable=False),
    Column("rows_accepted", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("created", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("rejected", JSON, nullable=False),
    Index(None, "kind", "imported_at"),
)

# 数据调用留痕: every lookup of shared data, who asked, for what, and what came back (counts only).
data_lookups = Table(
    "data_lookups", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("user", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("bundle_code", String(64), nullable=True),
    Column("draft", String(64), nullable=True),
    Column("case_id", Integer, nullable=True),
    Column("source", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", String(32), nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("records", Integer, nullable=False),
    Column("values_returned", Integer, nullable=False),
    Column("milliseconds", Integer, nullable=False),
    Column("error", String(200), nullable=True),
    Index(None, "user", "occurred_at"),
    Index(None, "kind", "occurred_at"),
    Index(None, "case_id"),
    Index(None, "draft"),
    Index(None, "occurred_at"),
)

# What shared data gave a case at acceptance: per field its source and the source's value (kept
# beside the value the window corrected it to), the sources that did not answer, the applicant's
# authorization (授权) to look them up. Written once; apart from the cases row that every change rewrites.
case_shared_data = Table(
    "case_shared_data", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("fields", JSON, nullable=False),
    Column("materials", JSON, nullable=False),
    Column("unavailable", JSON, nullable=False),
    Column("authorization", JSON, nullable=False),
)
