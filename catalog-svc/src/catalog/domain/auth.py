"""Tokens, permissions and the default administrator: pure rules."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.users import Permission

TOKEN_MAX_USES = 1000
TOKEN_LIFETIME = timedelta(hours=10)
ALL_PERMISSIONS = (Permission.UPLOAD, Permission.SEARCH, Permission.DOWNLOAD, Permission.ADMIN)
# The spec's published default administrator: the contract's clients log in with it (override with
# REGISTRY_ADMIN_NAME / REGISTRY_ADMIN_PASSWORD, read in settings.py).
DEFAULT_ADMIN_NAME = "ece30861defaultadminuser"
DEFAULT_ADMIN_PASSWORD = "correcthorsebatterystaple123(!__+@**(A'\"`;DROP TABLE artifacts;"  # noqa: S105


@dataclass(frozen=True)
class User:
    """A registry user as stored (the password only as its hash)."""

    name: str
    password_hash: str
    is_admin: bool
    permissions: tuple[Permission, ...]

    def effective_permissions(self) -> list[Permission]:
        """Admins hold every permission."""
        return list(ALL_PERMISSIONS) if self.is_admin else sorted(set(self.permissions))


@dataclass(frozen=True)
class TokenPolicy:
    """How long and how often a token may be used."""

    max_uses: int = TOKEN_MAX_USES
    lifetime: timedelta = TOKEN_LIFETIME

    def oldest_valid_issue_time(self, now: datetime) -> datetime:
        """Tokens issued before this instant have expired."""
        return now - self.lifetime


@dataclass(frozen=True)
class TokenRecord:
    """A stored token: its user, when it was issued, how many uses are spent or reserved, and the revocation
    sequence at the time it was read (what gateways compare to know that the user they cached is current)."""

    user: User
    issued_at: datetime
    uses: int
    revocation: int = 0


def lease_size(wanted: int, remaining: int) -> int:
    """Uses to reserve for one gateway: what it wants, but at most a quarter of what is left (at least one).

    Shrinking leases near the end keep the total exact for a single gateway and bound what another replica
    can hold back to a small share of the remaining uses.
    """
    return max(0, min(wanted, remaining, max(1, remaining // 4)))


def new_token() -> tuple[str, str]:
    """A fresh random token and the digest under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    """Tokens are stored hashed: a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def strip_bearer(header_value: str) -> str:
    """``bearer <token>`` (any case) or a bare token → the token."""
    value = header_value.strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer" and rest:
        return rest.strip()
    return value
