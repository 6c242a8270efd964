"""cases.materials_due: when materials tolerated at acceptance (容缺) must have been supplied

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("materials_due", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_cases_materials_due"), ["materials_due"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_materials_due"))
        batch.drop_column("materials_due")
