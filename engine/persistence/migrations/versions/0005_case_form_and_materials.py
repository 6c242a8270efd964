"""cases.form, cases.materials, cases.prefilled: the unified form as accepted, each material's
status, and which fields shared data filled in

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("form", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("materials", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("prefilled", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("prefilled")
        batch.drop_column("materials")
        batch.drop_column("form")
