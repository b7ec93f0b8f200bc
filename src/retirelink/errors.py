"""Error categories shared by every layer.

Each error carries a message for users (中文) and, for bad input, the field it concerns.
The web edge maps each category to one HTTP status in ``web/errors.py``; nothing else
decides status codes.
"""


class RetireLinkError(Exception):
    """Base of all expected errors; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInputError(RetireLinkError):
    """The input breaks a rule (format, check digit, impossible date); nothing was written."""


class NotFoundError(RetireLinkError):
    """The thing asked for does not exist (or the actor may not know it exists)."""


class ConflictError(RetireLinkError):
    """The request contradicts the current state (duplicate, wrong status, separation of duties)."""


class AuthenticationError(RetireLinkError):
    """The caller could not be identified (bad password, expired session, locked account)."""


class PermissionDeniedError(RetireLinkError):
    """The actor is known but the role does not allow this action."""


class UnavailableError(RetireLinkError):
    """A dependency (database, partner system) is down; retrying later may succeed."""


class PartnerResponseError(RetireLinkError):
    """A partner system answered something we cannot read (malformed JSON, wrong shape, a
    signature that does not check); nothing of the answer was used."""
