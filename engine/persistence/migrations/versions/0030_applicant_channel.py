"""The applicant's channel (issue 26): an online application's scans, signed commitment and whether
an agent made it for someone else; the agent who applied for a case, the delivery each case's
applicant chose, the ID number the identity service verified for an applicant's account, and the
service hall's queue tickets and bookings

Revision ID: 0030
Revises: 0029
"""
import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("online_applications") as batch:
        batch.add_column(sa.Column("commitment", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("delivery", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("on_behalf", sa.Boolean(), nullable=False, server_default="0"))
    op.create_table(
        "application_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("material_key", sa.String(length=64), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["online_applications.id"],
                                name=op.f("fk_application_files_application_id_online_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_files")),
    )
    op.create_index(op.f("ix_application_files_application_id"), "application_files", ["application_id"])
    op.create_table(
        "applicant_identities",
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_applicant_identities")),
    )
    op.create_table(
        "case_agents",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agent_phone", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_agents_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_agents")),
    )
    op.create_index(op.f("ix_case_agents_agent_phone"), "case_agents", ["agent_phone"])
    op.create_table(
        "hall_tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("point", sa.String(length=64), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("number", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("bundle_code", sa.String(length=64), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("called_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_tickets")),
    )
    op.create_index(op.f("ix_hall_tickets_point_day_state"), "hall_tickets", ["point", "day", "state"])
    op.create_index(op.f("ix_hall_tickets_point_called_at"), "hall_tickets", ["point", "called_at"])
    op.create_table(
        "hall_bookings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("point", sa.String(length=64), nullable=False),
        sa.Column("bundle_code", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("case_number", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_bookings")),
        sa.UniqueConstraint("code", name=op.f("uq_hall_bookings_code")),
    )
    op.create_index(op.f("ix_hall_bookings_phone"), "hall_bookings", ["phone"])
    op.create_index(op.f("ix_hall_bookings_point_starts_at"), "hall_bookings", ["point", "starts_at"])
    op.create_index(op.f("ix_hall_bookings_state_starts_at"), "hall_bookings", ["state", "starts_at"])
    op.create_table(
        "case_deliveries",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("slot", sa.String(length=16), nullable=True),
        sa.Column("tracking_number", sa.String(length=40), nullable=True),
        sa.Column("chosen_by", sa.String(length=64), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_deliveries_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_deliveries")),
    )


def downgrade() -> None:
    op.drop_table("case_deliveries")
    op.drop_index(op.f("ix_hall_bookings_state_starts_at"), table_name="hall_bookings")
    op.drop_index(op.f("ix_hall_bookings_point_starts_at"), table_name="hall_bookings")
    op.drop_index(op.f("ix_hall_bookings_phone"), table_name="hall_bookings")
    op.drop_table("hall_bookings")
    op.drop_index(op.f("ix_hall_tickets_point_called_at"), table_name="hall_tickets")
    op.drop_index(op.f("ix_hall_tickets_point_day_state"), table_name="hall_tickets")
    op.drop_table("hall_tickets")
    op.drop_index(op.f("ix_case_agents_agent_phone"), table_name="case_agents")
    op.drop_table("case_agents")
    op.drop_table("applicant_identities")
    op.drop_index(op.f("ix_application_files_application_id"), table_name="application_files")
    op.drop_table("application_files")
    with op.batch_alter_table("online_applications") as batch:
        batch.drop_column("on_behalf")
        batch.drop_column("delivery")
        batch.drop_column("commitment")
