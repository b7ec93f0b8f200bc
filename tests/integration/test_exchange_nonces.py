"""Request nonces in the database: a replay is seen by every worker, an expired nonce may
come back (its timestamp could not pass the window anyway)."""

from datetime import timedelta

import pytest

pytestmark = pytest.mark.integration


def remember(services, nonce, *, expires_at, now):
    with services.uow() as uow:
        seen = uow.nonces.seen_or_remember("GONGAN-1", nonce, expires_at, now=now)
        uow.commit()
    return seen


def test_a_nonce_is_new_once_then_seen_until_it_expires(services, clock):
    now = clock.now()
    later = now + timedelta(minutes=5)

    assert remember(services, "n" * 20, expires_at=later, now=now) is False
    assert remember(services, "n" * 20, expires_at=later, now=now) is True
    assert remember(services, "m" * 20, expires_at=later, now=now) is False
    # After its expiry the same nonce is taken over, and then seen again.
    after = later + timedelta(seconds=1)
    assert remember(services, "n" * 20, expires_at=after + timedelta(minutes=5), now=after) is False
    assert remember(services, "n" * 20, expires_at=after + timedelta(minutes=5), now=after) is True


def test_a_nonce_remembered_in_a_rolled_back_request_is_not_kept(services, clock):
    now = clock.now()
    with services.uow() as uow:
        assert uow.nonces.seen_or_remember("GONGAN-1", "r" * 20, now, now=now) is False
        # no commit: the request failed before anything was applied

    assert remember(services, "r" * 20, expires_at=now, now=now) is False


def test_expired_nonces_are_forgotten(services, clock):
    now = clock.now()
    remember(services, "old" * 6, expires_at=now - timedelta(seconds=1), now=now)
    remember(services, "new" * 6, expires_at=now + timedelta(minutes=5), now=now)

    with services.uow() as uow:
        forgotten = uow.nonces.forget_expired(now=now)
        uow.commit()

    assert forgotten == 1
    assert remember(services, "new" * 6, expires_at=now + timedelta(minutes=5), now=now) is True
