"""重新核定 records, and the approved pensions still paid on provisional figures, in SQL."""

import json

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from retirelink.errors import ConflictError
from retirelink.rules import YearMonth
from retirelink.storage.rows import (
    ApplicationDecisionRow,
    ApplicationTaskRow,
    PensionRecalculationRow,
)
from retirelink.workflow.applications import DecisionStatus, TaskKind
from retirelink.workflow.recalculations import PensionRecalculation

# The pension task's result as the task repository writes it (json.dumps, default
# separators): a non-empty list of provisional figures.
_PROVISIONAL = '%"provisional": ["%'


class SqlAlchemyRecalculationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, recalculation: PensionRecalculation) -> PensionRecalculation:
        row = PensionRecalculationRow(
            application_id=recalculation.application_id,
            recalculated_at=recalculation.recalculated_at,
            recalculated_by=recalculation.recalculated_by,
            previous_monthly=recalculation.previous_monthly,
            monthly=recalculation.monthly,
            months_paid=recalculation.months_paid,
            start_month=recalculation.start_month.first_day(),
            still_provisional=json.dumps(list(recalculation.still_provisional), ensure_ascii=False),
            pension=json.dumps(recalculation.pension, ensure_ascii=False, default=str),
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError:
            # Two runs at once (the daily worker and the CLI) reached the same result.
            raise ConflictError("该待遇已按相同基数重新核定") from None
        return _recalculation(row)

    def for_application(self, application_id: int) -> list[PensionRecalculation]:
        rows = self._session.scalars(
            select(PensionRecalculationRow)
            .where(PensionRecalculationRow.application_id == application_id)
            .order_by(PensionRecalculationRow.id)
        )
        return [_recalculation(row) for row in rows]

    def provisional_pensions(self, *, limit: int) -> list[int]:
        """Granted and approved applications whose pension was computed on provisional
        figures and has no final recalculation yet, the oldest first."""
        final = exists().where(
            PensionRecalculationRow.application_id == ApplicationDecisionRow.application_id,
            PensionRecalculationRow.still_provisional == "[]",
        )
        query = (
            select(ApplicationDecisionRow.application_id)
            .join(
                ApplicationTaskRow,
                ApplicationTaskRow.application_id == ApplicationDecisionRow.application_id,
            )
            .where(
                ApplicationDecisionRow.status == DecisionStatus.APPROVED.value,
                ApplicationDecisionRow.grant.is_(True),
                ApplicationTaskRow.kind == TaskKind.PENSION.value,
                ApplicationTaskRow.result.like(_PROVISIONAL),
                ~final,
            )
            .order_by(ApplicationDecisionRow.application_id)
            .limit(limit)
        )
        return list(self._session.scalars(query))


def _recalculation(row: PensionRecalculationRow) -> PensionRecalculation:
    return PensionRecalculation(
        application_id=row.application_id,
        recalculated_at=row.recalculated_at,
        recalculated_by=row.recalculated_by,
        previous_monthly=row.previous_monthly,
        monthly=row.monthly,
        months_paid=row.months_paid,
        start_month=YearMonth.of(row.start_month),
        still_provisional=tuple(json.loads(row.still_provisional)),
        pension=json.loads(row.pension),
        id=row.id,
    )
