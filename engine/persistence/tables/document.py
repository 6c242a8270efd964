"""The files of the cases' materials (their bytes are in the file store, by SHA-256) and the log
of every read of one."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from engine.persistence.tables.types import UtcDateTime, metadata

# One row per file of one version of a material: an upload is a new version, never an overwrite.
material_files = Table(
    "material_files", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("material_key", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("part", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
    UniqueConstraint("case_id", "material_key", "version", "part"),
)

# Every read of a file (its bytes or a rendered page): who, when, which file.
file_reads = Table(
    "file_reads", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", Integer, ForeignKey("material_files.id"), nullable=False),
    Column("case_id", Integer, nullable=False),
    Column("user", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("what", String(16), nullable=False),
    Column("read_at", UtcDateTime, nullable=False),
    Index(None, "case_id", "read_at"),
    Index(None, "user", "read_at"),
)
