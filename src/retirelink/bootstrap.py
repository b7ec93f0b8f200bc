"""Composition root: the one place that turns settings into adapters and services."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from retirelink.accounts.model import LoginPolicy
from retirelink.archives.facts import record_candidates
from retirelink.archives.holdings import Page, PageText
from retirelink.archives.ocr import OcrRunSummary, TextHook, run_ocr_jobs
from retirelink.archives.ocr_engine import RapidOcrEngine
from retirelink.archives.ports import BlobStore, HoldingsUnitOfWork
from retirelink.bridges.workflow_exchange import ExchangePartnerChecks
from retirelink.clock import Clock, SystemClock
from retirelink.config import Settings
from retirelink.errors import UnavailableError
from retirelink.exchange.catalogue import Catalogue, load_catalogue
from retirelink.exchange.registry import RegistryFile
from retirelink.exchange.runner import ExchangeRunner
from retirelink.exchange.sources.gateway import FeedSources, HttpPartnerGateway
from retirelink.fundcheck.findings import FundRun
from retirelink.fundcheck.matching import identity_pairs
from retirelink.fundcheck.model import Thresholds
from retirelink.fundcheck.services import (
    CONTINUOUS_ROUND,
    GuardSettings,
    run_continuous_round,
    run_full_batch,
)
from retirelink.periodic import PeriodicWorker
from retirelink.rules.parameters import ParameterSet, load_parameters
from retirelink.security.crypto import Pseudonymizer, derive_key
from retirelink.security.model import SYSTEM_ACTOR, Actor
from retirelink.security.sessions import SessionCodec
from retirelink.storage import migrate
from retirelink.storage.blobs_local import LocalBlobStore
from retirelink.storage.engine import make_engine, make_session_factory
from retirelink.storage.search_index import index_page_text
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.workflow.notifiers import FileNotifier
from retirelink.workflow.ports import Notifier
from retirelink.workflow.recalculation_services import run_recalculations
from retirelink.workflow.services import deliver_notifications, run_scheduled_prereview
from retirelink.workflow.task_runner import TaskRunSummary, TaskSettings, run_due_tasks

# Parallel tasks decided per round of the workflow worker.
TASK_ROUND = 50


@dataclass
class Services:
    settings: Settings
    engine: Engine
    clock: Clock
    uow: Callable[..., SqlAlchemyUnitOfWork]
    login_policy: LoginPolicy
    sessions: SessionCodec
    parameters: ParameterSet
    catalogue: Catalogue
    partners: RegistryFile
    # Signs the receipts (回执) of transfers from senders without a registered key (uploads).
    receipt_key: bytes
    gateway: HttpPartnerGateway
    feed_sources: FeedSources
    exchange: ExchangeRunner
    # Page images and their derivatives: local directory or S3-compatible object store.
    blobs: BlobStore
    ocr_engine: RapidOcrEngine
    # Recognises queued pages in the background (web server; `retirelink archives ocr`).
    ocr: PeriodicWorker
    # Where pre-review notices go (workflow.notifiers): a file per day by default.
    notifier: Notifier
    # The parallel tasks' partner departments, the legal parameters and the region.
    task_settings: TaskSettings
    # Works the parallel tasks of applications (web server); woken at once when an
    # application arrives, so a long pre-review never delays them.
    workflow: PeriodicWorker
    # Runs the daily pre-review and sends queued notices (web server).
    prereview: PeriodicWorker
    # The fund guard: its settings, and the continuous mode's worker (web server).
    guard: GuardSettings
    fund: PeriodicWorker

    def run_ocr(self, limit: int = 20) -> OcrRunSummary:
        """One round of OCR jobs: page text, candidate facts (see archives.ocr)."""
        return run_ocr_jobs(
            self.uow, engine=self.ocr_engine, store=self.blobs, on_text=OCR_HOOKS, limit=limit
        )

    def run_tasks(self, limit: int = TASK_ROUND) -> TaskRunSummary:
        """One round of the applications' parallel tasks (see workflow.task_runner)."""
        return run_due_tasks(self.uow, self.task_settings, limit=limit)

    def run_fund_round(self) -> int:
        """One round of the continuous fund checks; the partner records read."""
        return run_continuous_round(self.uow, self.guard)

    def run_fund_batch(self, actor: Actor = SYSTEM_ACTOR) -> FundRun:
        """A full batch run of the fund checks (resumes an interrupted one)."""
        return run_full_batch(
            self.uow, self.guard, work_dir=self.settings.data_dir / "fundcheck", actor=actor
        )

    def upgrade_database(self) -> None:
        migrate.upgrade(self.settings.database_url)

    def close(self) -> None:
        self.exchange.stop()
        self.ocr.stop()
        self.workflow.stop()
        self.prereview.stop()
        self.fund.stop()
        self.gateway.close()
        self.feed_sources.close()
        close_blobs = getattr(self.blobs, "close", None)
        if callable(close_blobs):
            close_blobs()
        self.engine.dispose()


