"""insured records (status, category, employment spans, contribution years), pre-review
checklists and the notification outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retirelink.storage.base import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insurance_records",
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("employers.id"), nullable=True),
        sa.Column("retirement_month", sa.Date(), nullable=True),
    )
    op.create_index("ix_insurance_records_status", "insurance_records", ["status"])
    op.create_table(
        "employment_spans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("employers.id"), nullable=True),
        sa.Column("start_month", sa.Date(), nullable=False),
        sa.Column("end_month", sa.Date(), nullable=True),
        sa.Column("post", sa.String(30), nullable=False),
        sa.Column("special_job", sa.String(32), nullable=True),
    )
    op.create_index("ix_employment_spans_person_id", "employment_spans", ["person_id"])
    op.create_table(
        "contribution_years",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("base_wage", sa.Numeric(12, 2), nullable=False),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("employers.id"), nullable=True),
    )
    op.create_index(
        "ix_contribution_years_person_id_year", "contribution_years", ["person_id", "year"]
    )
    op.create_table(
        "prereview_checklists",
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("retirement_month", sa.Date(), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("first_flagged_at", UtcDateTime(), nullable=True),
        sa.Column("checked_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
    )
    op.create_index(
        "ix_prereview_checklists_status_month",
        "prereview_checklists",
        ["status", "retirement_month"],
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dedupe_key", sa.String(120), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("recipient_kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(120), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
    )
    op.create_index("ix_notifications_status_id", "notifications", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_status_id", "notifications")
    op.drop_table("notifications")
    op.drop_index("ix_prereview_checklists_status_month", "prereview_checklists")
    op.drop_table("prereview_checklists")
    op.drop_index("ix_contribution_years_person_id_year", "contribution_years")
    op.drop_table("contribution_years")
    op.drop_index("ix_employment_spans_person_id", "employment_spans")
    op.drop_table("employment_spans")
    op.drop_index("ix_insurance_records_status", "insurance_records")
    op.drop_table("insurance_records")
