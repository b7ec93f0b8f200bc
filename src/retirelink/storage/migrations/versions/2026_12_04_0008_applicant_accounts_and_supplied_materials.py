"""applicant accounts act for a person or an employer; materials handed in online
(补充材料)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retirelink.storage.base import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("represents_kind", sa.String(10), nullable=True))
        batch.add_column(sa.Column("represents_code", sa.String(32), nullable=True))
    op.create_table(
        "supplied_materials",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("archive_id", sa.Integer(), sa.ForeignKey("archives.id"), nullable=False),
        sa.Column("material_type", sa.String(32), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("formation_date", sa.Date(), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("material_id", sa.Integer(), sa.ForeignKey("materials.id"), nullable=True),
    )
    op.create_index(
        "uq_supplied_materials_file",
        "supplied_materials",
        ["person_id", "sha256"],
        unique=True,
        sqlite_where=sa.text("status != 'returned'"),
        postgresql_where=sa.text("status != 'returned'"),
    )
    op.create_index("ix_supplied_materials_status_id", "supplied_materials", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_supplied_materials_status_id", table_name="supplied_materials")
    op.drop_index("uq_supplied_materials_file", table_name="supplied_materials")
    op.drop_table("supplied_materials")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("represents_code")
        batch.drop_column("represents_kind")
