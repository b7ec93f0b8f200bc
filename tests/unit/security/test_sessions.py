"""Signed session cookies and the CSRF token bound to each session."""

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from retirelink.security.sessions import SessionCodec, new_session_id

SECRET = "session-secret-for-unit-tests-0123456789"
SALT = "retirelink.session"  # must match SessionCodec, or the expiry tests prove nothing


class _HourAgoSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3600


def hour_old_token(session_id: str) -> str:
    return URLSafeTimedSerializer(SECRET, salt=SALT, signer=_HourAgoSigner).dumps(session_id)


@pytest.fixture
def codec() -> SessionCodec:
    return SessionCodec(SECRET, max_age_seconds=60)


def test_a_session_id_survives_an_encode_decode_round_trip(codec: SessionCodec) -> None:
    session_id = new_session_id()
    assert codec.decode(codec.encode(session_id)) == session_id


def test_new_session_ids_are_long_and_unique() -> None:
    ids = {new_session_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) >= 40 for i in ids)


def test_a_token_whose_payload_was_swapped_is_rejected(codec: SessionCodec) -> None:
    payload, _, rest = codec.encode("session-1").partition(".")
    forged_payload = codec.encode("session-2").partition(".")[0]
    assert forged_payload != payload
    assert codec.decode(f"{forged_payload}.{rest}") is None


def test_a_token_with_an_altered_signature_is_rejected(codec: SessionCodec) -> None:
    token = codec.encode("session-1")
    middle = len(token) - 10  # inside the signature, clear of base64 padding bits
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    assert codec.decode(altered) is None


def test_a_token_signed_with_another_secret_is_rejected(codec: SessionCodec) -> None:
    other = SessionCodec("another-secret-of-sufficient-length-000", max_age_seconds=60)
    assert codec.decode(other.encode("session-1")) is None


def test_a_garbage_token_is_rejected(codec: SessionCodec) -> None:
    assert codec.decode("not-a-token") is None


def test_a_token_older_than_max_age_is_rejected(codec: SessionCodec) -> None:
    assert codec.decode(hour_old_token("session-1")) is None


def test_the_same_old_token_is_accepted_while_within_max_age() -> None:
    patient = SessionCodec(SECRET, max_age_seconds=7200)
    assert patient.decode(hour_old_token("session-1")) == "session-1"


def test_the_csrf_token_is_stable_for_one_session(codec: SessionCodec) -> None:
    again = SessionCodec(SECRET, max_age_seconds=60)
    assert codec.csrf_token("session-1") == again.csrf_token("session-1")


def test_the_csrf_token_differs_between_sessions(codec: SessionCodec) -> None:
    assert codec.csrf_token("session-1") != codec.csrf_token("session-2")


def test_the_csrf_token_of_the_session_passes_the_check(codec: SessionCodec) -> None:
    assert codec.check_csrf("session-1", codec.csrf_token("session-1"))


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_a_missing_or_made_up_csrf_token_fails_the_check(
    codec: SessionCodec, token: str | None
) -> None:
    assert not codec.check_csrf("session-1", token)


def test_another_sessions_csrf_token_fails_the_check(codec: SessionCodec) -> None:
    assert not codec.check_csrf("session-1", codec.csrf_token("session-2"))