def index_for_search(uow: HoldingsUnitOfWork, page: Page, text: PageText) -> None:
    """OCR hook: (re)index the page's text for full-text search, in the page's transaction."""
    if not isinstance(uow, SqlAlchemyUnitOfWork) or page.id is None:
        raise TypeError("the search index lives in the SQL database")
    index_page_text(uow.session, page.id, text.text)


# After OCR of a page, in its transaction: its candidate facts and its search index entry.
OCR_HOOKS: tuple[TextHook, ...] = (record_candidates, index_for_search)
OCR_ROUND = 10


@dataclass(frozen=True)
class RuleServices:
    """What the rule commands need without a database: the clock and the legal parameters."""

    clock: Clock
    parameters: ParameterSet


@cache
def shipped_catalogue() -> Catalogue:
    """The sharing catalogue shipped in ``exchange/catalogue_data``, read once per process."""
    return load_catalogue()


@cache
def shipped_parameters() -> ParameterSet:
    """The parameters shipped in ``rules/params``, read and validated once per process."""
    return load_parameters()


def rule_parameters(overlay: Path | None = None) -> ParameterSet:
    """The shipped parameters, with the files under ``overlay`` replacing those of the same
    name and scope (``<scope>/<group>/<leaf>.yaml``, as in ``rules/params``)."""
    if overlay is None:
        return shipped_parameters()
    merged = {(item.name, item.scope): item for item in shipped_parameters()}
    merged.update({(item.name, item.scope): item for item in load_parameters(overlay)})
    return ParameterSet(merged)


def build_rules(*, overlay: Path | None = None, clock: Clock | None = None) -> RuleServices:
    """Rule services for the CLI's rule commands: no settings, no database."""
    return RuleServices(clock=clock or SystemClock(), parameters=rule_parameters(overlay))


def build_blob_store(settings: Settings) -> BlobStore:
    """The blob store the settings name; boto3 (the ``s3`` extra) is imported only for S3."""
    if settings.blob_store == "local":
        return LocalBlobStore(settings.blob_dir)
    try:
        from retirelink.storage.blobs_s3 import S3BlobStore
    except ImportError as error:
        raise UnavailableError(
            "对象存储不可用：RETIRELINK_BLOB_STORE=s3 需要 boto3，"
            "请安装可选依赖 pip install 'retirelink[s3]'"
            f"（{error}）"
        ) from error
    secret = settings.s3_secret_key
    return S3BlobStore(
        endpoint_url=settings.s3_endpoint_url,
        bucket=settings.s3_bucket,
        prefix=settings.s3_prefix,
        access_key=settings.s3_access_key,
        secret_key=secret.get_secret_value() if secret is not None else None,
        region=settings.s3_region,
        checksum=settings.s3_checksum,
        connect_timeout=settings.s3_connect_timeout_seconds,
        read_timeout=settings.s3_read_timeout_seconds,
        max_attempts=settings.s3_max_attempts,
    )


