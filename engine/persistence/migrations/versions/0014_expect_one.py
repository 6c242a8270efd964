"""onething_expect_one on PostgreSQL: a case's compare-and-swap UPDATE checked by the server, so
that it can go to the server with the transaction's COMMIT (engine/persistence/checked.py).
SQLite runs its UPDATE at once and reads the row count.

Revision ID: 0014
Revises: 0013
"""
from alembic import op

_DDL = """
CREATE OR REPLACE FUNCTION onething_expect_one(matched bigint) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    IF matched <> 1 THEN
        RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'onething: the row changed since it was read',
            DETAIL = format('%s rows matched, one was expected', matched);
    END IF;
    RETURN 1;
END $$
"""

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_DDL)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION onething_expect_one(bigint)")
