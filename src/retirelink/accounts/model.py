"""User accounts and their server-side sessions."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from retirelink.security.model import Actor, Principal, Role


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    lockout: timedelta
    session_max_age: timedelta
    session_idle: timedelta


@dataclass(frozen=True)
class UserAccount:
    id: int | None
    username: str
    display_name: str
    department_code: str
    roles: frozenset[Role]
    password_hash: str
    failed_logins: int = 0
    locked_until: datetime | None = None
    active: bool = True
    represents: Principal | None = None  # applicant accounts only

    def actor(self) -> Actor:
        assert self.id is not None
        return Actor(
            user_id=self.id,
            username=self.username,
            display_name=self.display_name,
            department_code=self.department_code,
            roles=self.roles,
            represents=self.represents,
        )

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime, policy: LoginPolicy) -> "UserAccount":
        failures = self.failed_logins + 1
        if failures >= policy.max_failures:
            return replace(self, failed_logins=0, locked_until=now + policy.lockout)
        return replace(self, failed_logins=failures)

    def after_success(self) -> "UserAccount":
        return replace(self, failed_logins=0, locked_until=None)


@dataclass(frozen=True)
class SessionRecord:
    session_id: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None

    def is_live(self, now: datetime, policy: LoginPolicy) -> bool:
        return (
            self.revoked_at is None
            and now - self.created_at <= policy.session_max_age
            and now - self.last_seen_at <= policy.session_idle
        )
