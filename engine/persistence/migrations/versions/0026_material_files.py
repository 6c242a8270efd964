"""Documents (issue 25): the files of the cases' materials (material_files; the bytes are in the file
store by SHA-256) and every read of one (file_reads)

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "material_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("material_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_material_files_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_files")),
        sa.UniqueConstraint("case_id", "material_key", "version", "part",
                            name=op.f("uq_material_files_case_id_material_key_version_part")),
    )
    op.create_table(
        "file_reads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("what", sa.String(length=16), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["material_files.id"], name=op.f("fk_file_reads_file_id_material_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_reads")),
    )
    op.create_index(op.f("ix_file_reads_case_id_read_at"), "file_reads", ["case_id", "read_at"])
    op.create_index(op.f("ix_file_reads_user_read_at"), "file_reads", ["user", "read_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_file_reads_user_read_at"), table_name="file_reads")
    op.drop_index(op.f("ix_file_reads_case_id_read_at"), table_name="file_reads")
    op.drop_table("file_reads")
    op.drop_table("material_files")
