"""users, tokens, login failures; the hash chain of the event log; account and admin events

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from engine.domain.audit import GENESIS, event_hash
from engine.domain.records import EventRecord
from engine.persistence.tables import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("event_hash", sa.String(64), nullable=False, server_default=GENESIS))
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("actor_address", sa.String(64), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=False, server_default=GENESIS))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=False, server_default=""))
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("actor_user", sa.String(100), nullable=False),
        sa.Column("actor_department", sa.String(32), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("actor_address", sa.String(64), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_events_seq")),
    )
    op.create_table(
        "chain_heads",
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("stream", name=op.f("pk_chain_heads")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    with op.batch_alter_table("users") as batch:
        batch.create_index(batch.f("ix_users_department"), ["department"], unique=False)
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_auth_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_tokens")),
    )
    with op.batch_alter_table("auth_tokens") as batch:
        batch.create_index(batch.f("ix_auth_tokens_user_id"), ["user_id"], unique=False)
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures") as batch:
        batch.create_index(batch.f("ix_login_failures_address_at"), ["address", "at"], unique=False)
        batch.create_index(batch.f("ix_login_failures_login_at"), ["login", "at"], unique=False)
    _chain_existing_events()


def _chain_existing_events() -> None:
    """Events written before the chain existed get their hashes now, so that the chain verifies."""
    conn = op.get_bind()
    events = sa.table(
        "case_events", sa.column("id"), sa.column("case_id"), sa.column("seq"), sa.column("type"),
        sa.column("actor_user"), sa.column("actor_department"), sa.column("actor_role"), sa.column("task_id"),
        sa.column("data", sa.JSON()), sa.column("occurred_at", UtcDateTime()), sa.column("prev_hash"),
        sa.column("hash"),
    )
    cases = sa.table("cases", sa.column("id"), sa.column("event_hash"))
    heads: dict[int, str] = {}
    rows = conn.execute(sa.select(events).order_by(events.c.case_id, events.c.seq)).mappings().all()
    for row in rows:
        prev = heads.get(row["case_id"], GENESIS)
        record = EventRecord(
            case_id=row["case_id"], type=row["type"], actor_user=row["actor_user"],
            actor_department=row["actor_department"], actor_role=row["actor_role"], occurred_at=row["occurred_at"],
            data=row["data"], task_id=row["task_id"], seq=row["seq"],
        )
        digest = event_hash(prev, record.chained_fields())
        conn.execute(sa.update(events).where(events.c.id == row["id"]).values(prev_hash=prev, hash=digest))
        heads[row["case_id"]] = digest
    for case_id, digest in heads.items():
        conn.execute(sa.update(cases).where(cases.c.id == case_id).values(event_hash=digest))


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("auth_tokens")
    op.drop_table("users")
    op.drop_table("chain_heads")
    op.drop_table("audit_events")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("actor_address")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("event_hash")
