"""ORM rows: table definitions only. Import this package to register every table."""

from retirelink.storage.rows.accounts import SessionRow, UserRow
from retirelink.storage.rows.archives import DepartmentRow, EmployerRow, PersonRow
from retirelink.storage.rows.exchange import ExchangeFileRow, PartnerRecordRow
from retirelink.storage.rows.ledger import LedgerEntryRow, LedgerHeadRow

__all__ = [
    "DepartmentRow",
    "EmployerRow",
    "ExchangeFileRow",
    "LedgerEntryRow",
    "LedgerHeadRow",
    "PartnerRecordRow",
    "PersonRow",
    "SessionRow",
    "UserRow",
]
