"""重新核定: pensions paid on provisional figures, computed again once published

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retirelink.storage.base import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pension_recalculations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "application_id",
            sa.Integer(),
            sa.ForeignKey("retirement_applications.id"),
            nullable=False,
        ),
        sa.Column("recalculated_at", UtcDateTime(), nullable=False),
        sa.Column("recalculated_by", sa.String(64), nullable=False),
        sa.Column("previous_monthly", sa.Numeric(12, 2), nullable=False),
        sa.Column("monthly", sa.Numeric(12, 2), nullable=False),
        sa.Column("months_paid", sa.Integer(), nullable=False),
        sa.Column("start_month", sa.Date(), nullable=False),
        sa.Column("still_provisional", sa.Text(), nullable=False),
        sa.Column("pension", sa.Text(), nullable=False),
        sa.UniqueConstraint(
            "application_id", "still_provisional", name="uq_pension_recalculations_state"
        ),
    )
    op.create_index(
        "ix_pension_recalculations_application_id",
        "pension_recalculations",
        ["application_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_pension_recalculations_application_id", table_name="pension_recalculations")
    op.drop_table("pension_recalculations")
