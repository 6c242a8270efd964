"""Flows: each bundle (一件事), the versions of its BPMN flow, the catalogue's shared dictionaries, and
what each shipped data file said when it was last deployed."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from engine.persistence.tables.types import UtcDateTime, metadata

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

# The catalogue's shared dictionaries (form fields, materials, e-licence types), loaded from the
# reviewed files in bpmn/catalogue on deploy.
catalogue_entries = Table(
    "catalogue_entries", metadata,
    Column("kind", String(16), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
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
