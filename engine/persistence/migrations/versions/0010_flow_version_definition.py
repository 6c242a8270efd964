"""flow_versions.definition: the bundle definition uploaded with a flow version (a department joins
or an item is dropped), applied to the bundle when that version is deployed

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flow_versions") as batch:
        batch.add_column(sa.Column("definition", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flow_versions") as batch:
        batch.drop_column("definition")
