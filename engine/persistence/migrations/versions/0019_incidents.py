"""incidents: automatic steps that failed at run time, each on its case until retried (issue 21, item 17)

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(40), nullable=False),
        sa.Column("bundle_code", sa.String(64), nullable=False),
        sa.Column("flow_version_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("element_id", sa.String(255), nullable=True),
        sa.Column("element_name", sa.String(255), nullable=True),
        sa.Column("error_type", sa.String(32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_incidents_case_id_cases")),
        sa.ForeignKeyConstraint(["flow_version_id"], ["flow_versions.id"],
                                name=op.f("fk_incidents_flow_version_id_flow_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents") as batch:
        batch.create_index(batch.f("ix_incidents_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_incidents_status_bundle_code_opened_at"),
                           ["status", "bundle_code", "opened_at"], unique=False)


def downgrade() -> None:
    op.drop_table("incidents")
