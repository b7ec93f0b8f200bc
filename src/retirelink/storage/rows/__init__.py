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
from retirelink.storage.rows.fund import (
    FundFindingEventRow,
    FundFindingRow,
    FundRunRow,
    LifeSignRow,
    PensionPaymentRow,
    PensionRollRow,
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
from retirelink.storage.rows.insured import (
    ContributionYearRow,
    EmploymentSpanRow,
    InsuranceRecordRow,
)
from retirelink.storage.rows.ledger import LedgerEntryRow, LedgerHeadRow
from retirelink.storage.rows.search import PageSearchDocumentRow
from retirelink.storage.rows.workflow import (
    ApplicationDecisionRow,
    ApplicationTaskRow,
    NotificationRow,
    PensionRecalculationRow,
    PrereviewChecklistRow,
    RetirementApplicationRow,
    SuppliedMaterialRow,
)

__all__ = [
    "ApplicationDecisionRow",
    "ApplicationTaskRow",
    "ArchiveFactRow",
    "ArchiveRow",
    "BackgroundJobRow",
    "BlobRow",
    "BusinessArchiveRow",
    "ContributionYearRow",
    "DataDisputeRow",
    "DepartmentRow",
    "EmployerRow",
    "EmploymentSpanRow",
    "ExchangeJobRow",
    "ExchangeNonceRow",
    "ExchangeReceiptRow",
    "FundFindingEventRow",
    "FundFindingRow",
    "FundRunRow",
    "IngestBatchRow",
    "IngestItemRow",
    "InsuranceRecordRow",
    "LedgerEntryRow",
    "LedgerHeadRow",
    "LendingRequestRow",
    "LifeSignRow",
    "MaterialRow",
    "NotificationRow",
    "OutboxMessageRow",
    "PageRow",
    "PageSearchDocumentRow",
    "PageTextRow",
    "PartnerHealthRow",
    "PartnerRecordRow",
    "PensionPaymentRow",
    "PensionRecalculationRow",
    "PensionRollRow",
    "PersonRow",
    "PrereviewChecklistRow",
    "RetirementApplicationRow",
    "SessionRow",
    "SuppliedMaterialRow",
    "SyncCursorRow",
    "UserRow",
]
