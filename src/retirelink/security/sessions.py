"""Signed session cookies (itsdangerous) and the CSRF token bound to each session.

The cookie carries only a random session id, signed; expiry, idle timeout and logout are
enforced against the server-side session record (``accounts``), so a copied cookie dies
with its session.
"""

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

from retirelink.security.crypto import constant_time_equal, hmac_hex


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class SessionCodec:
    def __init__(self, secret: str, *, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="retirelink.session")
        self._secret = secret.encode()
        self._max_age = max_age_seconds

    def encode(self, session_id: str) -> str:
        return self._serializer.dumps(session_id)

    def decode(self, token: str) -> str | None:
        """The session id inside a valid, unexpired cookie, else None."""
        try:
            value = self._serializer.loads(token, max_age=self._max_age)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def csrf_token(self, session_id: str) -> str:
        return hmac_hex(self._secret, f"csrf:{session_id}".encode())

    def check_csrf(self, session_id: str, token: str | None) -> bool:
        return token is not None and constant_time_equal(self.csrf_token(session_id), token)
