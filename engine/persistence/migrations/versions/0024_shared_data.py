"""Shared data (issue 24): the embedded registries (registry_records, found through
registry_subjects), the files administrators imported into them (registry_imports), the audit of
every lookup (data_lookups) and what shared data gave each case at acceptance (case_shared_data)

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_records")),
        sa.UniqueConstraint("kind", "ref", name=op.f("uq_registry_records_kind_ref")),
    )
    op.create_table(
        "registry_subjects",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["registry_records.id"], ondelete="CASCADE",
                                name=op.f("fk_registry_subjects_record_id_registry_records")),
        sa.PrimaryKeyConstraint("record_id", "subject", name=op.f("pk_registry_subjects")),
    )
    op.create_index(op.f("ix_registry_subjects_subject_record_id"), "registry_subjects", ["subject", "record_id"])
    op.create_table(
        "registry_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_imports")),
    )
    op.create_index(op.f("ix_registry_imports_kind_imported_at"), "registry_imports", ["kind", "imported_at"])
    op.create_table(
        "data_lookups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("bundle_code", sa.String(64), nullable=True),
        sa.Column("draft", sa.String(64), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("values_returned", sa.Integer(), nullable=False),
        sa.Column("milliseconds", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_lookups")),
    )
    op.create_index(op.f("ix_data_lookups_user_occurred_at"), "data_lookups", ["user", "occurred_at"])
    op.create_index(op.f("ix_data_lookups_kind_occurred_at"), "data_lookups", ["kind", "occurred_at"])
    op.create_index(op.f("ix_data_lookups_case_id"), "data_lookups", ["case_id"])
    op.create_index(op.f("ix_data_lookups_draft"), "data_lookups", ["draft"])
    op.create_index(op.f("ix_data_lookups_occurred_at"), "data_lookups", ["occurred_at"])
    op.create_table(
        "case_shared_data",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("unavailable", sa.JSON(), nullable=False),
        sa.Column("authorization", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_shared_data_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_shared_data")),
    )


def downgrade() -> None:
    op.drop_table("case_shared_data")
    op.drop_table("data_lookups")
    op.drop_table("registry_imports")
    op.drop_table("registry_subjects")
    op.drop_table("registry_records")
