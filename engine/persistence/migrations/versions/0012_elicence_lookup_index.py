"""elicences: the index that finds a holder's newest valid licence of each type carries the validity
and the id, so that the lookup reads the index alone however many licences the holder has

Revision ID: 0012
Revises: 0011
"""
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_elicences_holder_ref_type_valid_until_id"), "elicences",
                    ["holder_ref", "type", "valid_until", "id"])
    op.drop_index(op.f("ix_elicences_holder_ref_type"), table_name="elicences")


def downgrade() -> None:
    op.create_index(op.f("ix_elicences_holder_ref_type"), "elicences", ["holder_ref", "type"])
    op.drop_index(op.f("ix_elicences_holder_ref_type_valid_until_id"), table_name="elicences")
