"""Where the case event log stood at each sound audit verification (issue 30): the nightly run reads the
chains with events after a mark instead of comparing every case's head

Revision ID: 0039
Revises: 0038
"""
import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_marks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("through_event", sa.BigInteger(), nullable=False),
        sa.Column("snapshot_xmin", sa.BigInteger(), nullable=True),
        sa.Column("snapshot_xmax", sa.BigInteger(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("audit_marks")
