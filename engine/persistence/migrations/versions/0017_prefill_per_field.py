"""case_savings: the pre-fill measured per field (fields a data source could fill, the share of them
pre-filled, per field whether it was); cases measured before have none (null)

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_savings") as batch:
        batch.add_column(sa.Column("fields_prefillable", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fields_prefilled_of_prefillable", sa.Float(), nullable=True))
        batch.add_column(sa.Column("prefill_fields", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_savings") as batch:
        batch.drop_column("prefill_fields")
        batch.drop_column("fields_prefilled_of_prefillable")
        batch.drop_column("fields_prefillable")
