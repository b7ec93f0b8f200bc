"""SQLAlchemy repositories of what follows a transfer: the signed receipts both sides keep
(issued for a job, or returned by a partner for an outbox message) and the data disputes
opened against a source department's records. They never commit."""

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from retirelink.exchange.model import Dispute, DisputeStatus, StoredReceipt
from retirelink.exchange.receipts import Direction, Receipt
from retirelink.storage.rows import DataDisputeRow, ExchangeReceiptRow, OutboxMessageRow

_RECEIPTS = cast(Table, ExchangeReceiptRow.__table__)
# Built once: the signed API and table sync run it for every transfer, and building a
# statement costs more than running it on these small rows.
_INSERT_RECEIPT = insert(_RECEIPTS)


class SqlAlchemyReceiptRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        receipt: Receipt,
        *,
        job_id: int | None = None,
        outbox_id: int | None = None,
        problems: str = "",
    ) -> None:
        self._session.execute(
            _INSERT_RECEIPT,
            {
                "receipt_id": receipt.receipt_id,
                "job_id": job_id,
                "outbox_id": outbox_id,
                "direction": receipt.direction.value,
                "partner": receipt.partner,
                "item_code": receipt.item,
                "payload_digest": receipt.payload_digest,
                "record_count": receipt.record_count,
                "accepted": receipt.accepted,
                "rejected": receipt.rejected,
                "received_at": receipt.received_at,
                "signature": receipt.our_signature,
                "problems": problems,
            },
        )

    def for_job(self, job_id: int) -> Receipt | None:
        row = self._session.scalar(
            select(ExchangeReceiptRow)
            .where(ExchangeReceiptRow.job_id == job_id)
            .order_by(ExchangeReceiptRow.id)
            .limit(1)
        )
        return _receipt(row) if row else None

    def recent(self, *, limit: int) -> list[StoredReceipt]:
        # A partner's receipt names us as its partner; the other side is the department the
        # answered request went to.
        rows = self._session.execute(
            select(ExchangeReceiptRow, OutboxMessageRow.department)
            .outerjoin(OutboxMessageRow, OutboxMessageRow.id == ExchangeReceiptRow.outbox_id)
            .order_by(ExchangeReceiptRow.received_at.desc(), ExchangeReceiptRow.id.desc())
            .limit(limit)
        )
        return [
            StoredReceipt(
                receipt=_receipt(row),
                problems=row.problems,
                job_id=row.job_id,
                outbox_id=row.outbox_id,
                counterpart=department or row.partner,
            )
            for row, department in rows
        ]


class SqlAlchemyDisputeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, dispute: Dispute) -> Dispute:
        row = DataDisputeRow(
            source_department=dispute.source_department,
            item_code=dispute.item_code,
            id_number=dispute.id_number,
            reason=dispute.reason,
            evidence_json=json.dumps(list(dispute.evidence), ensure_ascii=False),
            status=dispute.status.value,
            job_id=dispute.job_id,
            opened_at=dispute.opened_at,
            updated_at=dispute.updated_at,
            resolution=dispute.resolution,
        )
        self._session.add(row)
        self._session.flush()
        return _dispute(row)

    def get(self, dispute_id: int) -> Dispute | None:
        row = self._session.get(DataDisputeRow, dispute_id)
        return _dispute(row) if row else None

    def set_status(
        self, dispute_id: int, status: DisputeStatus, *, at: datetime, resolution: str = ""
    ) -> None:
        values: dict[str, Any] = {"status": status.value, "updated_at": at}
        if resolution:
            values["resolution"] = resolution
        self._session.execute(
            update(DataDisputeRow).where(DataDisputeRow.id == dispute_id).values(**values)
        )

    def recent(self, *, limit: int, status: DisputeStatus | None = None) -> list[Dispute]:
        query = select(DataDisputeRow)
        if status is not None:
            query = query.where(DataDisputeRow.status == status.value)
        rows = self._session.scalars(
            query.order_by(DataDisputeRow.opened_at.desc(), DataDisputeRow.id.desc()).limit(limit)
        )
        return [_dispute(row) for row in rows]

    def count_open(self) -> int:
        query = select(func.count()).where(DataDisputeRow.status != DisputeStatus.RESOLVED.value)
        return self._session.scalar(query) or 0


def _receipt(row: ExchangeReceiptRow) -> Receipt:
    return Receipt(
        receipt_id=row.receipt_id,
        direction=Direction(row.direction),
        partner=row.partner,
        item=row.item_code,
        payload_digest=row.payload_digest,
        record_count=row.record_count,
        accepted=row.accepted,
        rejected=row.rejected,
        received_at=row.received_at,
        our_signature=row.signature,
    )


def _dispute(row: DataDisputeRow) -> Dispute:
    return Dispute(
        id=row.id,
        source_department=row.source_department,
        item_code=row.item_code,
        id_number=row.id_number,
        reason=row.reason,
        evidence=tuple(json.loads(row.evidence_json)),
        status=DisputeStatus(row.status),
        job_id=row.job_id,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        resolution=row.resolution,
    )
