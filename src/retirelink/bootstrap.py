"""Composition root: the one place that turns settings into adapters and services."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from retirelink.accounts.model import LoginPolicy
from retirelink.clock import Clock, SystemClock
from retirelink.config import Settings
from retirelink.exchange.catalogue import Catalogue, load_catalogue
from retirelink.exchange.registry import RegistryFile
from retirelink.exchange.runner import ExchangeRunner
from retirelink.exchange.sources.gateway import FeedSources, HttpPartnerGateway
from retirelink.rules.parameters import ParameterSet, load_parameters
from retirelink.security.crypto import Pseudonymizer, derive_key
from retirelink.security.sessions import SessionCodec
from retirelink.storage import migrate
from retirelink.storage.engine import make_engine, make_session_factory
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork


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

    def upgrade_database(self) -> None:
        migrate.upgrade(self.settings.database_url)

    def close(self) -> None:
        self.exchange.stop()
        self.gateway.close()
        self.feed_sources.close()
        self.engine.dispose()


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


def build(
    settings: Settings, *, clock: Clock | None = None, parameters: ParameterSet | None = None
) -> Services:
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
        parameters=shipped_parameters() if parameters is None else parameters,
        catalogue=catalogue,
        partners=partners,
        receipt_key=receipt_key,
        gateway=gateway,
        feed_sources=feed_sources,
        exchange=runner,
    )
