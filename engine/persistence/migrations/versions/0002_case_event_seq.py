"""cases.event_seq: the sequence number of the case's last event, kept on the case row

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("event_seq", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE cases SET event_seq = "
        "(SELECT coalesce(max(seq), 0) FROM case_events WHERE case_events.case_id = cases.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("event_seq")
