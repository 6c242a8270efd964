"""case_events, audit_events: hash_scheme, how each event's hash was made (0 unkeyed SHA-256, the
events written so far; 1 HMAC-SHA256 under ONETHING_AUDIT_KEY, every event from now on)

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("case_events", "audit_events"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("hash_scheme", sa.SmallInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in ("case_events", "audit_events"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("hash_scheme")
