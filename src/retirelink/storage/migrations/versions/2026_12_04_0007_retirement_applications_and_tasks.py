"""retirement applications, their parallel tasks and decisions (核定/复核); the
personal-account balance on the insured record

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retirelink.storage.base import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("insurance_records") as batch:
        batch.add_column(sa.Column("account_balance", sa.Numeric(14, 2), nullable=True))
        batch.add_column(sa.Column("account_balance_year", sa.Integer(), nullable=True))
    op.create_table(
        "retirement_applications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("retirement_month", sa.Date(), nullable=False),
        sa.Column("route", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("bank_name", sa.String(60), nullable=False),
        sa.Column("bank_account", sa.String(24), nullable=False),
        sa.Column("employer_agrees", sa.Boolean(), nullable=False),
        sa.Column("appraisal_capacity", sa.String(16), nullable=True),
        sa.Column("appraisal_reference", sa.String(40), nullable=True),
        sa.Column("appraisal_date", sa.Date(), nullable=True),
        sa.Column("materials_asked", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("reference"),
        sa.UniqueConstraint(
            "person_id", "retirement_month", name="uq_retirement_applications_month"
        ),
    )
    op.create_index(
        "ix_retirement_applications_submitted_at", "retirement_applications", ["submitted_at"]
    )
    op.create_table(
        "application_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "application_id",
            sa.Integer(),
            sa.ForeignKey("retirement_applications.id"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("locked_until", UtcDateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("escalated_at", UtcDateTime(), nullable=True),
        sa.Column("finished_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("application_id", "kind", name="uq_application_tasks_kind"),
    )
    op.create_index(
        "ix_application_tasks_status_next", "application_tasks", ["status", "next_attempt_at"]
    )
    op.create_table(
        "application_decisions",
        sa.Column(
            "application_id",
            sa.Integer(),
            sa.ForeignKey("retirement_applications.id"),
            primary_key=True,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("grant", sa.Boolean(), nullable=False),
        sa.Column("determined_by", sa.String(64), nullable=False),
        sa.Column("determined_at", UtcDateTime(), nullable=False),
        sa.Column("determination_note", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", UtcDateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("application_decisions")
    op.drop_index("ix_application_tasks_status_next", table_name="application_tasks")
    op.drop_table("application_tasks")
    op.drop_index("ix_retirement_applications_submitted_at", table_name="retirement_applications")
    op.drop_table("retirement_applications")
    with op.batch_alter_table("insurance_records") as batch:
        batch.drop_column("account_balance_year")
        batch.drop_column("account_balance")
