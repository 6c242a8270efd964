"""case_savings: the savings figures (四减一优) of each closed case, written when it closes, and
case_savings_departments: the departments with an item in it (the report's department filter)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_DISTRIBUTED = ("trips", "steps", "time_days", "materials", "fields")
"""Figures whose distribution the report reads from an index (bundle, actual value, closed at)."""


def upgrade() -> None:
    op.create_table(
        "case_savings",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_number", sa.String(40), nullable=False),
        sa.Column("bundle_code", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("result_delivery", sa.String(16), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trips_baseline", sa.Integer(), nullable=False),
        sa.Column("trips_actual", sa.Integer(), nullable=False),
        sa.Column("trips_reduction", sa.Float(), nullable=True),
        sa.Column("steps_baseline", sa.Integer(), nullable=False),
        sa.Column("steps_actual", sa.Integer(), nullable=False),
        sa.Column("steps_reduction", sa.Float(), nullable=True),
        sa.Column("time_days_baseline", sa.Float(), nullable=False),
        sa.Column("time_days_actual", sa.Float(), nullable=False),
        sa.Column("time_days_reduction", sa.Float(), nullable=True),
        sa.Column("time_elapsed_days", sa.Float(), nullable=False),
        sa.Column("time_paused_days", sa.Float(), nullable=False),
        sa.Column("materials_baseline", sa.Integer(), nullable=False),
        sa.Column("materials_actual", sa.Integer(), nullable=False),
        sa.Column("materials_reduction", sa.Float(), nullable=True),
        sa.Column("fields_baseline", sa.Integer(), nullable=False),
        sa.Column("fields_actual", sa.Integer(), nullable=False),
        sa.Column("fields_reduction", sa.Float(), nullable=True),
        sa.Column("fields_prefilled_share", sa.Float(), nullable=True),
        sa.Column("fees_baseline", sa.Float(), nullable=False),
        sa.Column("fees_actual", sa.Float(), nullable=False),
        sa.Column("fees_reduction", sa.Float(), nullable=True),
        sa.Column("baseline_sources", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_savings_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_savings")),
    )
    with op.batch_alter_table("case_savings") as batch:
        batch.create_index(batch.f("ix_case_savings_closed_at"), ["closed_at"], unique=False)
        batch.create_index(batch.f("ix_case_savings_bundle_code_closed_at"), ["bundle_code", "closed_at"],
                           unique=False)
        for figure in _DISTRIBUTED:
            batch.create_index(batch.f(f"ix_case_savings_bundle_code_{figure}_actual_closed_at"),
                               ["bundle_code", f"{figure}_actual", "closed_at"], unique=False)
    op.create_table(
        "case_savings_departments",
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_savings.case_id"],
                                name=op.f("fk_case_savings_departments_case_id_case_savings")),
        sa.PrimaryKeyConstraint("department", "case_id", name=op.f("pk_case_savings_departments")),
    )


def downgrade() -> None:
    op.drop_table("case_savings_departments")
    with op.batch_alter_table("case_savings") as batch:
        for figure in _DISTRIBUTED:
            batch.drop_index(batch.f(f"ix_case_savings_bundle_code_{figure}_actual_closed_at"))
        batch.drop_index(batch.f("ix_case_savings_bundle_code_closed_at"))
        batch.drop_index(batch.f("ix_case_savings_closed_at"))
    op.drop_table("case_savings")
