"""tasks: an extension (延期) is now stored in the task's limits (limit_days, statutory_days), so that
the limit, the due day and the days left shown agree; tasks extended before keep their extensions
in task_extensions only: add them to the limits once

Revision ID: 0016
Revises: 0015
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_EXTENDED = "(SELECT SUM(e.days) FROM task_extensions e WHERE e.task_id = tasks.id)"


def upgrade() -> None:
    op.execute(f"UPDATE tasks SET statutory_days = COALESCE(statutory_days, limit_days) + {_EXTENDED}, "
               f"limit_days = limit_days + {_EXTENDED} "
               "WHERE limit_days IS NOT NULL AND id IN (SELECT task_id FROM task_extensions)")


def downgrade() -> None:
    op.execute(f"UPDATE tasks SET limit_days = limit_days - {_EXTENDED}, "
               f"statutory_days = statutory_days - {_EXTENDED} "
               "WHERE limit_days IS NOT NULL AND id IN (SELECT task_id FROM task_extensions)")
