"""The accepting service point on each closed case's savings (issue 30): a savings report for a point
reads its cases' figures by index, without a case row each; filled for the cases already closed. And
the warning queue's order, newest first, and one bundle's cases of one status from indexes

Revision ID: 0038
Revises: 0037
"""
import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_savings") as batch:
        batch.add_column(sa.Column("accepted_point", sa.String(length=32), nullable=True))
    op.execute("UPDATE case_savings SET accepted_point = "
               "(SELECT cases.accepted_point FROM cases WHERE cases.id = case_savings.case_id)")
    op.create_index(op.f("ix_case_savings_accepted_point_closed_at"), "case_savings", ["accepted_point", "closed_at"])
    op.create_index(op.f("ix_supervision_warnings_raised_at_id"), "supervision_warnings", ["raised_at", "id"])
    op.create_index(op.f("ix_cases_bundle_code_status_accepted_at"), "cases", ["bundle_code", "status", "accepted_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cases_bundle_code_status_accepted_at"), table_name="cases")
    op.drop_index(op.f("ix_supervision_warnings_raised_at_id"), table_name="supervision_warnings")
    op.drop_index(op.f("ix_case_savings_accepted_point_closed_at"), table_name="case_savings")
    with op.batch_alter_table("case_savings") as batch:
        batch.drop_column("accepted_point")
