"""Tasks: the open and done steps of a case, the special procedures that pause a task's clock, the
extensions a department head approved, and the supervisors' queue of colour changes."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text, text

from engine.persistence.tables.types import UtcDateTime, metadata

OPEN_APPROVAL = "kind = 'approval' AND state IN ('ready', 'claimed')"

tasks = Table(
    "tasks", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("case_number", String(40), nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("item_code", String(64), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("title", String(200), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("assignee", String(100), nullable=True),
    Column("completed_by", String(100), nullable=True),
    Column("decision", String(16), nullable=True),
    # The working-day clock of an approval: its limit, due day (Asia/Shanghai), last colour, and
    # since when a special procedure pauses it. Pauses and extensions have their own tables.
    Column("limit_days", Integer, nullable=True),
    Column("statutory_days", Integer, nullable=True),
    Column("due_on", Date, nullable=True),
    Column("colour", String(8), nullable=True),
    Column("paused_since", UtcDateTime, nullable=True),
    # The inbox query: a department's open tasks, oldest first.
    Index(None, "department", "state", "created_at"),
    Index(None, "state", "due_on"),
    Index(None, "case_id", "state"),
    Index(None, "assignee", "state"),
    # The approvals completed since the last day the roll-ups sealed (day_rollups.py).
    Index(None, "completed_at"),
    # The supervision board's open approvals by department and colour: few beside the completed ones.
    Index("ix_tasks_open_approvals", "department", "colour", "paused_since",
          postgresql_where=text(OPEN_APPROVAL), sqlite_where=text(OPEN_APPROVAL)),
)

# Special procedures (听证, 检验, 专家评审 ...) that pause a task's clock.
task_pauses = Table(
    "task_pauses", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(36), ForeignKey("tasks.id"), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("procedure", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("started_by", String(64), nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("ended_by", String(64), nullable=True),
)

# Extensions (延期) a department head approved.
task_extensions = Table(
    "task_extensions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(36), ForeignKey("tasks.id"), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("days", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("approved_by", String(64), nullable=False),
    Column("approved_at", UtcDateTime, nullable=False),
)

# The supervisors' queue: every change of a task's or a case's colour (yellow, red, back to green).
supervision_warnings = Table(
    "supervision_warnings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("case_number", String(40), nullable=False),
    Column("task_id", String(36), nullable=True),
    Column("department", String(32), nullable=False),
    Column("colour", String(8), nullable=False),
    Column("previous", String(8), nullable=True),
    Column("due_on", Date, nullable=False),
    Column("remaining_days", Integer, nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
    Column("acknowledged_by", String(64), nullable=True),
    Column("acknowledged_at", UtcDateTime, nullable=True),
    Index(None, "department", "colour"),
    # The warning queue, newest first (supervision.py), read backwards.
    Index(None, "raised_at", "id"),
)
