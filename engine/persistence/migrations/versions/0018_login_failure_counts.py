"""login_failure_counts: failed logins counted atomically per (login, address), per login and per
address; replaces login_failures (one row per failure, counted after the fact, which parallel
guesses could race). The rows of login_failures are transient (15 minutes) and are not carried over.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failure_counts",
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(140), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "subject", name=op.f("pk_login_failure_counts")),
    )
    with op.batch_alter_table("login_failure_counts") as batch:
        batch.create_index(batch.f("ix_login_failure_counts_last_at"), ["last_at"], unique=False)
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures") as batch:
        batch.create_index(batch.f("ix_login_failures_address_at"), ["address", "at"], unique=False)
        batch.create_index(batch.f("ix_login_failures_login_at"), ["login", "at"], unique=False)
    op.drop_table("login_failure_counts")
