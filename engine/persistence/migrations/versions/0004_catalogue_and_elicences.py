"""catalogue dictionaries, the e-licence store and the holder registry

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_entries",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_catalogue_entries")),
    )
    op.create_table(
        "elicences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("holder_kind", sa.String(16), nullable=False),
        sa.Column("holder_ref", sa.String(32), nullable=False),
        sa.Column("holder_name", sa.String(200), nullable=False),
        sa.Column("issuer", sa.String(32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_elicences_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elicences")),
    )
    with op.batch_alter_table("elicences") as batch:
        batch.create_index(batch.f("ix_elicences_holder_ref_type"), ["holder_ref", "type"], unique=False)
    op.create_table(
        "holders",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "ref", name=op.f("pk_holders")),
    )


def downgrade() -> None:
    op.drop_table("holders")
    op.drop_table("elicences")
    op.drop_table("catalogue_entries")
