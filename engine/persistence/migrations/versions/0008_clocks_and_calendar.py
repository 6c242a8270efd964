"""working-day clocks: calendar overrides and confirmed years, task and case deadlines and colours,
pauses (special procedures), extensions (延期), the supervisors' warning queue, due BPMN timers

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_overrides",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_overrides")),
    )
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("confirmed_by", sa.String(64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    op.create_table(
        "task_pauses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_pauses_task_id_tasks")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_task_pauses_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_pauses")),
    )
    with op.batch_alter_table("task_pauses") as batch:
        batch.create_index(batch.f("ix_task_pauses_case_id"), ["case_id"], unique=False)
    op.create_table(
        "task_extensions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(64), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_extensions_task_id_tasks")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_task_extensions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_extensions")),
    )
    with op.batch_alter_table("task_extensions") as batch:
        batch.create_index(batch.f("ix_task_extensions_case_id"), ["case_id"], unique=False)
    op.create_table(
        "supervision_warnings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(40), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("colour", sa.String(8), nullable=False),
        sa.Column("previous", sa.String(8), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("remaining_days", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_supervision_warnings_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_warnings")),
    )
    with op.batch_alter_table("supervision_warnings") as batch:
        batch.create_index(batch.f("ix_supervision_warnings_department_colour"), ["department", "colour"],
                           unique=False)
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("limit_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("statutory_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("colour", sa.String(8), nullable=True))
        batch.add_column(sa.Column("paused_since", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_tasks_state_due_on"), ["state", "due_on"], unique=False)
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("limit_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("statutory_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("colour", sa.String(8), nullable=True))
        batch.add_column(sa.Column("next_timer_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_cases_next_timer_at"), ["next_timer_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_next_timer_at"))
        for column in ("next_timer_at", "colour", "due_on", "statutory_days", "limit_days"):
            batch.drop_column(column)
    with op.batch_alter_table("tasks") as batch:
        batch.drop_index(batch.f("ix_tasks_state_due_on"))
        for column in ("paused_since", "colour", "due_on", "statutory_days", "limit_days"):
            batch.drop_column(column)
    for table in ("supervision_warnings", "task_extensions", "task_pauses", "calendar_years", "calendar_overrides"):
        op.drop_table(table)
