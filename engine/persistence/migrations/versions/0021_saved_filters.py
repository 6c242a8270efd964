"""saved_filters: each person's named filters for the case list and the inbox; indexes for the case
list's orders (cases: accepted_at, id; due_on, accepted_at, id) and its department filter
(case_items: department, case_id) (issue 22)

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(16), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_saved_filters_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint("user_id", "page", "name", name=op.f("uq_saved_filters_user_id_page_name")),
    )
    with op.batch_alter_table("cases") as batch:
        batch.create_index(batch.f("ix_cases_accepted_at_id"), ["accepted_at", "id"], unique=False)
        batch.create_index(batch.f("ix_cases_due_on_accepted_at_id"), ["due_on", "accepted_at", "id"], unique=False)
    with op.batch_alter_table("case_items") as batch:
        batch.create_index(batch.f("ix_case_items_department_case_id"), ["department", "case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_items") as batch:
        batch.drop_index(batch.f("ix_case_items_department_case_id"))
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_due_on_accepted_at_id"))
        batch.drop_index(batch.f("ix_cases_accepted_at_id"))
    op.drop_table("saved_filters")
