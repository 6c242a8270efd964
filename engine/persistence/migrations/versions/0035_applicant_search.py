"""Case search at scale (issue 30): the applicant's names, ID number, credit code and phone out of the
applicant JSON into columns, the identifiers indexed; filled for the cases already there

Revision ID: 0035
Revises: 0034
"""
import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

_COLUMNS = (("applicant_name", 300), ("applicant_id", 18), ("applicant_code", 18), ("applicant_phone", 20))


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for name, length in _COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        def field(key: str, length: int) -> str:
            return f"left(nullif(applicant->>'{key}', ''), {length})"

        names = "left(nullif(concat_ws(' ', nullif(applicant->>'name', ''), nullif(applicant->>'entity_name', '')), ''), 300)"
    else:
        def field(key: str, length: int) -> str:
            return f"substr(nullif(json_extract(applicant, '$.{key}'), ''), 1, {length})"

        names = ("substr(nullif(trim(coalesce(json_extract(applicant, '$.name'), '') || ' ' || "
                 "coalesce(json_extract(applicant, '$.entity_name'), '')), ''), 1, 300)")
    op.execute(f"UPDATE cases SET applicant_name = {names}, applicant_id = {field('id_number', 18)}, "
               f"applicant_code = {field('credit_code', 18)}, applicant_phone = {field('phone', 20)}")
    op.create_index(op.f("ix_cases_applicant_id"), "cases", ["applicant_id"])
    op.create_index(op.f("ix_cases_applicant_code"), "cases", ["applicant_code"])
    op.create_index(op.f("ix_cases_applicant_phone"), "cases", ["applicant_phone"])


def downgrade() -> None:
    for name in ("applicant_id", "applicant_code", "applicant_phone"):
        op.drop_index(op.f(f"ix_cases_{name}"), table_name="cases")
    with op.batch_alter_table("cases") as batch:
        for name, _length in _COLUMNS:
            batch.drop_column(name)
