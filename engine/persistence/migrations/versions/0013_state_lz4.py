"""workflow_states.state compressed with lz4 on PostgreSQL: every completion rewrites the case's
state (about 10 KB of JSON), and PostgreSQL's default pglz compression was its busiest function in
the engine bench. A server built without lz4 keeps pglz; SQLite has no such setting. Rows already
stored keep their compression until they are next written.

Revision ID: 0013
Revises: 0012
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_SET = """
DO $$
BEGIN
    ALTER TABLE workflow_states ALTER COLUMN state SET COMPRESSION {method};
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this server has no lz4 compression: the workflow states keep pglz';
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SET.format(method="lz4"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SET.format(method="pglz"))
