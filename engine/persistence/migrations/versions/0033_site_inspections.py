"""Site inspections (issue 29): an item's latest 现场核查 — result, date, findings, inspector — on the
case item, which its approval reads

Revision ID: 0033
Revises: 0032
"""
import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_items") as batch:
        batch.add_column(sa.Column("inspection", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_items") as batch:
        batch.drop_column("inspection")
