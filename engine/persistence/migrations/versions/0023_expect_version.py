"""onething_expect_version on PostgreSQL: the compare-and-swap of a case checked in the UPDATE's own
condition (engine/persistence/checked.py), one statement on both databases (SQLite registers the
function on each connection). It replaces onething_expect_one (0014), which checked a row count
returned by a SELECT around the UPDATE, a statement SQLite cannot run.

Revision ID: 0023
Revises: 0022
"""
from alembic import op

_EXPECT_VERSION = """
CREATE OR REPLACE FUNCTION onething_expect_version(current_version integer, expected_version integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF current_version IS DISTINCT FROM expected_version THEN
        RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'onething: the row changed since it was read',
            DETAIL = format('version %s, expected %s', current_version, expected_version);
    END IF;
    RETURN true;
END $$
"""

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
        op.execute(_EXPECT_VERSION)
        op.execute("DROP FUNCTION IF EXISTS onething_expect_one(bigint)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_EXPECT_ONE)
        op.execute("DROP FUNCTION onething_expect_version(integer, integer)")
