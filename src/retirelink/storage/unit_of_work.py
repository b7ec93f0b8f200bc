"""SqlAlchemyUnitOfWork: one session, the repositories over it, and the ledger in it.

Leaving the ``with`` block rolls back whatever was not committed, so a use case that fails
half way writes nothing.
"""

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from retirelink.clock import Clock
from retirelink.ledger.services import Ledger
from retirelink.security.crypto import HashAlgorithm, Pseudonymizer
from retirelink.storage.application_repositories import (
    SqlAlchemyApplicationRepository,
    SqlAlchemyDecisionRepository,
    SqlAlchemyTaskRepository,
)
from retirelink.storage.archive_work_repositories import (
    SqlAlchemyFactRepository,
    SqlAlchemyJobQueue,
    SqlAlchemyPageTextRepository,
)
from retirelink.storage.business_archive_repositories import SqlAlchemyBusinessVolumeRepository
from retirelink.storage.exchange_delivery_repositories import (
    SqlAlchemyNonceStore,
    SqlAlchemyOutboxRepository,
    SqlAlchemyPartnerHealthRepository,
    SqlAlchemySyncCursorRepository,
)
from retirelink.storage.exchange_receipt_repositories import (
    SqlAlchemyDisputeRepository,
    SqlAlchemyReceiptRepository,
)
from retirelink.storage.exchange_transfer_repositories import (
    SqlAlchemyExchangeJobRepository,
    SqlAlchemyPartnerRecordRepository,
)
from retirelink.storage.fund_repositories import SqlAlchemyFundRepository
from retirelink.storage.holdings_repositories import (
    SqlAlchemyArchiveRepository,
    SqlAlchemyBlobRepository,
    SqlAlchemyIngestBatchRepository,
    SqlAlchemyMaterialRepository,
    SqlAlchemyPageRepository,
)
from retirelink.storage.insured_repositories import SqlAlchemyInsuredRepository
from retirelink.storage.lending_repositories import SqlAlchemyLendingRepository
from retirelink.storage.recalculation_repositories import SqlAlchemyRecalculationRepository
from retirelink.storage.repositories import (
    SqlAlchemyDepartmentRepository,
    SqlAlchemyEmployerRepository,
    SqlAlchemyLedgerStore,
    SqlAlchemyPersonRepository,
    SqlAlchemySessionRepository,
    SqlAlchemyUserRepository,
)
from retirelink.storage.supplement_repositories import SqlAlchemySupplementRepository
from retirelink.storage.workflow_repositories import (
    SqlAlchemyChecklistRepository,
    SqlAlchemyNotificationRepository,
)


class SqlAlchemyUnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        clock: Clock,
        pseudonymizer: Pseudonymizer,
        ledger_algorithm: HashAlgorithm = "sm3",
    ) -> None:
        self._session_factory = session_factory
        self.clock = clock
        self._pseudonymizer = pseudonymizer
        self._ledger_algorithm = ledger_algorithm

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.persons = SqlAlchemyPersonRepository(self.session)
        self.employers = SqlAlchemyEmployerRepository(self.session)
        self.departments = SqlAlchemyDepartmentRepository(self.session)
        self.users = SqlAlchemyUserRepository(self.session)
        self.sessions = SqlAlchemySessionRepository(self.session)
        self.exchange_jobs = SqlAlchemyExchangeJobRepository(self.session)
        self.partner_records = SqlAlchemyPartnerRecordRepository(self.session)
        self.receipts = SqlAlchemyReceiptRepository(self.session)
        self.disputes = SqlAlchemyDisputeRepository(self.session)
        self.outbox = SqlAlchemyOutboxRepository(self.session)
        self.nonces = SqlAlchemyNonceStore(self.session)
        self.sync_cursors = SqlAlchemySyncCursorRepository(self.session)
        self.partner_health = SqlAlchemyPartnerHealthRepository(self.session)
        self.archives = SqlAlchemyArchiveRepository(self.session)
        self.materials = SqlAlchemyMaterialRepository(self.session)
        self.blobs = SqlAlchemyBlobRepository(self.session)
        self.pages = SqlAlchemyPageRepository(self.session)
        self.ingest_batches = SqlAlchemyIngestBatchRepository(self.session)
        self.jobs = SqlAlchemyJobQueue(self.session)
        self.page_texts = SqlAlchemyPageTextRepository(self.session)
        self.lending = SqlAlchemyLendingRepository(self.session)
        self.business_volumes = SqlAlchemyBusinessVolumeRepository(self.session)
        self.facts = SqlAlchemyFactRepository(self.session)
        self.insured = SqlAlchemyInsuredRepository(self.session)
        self.checklists = SqlAlchemyChecklistRepository(self.session)
        self.notifications = SqlAlchemyNotificationRepository(self.session)
        self.applications = SqlAlchemyApplicationRepository(self.session)
        self.tasks = SqlAlchemyTaskRepository(self.session)
        self.decisions = SqlAlchemyDecisionRepository(self.session)
        self.supplements = SqlAlchemySupplementRepository(self.session)
        self.recalculations = SqlAlchemyRecalculationRepository(self.session)
        self.fund = SqlAlchemyFundRepository(self.session)
        self.ledger = Ledger(
            SqlAlchemyLedgerStore(self.session),
            clock=self.clock,
            pseudonymizer=self._pseudonymizer,
            algorithm=self._ledger_algorithm,
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.session.close()

    def commit(self) -> None:
        self.ledger.flush()
        self.session.commit()
        self.ledger.reset()

    def rollback(self) -> None:
        self.session.rollback()
        self.ledger.reset()
