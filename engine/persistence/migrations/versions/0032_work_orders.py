"""Work orders (issue 28): complaints, 12345 hotline tickets, poor ratings' rectifications and outside
supervisors' observations, each with its clocks, and their timelines

Revision ID: 0032
Revises: 0031
"""
import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_by", sa.String(length=64), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("close_due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("case_number", sa.String(length=40), nullable=True),
        sa.Column("external_number", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("point", sa.String(length=32), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_work_orders_number")),
    )
    op.create_index(op.f("ix_work_orders_department_state"), "work_orders", ["department", "state"])
    op.create_index(op.f("ix_work_orders_state_raised_at"), "work_orders", ["state", "raised_at"])
    op.create_index(op.f("ix_work_orders_phone"), "work_orders", ["phone"])
    op.create_index(op.f("ix_work_orders_case_number"), "work_orders", ["case_number"])
    op.create_table(
        "work_order_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("actor_user", sa.String(length=64), nullable=False),
        sa.Column("actor_department", sa.String(length=32), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_work_order_events_order_id_work_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_events")),
    )
    op.create_index(op.f("ix_work_order_events_order_id"), "work_order_events", ["order_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_work_order_events_order_id"), table_name="work_order_events")
    op.drop_table("work_order_events")
    for name in ("case_number", "phone", "state_raised_at", "department_state"):
        op.drop_index(op.f(f"ix_work_orders_{name}"), table_name="work_orders")
    op.drop_table("work_orders")
