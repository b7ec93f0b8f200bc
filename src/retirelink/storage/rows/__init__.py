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
from retirelink.storage.rows.holdings import (
    ArchiveFactRow,
    ArchiveRow,
    BackgroundJobRow,
    BlobRow,
    BusinessArchiveRow,
    IngestBatchRow,
    IngestItemRow,
    LendingRequestRow,
    MaterialRow,
    PageRow,
    PageTextRow,
)
from retirelink.storage.rows.ledger import LedgerEntryRow, LedgerHeadRow
from retirelink.storage.rows.search import PageSearchDocumentRow

__all__ = [
    "ArchiveFactRow",
    "ArchiveRow",
    "BackgroundJobRow",
    "BlobRow",
    "BusinessArchiveRow",
    "DataDisputeRow",
    "DepartmentRow",
    "EmployerRow",
    "ExchangeJobRow",
    "ExchangeNonceRow",
    "ExchangeReceiptRow",
    "IngestBatchRow",
    "IngestItemRow",
    "LedgerEntryRow",
    "LedgerHeadRow",
    "LendingRequestRow",
    "MaterialRow",
    "OutboxMessageRow",
    "PageRow",
    "PageSearchDocumentRow",
    "PageTextRow",
    "PartnerHealthRow",
    "PartnerRecordRow",
    "PersonRow",
    "SessionRow",
    "SyncCursorRow",
    "UserRow",
]
