"""case_savings: how many materials a registry record and an e-licence replaced in each case; cases
measured before have none (null)

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_savings") as batch:
        batch.add_column(sa.Column("materials_shared", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("materials_elicence", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_savings") as batch:
        batch.drop_column("materials_elicence")
        batch.drop_column("materials_shared")
