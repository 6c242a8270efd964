"""elicences: whom each licence is about (subject_kind, subject_ref, subject_name) beside who holds
it, so that a later case reuses only the licences about its own subject (a parent holds each
child's birth certificate); licences issued before are about their holder

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("elicences") as batch:
        batch.add_column(sa.Column("subject_kind", sa.String(16), nullable=True))
        batch.add_column(sa.Column("subject_ref", sa.String(64), nullable=True))
        batch.add_column(sa.Column("subject_name", sa.String(200), nullable=True))
    op.execute("UPDATE elicences SET subject_kind = holder_kind, subject_ref = holder_ref, "
               "subject_name = holder_name")
    with op.batch_alter_table("elicences") as batch:
        batch.alter_column("subject_kind", existing_type=sa.String(16), nullable=False)
        batch.alter_column("subject_ref", existing_type=sa.String(64), nullable=False)
        batch.alter_column("subject_name", existing_type=sa.String(200), nullable=False)
        batch.create_index(batch.f("ix_elicences_subject_ref_type_valid_until_id"),
                           ["subject_ref", "type", "valid_until", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("elicences") as batch:
        batch.drop_index(batch.f("ix_elicences_subject_ref_type_valid_until_id"))
        batch.drop_column("subject_name")
        batch.drop_column("subject_ref")
        batch.drop_column("subject_kind")
