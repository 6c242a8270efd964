"""Service points (issue 27): the point a user works at, where each case was accepted and where its
results are handed over, how its departments' work was routed to their units, where the intake took
place (the hall or the applicant's home), the hall's agent (帮办代办) who prepared it, the applicants' online
consents to such agents, and the case a queue ticket was served with

Revision ID: 0031
Revises: 0030
"""
import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("service_point", sa.String(length=32), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("accepted_point", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("handover_point", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("routing", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("intake_place", sa.String(length=16), nullable=False, server_default="hall"))
        batch.add_column(sa.Column("agent", sa.String(length=64), nullable=True))
    with op.batch_alter_table("hall_tickets") as batch:
        batch.add_column(sa.Column("case_number", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("served_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "agent_consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("bundle_code", sa.String(length=64), nullable=False),
        sa.Column("point", sa.String(length=64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("case_number", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_consents")),
    )
    op.create_index(op.f("ix_agent_consents_phone_bundle_code"), "agent_consents", ["phone", "bundle_code"])
    op.create_index(op.f("ix_cases_accepted_point_accepted_at"), "cases", ["accepted_point", "accepted_at"])
    op.create_index(op.f("ix_cases_handover_point_status"), "cases", ["handover_point", "status"])
    op.create_index(op.f("ix_cases_agent"), "cases", ["agent"])


def downgrade() -> None:
    op.drop_index(op.f("ix_agent_consents_phone_bundle_code"), table_name="agent_consents")
    op.drop_table("agent_consents")
    op.drop_index(op.f("ix_cases_agent"), table_name="cases")
    op.drop_index(op.f("ix_cases_handover_point_status"), table_name="cases")
    op.drop_index(op.f("ix_cases_accepted_point_accepted_at"), table_name="cases")
    with op.batch_alter_table("cases") as batch:
        for name in ("agent", "intake_place", "routing", "handover_point", "accepted_point"):
            batch.drop_column(name)
    with op.batch_alter_table("hall_tickets") as batch:
        batch.drop_column("served_at")
        batch.drop_column("case_number")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("service_point")
