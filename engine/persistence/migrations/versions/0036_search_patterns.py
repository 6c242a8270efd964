"""Case search at scale (issue 30), PostgreSQL only: a case number's prefix and a part of the
applicant's name answered from indexes (the pattern operator class; pg_trgm's trigrams)

Revision ID: 0036
Revises: 0035
"""
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index("ix_cases_number_pattern", "cases", ["number"], postgresql_ops={"number": "text_pattern_ops"})
    op.create_index("ix_cases_applicant_name_trigrams", "cases", ["applicant_name"], postgresql_using="gin",
                    postgresql_ops={"applicant_name": "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_cases_applicant_name_trigrams", table_name="cases")
    op.drop_index("ix_cases_number_pattern", table_name="cases")
