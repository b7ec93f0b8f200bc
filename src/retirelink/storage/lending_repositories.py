"""Repository of 调阅 (lending) requests. It never commits."""

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.orm import Session

from retirelink.archives.holdings import (
    LendingRequest,
    LendingStatus,
)
from retirelink.storage.rows import (
    LendingRequestRow,
)


class SqlAlchemyLendingRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, request: LendingRequest) -> LendingRequest:
        row = LendingRequestRow(archive_id=request.archive_id, **_lending_columns(request))
        self._session.add(row)
        self._session.flush()
        return _lending(row)

    def get(self, request_id: int) -> LendingRequest | None:
        row = self._session.get(LendingRequestRow, request_id)
        return _lending(row) if row else None

    def get_by_reference(self, external_reference: str) -> LendingRequest | None:
        row = self._session.scalar(
            select(LendingRequestRow).where(
                LendingRequestRow.external_reference == external_reference
            )
        )
        return _lending(row) if row else None

    def update(self, request: LendingRequest) -> None:
        self._session.execute(
            update(LendingRequestRow)
            .where(LendingRequestRow.id == request.id)
            .values(**_lending_columns(request))
        )

    def recent(
        self, *, requester: str | None, status: str | None, limit: int
    ) -> list[LendingRequest]:
        statement = select(LendingRequestRow).order_by(LendingRequestRow.id.desc()).limit(limit)
        if requester:
            statement = statement.where(LendingRequestRow.requester == requester)
        if status:
            statement = statement.where(LendingRequestRow.status == status)
        return [_lending(row) for row in self._session.scalars(statement)]

    def for_archive(self, archive_id: int) -> list[LendingRequest]:
        rows = self._session.scalars(
            select(LendingRequestRow)
            .where(LendingRequestRow.archive_id == archive_id)
            .order_by(LendingRequestRow.id.desc())
        )
        return [_lending(row) for row in rows]


def _lending_columns(request: LendingRequest) -> dict[str, object]:
    return {
        "requester": request.requester,
        "requester_department": request.requester_department,
        "purpose": request.purpose,
        "legal_basis": request.legal_basis,
        "origin": request.origin,
        "external_reference": request.external_reference,
        "status": request.status.value,
        "requested_at": request.requested_at,
        "view_hours": request.view_hours,
        "decided_by": request.decided_by,
        "decided_at": request.decided_at,
        "decision_note": request.decision_note,
        "view_until": request.view_until,
    }


def _lending(row: LendingRequestRow) -> LendingRequest:
    return LendingRequest(
        id=row.id,
        archive_id=row.archive_id,
        requester=row.requester,
        requester_department=row.requester_department,
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        origin=row.origin,
        status=LendingStatus(row.status),
        requested_at=row.requested_at,
        view_hours=row.view_hours,
        external_reference=row.external_reference,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        view_until=row.view_until,
    )