def build(
    settings: Settings, *, clock: Clock | None = None, parameters: ParameterSet | None = None
) -> Services:
    blobs = build_blob_store(settings)
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    read_session_factory = make_session_factory(engine, read_only=True)
    the_clock = clock or SystemClock()
    secret = settings.secret_key.get_secret_value()
    pseudonymizer = Pseudonymizer(secret.encode())

    def unit_of_work(*, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        """A unit of work; ``read_only=True`` for reads that write nothing, not even the ledger."""
        return SqlAlchemyUnitOfWork(
            read_session_factory if read_only else session_factory,
            clock=the_clock,
            pseudonymizer=pseudonymizer,
            ledger_algorithm=settings.ledger_hash,
        )

    receipt_key = derive_key(secret.encode(), "exchange-receipts")
    partners = RegistryFile(
        settings.partners_file or settings.data_dir / "partners.json",
        platform_receipt_key=receipt_key,
    )
    gateway = HttpPartnerGateway(partners.current, clock=the_clock)
    catalogue = shipped_catalogue()
    feed_sources = FeedSources(gateway, clock=the_clock)
    runner = ExchangeRunner(
        uow=unit_of_work,
        registry=partners.current,
        gateway=gateway,
        sources=feed_sources,
        prefetchers=feed_sources.prefetcher,
        catalogue=catalogue,
        data_dir=settings.data_dir,
    )
    ocr_engine = RapidOcrEngine()

    def ocr_round() -> bool:
        done = run_ocr_jobs(
            unit_of_work, engine=ocr_engine, store=blobs, on_text=OCR_HOOKS, limit=OCR_ROUND
        )
        return done.done + done.failed + done.retried >= OCR_ROUND  # a full round: more waits

    notifier = FileNotifier(settings.data_dir / "notifications", clock=the_clock)
    the_parameters = shipped_parameters() if parameters is None else parameters

    task_settings = TaskSettings(
        params=the_parameters,
        region=settings.region,
        partners=ExchangePartnerChecks(gateway, partners.current),
    )

    def tasks_round() -> bool:
        tasks = run_due_tasks(unit_of_work, task_settings, limit=TASK_ROUND)
        return tasks.decided + tasks.waiting >= TASK_ROUND  # a full round: more waits

    def daily_round() -> bool:
        # Reads in read-only units of work, writes in short batches (workflow.services).
        ran = run_scheduled_prereview(
            unit_of_work,
            months=settings.prereview_months,
            params=the_parameters,
            region=settings.region,
        )
        if ran is not None:  # once a day too: pensions paid on figures published since
            run_recalculations(unit_of_work, task_settings)
        with unit_of_work() as uow:
            deliver_notifications(uow, notifier, actor=SYSTEM_ACTOR)
        return False

    guard = GuardSettings(
        params=the_parameters,
        thresholds=Thresholds(
            automatic=settings.fund_automatic_threshold, review=settings.fund_review_threshold
        ),
        matcher=identity_pairs,
        auto_suspend=settings.fund_auto_suspend,
    )

    def fund_round() -> bool:
        return run_continuous_round(unit_of_work, guard) >= CONTINUOUS_ROUND  # more waits

    return Services(
        settings=settings,
        engine=engine,
        clock=the_clock,
        uow=unit_of_work,
        login_policy=LoginPolicy(
            max_failures=settings.login_max_failures,
            lockout=timedelta(seconds=settings.login_lockout_seconds),
            session_max_age=timedelta(seconds=settings.session_max_age_seconds),
            session_idle=timedelta(seconds=settings.session_idle_seconds),
        ),
        sessions=SessionCodec(secret, max_age_seconds=settings.session_max_age_seconds),
        parameters=the_parameters,
        catalogue=catalogue,
        partners=partners,
        receipt_key=receipt_key,
        gateway=gateway,
        feed_sources=feed_sources,
        exchange=runner,
        blobs=blobs,
        ocr_engine=ocr_engine,
        ocr=PeriodicWorker("ocr-worker", settings.data_dir / "ocr-worker.lock", ocr_round),
        notifier=notifier,
        task_settings=task_settings,
        workflow=PeriodicWorker(
            "workflow-worker", settings.data_dir / "workflow-worker.lock", tasks_round
        ),
        prereview=PeriodicWorker(
            "prereview-worker", settings.data_dir / "prereview-worker.lock", daily_round
        ),
        guard=guard,
        fund=PeriodicWorker("fund-worker", settings.data_dir / "fund-worker.lock", fund_round),
    )
