"""Fund guard (基金安全): the pension roll and payments, signs of life, runs and findings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retirelink.storage.base import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fund_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("snapshot_path", sa.Text(), nullable=True),
        sa.Column("checkpoint", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("new_findings", sa.Integer(), nullable=False),
        sa.Column("seen_findings", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_runs")),
    )
    op.create_table(
        "life_signs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_signs")),
    )
    with op.batch_alter_table("life_signs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_life_signs_id_number_seen_on", ["id_number", "seen_on"], unique=False
        )

    op.create_table(
        "fund_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("check_code", sa.String(length=32), nullable=False),
        sa.Column("pension_id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("from_month", sa.String(length=7), nullable=True),
        sa.Column("suspend", sa.Boolean(), nullable=False),
        sa.Column("owed_to_person", sa.Boolean(), nullable=False),
        sa.Column("related_pension_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("first_run_id", sa.Integer(), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("found_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("recovery", sa.Text(), nullable=True),
        sa.Column("recovered", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_run_id"], ["fund_runs.id"], name=op.f("fk_fund_findings_first_run_id_fund_runs")
        ),
        sa.ForeignKeyConstraint(
            ["last_run_id"], ["fund_runs.id"], name=op.f("fk_fund_findings_last_run_id_fund_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_findings")),
        sa.UniqueConstraint("key", name=op.f("uq_fund_findings_key")),
    )
    with op.batch_alter_table("fund_findings", schema=None) as batch_op:
        batch_op.create_index("ix_fund_findings_id_number", ["id_number"], unique=False)
        batch_op.create_index(
            "ix_fund_findings_status_check_code", ["status", "check_code"], unique=False
        )

    op.create_table(
        "pension_roll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("monthly_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("basic_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paid_through", sa.Date(), nullable=True),
        sa.Column("bank_account", sa.String(length=32), nullable=False),
        sa.Column("payee_name", sa.String(length=50), nullable=False),
        sa.Column("account_changed_on", sa.Date(), nullable=True),
        sa.Column("payee_changed_on", sa.Date(), nullable=True),
        sa.Column("previous_id_number", sa.String(length=18), nullable=True),
        sa.Column("previous_name", sa.String(length=50), nullable=True),
        sa.Column("last_certified_on", sa.Date(), nullable=True),
        sa.Column("archive_birth_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_pension_roll_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pension_roll")),
    )
    with op.batch_alter_table("pension_roll", schema=None) as batch_op:
        batch_op.create_index("ix_pension_roll_bank_account", ["bank_account"], unique=False)
        batch_op.create_index("ix_pension_roll_id_number", ["id_number"], unique=False)
        batch_op.create_index("ix_pension_roll_paid_through", ["paid_through"], unique=False)
        batch_op.create_index(
            "ix_pension_roll_previous_id_number", ["previous_id_number"], unique=False
        )

    op.create_table(
        "fund_finding_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["fund_findings.id"],
            name=op.f("fk_fund_finding_events_finding_id_fund_findings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_finding_events")),
    )
    with op.batch_alter_table("fund_finding_events", schema=None) as batch_op:
        batch_op.create_index("ix_fund_finding_events_finding_id", ["finding_id"], unique=False)

    op.create_table(
        "pension_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pension_id", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("last_month", sa.Date(), nullable=False),
        sa.Column("monthly_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["pension_id"],
            ["pension_roll.id"],
            name=op.f("fk_pension_payments_pension_id_pension_roll"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pension_payments")),
    )
    with op.batch_alter_table("pension_payments", schema=None) as batch_op:
        batch_op.create_index("ix_pension_payments_pension_id", ["pension_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pension_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_pension_payments_pension_id")

    op.drop_table("pension_payments")
    with op.batch_alter_table("fund_finding_events", schema=None) as batch_op:
        batch_op.drop_index("ix_fund_finding_events_finding_id")

    op.drop_table("fund_finding_events")
    with op.batch_alter_table("pension_roll", schema=None) as batch_op:
        batch_op.drop_index("ix_pension_roll_previous_id_number")
        batch_op.drop_index("ix_pension_roll_paid_through")
        batch_op.drop_index("ix_pension_roll_id_number")
        batch_op.drop_index("ix_pension_roll_bank_account")

    op.drop_table("pension_roll")
    with op.batch_alter_table("fund_findings", schema=None) as batch_op:
        batch_op.drop_index("ix_fund_findings_status_check_code")
        batch_op.drop_index("ix_fund_findings_id_number")

    op.drop_table("fund_findings")
    with op.batch_alter_table("life_signs", schema=None) as batch_op:
        batch_op.drop_index("ix_life_signs_id_number_seen_on")

    op.drop_table("life_signs")
    op.drop_table("fund_runs")
