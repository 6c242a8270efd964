"""A partial index over the comments (会商意见) among the case events, so that the inbox's mentions
read the comments alone instead of scanning every event (issue 22)

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

COMMENTS = sa.text("type = 'CommentAdded'")


def upgrade() -> None:
    op.create_index("ix_case_events_comments", "case_events", ["case_id", "seq"],
                    postgresql_where=COMMENTS, sqlite_where=COMMENTS)


def downgrade() -> None:
    op.drop_index("ix_case_events_comments", table_name="case_events")
