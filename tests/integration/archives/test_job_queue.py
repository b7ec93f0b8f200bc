"""The background job queue: once per subject, leases, retries, and SKIP LOCKED on PostgreSQL."""

from datetime import timedelta

import pytest

from retirelink.bootstrap import Services
from retirelink.clock import FixedClock
from tests.support.databases import configured_url, is_postgres

LEASE = timedelta(minutes=10)


def _claim(services: Services, worker: str = "w1", limit: int = 10) -> list[str]:
    with services.uow() as uow:
        jobs = uow.jobs.claim(["ocr"], worker=worker, now=uow.clock.now(), lease=LEASE, limit=limit)
        uow.commit()
    return [job.subject for job in jobs]


def _enqueue(services: Services, *subjects: str) -> list[bool]:
    with services.uow() as uow:
        queued = [uow.jobs.enqueue("ocr", s, run_after=uow.clock.now()) for s in subjects]
        uow.commit()
    return queued


def test_a_subject_is_queued_once_and_claimed_once(services: Services) -> None:
    assert _enqueue(services, "page:1", "page:2", "page:1") == [True, True, False]
    assert _claim(services) == ["page:1", "page:2"]
    assert _claim(services) == []


def test_an_expired_lease_is_claimed_again(services: Services, clock: FixedClock) -> None:
    _enqueue(services, "page:1")
    assert _claim(services, "w1") == ["page:1"]
    clock.advance(LEASE + timedelta(seconds=1))
    assert _claim(services, "w2") == ["page:1"]


def test_failure_retries_later_then_fails_for_good(services: Services, clock: FixedClock) -> None:
    _enqueue(services, "page:1")
    with services.uow() as uow:
        (job,) = uow.jobs.claim(["ocr"], worker="w", now=uow.clock.now(), lease=LEASE, limit=1)
        uow.jobs.fail(job.id, error="boom", now=uow.clock.now(), retry_at=uow.clock.now() + LEASE)
        uow.commit()
    assert _claim(services) == []  # not before retry_at
    clock.advance(LEASE)
    with services.uow() as uow:
        (again,) = uow.jobs.claim(["ocr"], worker="w", now=uow.clock.now(), lease=LEASE, limit=1)
        assert again.attempts == 2
        uow.jobs.fail(again.id, error="boom", now=uow.clock.now(), retry_at=None)
        uow.commit()
        assert uow.jobs.counts("ocr") == {"failed": 1}
    # A failed (or done) job is queued again when asked: a rescanned page is read again.
    assert _enqueue(services, "page:1") == [True]


@pytest.mark.skipif(
    not is_postgres(configured_url() or "sqlite://"),
    reason="several runners at once need PostgreSQL's row locks (SQLite runs one runner)",
)
def test_concurrent_runners_take_disjoint_jobs(services: Services) -> None:
    _enqueue(services, *(f"page:{n}" for n in range(6)))
    with services.uow() as first, services.uow() as second:
        now = first.clock.now()
        taken_first = first.jobs.claim(["ocr"], worker="a", now=now, lease=LEASE, limit=3)
        # The first transaction still holds its rows: the second skips them instead of waiting.
        taken_second = second.jobs.claim(["ocr"], worker="b", now=now, lease=LEASE, limit=10)
        first.commit()
        second.commit()
    ids_first = {job.subject for job in taken_first}
    ids_second = {job.subject for job in taken_second}
    assert len(ids_first) == 3 and len(ids_second) == 3 and not ids_first & ids_second
