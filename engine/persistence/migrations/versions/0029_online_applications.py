"""Online applications (issue 26): the applicant's drafts, submitted to 预审, returned or accepted

Revision ID: 0029
Revises: 0028
"""
import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "online_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("bundle_code", sa.String(length=64), nullable=False),
        sa.Column("applicant", sa.JSON(), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notice", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("case_number", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_applications")),
    )
    op.create_index(op.f("ix_online_applications_phone"), "online_applications", ["phone"])
    op.create_index(op.f("ix_online_applications_status_submitted_at"), "online_applications",
                    ["status", "submitted_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_online_applications_status_submitted_at"), table_name="online_applications")
    op.drop_index(op.f("ix_online_applications_phone"), table_name="online_applications")
    op.drop_table("online_applications")
