"""The closing time on each closed case's departments (issue 30): a savings report for one department
reads the days at its period's ends as one range of a (department, closed_at) index

Revision ID: 0040
Revises: 0039
"""
import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_savings_departments") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE case_savings_departments SET closed_at = (SELECT s.closed_at FROM case_savings s "
               "WHERE s.case_id = case_savings_departments.case_id)")
    with op.batch_alter_table("case_savings_departments") as batch:
        batch.alter_column("closed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_index(op.f("ix_case_savings_departments_department_closed_at_case_id"), "case_savings_departments",
                    ["department", "closed_at", "case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_savings_departments_department_closed_at_case_id"),
                  table_name="case_savings_departments")
    with op.batch_alter_table("case_savings_departments") as batch:
        batch.drop_column("closed_at")
