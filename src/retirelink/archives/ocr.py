"""OCR as background jobs: ingest queues one job per page; runners recognise pages later, so
ingest never waits for OCR (about a second per page on one core).

Each page is its own transaction: its text (with per-line boxes) is stored and the page's
``on_text`` hooks run (fact extraction, search indexing) before the job is marked done. A page
that fails is retried a few times, then stored as failed with the reason — the other pages are
not affected. The queue is a table: one runner thread on SQLite, any number on PostgreSQL.
"""

import logging
import os
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from retirelink.archives.holdings import OcrLine, Page, PageText
from retirelink.archives.ports import BlobStore, HoldingsUnitOfWork, OcrEngine
from retirelink.archives.scan_reading import render_page

log = logging.getLogger(__name__)

OCR_JOB = "ocr"
MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=10)
# Long edge of the image given to the recogniser: about 200 dpi for an A4 page, enough for
# printed and typed forms, and it keeps recognition near one second per page.
OCR_MAX_EDGE = 2400


# Runs in the page's transaction once its text is saved (fact extraction, indexing).
TextHook = Callable[[HoldingsUnitOfWork, Page, PageText], object]


def queue_pages(uow: HoldingsUnitOfWork, page_ids: Iterable[int]) -> int:
    """Queue OCR for pages (each once); not committed — the caller's transaction decides."""
    now = uow.clock.now()
    return sum(uow.jobs.enqueue(OCR_JOB, f"page:{page_id}", run_after=now) for page_id in page_ids)


@dataclass
class OcrRunSummary:
    done: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_ocr_jobs(
    uow_factory: Callable[[], AbstractContextManager[HoldingsUnitOfWork]],
    *,
    engine: OcrEngine,
    store: BlobStore,
    on_text: Sequence[TextHook] = (),
    limit: int = 20,
) -> OcrRunSummary:
    """Claim up to ``limit`` due OCR jobs and process them one page per transaction."""
    with uow_factory() as uow:
        jobs = uow.jobs.claim(
            [OCR_JOB], worker=worker_name(), now=uow.clock.now(), lease=LEASE, limit=limit
        )
        uow.commit()
    summary = OcrRunSummary()
    for job in jobs:
        page_id = int(job.subject.removeprefix("page:"))
        try:
            _process(uow_factory, job.id, page_id, engine, store, on_text)
            summary.done += 1
        except Exception as error:
            reason = _reason(error)
            log.warning("OCR of page %s failed (attempt %s): %s", page_id, job.attempts, reason)
            final = _record_failure(uow_factory, job.id, page_id, job.attempts, reason, engine)
            summary.failed += final
            summary.retried += not final
            summary.errors.append(f"第{page_id}号页面：{reason}")
    return summary


def _process(
    uow_factory: Callable[[], AbstractContextManager[HoldingsUnitOfWork]],
    job_id: int,
    page_id: int,
    engine: OcrEngine,
    store: BlobStore,
    hooks: Sequence[TextHook],
) -> None:
    """Read the page, recognise it **outside any transaction** (a second or more: on SQLite
    an open write transaction would hold every other writer, and the web pages, that long),
    then store its text and run its hooks in one short transaction."""
    with uow_factory() as uow:
        page = uow.pages.get(page_id)
    lines: list[OcrLine] = []
    if page is not None:
        with _blob_file(store, page.blob_sha256) as path:
            image = render_page(path, page.source_index, max_edge=OCR_MAX_EDGE)
        lines = engine.recognise(image)
    with uow_factory() as uow:
        current = uow.pages.get(page_id)
        if page is not None and current is not None and current.blob_sha256 != page.blob_sha256:
            # Rescanned while it was being read: read the new scan (the job is queued again).
            now = uow.clock.now()
            uow.jobs.fail(job_id, error="识别期间页面已重扫，重新识别", now=now, retry_at=now)
            uow.commit()
            return
        if page is not None and current is not None:
            text = PageText(
                page_id=page_id,
                status="done",
                text="\n".join(line.text for line in lines),
                lines=tuple(lines),
                engine=engine.name,
                error="",
                processed_at=uow.clock.now(),
            )
            uow.page_texts.save(text)
            for hook in hooks:
                hook(uow, current, text)
        uow.jobs.finish(job_id, now=uow.clock.now())
        uow.commit()


@contextmanager
def _blob_file(store: BlobStore, key: str) -> Iterator[Path]:
    """A blob copied to a temporary file (decoders want a path; the store may be remote)."""
    handle, name = tempfile.mkstemp(prefix="retirelink-ocr-")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as target, store.open(key) as source:
            while chunk := source.read(1024 * 1024):
                target.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _record_failure(
    uow_factory: Callable[[], AbstractContextManager[HoldingsUnitOfWork]],
    job_id: int,
    page_id: int,
    attempts: int,
    reason: str,
    engine: OcrEngine,
) -> bool:
    """Queue the page again later, or store it as failed; True when it failed for good."""
    with uow_factory() as uow:
        now = uow.clock.now()
        final = attempts >= MAX_ATTEMPTS
        retry_at = None if final else now + timedelta(minutes=attempts)
        uow.jobs.fail(job_id, error=reason, now=now, retry_at=retry_at)
        if final and uow.pages.get(page_id) is not None:
            uow.page_texts.save(PageText(page_id, "failed", "", (), engine.name, reason, now))
        uow.commit()
    return final


def _reason(error: Exception) -> str:
    message = getattr(error, "message", None)
    return str(message) if message else f"{type(error).__name__}: {error}"[:500]


def job_counts(uow: HoldingsUnitOfWork) -> dict[str, int]:
    return uow.jobs.counts(OCR_JOB)
