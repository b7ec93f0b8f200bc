"""The exchange worker: one pass over everything that moves without a person asking.

A pass scans the drop folder, pulls every registered feed, delivers due outbox messages and
forgets expired request nonces. ``retirelink exchange run`` does one pass; the web server (and
``retirelink exchange worker``) runs passes in a background thread. A failure in one part is
recorded and the pass goes on: one partner being down must not stop the others.
"""

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from retirelink.errors import RetireLinkError
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.inbox import InboxResult, scan_inbox
from retirelink.exchange.layouts import layout_for
from retirelink.exchange.model import PartnerLink, Transport
from retirelink.exchange.outbox import DeliveryReport, deliver_due
from retirelink.exchange.ports import DepartmentSource, ExchangeUnitOfWork, PartnerGateway
from retirelink.exchange.registry import FeedSpec, Registry
from retirelink.exchange.sync import Feed, Prefetcher, SyncReport, sync_feed
from retirelink.periodic import PeriodicWorker

log = logging.getLogger(__name__)

SourceFactory = Callable[[FeedSpec, PartnerLink], DepartmentSource]
PrefetcherFactory = Callable[[FeedSpec, PartnerLink], Prefetcher | None]


def _no_prefetch(_spec: FeedSpec, _link: PartnerLink) -> Prefetcher | None:
    return None


# Records per batch: a partner's API pages are small (the usual cap is 1,000 per request);
# a shared table is read by us directly, in bigger batches.
_BATCH = {"api": 1000, "table": 10_000}


@dataclass
class PassSummary:
    """What one pass did, for the CLI and the log."""

    inbox: list[InboxResult] = field(default_factory=list)
    feeds: list[SyncReport] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    errors: list[str] = field(default_factory=list)


@dataclass
class ExchangeRunner:
    uow: Callable[[], AbstractContextManager[ExchangeUnitOfWork]]
    registry: Callable[[], Registry]
    gateway: PartnerGateway
    sources: SourceFactory
    catalogue: Catalogue
    data_dir: Path
    prefetchers: PrefetcherFactory = _no_prefetch
    _worker: PeriodicWorker | None = field(default=None, init=False)

    def run_once(self) -> PassSummary:
        summary = PassSummary()
        registry = self.registry()
        self._inbox(registry, summary)
        for spec in registry.feeds:
            self._feed(registry, spec, summary)
        self._deliver(registry, summary)
        self._housekeeping()
        return summary

    def _inbox(self, registry: Registry, summary: PassSummary) -> None:
        if not registry.inbox:
            return
        inbox = Path(registry.inbox)
        folder = inbox if inbox.is_absolute() else self.data_dir / inbox
        summary.inbox = scan_inbox(self.uow, folder, registry=registry, catalogue=self.catalogue)

    def _feed(self, registry: Registry, spec: FeedSpec, summary: PassSummary) -> None:
        try:
            link = next(link for link in registry.links if link.department == spec.department)
            item = self.catalogue.item(spec.item)
            transport = Transport.TABLE_SYNC if spec.via == "table" else Transport.API
            feed = Feed(
                self.sources(spec, link),
                item,
                layout_for(item.code),
                link,
                transport,
                prefetch=self.prefetchers(spec, link),
            )
            summary.feeds.append(sync_feed(self.uow, feed, batch_size=_BATCH[spec.via]))
        except RetireLinkError as error:
            summary.errors.append(f"{spec.name}：{error.message}")

    def _deliver(self, registry: Registry, summary: PassSummary) -> None:
        try:
            summary.delivery = deliver_due(self.uow, self.gateway, registry)
        except RetireLinkError as error:
            summary.errors.append(f"待发请求：{error.message}")

    def _housekeeping(self) -> None:
        """Keep the partners page's health current and forget expired request nonces."""
        with self.uow() as uow:
            for health in self.gateway.health():
                uow.partner_health.save(health)
            uow.nonces.forget_expired(now=uow.clock.now())
            uow.commit()

    def start(self, interval_seconds: float) -> None:
        """Run passes every ``interval_seconds`` in a daemon thread until ``stop`` (one web
        worker process per host runs them: see ``retirelink.periodic``)."""
        if self._worker is None:
            lock = self.data_dir / "exchange-worker.lock"
            self._worker = PeriodicWorker("exchange-worker", lock, self._pass)
        self._worker.start(interval_seconds)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()

    def _pass(self) -> bool:
        for error in self.run_once().errors:
            log.warning("exchange pass: %s", error)
        return False
