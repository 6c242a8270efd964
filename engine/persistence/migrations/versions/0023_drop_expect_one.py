"""Drop onething_expect_one (0014): a case's compare-and-swap no longer needs PostgreSQL to check
its row count (``CaseRepository.save``: a locked case's version is compared in the process, an
unlocked one's UPDATE row count comes back through psycopg's pipeline, as on SQLite). The downgrade
restores the function as 0014 created it.

Revision ID: 0023
Revises: 0022
"""
from alembic import op

_EXPECT_ONE = """
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

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS onething_expect_one(bigint)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_EXPECT_ONE)
