"""ORM rows: table definitions only. Import this package to register every table."""

from retirelink.storage.rows.accounts import SessionRow, UserRow
from retirelink.storage.rows.archives import DepartmentRow, EmployerRow, PersonRow
from retirelink.storage.rows.exchange import (
    DataDisputeRow,
    ExchangeJobRow,
    ExchangeNonceRow,
    ExchangeReceiptRow,
    OutboxMessageRow,
    PartnerHealthRow,
    PartnerRecordRow,
    SyncCursorRow,
)
from retirelink.storage.rows.ledger import LedgerEntryRow, LedgerHeadRow

__all__ = [
    "DataDisputeRow",
    "DepartmentRow",
    "EmployerRow",
    "ExchangeJobRow",
    "ExchangeNonceRow",
    "ExchangeReceiptRow",
    "LedgerEntryRow",
    "LedgerHeadRow",
    "OutboxMessageRow",
    "PartnerHealthRow",
    "PartnerRecordRow",
    "PersonRow",
    "SessionRow",
    "SyncCursorRow",
    "UserRow",
]
