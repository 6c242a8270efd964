"""Figures summed per day (the savings per month) for the reports and the supervision board (issue 30): the roll-up tables,
their seals (none sealed: everything is read from the case tables until the ticker seals the past),
and the indexes that find what the days since the last seal hold, and the open approvals

Revision ID: 0037
Revises: 0036
"""
import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

ROLLUPS = ("approvals", "cases", "spans", "savings", "savings_values")
FIGURES = ("trips", "steps", "time_days", "materials", "fields", "fees")
FOUR_FIGURES = FIGURES[:5]
RATED = "type IN ('ServiceRated', 'ResultsHandedOver')"
OPEN_APPROVAL = "kind = 'approval' AND state IN ('ready', 'claimed')"


def _sums() -> list[sa.Column]:
    columns = [sa.Column("cases", sa.Integer(), nullable=False)]
    for name in FIGURES:
        columns += [sa.Column(f"{name}_baseline", sa.Float(), nullable=False),
                    sa.Column(f"{name}_actual", sa.Float(), nullable=False),
                    sa.Column(f"{name}_reduction", sa.Float(), nullable=False),
                    sa.Column(f"{name}_reductions", sa.Integer(), nullable=False)]
    for name, kind in (("share_sum", sa.Float()), ("shares", sa.Integer()), ("half_prefilled", sa.Integer()),
                       ("prefillable_sum", sa.Float()), ("prefillable_cases", sa.Integer()),
                       ("of_prefillable_sum", sa.Float()), ("of_prefillable_shares", sa.Integer()),
                       ("shared_sum", sa.Float()), ("shared_cases", sa.Integer()), ("elicence_sum", sa.Float()),
                       ("elicence_cases", sa.Integer())):
        columns.append(sa.Column(name, kind, nullable=False))
    return columns


def upgrade() -> None:
    seals = op.create_table(
        "rollup_seals",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("sealed_through", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rollup_seals")),
    )
    op.bulk_insert(seals, [{"name": name, "sealed_through": None} for name in ROLLUPS])
    op.create_table(
        "approval_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "department", name=op.f("pk_approval_days")),
    )
    op.create_table(
        "case_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bundle_code", sa.String(length=64), nullable=False),
        sa.Column("point", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ("accepted", "closed", "closed_on_time", "ratings", "satisfied")),
        sa.PrimaryKeyConstraint("day", "bundle_code", "point", "department", name=op.f("pk_case_days")),
    )
    op.create_table(
        "case_spans",
        sa.Column("accepted_day", sa.Date(), nullable=False),
        sa.Column("closed_day", sa.Date(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("accepted_day", "closed_day", name=op.f("pk_case_spans")),
    )
    op.create_table(
        "savings_days",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("bundle_code", sa.String(length=64), nullable=False),
        sa.Column("point", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("result_delivery", sa.String(length=16), nullable=False),
        *_sums(),
        sa.PrimaryKeyConstraint("month", "bundle_code", "point", "department", "channel", "result_delivery",
                                name=op.f("pk_savings_days")),
    )
    op.create_table(
        "savings_value_days",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("bundle_code", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("figure", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "bundle_code", "department", "figure", "value",
                                name=op.f("pk_savings_value_days")),
    )
    op.create_index(op.f("ix_tasks_completed_at"), "tasks", ["completed_at"])
    op.create_index(op.f("ix_cases_closed_at_accepted_at"), "cases", ["closed_at", "accepted_at"])
    op.create_index("ix_case_events_ratings", "case_events", ["occurred_at"],
                    postgresql_where=sa.text(RATED), sqlite_where=sa.text(RATED))
    op.create_index("ix_tasks_open_approvals", "tasks", ["department", "colour", "paused_since"],
                    postgresql_where=sa.text(OPEN_APPROVAL), sqlite_where=sa.text(OPEN_APPROVAL))


def downgrade() -> None:
    op.drop_index("ix_tasks_open_approvals", table_name="tasks")
    op.drop_index("ix_case_events_ratings", table_name="case_events")
    op.drop_index(op.f("ix_cases_closed_at_accepted_at"), table_name="cases")
    op.drop_index(op.f("ix_tasks_completed_at"), table_name="tasks")
    for table in ("savings_value_days", "savings_days", "case_spans", "case_days", "approval_days", "rollup_seals"):
        op.drop_table(table)
